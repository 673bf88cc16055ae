"""Open Threat Model (OTM, JSON or YAML) -> SystemModel.

Trust zones become boundaries (nested through `parent.trustZone`), components become
elements, dataflows become flows and assets become data assets. Where an OTM file came from
our own export, the `threatmodel:` attributes restore every field exactly; otherwise kinds,
types and categories are inferred from names and types (each inference is noted), and OTM
attributes that name one of our vocabulary attributes are kept when their value fits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from threatmodel.errors import Position
from threatmodel.interop import categories as cats
from threatmodel.interop import otm_common as C
from threatmodel.interop.build import UNMAPPED, Builder, ImportResult
from threatmodel.interop.mapping import KIND_WORDS, boundary_kind_for, first_match, type_for
from threatmodel.interop.organisation import place, zone_is_third_party
from threatmodel.interop.otm_common import coerce as _coerce
from threatmodel.interop.otm_common import from_threatmodel as _from_threatmodel
from threatmodel.interop.otm_common import parent as _parent
from threatmodel.interop.source import read_source
from threatmodel.loader import LMap, value_pos
from threatmodel.model import ELEMENT_KINDS, Boundary, Control, DataAsset, DataFlow, Element, System
from threatmodel.vocabulary import Vocabulary, parse_vocabulary


def import_otm(path: Path | str, vocabulary: Vocabulary | None = None) -> ImportResult:
    """Read an OTM file (JSON or YAML); raises ThreatModelError when it is broken."""
    data, _ = read_source(path)
    return from_data(data, str(path), vocabulary)


def from_source(data: Any, path: Path | str, limits=None) -> ImportResult:
    """The model from an OTM document already read as located `data`."""
    return from_data(data, str(path))


def _shipped_vocabulary() -> Vocabulary:
    """Every attribute the shipped catalogs declare (the vocabulary file and the catalogs)."""
    from threatmodel.catalog_yaml import load_catalog

    return load_catalog(()).vocabulary


def from_data(data: Any, display: str, vocabulary: Vocabulary | None = None) -> ImportResult:
    build = Builder(display, "otm")
    if not isinstance(data, LMap):
        build.error(
            build.top(), "an OTM document must be an object with 'otmVersion' and 'project'"
        )
        build.out.raise_if_errors()
    for key in ("otmVersion", "project"):
        if key not in data:
            build.error(data.pos, f"OTM: '{key}' is required (is this an OTM file? see --from)")
    build.out.raise_if_errors()
    reader = _Reader(build, data, vocabulary or _shipped_vocabulary())
    reader.ours = _from_threatmodel(data)
    system = reader.project()
    reader.assets()
    reader.zones()
    reader.components()
    reader.dataflows()
    reader.memberships()
    reader.controls()
    if not reader.ours:
        for key, why in (
            ("threats", "threatmodel finds its own"),
            ("mitigations", "controls come from the catalogs"),
            ("representations", "threatmodel lays out its own diagrams"),
        ):
            if data.get(key):
                build.note(
                    build.key_at(data, key),
                    f"OTM {key} are not imported ({why})",
                    f"{len(data[key])} {key}",
                )
        build.unmapped(data, TOP_MAPPED, "OTM")
        place(build, reader.third, reader.third_zones)
    return build.finish(system)


# OTM component types with a plain meaning (the OTM example's and IriusRisk's generic ones)
TYPE_KINDS = {
    "web-client": "actor",
    "generic-client": "actor",
    "web-service": "process",
    "web-application": "process",
    "code-class": "process",
    "database": "datastore",
    "other-database": "datastore",
}
TOP_MAPPED = (
    "otmVersion",
    "project",
    "trustZones",
    "components",
    "dataflows",
    "assets",
    "threats",
    "mitigations",
    "representations",
)
PROJECT_MAPPED = ("id", "name", "description", "owner", "attributes")
ZONE_MAPPED = ("id", "name", "type", "description", "parent", "attributes")
COMPONENT_MAPPED = (
    "id",
    "name",
    "type",
    "description",
    "parent",
    "assets",
    "tags",
    "attributes",
    "threats",
)
FLOW_MAPPED = (
    "id",
    "name",
    "description",
    "source",
    "destination",
    "bidirectional",
    "assets",
    "attributes",
    "threats",
)
ASSET_MAPPED = ("id", "name", "description", "attributes")
# OTM asset confidentiality (0-100) -> our class: 0 is public, the rest in four bands
CONFIDENTIALITY_BANDS = (
    (0, "public"),
    (25, "internal"),
    (50, "restricted"),
    (75, "confidential"),
    (100, "strictly_confidential"),
)


def confidentiality_class(rating: int | float) -> str:
    """0 public, 1-25 internal, 26-50 restricted, 51-75 confidential, 76-100 strictly."""
    return next(name for top, name in CONFIDENTIALITY_BANDS if rating <= top)


class _Reader:
    def __init__(self, build: Builder, data: LMap, vocabulary: Vocabulary):
        self.b = build
        self.src = data
        self.vocabulary = vocabulary
        self.zone_parent: dict[str, tuple[str, Any]] = {}  # our zone id -> (raw parent, pos)
        self.member_of: dict[str, tuple[str, Any]] = {}  # element id -> (raw zone id, pos)
        self.component_parent: dict[str, str] = {}  # raw component id -> raw parent comp
        self.zones_raw: dict[str, str] = {}  # raw zone id -> our id
        self.zone_items: list[tuple[str, str, LMap]] = []
        self.synthetic: set[str] = set()
        self.own_vocabulary: Vocabulary | None = None
        self.ours = False  # written by our export: keep every attribute as it is
        self.third: dict[str, str] = {}  # element id -> why it is a third party
        self.third_zones: dict[str, str] = {}  # zone id -> why it holds other parties

    def _items(self, key: str, what: str):
        for index, item in enumerate(self.b.sequence(self.src, key, "OTM")):
            where = value_pos(self.src[key], index, self.src.pos)
            if not isinstance(item, dict):
                self.b.error(where, f"{key}[{index + 1}] must be an object")
                continue
            raw = self.b.text(item, "id", f"{what} {index + 1}", required=True)
            if raw:
                yield raw, item

    def _attributes(self, item: LMap, kind: str, our_id: str) -> tuple[dict, dict]:
        """Our vocabulary attributes found in an OTM `attributes` map (others noted)."""
        attrs_map = item.get("attributes")
        result: dict[str, Any] = {}
        fpos: dict[str, Position] = {}
        if not isinstance(attrs_map, LMap):
            return result, fpos
        known = (
            self.vocabulary
            if self.own_vocabulary is None
            else self.vocabulary.merge(self.own_vocabulary)
        )
        for name, value in attrs_map.items():
            if name.startswith(C.PREFIX):
                continue
            attribute = known.attributes.get(name)
            where = value_pos(attrs_map, name, attrs_map.pos)
            if self.ours:
                result[name] = tuple(value) if isinstance(value, list) else value
                fpos[name] = where
                continue
            if attribute is None or kind not in attribute.applies_to:
                self.b.note(where, UNMAPPED, f"{kind} attribute: {name}")
                continue
            value = _coerce(value, attribute.type)
            if isinstance(value, list):
                value = tuple(value)
            problem = attribute.problem(value, known)
            if problem:
                self.b.note(
                    where,
                    "OTM attribute values that do not fit our vocabulary",
                    f"{our_id}: {problem}",
                )
                continue
            result[name] = value
            fpos[name] = where
        return result, fpos

    def _name(self, item: LMap, raw: str, what: str) -> str:
        """The name, or '' when it only repeats the id (our export writes the id for no name)."""
        name = self.b.text(item, "name", what)
        return "" if name == raw else name

    def _mark(self, item: LMap, key: str) -> Any:
        attrs_map = item.get("attributes")
        return attrs_map.get(key) if isinstance(attrs_map, dict) else None

    def project(self) -> System:
        b = self.b
        project = b.mapping(self.src, "project", "OTM", required=True) or LMap(self.src.pos)
        raw_vocab = self._mark(project, C.VOCABULARY)
        if isinstance(raw_vocab, LMap):
            self.own_vocabulary = parse_vocabulary(raw_vocab, b.out)
            b.attributes.update(self.own_vocabulary.attributes)
        raw = b.text(project, "id", "project", required=True) or "project"
        system_id = b.claim(raw, b.at(project, "id"), "project")
        attributes, fpos = self._attributes(project, "system", system_id)
        if not self.ours:
            b.unmapped(project, PROJECT_MAPPED, "project")
        b.text(project, "name", "project", required=True)
        return System(
            id=system_id,
            name=self._name(project, raw, "project"),
            owner=b.text(project, "owner", "project"),
            description=b.text(project, "description", "project"),
            attributes=attributes,
            pos=project.pos,
            field_pos={"id": b.at(project, "id"), **fpos},
        )

    def assets(self) -> None:
        b = self.b
        for raw, item in self._items("assets", "asset"):
            asset_id = b.claim(raw, b.at(item, "id"), "data asset", data=True)
            name = self._name(item, raw, f"asset '{raw}'")
            description = b.text(item, "description", f"asset '{raw}'")
            marked = self._mark(item, C.CATEGORIES)
            attributes, fpos = self._attributes(item, "data", asset_id)
            if isinstance(marked, list) and all(isinstance(c, str) for c in marked):
                categories = tuple(marked)
            else:
                not_personal = self._risk(item, asset_id, attributes, fpos)
                decision = cats.decide(not_personal=not_personal, texts=(raw, name, description))
                cats.record(b, asset_id, item.pos, decision, not_personal)
                categories = decision.values
                b.unmapped(item, (*ASSET_MAPPED, "risk"), "asset")
            subjects = self._mark(item, C.SUBJECTS)
            source = self._mark(item, C.SOURCE)
            b.data.append(
                DataAsset(
                    id=asset_id,
                    name=name,
                    description=description,
                    categories=categories,
                    subjects=subjects
                    if isinstance(subjects, int) and not isinstance(subjects, bool)
                    else None,
                    source=source if isinstance(source, str) else None,
                    attributes=attributes,
                    pos=item.pos,
                    field_pos={"id": b.at(item, "id"), **fpos},
                )
            )

    def _risk(self, item: LMap, asset_id: str, attributes: dict, fpos: dict) -> str:
        """An asset's confidentiality rating as our class; '' or why the data is not personal."""
        b = self.b
        risk = b.mapping(item, "risk", f"asset '{asset_id}'")
        if risk is None:
            return ""
        b.unmapped(risk, ("confidentiality",), "asset risk")
        rating = risk.get("confidentiality")
        if rating is None:
            return ""
        if (
            isinstance(rating, bool)
            or not isinstance(rating, (int, float))
            or not 0 <= rating <= 100
        ):
            b.error(
                b.at(risk, "confidentiality"),
                f"asset '{asset_id}': risk.confidentiality must be a number from 0 to 100",
            )
            return ""
        level = confidentiality_class(rating)
        attributes[b.declare("confidentiality")] = level
        fpos["confidentiality"] = b.at(risk, "confidentiality")
        b.comment("data", asset_id, "confidentiality", f"from OTM risk.confidentiality {rating}")
        return f"OTM confidentiality {rating}" if level == "public" else ""

    def zones(self) -> None:
        b = self.b
        for raw, item in self._items("trustZones", "trust zone"):
            if self._mark(item, C.SYNTHETIC) is True:
                self.synthetic.add(raw)
                continue
            zone_id = b.claim(raw, b.at(item, "id"), "trust zone")
            self.zones_raw[raw] = zone_id
            if not self.ours:
                third = zone_is_third_party(item.get("type"), item.get("name"))
                if third:
                    self.third_zones[zone_id] = f"trust zone '{third}'"
                b.unmapped(item, (*ZONE_MAPPED, "risk"), "trust zone")
                risk = item.get("risk")
                if isinstance(risk, dict):
                    b.unmapped(risk, (), "trust zone risk")
            parent = _parent(item.get("parent"))
            if parent and parent[0] == "trustZone":
                self.zone_parent[zone_id] = (parent[1], b.at(item, "parent"))
            elif parent:
                b.note(
                    b.at(item, "parent"), "trust zones inside components are not nested", zone_id
                )
            self.zone_items.append((raw, zone_id, item))

    def _zone_kind(self, item: LMap, zone_id: str) -> str:
        kinds = self.vocabulary.boundary_kinds
        marked = self._mark(item, C.KIND)
        if marked in kinds:
            return marked
        if item.get("type") in kinds:
            return item["type"]
        kind, hit = boundary_kind_for(item.get("type"), item.get("name"), zone_id)
        why = f"guessed from the word '{hit}'" if hit else "nothing matched: network"
        self.b.comment("boundaries", zone_id, "kind", f"{why}; check")
        self.b.note(
            item.pos,
            "boundary kinds guessed from trust-zone names (check them)",
            f"{zone_id}: {kind}" + (f" (from '{hit}')" if hit else " (default)"),
        )
        return kind

    def components(self) -> None:
        b = self.b
        for raw, item in self._items("components", "component"):
            what = f"component '{raw}'"
            element_id = b.claim(raw, b.at(item, "id"), "component")
            name = self._name(item, raw, what)
            otm_type = b.text(item, "type", what)
            description = b.text(item, "description", what)
            kind = self._mark(item, C.KIND)
            if kind not in ELEMENT_KINDS and otm_type in TYPE_KINDS:
                kind = TYPE_KINDS[otm_type]
                b.comment("elements", element_id, "kind", f"from OTM type '{otm_type}'")
            if kind not in ELEMENT_KINDS:
                tags = [text for text, _ in b.entries(item, "tags", what)]
                kind, hit = first_match(KIND_WORDS, otm_type, name, tags)
                kind = kind or "process"
                why = f"guessed from the word '{hit}'" if hit else "nothing matched: process"
                b.comment("elements", element_id, "kind", f"{why}; check")
                b.note(
                    item.pos,
                    "element kinds guessed from component types and names (check them)",
                    f"{element_id}: {kind}" + (f" (from '{hit}')" if hit else " (default)"),
                )
            element_type = self._mark(item, C.TYPE)
            if not isinstance(element_type, str) and self._mark(item, C.KIND) in ELEMENT_KINDS:
                element_type = None  # our own export: no type was set
            elif not isinstance(element_type, str):
                element_type, hit = type_for(kind, otm_type, name, description)
                if element_type:
                    b.comment(
                        "elements", element_id, "type", f"guessed from the word '{hit}'; check"
                    )
                    b.note(
                        item.pos,
                        "element types guessed from component types and names (check them)",
                        f"{element_id}: {element_type} (from '{hit}')",
                    )
            parent = _parent(item.get("parent"))
            if parent is None:
                b.error(
                    b.at(item, "parent") if "parent" in item else item.pos,
                    f"{what}: 'parent' must name a trustZone or a component",
                )
            elif parent[0] == "trustZone":
                self.member_of[element_id] = (parent[1], b.at(item, "parent"))
            else:
                self.component_parent[raw] = parent[1]
                self.member_of[element_id] = ("component:" + parent[1], b.at(item, "parent"))
            stores, inputs = self._asset_refs(item, kind, element_id, what)
            attributes, fpos = self._attributes(item, kind, element_id)
            if item.get("threats"):
                b.note(
                    b.key_at(item, "threats"), "OTM threat instances are not imported", element_id
                )
            if not self.ours:
                tags = [text for text, _ in b.entries(item, "tags", what)]
                third = zone_is_third_party(tags)
                if third:
                    self.third[element_id] = f"tagged '{third}'"
                b.unmapped(item, COMPONENT_MAPPED, "component")
            b.elements.append(
                Element(
                    id=element_id,
                    kind=kind,
                    type=element_type,
                    name=name,
                    description=description,
                    stores=stores,
                    inputs=inputs,
                    attributes=attributes,
                    pos=item.pos,
                    field_pos={"id": b.at(item, "id"), **fpos},
                )
            )

    def _asset_refs(self, item: LMap, kind: str, element_id: str, what: str):
        b = self.b
        refs = item.get("assets")
        if not isinstance(refs, dict):
            return (), ()
        found = {}
        for key in ("stored", "processed"):
            ids = []
            for raw, at in b.entries(refs, key, what):
                data_id = b.data_ids.get(raw)
                if data_id is None:
                    where = b.entry_at(refs, key, at)
                    b.error(where, f"{what}: unknown asset '{raw}' in assets.{key}")
                    continue
                ids.append(data_id)
            found[key] = tuple(ids)
        stores = found["stored"] if kind == "datastore" else ()
        inputs = found["processed"] if kind == "process" else ()
        if found["stored"] and kind != "datastore":
            b.note(
                b.at(refs, "stored"),
                "assets stored by a component that is not a datastore",
                element_id,
            )
        if kind == "process" and found["stored"]:
            inputs = tuple(dict.fromkeys(inputs + found["stored"]))
        return stores, inputs

    def dataflows(self) -> None:
        b = self.b
        components = {raw: b.ids.get(raw) for raw in self.component_ids()}
        for raw, item in self._items("dataflows", "dataflow"):
            what = f"dataflow '{raw}'"
            ends = []
            for key in ("source", "destination"):
                end_raw = b.text(item, key, what, required=True)
                end = components.get(end_raw)
                if end_raw and end is None:
                    b.error(b.at(item, key), f"{what}: '{key}' names unknown component '{end_raw}'")
                ends.append(end)
            data = []
            for ref, at in b.entries(item, "assets", what):
                data_id = b.data_ids.get(ref)
                if data_id is None:
                    b.error(b.entry_at(item, "assets", at), f"{what}: unknown asset '{ref}'")
                    continue
                data.append(data_id)
            flow_id = b.claim(raw, b.at(item, "id"), "dataflow")
            source, target = ends
            if source is None or target is None:
                continue
            attributes, fpos = self._attributes(item, "dataflow", flow_id)
            if not self.ours:
                b.unmapped(item, FLOW_MAPPED, "dataflow")
            common = {
                "data": tuple(data),
                "name": self._name(item, raw, what),
                "description": b.text(item, "description", what),
                "pos": item.pos,
            }
            b.flows.append(
                DataFlow(
                    id=flow_id,
                    source=source,
                    target=target,
                    attributes=attributes,
                    field_pos={
                        "id": b.at(item, "id"),
                        "from": b.at(item, "source"),
                        "to": b.at(item, "destination"),
                        **fpos,
                    },
                    **common,
                )
            )
            if item.get("bidirectional") is True:
                back = b.ids.claim(f"{flow_id}-reverse", "dataflow")
                b.note(
                    b.at(item, "bidirectional"),
                    "bidirectional dataflows became two flows",
                    f"{flow_id} + {back}",
                )
                b.flows.append(
                    DataFlow(
                        id=back,
                        source=target,
                        target=source,
                        attributes=dict(attributes),
                        field_pos={
                            "from": b.at(item, "destination"),
                            "to": b.at(item, "source"),
                            **fpos,
                        },
                        **common,
                    )
                )
            if item.get("threats"):
                b.note(b.key_at(item, "threats"), "OTM threat instances are not imported", flow_id)

    def component_ids(self) -> list[str]:
        return [raw for raw, _ in self._items_quiet("components")]

    def _items_quiet(self, key: str):
        items = self.src.get(key)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                yield item["id"], item

    def memberships(self) -> None:
        b = self.b
        members: dict[str, list[str]] = {zone_id: [] for zone_id in self.zones_raw.values()}
        for zone_id, (raw_parent, where) in self.zone_parent.items():
            parent = self.zones_raw.get(raw_parent)
            if parent is None:
                if raw_parent not in self.synthetic:
                    b.error(
                        where,
                        f"trust zone '{zone_id}': parent names unknown trust zone '{raw_parent}'",
                    )
                continue
            members[parent].append(zone_id)
        for element_id, (raw_zone, where) in self.member_of.items():
            seen = set()
            while raw_zone.startswith("component:") and raw_zone not in seen:
                seen.add(raw_zone)
                component = raw_zone[len("component:") :]
                if component not in self.component_parent and b.ids.get(component) is None:
                    b.error(
                        where,
                        f"component '{element_id}': parent names unknown component '{component}'",
                    )
                    raw_zone = ""
                    break
                b.note(
                    where,
                    "components nested in components were placed in the enclosing trust zone",
                    element_id,
                )
                raw_zone = self._zone_of_component(component)
            if not raw_zone or raw_zone in self.synthetic:
                continue
            zone = self.zones_raw.get(raw_zone)
            if zone is None:
                b.error(
                    where, f"component '{element_id}': parent names unknown trust zone '{raw_zone}'"
                )
                continue
            members[zone].append(element_id)
        for raw, zone_id, item in self.zone_items:
            ordered = members[zone_id]
            marked = self._mark(item, C.MEMBERS)
            if isinstance(marked, list) and sorted(marked) == sorted(ordered):
                ordered = list(marked)
            attributes, fpos = self._attributes(item, "boundary", zone_id)
            b.boundaries.append(
                Boundary(
                    id=zone_id,
                    type=self._zone_kind(item, zone_id),
                    name=self._name(item, raw, f"trust zone '{raw}'"),
                    description=b.text(item, "description", ""),
                    members=tuple(ordered),
                    attributes=attributes,
                    pos=item.pos,
                    field_pos={"id": b.at(item, "id"), **fpos},
                )
            )

    def _zone_of_component(self, raw_component: str) -> str:
        for raw, item in self._items_quiet("components"):
            if raw == raw_component:
                parent = _parent(item.get("parent"))
                if parent is None:
                    return ""
                return parent[1] if parent[0] == "trustZone" else "component:" + parent[1]
        return ""

    def controls(self) -> None:
        project = self.src.get("project")
        if not isinstance(project, LMap):
            return
        marked = self._mark(project, C.CONTROLS)
        for item in marked if isinstance(marked, list) else ():
            if isinstance(item, dict) and isinstance(item.get("mitigation"), str):
                targets = item.get("targets") or []
                self.b.controls.append(
                    Control(
                        mitigation=item["mitigation"],
                        note=str(item.get("note") or ""),
                        targets=tuple(str(t) for t in targets if isinstance(t, str)),
                        pos=getattr(item, "pos", project.pos),
                    )
                )
