"""SystemModel (+ analysis result) -> an OWASP Threat Dragon v2 model (a plain dict).

Elements become actor, process and store cells (an external service is drawn as an actor:
Threat Dragon has no other shape for it), flows become flow cells, and boundaries become
trust boundary boxes drawn around their members, nested as the boundaries are. Threat Dragon
needs positions; `layout` packs each boundary's members into rows inside its box, so the
file opens drawn and tidy. With a result, every finding on an element or flow becomes one of
its threats: title, severity, status from the review decision, STRIDE or LINDDUN type,
the catalog's mitigations, and the risk id as `ruleId` (an import reads the status back as a
review decision). Output is deterministic.
"""

from __future__ import annotations

from typing import Any

from threatmodel.interop import threat_dragon_common as C
from threatmodel.interop.model_writer import model_data
from threatmodel.model import SystemModel

NODE_SIZES = {"actor": (160, 80), "process": (100, 100), "store": (160, 80)}
GAP = 40
PAD = 30
TITLE = 30
ROW = 1100  # widest row of members inside one box before a new row starts
STROKE = "#333333"


def export_threat_dragon(model: SystemModel, result=None, include_possible: bool = False) -> dict:
    """The Threat Dragon v2 document for `model`; with `result`, its findings as threats."""
    findings = _findings(result, include_possible)
    boxes, nodes = layout(model)
    cells: list[dict] = []
    depth = _depths(model)
    for boundary in model.boundaries:
        if boundary.id in boxes:
            cells.append(_box(boundary, boxes[boundary.id], depth.get(boundary.id, 0)))
    any_linddun = False
    for z, element in enumerate(model.elements, start=1):
        threats = _threats(findings.get(element.id, ()), result)
        any_linddun |= any(t["modelType"] == "LINDDUN" for t in threats)
        cells.append(_node(element, nodes[element.id], z, threats, model))
    for flow in model.flows:
        threats = _threats(findings.get(flow.id, ()), result)
        any_linddun |= any(t["modelType"] == "LINDDUN" for t in threats)
        cells.append(_flow(flow, threats))
    count = sum(len(c["data"].get("threats", ())) for c in cells)
    return {
        "version": C.TD_VERSION,
        "summary": {
            "title": model.system.label,
            "owner": model.system.owner,
            "description": model.system.description,
            "id": 0,
        },
        "detail": {
            "contributors": [],
            "diagrams": [
                {
                    "id": 0,
                    "title": model.system.label,
                    "diagramType": "LINDDUN" if any_linddun else "STRIDE",
                    "placeholder": "Exported by threatmodel",
                    "thumbnail": "./public/content/images/thumbnail.jpg",
                    "version": C.TD_VERSION,
                    "cells": cells,
                }
            ],
            "diagramTop": 1,
            "reviewer": "",
            "threatTop": count,
            "threatmodel": _ours(model),
        },
    }


def _ours(model: SystemModel) -> dict:
    """What Threat Dragon has no place for, in our model's own shape, so that a file that
    comes straight back imports as it went out (Threat Dragon may drop it when it saves)."""
    data = model_data(model)
    return {k: data[k] for k in ("system", "data", "controls", "vocabulary") if k in data}


def _extra(**fields: Any) -> dict:
    """Our own fields of one cell (`data.threatmodel`), empty ones left out."""
    return {k: _plain(v) for k, v in fields.items() if v not in (None, "", (), [], {})}


def cell_id(our_id: str) -> str:
    """The cell id for one of our ids: Threat Dragon's schema wants at least two characters,
    so a one-character id gets '#' (no id of ours has one); `data.threatmodel.id` keeps ours."""
    return our_id if len(our_id) >= 2 else f"{our_id}#"


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list, frozenset, set)):
        items = sorted(value) if isinstance(value, (frozenset, set)) else value
        return [_plain(v) for v in items]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _depths(model: SystemModel) -> dict[str, int]:
    parent = {m: b.id for b in model.boundaries for m in b.members}
    depths = {}
    for boundary in model.boundaries:
        depth, current, seen = 0, parent.get(boundary.id), {boundary.id}
        while current is not None and current not in seen:
            depth, seen = depth + 1, seen | {current}
            current = parent.get(current)
        depths[boundary.id] = depth
    return depths


# -- layout -----------------------------------------------------------------------------------


