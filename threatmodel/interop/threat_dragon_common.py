"""What our Threat Dragon import and export agree on: shapes, cell types, threat words.

Threat Dragon 2.x keeps a model as `summary` + `detail.diagrams[].cells[]`: nodes (actor,
process, store) with a position and size, flows between node ids, trust boundaries drawn as
boxes (which hold what lies inside them) or curves (lines with no inside), and free text.
Version 1.x files keep the same cells under `diagramJson` with the properties on the cell
itself; the importer reads both.
"""

from __future__ import annotations

import re

TD_VERSION = "2.3.0"

# v2 `shape` and v1 / v2 `data.type` -> what the cell is
SHAPES = {
    "actor": "actor",
    "process": "process",
    "store": "store",
    "flow": "flow",
    "trust-boundary-box": "box",
    "trust-boundary-curve": "curve",
    "td-text-block": "text",
}
TYPES = {
    "tm.Actor": "actor",
    "tm.Process": "process",
    "tm.Store": "store",
    "tm.Flow": "flow",
    "tm.BoundaryBox": "box",
    "tm.Boundary": "curve",
    "tm.Text": "text",
}
SHAPE_OF = {v: k for k, v in SHAPES.items()}
TYPE_OF = {v: k for k, v in TYPES.items()}

# our element kind -> the cell it is drawn as (Threat Dragon has no external-service shape)
KIND_CELLS = {
    "actor": "actor",
    "external_service": "actor",
    "process": "process",
    "datastore": "store",
}

# a threat's status in Threat Dragon <-> a review decision's status here
STATUS_DECISIONS = {"Mitigated": "mitigated", "NA": "false-positive"}
DECISION_STATUSES = {
    None: "Open",
    "open": "Open",
    "in-progress": "Open",
    "accepted": "Open",
    "transferred": "Open",
    "mitigated": "Mitigated",
    "false-positive": "NA",
}
SEVERITIES = {"critical": "High", "high": "High", "medium": "Medium", "low": "Low"}

STRIDE = {
    "S": "Spoofing",
    "T": "Tampering",
    "R": "Repudiation",
    "I": "Information disclosure",
    "D": "Denial of service",
    "E": "Elevation of privilege",
}
# the letters a LINDDUN threat id starts with -> Threat Dragon's LINDDUN threat types
LINDDUN = {
    "L": "Linkability",
    "I": "Identifiability",
    "Nr": "Non-repudiation",
    "D": "Detectability",
    "DD": "Disclosure of information",
    "U": "Unawareness",
    "Nc": "Non-compliance",
}

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def linddun_type(code: str) -> str:
    """'DD.4.2' -> 'Disclosure of information'; unknown prefixes give ''."""
    return LINDDUN.get(code.split(".", 1)[0], "")
