"""pytm's JSON output (`tm.py --json FILE`) -> SystemModel, without importing or running pytm.

pytm dumps its TM object: `boundaries`, `actors` and `assets` (or `elements`), `flows` and
`data`, each element naming its boundary, and each flow its `source`, `sink` and `data`, by
**name**. So names must be unique; they become our ids. pytm has no "unknown": every control
defaults to false, and pytm's own rules read false as "absent", so mapped controls carry their
false values over as they are. Every other field is listed with its line; fields still at
pytm's default (false, empty, -1, UNKNOWN) are listed under a topic of their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from threatmodel.errors import Position
from threatmodel.interop import categories as cats
from threatmodel.interop.build import Builder, ImportResult
from threatmodel.interop.mapping import boundary_kind_for, type_for
from threatmodel.interop.organisation import place, zone_is_third_party
from threatmodel.interop.source import read_source
from threatmodel.loader import DEFAULT_LIMITS, Limits, LMap, value_pos
from threatmodel.model import Boundary, DataAsset, DataFlow, Element, ElementKind, System

CLASS_KINDS: dict[str, ElementKind] = {
    "Actor": "actor",
    "Process": "process",
    "SetOfProcesses": "process",
    "Server": "process",
    "Lambda": "process",
    "Asset": "process",
    "LLM": "process",
    "Agent": "process",
    "Datastore": "datastore",
    "ExternalEntity": "external_service",
}
DATASTORE_TYPES = {
    "SQL": "database",
    "NOSQL": "database",
    "FILE_SYSTEM": "file_store",
    "BUCKET": "file_store",
    "AWS_S3": "file_store",
    "LDAP": "identity_vault",
}
CLASSIFICATION = {
    "PUBLIC": "public",
    "RESTRICTED": "restricted",
    "SENSITIVE": "confidential",
    "SECRET": "strictly_confidential",
    "TOP_SECRET": "strictly_confidential",
}

TM_MAPPED = ("name", "description", "actors", "assets", "elements", "boundaries", "flows", "data")
# lists of flow or element names that repeat what the flows already say
DERIVED = ("inputs", "outputs", "carriedBy", "processedBy", "response", "responseTo", "isResponse")
ELEMENT_MAPPED = (
    "__class__",
    "name",
    "description",
    "inBoundary",
    "controls",
    "data",
    "isAdmin",
    "isThirdParty",
    "isSelfHosted",
    "processesPersonalData",
    "storesPII",
    "storesLogData",
    "type",
    "isSQL",
    "usesVPN",
    *DERIVED,
)
FLOW_MAPPED = (
    "name",
    "source",
    "sink",
    "data",
    "note",
    "description",
    "protocol",
    "controls",
    "usesVPN",
    "tlsVersion",
    "inBoundary",
    *DERIVED,
)
BOUNDARY_MAPPED = ("name", "description", "inBoundary")
DATA_MAPPED = ("name", "description", "classification", "isPII", "isCredentials", *DERIVED)
# control -> (our attribute, kinds it is carried to); see also _controls
ELEMENT_CONTROLS = {
    "isEncryptedAtRest": ("encrypted_at_rest", ("datastore",)),
    "usesMFA": ("mfa", ("actor", "external_service")),
    "isHardened": ("patched", ("process", "datastore")),
}
CONTROLS_MAPPED = (
    *ELEMENT_CONTROLS,
    "hasAccessControl",
    "validatesInput",
    "sanitizesInput",
    "isEncrypted",
    "authenticatesSource",
    "authenticatesDestination",
    "usesVPN",
)
DEFAULTS = {"inScope": True, "levels": [0], "onDuplicates": "Action.NO_ACTION"}


def _is_default(key: str, value: Any) -> bool:
    """Whether a field holds what pytm writes when nobody set it."""
    if key in DEFAULTS:
        return value == DEFAULTS[key]
    if value is False or value in (-1, 0):
        return value is not True
    return isinstance(value, str) and value.rsplit(".", 1)[-1] in ("UNKNOWN", "NONE")


def import_pytm(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> ImportResult:
    """Read the JSON that pytm's `--json` option writes; raises ThreatModelError when broken."""
    return from_source(read_source(path, limits)[0], path, limits)


