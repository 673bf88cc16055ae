"""OWASP Threat Dragon models (v2, and v1) -> SystemModel.

Diagram cells become elements (actor, process, store), flows and boundaries: a trust
boundary box holds the elements drawn inside it; a boundary curve is a line with no inside,
so it is noted with the flows that cross it. Threat Dragon has no data assets; what its
flags state becomes one (`storesCredentials`, `handlesCardPayment`, ...). Its threats are
written by hand and do not match our risks, so they are kept as notes with their status;
threats that carry one of our finding ids (from our own export) come back as review
decisions where Threat Dragon marks them Mitigated or NA.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from threatmodel.errors import Position
from threatmodel.ids import is_id
from threatmodel.interop import threat_dragon_cells as td_cells
from threatmodel.interop import threat_dragon_common as C
from threatmodel.interop.build import Builder, ImportResult
from threatmodel.interop.mapping import boundary_kind_for, type_for
from threatmodel.interop.organisation import place, zone_is_third_party
from threatmodel.interop.source import read_source
from threatmodel.loader import DEFAULT_LIMITS, Limits, LMap, value_pos
from threatmodel.model import Boundary, DataAsset, DataFlow, Element, ElementKind, System

KINDS: dict[str, ElementKind] = {"actor": "actor", "process": "process", "store": "datastore"}
LAYOUT = (
    "position",
    "size",
    "attrs",
    "shape",
    "zIndex",
    "z",
    "ports",
    "connector",
    "vertices",
    "labels",
    "width",
    "height",
    "visible",
    "angle",
    "smooth",
    "tools",
    "markup",
    "router",
    "source",
    "target",
)
CELL_MAPPED = ("id", "type", "data", *LAYOUT)
ELEMENT_MAPPED = (
    "type",
    "name",
    "description",
    "threats",
    "hasOpenThreats",
    "isTrustBoundary",
    "threatmodel",
)
FIELDS = {
    "actor": ("providesAuthentication",),
    "process": ("handlesCardPayment", "handlesGoodsOrServices", "isWebApplication"),
    "store": ("isALog", "isEncrypted", "isSigned", "storesCredentials", "storesInventory"),
    "flow": ("isEncrypted", "protocol", "isPublicNetwork", "isBidirectional"),
    "box": ("name",),
    "curve": ("name",),
    "text": ("name",),
}
THREAT_MAPPED = (
    "id",
    "title",
    "status",
    "severity",
    "type",
    "description",
    "mitigation",
    "modelType",
    "ruleId",
)
# what our own export keeps in `detail.threatmodel` (never `include`: no file is read)
EMBEDDED = ("system", "data", "controls", "vocabulary")
# flags that say what data a node holds: (flag, kinds, asset name, categories, stored?)
DATA_FLAGS = (
    ("storesCredentials", ("store",), "Credentials", ("credentials",), True),
    ("storesInventory", ("store",), "Inventory", ("business",), True),
    ("handlesCardPayment", ("process",), "Card payment details", ("financial",), False),
    ("handlesGoodsOrServices", ("process",), "Orders", ("purchase",), False),
)


def import_threat_dragon(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> ImportResult:
    """Read a Threat Dragon JSON model; raises ThreatModelError when it is broken."""
    return from_source(read_source(path, limits)[0], path, limits)


def from_source(data: Any, path: Path | str, limits: Limits = DEFAULT_LIMITS) -> ImportResult:
    return from_data(data, str(path))


@attrs.define
class _Cell:
    """One diagram cell, the same for v1 and v2 files."""

    kind: str  # actor, process, store, flow, box, curve, text
    raw: LMap  # the cell
    props: LMap  # where its properties are: `data` (v2) or the cell itself (v1)
    name: str
    box: tuple[float, float, float, float] | None  # x, y, width, height
    ends: tuple[str, str] | None  # a flow's source and target cell ids
    points: list[tuple[float, float]]  # a curve's or flow's line
    our_id: str = ""


def from_data(data: Any, display: str) -> ImportResult:
    build = Builder(display, "threat-dragon")
    if not isinstance(data, LMap):
        build.error(
            build.top(), "a Threat Dragon model must be an object with 'summary' and 'detail'"
        )
        build.out.raise_if_errors()
    summary = build.mapping(data, "summary", "model", required=True)
    detail = build.mapping(data, "detail", "model", required=True)
    build.out.raise_if_errors()
    assert summary is not None and detail is not None  # required: their absence raised above
    reader = _Reader(build)
    ours = detail.get("threatmodel")
    embedded = reader.embedded(ours) if isinstance(ours, LMap) else None
    system = reader.system(data, summary, detail)
    if embedded is not None:
        system = embedded.system
    for index, diagram in enumerate(build.sequence(detail, "diagrams", "detail")):
        if not isinstance(diagram, LMap):
            build.error(
                value_pos(detail["diagrams"], index, detail.pos), "a diagram must be an object"
            )
            continue
        reader.diagram(diagram)
    reader.finish_elements()
    if embedded is None:
        place(build, reader.third, reader.third_zones)
    return build.finish(system)


class _Reader:
    def __init__(self, build: Builder):
        self.b = build
        self.nodes: dict[tuple[int, str], _Cell] = {}  # (diagram, cell id) -> node
        self.third: dict[str, str] = {}
        self.third_zones: dict[str, str] = {}
        self.decisions = LMap(build.top())
        self.diagram_count = 0
        self.assets: dict[str, str] = {}  # asset name -> our data id
        self.ours = False  # written by our export: cells carry our fields in `threatmodel`

    # -- the model
    def embedded(self, ours: LMap):
        """Our own export's `detail.threatmodel`: system, data, controls and vocabulary in our
        model's shape, read as a model is."""
        from threatmodel.model_yaml import read_model_data

        b = self.b
        kept = LMap(ours.pos)
        for key, value in ours.items():
            if key not in EMBEDDED:
                b.error(
                    b.key_at(ours, key),
                    f"detail.threatmodel: '{key}' is not read here (only {', '.join(EMBEDDED)})",
                )
                continue
            kept[key] = value
            kept.key_pos[key], kept.val_pos[key] = b.key_at(ours, key), b.at(ours, key)
        b.out.raise_if_errors()
        model = read_model_data(kept, b.display)
        b.out.problems.extend(model.problems)
        b.out.raise_if_errors()
        b.data.extend(model.data)
        for asset in model.data:
            b.data_ids.claim(asset.id, "data")
        b.controls.extend(model.controls)
        if model.vocabulary is not None:
            b.attributes.update(model.vocabulary.attributes)
        self.ours = True
        return model

    def system(self, data: LMap, summary: LMap, detail: LMap) -> System:
        b = self.b
        title = b.text(summary, "title", "summary", required=True) or Path(b.display).stem
        b.unmapped(data, ("summary", "detail", "version"), "model")
        b.unmapped(summary, ("title", "owner", "description", "id"), "summary")
        b.unmapped(detail, ("diagrams", "diagramTop", "threatTop", "threatmodel"), "detail")
        return System(
            id=b.ids.claim(title.lower(), "system"),
            name=title,
            owner=b.text(summary, "owner", "summary"),
            description=b.text(summary, "description", "summary"),
            pos=summary.pos,
            field_pos={"name": b.at(summary, "title")},
        )

    def diagram(self, diagram: LMap) -> None:
        b = self.b
        number = self.diagram_count
        self.diagram_count += 1
        v1 = isinstance(diagram.get("diagramJson"), dict)
        holder = diagram["diagramJson"] if v1 else diagram
        b.unmapped(
            diagram,
            (
                "cells",
                "diagramJson",
                "title",
                "diagramType",
                "id",
                "version",
                "thumbnail",
                "placeholder",
                "description",
            ),
            "diagram",
        )
        cells = []
        for index, raw in enumerate(b.sequence(holder, "cells", "diagram")):
            where = value_pos(holder["cells"], index, holder.pos)
            if not isinstance(raw, LMap):
                b.error(where, "a diagram cell must be an object")
                continue
            cell = self._cell(raw, v1)
            if cell is not None:
                cells.append(cell)
        for cell in cells:
            if cell.kind in KINDS:
                self._element(number, cell)
        for cell in cells:
            if cell.kind == "flow":
                self._flow(number, cell)
        self._boundaries(number, cells)

    def _cell(self, raw: LMap, v1: bool) -> _Cell | None:
        b = self.b
        props = raw if v1 else raw.get("data")
        if not isinstance(props, LMap):
            b.error(raw.pos, "a Threat Dragon cell needs a 'data' object (version 2 files)")
            return None
        cell_type = b.text(props, "type", "cell")
        kind = C.TYPES.get(cell_type) or C.SHAPES.get(str(raw.get("shape")))
        if kind is None:
            b.note(
                raw.pos,
                "diagram cells of a kind threatmodel does not know",
                cell_type or str(raw.get("shape")),
            )
            return None
        if v1:
            b.unmapped(raw, (*CELL_MAPPED, *self._props_keys(kind)), kind)
        else:
            b.unmapped(raw, CELL_MAPPED, "cell")
            b.unmapped(props, self._props_keys(kind), f"{kind} data")
        for key in LAYOUT:
            if raw.get(key) not in (None, "", [], {}) and key not in ("source", "target"):
                b.note(
                    b.key_at(raw, key), "diagram layout, not kept (threatmodel draws its own)", key
                )
        return _Cell(
            kind=kind,
            raw=raw,
            props=props,
            name=td_cells.name(raw, props),
            box=td_cells.box(raw),
            ends=td_cells.ends(raw),
            points=td_cells.points(raw),
        )

    @staticmethod
    def _props_keys(kind: str) -> tuple[str, ...]:
        return (*ELEMENT_MAPPED, "outOfScope", "reasonOutOfScope", *FIELDS.get(kind, ()))

    # -- elements and flows
    def _claim(self, cell: _Cell, what: str) -> str:
        raw_id = str(cell.raw.get("id") or "")
        extra = cell.props.get("threatmodel") if self.ours else None
        if isinstance(extra, dict) and is_id(str(extra.get("id") or "")):
            return self.b.claim(str(extra["id"]), self.b.at(extra, "id"), what)
        if raw_id and is_id(raw_id) and (self.ours or not C.UUID.match(raw_id)):
            return self.b.claim(raw_id, self.b.at(cell.raw, "id"), what)
        return self.b.ids.claim(cell.name.lower() or what, what)

    def _element(self, number: int, cell: _Cell) -> None:
        b = self.b
        props = cell.props
        kind = KINDS[cell.kind]
        element_id = self._claim(cell, "element")
        cell.our_id = element_id
        self.nodes[(number, str(cell.raw.get("id")))] = cell
        description = b.text(props, "description", "cell")
        attributes: dict[str, Any] = {}
        fpos: dict[str, Position] = {"id": b.at(cell.raw, "id")}
        element_type = None
        extra = props.get("threatmodel") if self.ours else None
        if isinstance(extra, dict):
            self._threats(props, element_id)
            b.elements.append(
                Element(
                    id=element_id,
                    # the file's own text: Element's kind rule reports one that is not a kind
                    kind=str(extra.get("kind") or kind),  # type: ignore[arg-type]
                    type=extra.get("type"),
                    name=str(extra.get("name") or ""),
                    description=description,
                    stores=tuple(extra.get("stores") or ()),
                    inputs=tuple(extra.get("inputs") or ()),
                    attributes=_attributes(extra),
                    pos=cell.raw.pos,
                    field_pos=fpos,
                )
            )
            return
        if kind == "actor" and props.get("providesAuthentication") is True:
            kind, element_type = "external_service", "identity_provider"
            b.comment("elements", element_id, "type", "from providesAuthentication: true")
        elif kind == "datastore" and props.get("isALog") is True:
            element_type = "log"
            b.comment("elements", element_id, "type", "from isALog: true")
        elif kind == "process" and props.get("handlesCardPayment") is True:
            element_type = "payment"
            b.comment("elements", element_id, "type", "from handlesCardPayment: true")
        elif (
            kind == "process"
            and props.get("isWebApplication") is True
            and (type_for(kind, cell.name, description)[0] in (None, "api"))
        ):  # the flag says how, a purpose the words name (a console, scoring) says what for
            element_type = "api"
            b.comment("elements", element_id, "type", "from isWebApplication: true")
        else:
            element_type, hit = type_for(kind, cell.name, description)
            if element_type:
                b.comment("elements", element_id, "type", f"guessed from the word '{hit}'; check")
                b.note(
                    cell.raw.pos,
                    "element types guessed from words (check them)",
                    f"{element_id}: {element_type} (from '{hit}')",
                )
        if kind == "datastore":
            for flag, attribute in (
                ("isEncrypted", "encrypted_at_rest"),
                ("isSigned", "integrity_protected"),
            ):
                if isinstance(props.get(flag), bool):
                    attributes[attribute] = props[flag]
                    fpos[attribute] = b.at(props, flag)
        if props.get("outOfScope") is True:
            reason = b.text(props, "reasonOutOfScope", "cell")
            b.note(
                b.at(props, "outOfScope"),
                "out of scope in Threat Dragon (imported like the "
                "others: it may still be the operator's)",
                element_id + (f": {reason}" if reason else ""),
            )
        self._threats(props, element_id)
        b.elements.append(
            Element(
                id=element_id,
                kind=kind,
                type=element_type,
                name=cell.name,
                description=description,
                attributes=attributes,
                pos=cell.raw.pos,
                field_pos=fpos,
            )
        )
        self._data_flags(cell, element_id)

    def _data_flags(self, cell: _Cell, element_id: str) -> None:
        """A data asset for each flag that says what a node holds."""
        b = self.b
        for flag, kinds, name, categories, stored in DATA_FLAGS:
            if cell.kind not in kinds or cell.props.get(flag) is not True:
                continue
            if name not in self.assets:
                asset_id = b.data_ids.claim(name.lower(), "data")
                self.assets[name] = asset_id
                b.data.append(
                    DataAsset(
                        id=asset_id,
                        name=name,
                        description=f"Added by the import from Threat Dragon's {flag}.",
                        categories=categories,
                        pos=b.at(cell.props, flag),
                        field_pos={"categories": b.at(cell.props, flag)},
                    )
                )
                b.comment("data", asset_id, "categories", f"from {flag}: true")
            asset_id = self.assets[name]
            index = next(i for i, e in enumerate(b.elements) if e.id == element_id)
            element = b.elements[index]
            field = "stores" if stored else "inputs"
            b.elements[index] = attrs.evolve(
                element, **{field: getattr(element, field) + (asset_id,)}
            )
            b.note(
                b.at(cell.props, flag),
                "data assets added for Threat Dragon's flags",
                f"{asset_id} ({flag} on {element_id})",
            )

    def _flow(self, number: int, cell: _Cell) -> None:
        b = self.b
        props = cell.props
        if cell.ends is None:
            b.error(cell.raw.pos, f"flow '{cell.name}': 'source' and 'target' must name cells")
            return
        ends = []
        for key, raw_id in zip(("source", "target"), cell.ends, strict=True):
            node = self.nodes.get((number, raw_id))
            if node is None:
                b.error(
                    b.at(cell.raw, key),
                    f"flow '{cell.name}': {key} names no element of this diagram ('{raw_id}')",
                )
            ends.append(node.our_id if node else None)
        source, target = ends
        if source is None or target is None:
            return
        flow_id = self._claim(cell, "flow")
        attributes: dict[str, Any] = {}
        fpos: dict[str, Position] = {}
        extra = props.get("threatmodel") if self.ours else None
        if isinstance(extra, dict):
            self._threats(props, flow_id)
            b.flows.append(
                DataFlow(
                    id=flow_id,
                    source=source,
                    target=target,
                    data=tuple(extra.get("data") or ()),
                    name=str(extra.get("name") or ""),
                    description=b.text(props, "description", "flow"),
                    attributes=_attributes(extra),
                    pos=cell.raw.pos,
                    field_pos={"id": b.at(cell.raw, "id")},
                )
            )
            return
        if isinstance(props.get("isEncrypted"), bool):
            attributes["encrypted_in_transit"] = props["isEncrypted"]
            fpos["encrypted_in_transit"] = b.at(props, "isEncrypted")
        protocol = b.text(props, "protocol", "flow")
        if protocol:
            attributes["protocol"] = protocol
            fpos["protocol"] = b.at(props, "protocol")
        if props.get("isPublicNetwork") is True:
            self._public(target, b.at(props, "isPublicNetwork"), flow_id)
        if props.get("outOfScope") is True:
            reason = b.text(props, "reasonOutOfScope", "flow")
            b.note(
                b.at(props, "outOfScope"),
                "flows out of scope in Threat Dragon (imported)",
                flow_id + (f": {reason}" if reason else ""),
            )
        self._threats(props, flow_id)
        common: dict[str, Any] = {
            "name": cell.name,
            "description": b.text(props, "description", "flow"),
            "attributes": attributes,
            "pos": cell.raw.pos,
        }
        b.flows.append(
            DataFlow(
                id=flow_id,
                source=source,
                target=target,
                field_pos={"id": b.at(cell.raw, "id"), **fpos},
                **common,
            )
        )
        if props.get("isBidirectional") is True:
            back = b.ids.claim(f"{flow_id}-reverse", "flow")
            b.note(
                b.at(props, "isBidirectional"),
                "bidirectional flows became two flows",
                f"{flow_id} + {back}",
            )
            b.flows.append(
                DataFlow(
                    id=back,
                    source=target,
                    target=source,
                    field_pos=dict(fpos),
                    **{**common, "attributes": dict(attributes)},
                )
            )

    def _public(self, element_id: str, where: Position, flow_id: str) -> None:
        """A flow over a public network reaches its target from the internet."""
        b = self.b
        for index, element in enumerate(b.elements):
            if element.id == element_id and element.kind in ("process", "datastore"):
                b.elements[index] = attrs.evolve(
                    element, attributes={**element.attributes, "publicly_reachable": True}
                )
                b.comment(
                    "elements",
                    element_id,
                    "publicly_reachable",
                    f"from isPublicNetwork on flow {flow_id}",
                )

    def _threats(self, props: LMap, subject: str) -> None:
        """Threats as notes; ours (a ruleId naming a risk) as decisions where settled."""
        b = self.b
        for index, threat in enumerate(b.sequence(props, "threats", "cell")):
            where = value_pos(props["threats"], index, props.pos)
            if not isinstance(threat, dict):
                b.error(where, "a threat must be an object")
                continue
            title = b.text(threat, "title", "threat") or "(untitled)"
            status = b.text(threat, "status", "threat") or "Open"
            severity = b.text(threat, "severity", "threat")
            rule = b.text(threat, "ruleId", "threat")
            b.unmapped(threat, THREAT_MAPPED, "threat")
            decided = C.STATUS_DECISIONS.get(status)
            finding = f"{rule}@{subject}"
            if rule and decided:
                justification = b.text(threat, "mitigation", "threat") or (
                    f"marked {status} in Threat Dragon"
                )
                entry = LMap(where)
                for key, value in (("status", decided), ("justification", justification)):
                    entry[key] = value
                    entry.key_pos[key] = entry.val_pos[key] = where
                self.decisions[finding] = entry
                self.decisions.key_pos[finding] = self.decisions.val_pos[finding] = where
                b.note(
                    where,
                    "Threat Dragon threat states kept as review decisions",
                    f"{finding}: {decided}",
                )
            elif not rule:
                b.note(
                    where,
                    "Threat Dragon threats (kept here; threatmodel finds its own, so "
                    "review them against its findings)",
                    f"{subject}: {title} [{status}{', ' + severity if severity else ''}]",
                )

    def finish_elements(self) -> None:
        if self.decisions:
            self.b.decisions = self.decisions

    # -- boundaries
    def _boundaries(self, number: int, cells: list[_Cell]) -> None:
        b = self.b
        boxes = [c for c in cells if c.kind == "box" and c.box]
        crossings = td_cells.Crossings.of(cells, KINDS)
        for cell in cells:
            if cell.kind == "curve":
                self._curve(cell, crossings)
            elif cell.kind == "text" and cell.name:
                b.note(cell.raw.pos, "diagram text blocks (not kept)", cell.name.split("\n")[0])
        members: dict[int, list[str]] = {i: [] for i in range(len(boxes))}
        ids = {i: self._claim(box, "boundary") for i, box in enumerate(boxes)}
        placing = td_cells.Placing([box.box for box in boxes])
        try:
            for i, box in enumerate(boxes):
                parent = placing.smallest_around(box.box, besides=i)
                if parent is not None:
                    members[parent].append(ids[i])
            for cell in cells:
                if cell.kind in KINDS and cell.box:
                    holder = placing.smallest_around(cell.box, by_centre=True)
                    if holder is not None:
                        members[holder].append(cell.our_id)
        except td_cells.TooMuchWork as exc:
            b.error(boxes[0].raw.pos, str(exc))
            return
        for i, box in enumerate(boxes):
            extra = box.props.get("threatmodel") if self.ours else None
            if isinstance(extra, dict):
                recorded = [str(m) for m in extra.get("members") or ()]
                ordered = recorded if sorted(recorded) == sorted(members[i]) else members[i]
                b.boundaries.append(
                    Boundary(
                        id=ids[i],
                        type=str(extra.get("kind") or "network"),
                        name=str(extra.get("name") or ""),
                        description=b.text(box.props, "description", "boundary"),
                        members=tuple(ordered),
                        attributes=_attributes(extra),
                        pos=box.raw.pos,
                        field_pos={"id": b.at(box.raw, "id")},
                    )
                )
                continue
            kind, hit = boundary_kind_for(box.name)
            why = f"guessed from the word '{hit}'" if hit else "nothing matched: network"
            b.comment("boundaries", ids[i], "kind", f"{why}; check")
            third = zone_is_third_party(box.name)
            if third:
                self.third_zones[ids[i]] = f"'{third}' in its name"
            b.boundaries.append(
                Boundary(
                    id=ids[i],
                    type=kind,
                    name=box.name,
                    description=b.text(box.props, "description", "boundary"),
                    members=tuple(members[i]),
                    pos=box.raw.pos,
                    field_pos={"id": b.at(box.raw, "id")},
                )
            )
        if boxes and not self.ours:
            b.note(
                boxes[0].raw.pos,
                "boundary boxes hold the elements drawn inside them (check the members)",
                f"{len(boxes)} boxes",
            )

    def _curve(self, cell: _Cell, crossings: td_cells.Crossings) -> None:
        """A boundary line: noted with the flows that cross it."""
        label = cell.name or "(unnamed)"
        crossing = crossings.of_line(cell.points)
        if crossing is None:
            crossed = f"its crossings not worked out ({crossings.why})"
        else:
            shown = ", ".join(crossing[: td_cells.NAMED])
            more = len(crossing) - td_cells.NAMED
            crossed = f"crossed by {shown}{f' and {more} more' if more > 0 else ''}"
            crossed = crossed if crossing else "crossed by no flow"
        self.b.note(
            cell.raw.pos,
            "trust boundary lines have no inside: draw them as boxes to give them members",
            f"{label}, {crossed}",
        )


# -- reading cells --------------------------------------------------------------------------


def _attributes(extra: dict) -> dict:
    """Our attributes from a cell's `threatmodel` object (lists as tuples, as a model has)."""
    found = extra.get("attributes")
    if not isinstance(found, dict):
        return {}
    return {str(k): tuple(v) if isinstance(v, list) else v for k, v in found.items()}