def layout(model: SystemModel) -> tuple[dict, dict]:
    """(boundary id -> (x, y, w, h), element id -> (x, y, w, h)): each boundary's members
    packed in rows inside its box, the top level packed the same way."""
    members = {b.id: list(b.members) for b in model.boundaries}
    kinds = {e.id: C.KIND_CELLS[e.kind] for e in model.elements}
    inside = {m for ms in members.values() for m in ms}
    sizes: dict[str, tuple[float, float]] = {}
    offsets: dict[str, list[tuple[str, float, float]]] = {}

    def measure(item: str, seen: frozenset) -> tuple[float, float]:
        if item in kinds:
            return NODE_SIZES[kinds[item]]
        children = [m for m in members.get(item, ()) if m not in seen]
        placed, width, height = _pack(
            [(c, *measure(c, seen | {c})) for c in children if c in kinds or c in members]
        )
        offsets[item] = placed
        sizes[item] = (max(width, 160) + 2 * PAD, max(height, 60) + 2 * PAD + TITLE)
        return sizes[item]

    roots = [b.id for b in model.boundaries if b.id not in inside]
    roots += [e.id for e in model.elements if e.id not in inside]
    placed, _, _ = _pack([(r, *measure(r, frozenset({r}))) for r in roots])
    boxes: dict[str, tuple] = {}
    nodes: dict[str, tuple] = {}

    def put(item: str, x: float, y: float) -> None:
        if item in kinds:
            nodes[item] = (x, y, *NODE_SIZES[kinds[item]])
            return
        boxes[item] = (x, y, *sizes[item])
        for child, cx, cy in offsets.get(item, ()):
            put(child, x + PAD + cx, y + PAD + TITLE + cy)

    for item, x, y in placed:
        put(item, x + GAP, y + GAP)
    for element in model.elements:  # an element in a boundary cycle is still drawn
        nodes.setdefault(element.id, (GAP, GAP, *NODE_SIZES[kinds[element.id]]))
    return boxes, nodes


def _pack(items: list[tuple[str, float, float]]):
    """Shelf packing: left to right, a new row when one would pass ROW wide."""
    placed, x, y, row_height, width = [], 0.0, 0.0, 0.0, 0.0
    for item, w, h in items:
        if x > 0 and x + w > ROW:
            x, y, row_height = 0.0, y + row_height + GAP, 0.0
        placed.append((item, x, y))
        x += w + GAP
        row_height = max(row_height, h)
        width = max(width, x - GAP)
    return placed, width, y + row_height


# -- cells ------------------------------------------------------------------------------------


def _box(boundary, geometry, depth: int) -> dict:
    x, y, w, h = geometry
    return {
        "position": {"x": x, "y": y},
        "size": {"width": w, "height": h},
        "attrs": {"label": {"text": boundary.label}},
        "visible": True,
        "shape": "trust-boundary-box",
        "id": cell_id(boundary.id),
        "zIndex": depth - 100,  # behind the elements, an inner box above its outer one
        "data": {
            "type": "tm.BoundaryBox",
            "name": boundary.label,
            "description": boundary.description,
            "isTrustBoundary": True,
            "hasOpenThreats": False,
            "threatmodel": _extra(
                id=boundary.id if cell_id(boundary.id) != boundary.id else None,
                kind=boundary.type,
                name=boundary.name,
                members=boundary.members,
                attributes=boundary.attributes,
            ),
        },
    }


def _node(element, geometry, z: int, threats: list[dict], model: SystemModel) -> dict:
    x, y, w, h = geometry
    cell = C.KIND_CELLS[element.kind]
    open_threats = any(t["status"] == "Open" for t in threats)
    stroke = {
        "stroke": "red" if open_threats else STROKE,
        "strokeWidth": 1.5,
        "strokeDasharray": None,
    }
    attrs: dict[str, Any] = {"text": {"text": element.label}}
    if cell == "store":
        attrs.update(topLine=dict(stroke), bottomLine=dict(stroke))
    else:
        attrs["body"] = stroke
    data: dict[str, Any] = {
        "type": C.TYPE_OF[cell],
        "name": element.label,
        "description": element.description,
        "outOfScope": False,
        "reasonOutOfScope": "",
        "isTrustBoundary": False,
        "hasOpenThreats": open_threats,
        "threats": threats,
        "threatmodel": _extra(
            id=element.id if cell_id(element.id) != element.id else None,
            kind=element.kind,
            type=element.type,
            name=element.name,
            stores=element.stores,
            inputs=element.inputs,
            attributes=element.attributes,
        ),
    }
    attributes = element.attributes
    if cell == "actor":
        data["providesAuthentication"] = element.type == "identity_provider"
    elif cell == "process":
        data.update(
            handlesCardPayment=element.type == "payment",
            handlesGoodsOrServices=False,
            isWebApplication=element.type == "api",
            privilegeLevel="",
        )
    else:
        categories = {c for a in model.data if a.id in element.stores for c in a.categories}
        data.update(
            isALog=element.type == "log",
            isEncrypted=attributes.get("encrypted_at_rest") is True,
            isSigned=attributes.get("integrity_protected") is True,
            storesCredentials="credentials" in categories,
            storesInventory=False,
        )
    return {
        "position": {"x": x, "y": y},
        "size": {"width": w, "height": h},
        "attrs": attrs,
        "visible": True,
        "shape": C.SHAPE_OF[cell],
        "id": cell_id(element.id),
        "zIndex": z,
        "data": data,
    }


