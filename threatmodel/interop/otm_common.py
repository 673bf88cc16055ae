"""What our OTM export and import agree on: the attribute keys that carry our own fields.

OTM's fixed fields hold what OTM knows (ids, names, trust-zone parents, dataflow ends and
assets); everything of ours that OTM has no field for travels in each object's free-form
`attributes` under a `threatmodel:` key, so a model survives model -> OTM -> model intact, and
other tools simply show the extra attributes.
"""

from __future__ import annotations

from typing import Any

OTM_VERSION = "0.2.0"
PREFIX = "threatmodel:"
KIND = PREFIX + "kind"
TYPE = PREFIX + "type"
MEMBERS = PREFIX + "members"
SYNTHETIC = PREFIX + "synthetic"
CATEGORIES = PREFIX + "categories"
SUBJECTS = PREFIX + "subjects"
SOURCE = PREFIX + "source"
CONTROLS = PREFIX + "controls"
VOCABULARY = PREFIX + "vocabulary"
FINDINGS = PREFIX + "findings"

OUTSIDE_ZONE = "threatmodel-outside-boundaries"
DEFAULT_TRUST_RATING = 50
OUTSIDE_TRUST_RATING = 10

# our element kind -> OTM component `type` (IriusRisk's generic component names)
COMPONENT_TYPES = {
    "actor": "generic-client",
    "process": "empty-component",
    "datastore": "other-database",
    "external_service": "empty-component",
}

STRIDE = {
    "S": "Spoofing",
    "T": "Tampering",
    "R": "Repudiation",
    "I": "Information disclosure",
    "D": "Denial of service",
    "E": "Elevation of privilege",
}

# a finding's review decision -> OTM threat-instance state
THREAT_STATES = {
    None: "exposed",
    "open": "exposed",
    "in-progress": "exposed",
    "mitigated": "mitigated",
    "accepted": "accepted",
    "false-positive": "not-applicable",
    "transferred": "transferred",
}


# -- reading helpers shared by the importer -------------------------------------------------


def from_threatmodel(data: Any) -> bool:
    """Whether the document came from our export (its components or zones carry our kind)."""
    for key in ("components", "trustZones"):
        for item in data.get(key) or ():
            attributes = item.get("attributes") if isinstance(item, dict) else None
            if isinstance(attributes, dict) and (KIND in attributes or SYNTHETIC in attributes):
                return True
    return False


def parent(value: Any) -> tuple[str, str] | None:
    """('trustZone' | 'component', id) from either OTM parent shape."""
    if not isinstance(value, dict):
        return None
    for key in ("trustZone", "component"):
        if isinstance(value.get(key), str):
            return key, value[key]
    if value.get("type") in ("trustZone", "component") and isinstance(value.get("id"), str):
        return value["type"], value["id"]
    return None


def coerce(value: Any, kind: str) -> Any:
    """OTM attribute maps are often string-valued: 'true' -> True for a bool attribute, etc."""
    if not isinstance(value, str):
        return value
    if kind == "bool" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if kind in ("int", "number"):
        try:
            return int(value) if kind == "int" else float(value)
        except ValueError:
            return value
    if kind == "list":
        return [v.strip() for v in value.split(",") if v.strip()]
    return value