def from_source(data: Any, path: Path | str, limits: Limits = DEFAULT_LIMITS) -> ImportResult:
    """The model from pytm's JSON output, already read as located `data`."""
    return from_data(data, str(path))


def _enum(value: Any) -> str:
    """'Classification.SECRET' -> 'SECRET'."""
    return str(value).rsplit(".", 1)[-1] if value not in (None, "") else ""


def from_data(data: Any, display: str) -> ImportResult:
    build = Builder(display, "pytm")
    if not isinstance(data, LMap):
        build.error(build.top(), "pytm JSON output must be an object with 'flows' and elements")
        build.out.raise_if_errors()
    if not any(k in data for k in ("flows", "actors", "assets", "elements")):
        build.error(
            data.pos,
            "this does not look like pytm's JSON output: no 'flows', 'actors', "
            "'assets' or 'elements' (write it with `python3 tm.py --json FILE`)",
        )
    reader = _Reader(build, data)
    system = reader.system()
    reader.data()
    reader.boundaries()
    reader.elements()
    reader.memberships()
    reader.flows()
    reader.personal_data()
    place(build, reader.third, reader.third_zones)
    return build.finish(system)


class _Reader:
    def __init__(self, build: Builder, data: LMap):
        self.b = build
        self.src = data
        self.names: dict[str, str] = {}  # element or boundary name -> our id
        self.data_names: dict[str, str] = {}  # data name -> our data id
        self.parent: dict[str, tuple[str, Any]] = {}  # our id -> (boundary name, position)
        self.boundary_ids: list[str] = []
        self.boundary_items: list[tuple[str, str, str, LMap]] = []
        self.third: dict[str, str] = {}
        self.third_zones: dict[str, str] = {}
        self.personal: dict[str, tuple[str, Position]] = {}  # element id -> (flag, where)

    def system(self) -> System:
        b, src = self.b, self.src
        name = b.text(src, "name", "TM") or Path(b.display).stem
        b.unmapped(src, TM_MAPPED, "TM", _is_default)
        return System(
            id=b.ids.claim(name.lower(), "system"),
            name=name,
            description=b.text(src, "description", "TM"),
            pos=src.pos,
            field_pos={"name": b.at(src, "name")},
        )

    def _named(self, key: str):
        for index, item in enumerate(self.b.sequence(self.src, key, "TM")):
            where = value_pos(self.src[key], index, self.src.pos)
            if not isinstance(item, dict):
                self.b.error(where, f"{key}[{index + 1}] must be an object")
                continue
            name = self.b.text(item, "name", f"{key}[{index + 1}]", required=True)
            if name:
                yield name, item

    def data(self) -> None:
        b = self.b
        for name, item in self._named("data"):
            if name in self.data_names:
                b.error(
                    b.at(item, "name"),
                    f"two data items are named '{name}'; pytm refers to "
                    "data by name, so names must be unique",
                )
                continue
            what = f"data '{name}'"
            data_id = b.data_ids.claim(name.lower(), "data")
            self.data_names[name] = data_id
            description = b.text(item, "description", what)
            attributes: dict[str, Any] = {}
            fpos: dict[str, Position] = {"id": b.at(item, "name")}
            level = CLASSIFICATION.get(_enum(item.get("classification")))
            if level:
                attributes[b.declare("confidentiality")] = level
                fpos["confidentiality"] = b.at(item, "classification")
            decision, not_personal = self._categories(item, what, level, name, description)
            cats.record(b, data_id, item.pos, decision, not_personal)
            b.unmapped(item, DATA_MAPPED, "data", _is_default)
            b.data.append(
                DataAsset(
                    id=data_id,
                    name=name,
                    description=description,
                    categories=decision.values,
                    attributes=attributes,
                    pos=item.pos,
                    field_pos={**fpos, "categories": item.pos},
                )
            )

    def _categories(self, item, what, level, name, description):
        """isCredentials, then isPII (with words, identity at least), then words without
        personal categories when isPII is false or the data is public."""
        b = self.b
        if b.flag(item, "isCredentials", what):
            return cats.decide(stated=("credentials",), stated_why="isCredentials: true"), ""
        pii = b.flag(item, "isPII", what)
        if pii:
            guess = cats.decide(texts=(name, description))
            if guess.values:
                return attrs.evolve(guess, why=guess.why + "; isPII: true"), ""
            return cats.decide(stated=("identity",), stated_why="isPII: true"), ""
        reasons = []
        if pii is False:
            reasons.append("isPII: false")
        if level == "public":
            reasons.append("classification PUBLIC")
        not_personal = ", ".join(reasons)
        return cats.decide(not_personal=not_personal, texts=(name, description)), not_personal

    def _claim_name(self, name: str, item: LMap, what: str) -> str | None:
        if name in self.names:
            self.b.error(
                self.b.at(item, "name"),
                f"two elements or boundaries are named '{name}'; "
                "pytm refers to them by name, so names must be unique",
            )
            return None
        new = self.b.ids.claim(name.lower(), what)
        self.names[name] = new
        return new

    def boundaries(self) -> None:
        b = self.b
        for name, item in self._named("boundaries"):
            boundary_id = self._claim_name(name, item, "boundary")
            if boundary_id is None:
                continue
            description = b.text(item, "description", "")
            kind, hit = boundary_kind_for(name, description)
            why = f"guessed from the word '{hit}'" if hit else "nothing matched: network"
            b.comment("boundaries", boundary_id, "kind", f"{why}; check")
            b.note(
                item.pos,
                "boundary kinds guessed from names (pytm has none)",
                f"{boundary_id}: {kind}" + (f" (from '{hit}')" if hit else " (default)"),
            )
            third = zone_is_third_party(name, description)
            if third:
                self.third_zones[boundary_id] = f"'{third}' in its name"
            self.boundary_ids.append(boundary_id)
            self._parent(boundary_id, item)
            b.unmapped(item, (*BOUNDARY_MAPPED, "controls"), "boundary", _is_default)
            b.unmapped(item.get("controls"), (), "boundary controls", _is_default)
            self.boundary_items.append((boundary_id, kind, name, item))

    def _parent(self, our_id: str, item: LMap) -> None:
        parent = item.get("inBoundary")
        if isinstance(parent, dict):  # some pytm versions nest the boundary object
            parent = parent.get("name")
        if parent not in (None, ""):
            self.parent[our_id] = (str(parent), self.b.at(item, "inBoundary"))

    def elements(self) -> None:
        seen: set[int] = set()
        keys = ("elements",) if "elements" in self.src else ("actors", "assets")
        for key in keys:
            for name, item in self._named(key):
                if item.get("__class__") == "Boundary" or id(item) in seen:
                    continue
                seen.add(id(item))
                if key == "elements" and "sink" in item:
                    continue  # flows listed among elements by some versions
                self._element(name, item)

    def _kind(self, name: str, item: LMap) -> ElementKind:
        b = self.b
        cls = b.text(item, "__class__", f"element '{name}'")
        kind = CLASS_KINDS.get(cls)
        if kind is None:
            kind = "process"
            b.note(
                b.at(item, "__class__") if cls else item.pos,
                "pytm element classes with no equivalent kind; imported as processes",
                f"{name}: {cls or 'no __class__'}",
            )
        if kind == "process" and item.get("isThirdParty") is True:
            kind = "external_service"
        return kind

    def _element(self, name: str, item: LMap) -> None:
        b = self.b
        what = f"element '{name}'"
        kind = self._kind(name, item)
        element_id = self._claim_name(name, item, "element")
        if element_id is None:
            return
        self._parent(element_id, item)
        description = b.text(item, "description", what)
        controls = found if isinstance(found := item.get("controls"), dict) else LMap(item.pos)
        attributes: dict[str, Any] = {}
        fpos: dict[str, Position] = {"id": b.at(item, "name")}
        element_type = self._type(item, kind, element_id, name, description)
        for control, (attribute, kinds) in ELEMENT_CONTROLS.items():
            value = controls.get(control, item.get(control))
            if kind in kinds and isinstance(value, bool):
                attributes[attribute] = value
                fpos[attribute] = b.at(controls, control)
        at_rest = controls.get("isEncrypted")
        if (
            kind == "datastore"
            and "encrypted_at_rest" not in attributes
            and isinstance(at_rest, bool)
        ):
            attributes["encrypted_at_rest"] = at_rest
            fpos["encrypted_at_rest"] = b.at(controls, "isEncrypted")
        if kind in ("datastore", "process") and controls.get("hasAccessControl") is False:
            attributes["access_control"] = "none"
            fpos["access_control"] = b.at(controls, "hasAccessControl")
        checks = [controls.get(k) for k in ("validatesInput", "sanitizesInput")]
        if kind == "process" and any(isinstance(c, bool) for c in checks):
            attributes["input_validated"] = any(c is True for c in checks)
            fpos["input_validated"] = b.at(controls, "validatesInput")
        if item.get("isThirdParty") is True:
            self.third[element_id] = "isThirdParty: true"
        elif item.get("isSelfHosted") is True or item.get("isThirdParty") is False:
            b.comment("elements", element_id, "id", "the operator's own (isThirdParty: false)")
        for flag in ("processesPersonalData", "storesPII"):
            if item.get(flag) is True:
                self.personal[element_id] = (flag, b.at(item, flag))
        b.unmapped(item, ELEMENT_MAPPED, "element", _is_default)
        b.unmapped(controls, CONTROLS_MAPPED, "element controls", _is_default)
        stores = tuple(self._data_list(item, "data", what)) if kind == "datastore" else ()
        inputs = tuple(self._data_list(item, "data", what)) if kind == "process" else ()
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
                field_pos=fpos,
            )
        )

    def _type(self, item, kind, element_id, name, description) -> str | None:
        """isAdmin, the datastore type and flags, then words."""
        b = self.b
        stated, why = None, ""
        if kind == "actor" and item.get("isAdmin") is True:
            stated, why = "operator_staff", "isAdmin: true"
        elif kind == "datastore":
            raw = _enum(item.get("type"))
            if raw in DATASTORE_TYPES:
                stated, why = DATASTORE_TYPES[raw], f"type {raw}"
            elif item.get("storesLogData") is True:
                stated, why = "log", "storesLogData: true"
            elif item.get("isSQL") is True:
                stated, why = "database", "isSQL: true"
        if stated:
            b.comment("elements", element_id, "type", f"from {why}")
            return stated
        guess, hit = type_for(kind, name, description)
        if guess:
            b.comment("elements", element_id, "type", f"guessed from the word '{hit}'; check")
            b.note(
                item.pos,
                "element types guessed from words (check them)",
                f"{element_id}: {guess} (from '{hit}')",
            )
        return guess

    def _data_list(self, item: LMap, key: str, what: str) -> list[str]:
        found = []
        for raw, at in self.b.entries(item, key, what):
            data_id = self.data_names.get(raw)
            if data_id is None:
                self.b.error(self.b.entry_at(item, key, at), f"{what}: unknown data '{raw}'")
                continue
            found.append(data_id)
        return found

    def memberships(self) -> None:
        b = self.b
        members: dict[str, list[str]] = {bid: [] for bid in self.boundary_ids}
        for our_id, (parent, where) in self.parent.items():
            parent_id = self.names.get(parent)
            if parent_id not in members:
                b.error(where, f"inBoundary names unknown boundary '{parent}'")
                continue
            members[parent_id].append(our_id)
        for boundary_id, kind, name, item in self.boundary_items:
            b.boundaries.append(
                Boundary(
                    id=boundary_id,
                    type=kind,
                    name=name,
                    description=b.text(item, "description", ""),
                    members=tuple(members[boundary_id]),
                    pos=item.pos,
                    field_pos={"id": b.at(item, "name"), "kind": item.pos},
                )
            )

    def flows(self) -> None:
        b = self.b
        element_ids = {e.id for e in b.elements}
        stores = {e.id: list(e.stores) for e in b.elements if e.kind == "datastore"}
        for name, item in self._named("flows"):
            what = f"flow '{name}'"
            ends = []
            for key in ("source", "sink"):
                raw = item.get(key)
                if isinstance(raw, dict):
                    raw = raw.get("name")
                end = self.names.get(raw) if isinstance(raw, str) else None
                if end is None or end not in element_ids:
                    b.error(b.at(item, key), f"{what}: '{key}' names unknown element {raw!r}")
                ends.append(end)
            data = self._data_list(item, "data", what)
            source, target = ends
            if source is None or target is None:
                continue
            attributes, fpos = self._flow_attributes(item, what)
            b.unmapped(item, FLOW_MAPPED, "flow", _is_default)
            controls = item.get("controls")
            b.unmapped(controls, CONTROLS_MAPPED, "flow controls", _is_default)
            if target in stores:
                stores[target].extend(d for d in data if d not in stores[target])
            flow_id = b.ids.claim(name.lower(), "flow")
            b.flows.append(
                DataFlow(
                    id=flow_id,
                    source=source,
                    target=target,
                    data=tuple(data),
                    name=name,
                    description=b.text(item, "note", what) or b.text(item, "description", what),
                    attributes=attributes,
                    pos=item.pos,
                    field_pos={
                        "from": b.at(item, "source"),
                        "to": b.at(item, "sink"),
                        "data": b.at(item, "data"),
                        **fpos,
                    },
                )
            )
        self.b.elements = [
            e if e.id not in stores else attrs.evolve(e, stores=tuple(stores[e.id]))
            for e in self.b.elements
        ]

    def _flow_attributes(self, item: LMap, what: str) -> tuple[dict, dict]:
        """isEncrypted, a TLS version or a VPN; both authentication flags; the protocol."""
        b = self.b
        attributes: dict[str, Any] = {}
        fpos: dict[str, Position] = {}
        controls = found if isinstance(found := item.get("controls"), dict) else item
        vpn = item.get("usesVPN") is True or controls.get("usesVPN") is True
        if vpn:
            attributes[b.declare("vpn")] = True
            fpos["vpn"] = b.at(item, "usesVPN")
        tls = _enum(item.get("tlsVersion"))
        encrypted = controls.get("isEncrypted")
        if encrypted is True or vpn or tls not in ("", "NONE"):
            attributes["encrypted_in_transit"] = True
            fpos["encrypted_in_transit"] = b.at(controls, "isEncrypted")
        elif isinstance(encrypted, bool):
            attributes["encrypted_in_transit"] = False
            fpos["encrypted_in_transit"] = b.at(controls, "isEncrypted")
        source_auth = controls.get("authenticatesSource")
        dest_auth = controls.get("authenticatesDestination")
        if isinstance(source_auth, bool) and isinstance(dest_auth, bool):
            attributes["authenticated"] = source_auth and dest_auth
            fpos["authenticated"] = b.at(controls, "authenticatesSource")
        protocol = b.text(item, "protocol", what)
        if protocol:
            attributes["protocol"] = protocol
            fpos["protocol"] = b.at(item, "protocol")
        return attributes, fpos

    def personal_data(self) -> None:
        """processesPersonalData or storesPII on an element that gets no personal data from
        pytm's data: a data asset saying so, on the flows into it."""
        b = self.b
        known = {a.id: a for a in b.data}
        for element_id, (flag, where) in self.personal.items():
            element = next(e for e in b.elements if e.id == element_id)
            incoming = [f for f in b.flows if f.target == element_id]
            held = set(element.stores) | set(element.inputs) | {d for f in incoming for d in f.data}
            if any(known[d].categories and d in known for d in held if d in known):
                continue
            asset_id = b.data_ids.claim(f"{element_id}-personal-data", "data")
            b.data.append(
                DataAsset(
                    id=asset_id,
                    name=f"Personal data in {element.label}",
                    description=f"Added by the import from pytm's {flag}: true on "
                    f"{element.label}; pytm names no data for it.",
                    categories=("identity",),
                    pos=where,
                    field_pos={"id": where, "categories": where},
                )
            )
            b.comment(
                "data",
                asset_id,
                "categories",
                f"from {flag}: true (pytm does not say which personal data); check",
            )
            b.note(
                where,
                "data assets added for pytm's personal-data flags (name the real data)",
                f"{asset_id} ({flag} on {element_id})",
            )
            for index, flow in enumerate(b.flows):
                if flow.target == element_id:
                    b.flows[index] = attrs.evolve(flow, data=flow.data + (asset_id,))
            for index, candidate in enumerate(b.elements):
                if candidate.id == element_id and candidate.kind == "datastore":
                    b.elements[index] = attrs.evolve(
                        candidate, stores=candidate.stores + (asset_id,)
                    )
                elif candidate.id == element_id and candidate.kind == "process":
                    b.elements[index] = attrs.evolve(
                        candidate, inputs=candidate.inputs + (asset_id,)
                    )