def _flow(flow, threats: list[dict]) -> dict:
    attributes = flow.attributes
    open_threats = any(t["status"] == "Open" for t in threats)
    return {
        "shape": "flow",
        "attrs": {
            "line": {
                "stroke": "red" if open_threats else STROKE,
                "strokeWidth": 1.5,
                "targetMarker": {"name": "block"},
                "sourceMarker": {"name": ""},
                "strokeDasharray": None,
            }
        },
        "width": 200,
        "height": 100,
        "zIndex": 10,
        "connector": "smooth",
        "labels": [{"position": 0.5, "attrs": {"label": {"text": flow.label}}}],
        "id": cell_id(flow.id),
        "source": {"cell": cell_id(flow.source)},
        "target": {"cell": cell_id(flow.target)},
        "vertices": [],
        "data": {
            "type": "tm.Flow",
            "name": flow.label,
            "description": flow.description,
            "outOfScope": False,
            "reasonOutOfScope": "",
            "protocol": str(attributes.get("protocol") or ""),
            "isEncrypted": attributes.get("encrypted_in_transit") is True,
            "isPublicNetwork": False,
            "isBidirectional": False,
            "isTrustBoundary": False,
            "hasOpenThreats": open_threats,
            "threats": threats,
            "threatmodel": _extra(
                id=flow.id if cell_id(flow.id) != flow.id else None,
                name=flow.name,
                data=flow.data,
                attributes=flow.attributes,
            ),
        },
    }


# -- threats ----------------------------------------------------------------------------------


def _findings(result, include_possible: bool) -> dict[str, list]:
    by_subject: dict[str, list] = {}
    for finding in result.all_findings(include_possible) if result is not None else ():
        by_subject.setdefault(finding.element_id, []).append(finding)
    return by_subject


def _threats(findings, result) -> list[dict]:
    threats = []
    for number, finding in enumerate(sorted(findings, key=lambda f: f.risk_id), start=1):
        risk = next((r for r in result.catalog.risks if r.id == finding.risk_id), None)
        frameworks = risk.frameworks if risk is not None else {}
        linddun = [c for c in frameworks.get("linddun", ()) if C.linddun_type(c)]
        stride = [s for s in frameworks.get("stride", ()) if s in C.STRIDE]
        if linddun:
            model_type, kind = "LINDDUN", C.linddun_type(linddun[0])
        elif stride:
            model_type, kind = "STRIDE", C.STRIDE[stride[0]]
        else:
            model_type, kind = "STRIDE", "Information disclosure"
        titles = [
            result.catalog.mitigations[m].title if m in result.catalog.mitigations else m
            for m in finding.recommended
        ]
        status = getattr(finding.decision, "status", None)
        threats.append(
            {
                "id": finding.id,
                "title": finding.title,
                "status": C.DECISION_STATUSES.get(status, "Open"),
                "severity": C.SEVERITIES.get(finding.severity, "Medium"),
                "type": kind,
                "modelType": model_type,
                "description": _description(finding, risk),
                "mitigation": "; ".join(titles),
                "score": f"{finding.score} ({finding.severity}, likelihood {finding.likelihood}"
                f" x impact {finding.impact})",
                "ruleId": finding.risk_id,
                "number": number,
            }
        )
    return threats


def _description(finding, risk) -> str:
    text = (getattr(risk, "description", "") or finding.title).strip()
    if finding.status != "confirmed":
        text += f"\n\nPossible: needs {', '.join(map(str, finding.missing))}."
    if finding.harm.subjects is not None:
        text += f"\n\nPeople affected: about {finding.harm.subjects:,}."
    return text
