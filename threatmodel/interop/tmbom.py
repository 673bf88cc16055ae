"""SystemModel (+ analysis result) -> a TM-BOM document (a plain dict).

TM-BOM is the threat-model bill of materials that OWASP Threat Dragon reads and writes: the
OWASP Threat Model Library format, `threat-model.schema.json` (v1.0.2), which Threat Dragon
validates as "TM-BOM" and which is the threat-model work that CycloneDX (issue 462) points
to; CycloneDX 1.6 and 1.7 themselves have no threat-model structure. Boundaries become trust
zones, flows between zones their trust boundaries, actors and external services actors,
processes components, data stores data stores, data assets data sets (placed on the stores
that hold them, with record_count = subjects), flows data flows. With a result, every risk
that fired is a threat and a risk (likelihood, impact, score and level from the worst
finding), and every mitigation in place or recommended is a control. Symbolic names are our
ids in lower case with other characters as '-', kept unique.
"""

from __future__ import annotations

import re
from typing import Any

from threatmodel.model import SystemModel

SCHEMA_ID = (
    "https://github.com/OWASP/www-project-threat-model-library/blob/v1.0.2/threat-model.schema.json"
)
# our data categories -> TM-BOM data sensitivity
SENSITIVITY = {
    "credentials": "cred",
    "health": "phi",
    "genetic": "phi",
    "biometric": "pii",
    "financial": "fin",
    "credit": "fin",
    "transaction": "fin",
    "government_id": "gov",
    "business": "biz",
    "configuration": "op",
    "aggregate": "biz",
}
# our datastore types -> TM-BOM data store type (it requires one)
STORE_TYPES = {
    "database": "sql",
    "warehouse": "sql",
    "replica": "sql",
    "list": "sql",
    "cache": "key_value",
    "identity_vault": "key_value",
    "profile_store": "document",
    "file_store": "object",
    "data_lake": "object",
    "backup": "object",
    "log": "time_series",
}
ACTOR_TYPES = {"data_subject": "user", "operator_staff": "administrator", "researcher": "user"}
LIKELIHOOD = ("rare", "unlikely", "possible", "likely", "certain")
IMPACT = ("negligible", "minor", "moderate", "major", "severe")
LEVELS = {"critical": "critical", "high": "high", "medium": "medium", "low": "low"}
PERSONAS = (
    {
        "symbolic_name": "outside-attacker",
        "title": "Outside attacker",
        "description": "Someone outside the organisation who attacks the system (the STRIDE "
        "threats).",
        "is_person": True,
        "skill_level": "engineer",
        "access_level": "anonymous",
        "malicious_intent": True,
        "applicability_to_org": "moderate",
    },
    {
        "symbolic_name": "the-operator",
        "title": "The operator and its partners",
        "description": "The organisation that runs the system, its staff and the parties it "
        "shares data with: the privacy harms of the system working as designed (LINDDUN).",
        "is_person": False,
        "skill_level": "insider",
        "access_level": "admin",
        "malicious_intent": False,
        "applicability_to_org": "high",
    },
)


class _Names:
    """Our ids -> unique TM-BOM symbolic names ([0-9a-z-]+)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.names: dict[tuple[str, str], str] = {}

    def __call__(self, space: str, our_id: str) -> str:
        key = (space, our_id)
        if key not in self.names:
            base = re.sub(r"[^0-9a-z]+", "-", our_id.lower()).strip("-") or space
            name, n = base, 2
            while name in self.taken:
                name, n = f"{base}-{n}", n + 1
            self.taken.add(name)
            self.names[key] = name
        return self.names[key]


def export_tmbom(model: SystemModel, result=None, include_possible: bool = False) -> dict:
    """The TM-BOM document for `model`; with `result`, its findings as threats and risks."""
    name = _Names()
    zone_of = _zones_of(model)
    elements = {e.id: e for e in model.elements}
    personal = _personal(model, result)
    document: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "version": "1",
        "scope": _scope(model, personal),
        "description": model.system.description,
        "trust_zones": [
            {"symbolic_name": name("zone", b.id), "title": b.label, "description": b.description}
            for b in model.boundaries
        ],
        "trust_boundaries": _crossings(model, zone_of, name),
        "actors": [],
        "components": [],
        "data_stores": [],
    }
    for element in model.elements:
        item: dict[str, Any] = {
            "symbolic_name": name("element", element.id),
            "title": element.label,
            "description": element.description,
        }
        if element.kind in ("actor", "external_service"):
            item["type"] = _actor_type(element)
            section = "actors"
        elif element.kind == "datastore":
            item["type"] = STORE_TYPES.get(element.type or "", "sql")
            section = "data_stores"
        else:
            section = "components"
        if element.id in zone_of:
            item["trust_zone"] = name("zone", zone_of[element.id])
        document[section].append(item)
    document["data_sets"] = [_data_set(a, model, name, personal) for a in model.data]
    document["data_flows"] = [
        {
            "symbolic_name": name("flow", f.id),
            "title": f.label,
            "description": f.description,
            "source": _typed(elements[f.source], name),
            "destination": _typed(elements[f.target], name),
            "has_sensitive_data": any(d in personal for d in f.data),
            "encrypted": f.attributes.get("encrypted_in_transit") is True,
        }
        for f in model.flows
        if f.source in elements and f.target in elements
    ]
    if result is not None:
        _findings(document, model, result, include_possible, name)
    return document


def _zones_of(model: SystemModel) -> dict[str, str]:
    """Each element's innermost boundary."""
    return {m: b.id for b in model.boundaries for m in b.members}


def _personal(model: SystemModel, result) -> set[str]:
    vocabulary = getattr(result, "vocabulary", None)
    if vocabulary is None:
        from threatmodel.interop.mapping import NOT_PERSONAL

        return {a.id for a in model.data if any(c not in NOT_PERSONAL for c in a.categories)}
    table = vocabulary.categories
    return {a.id for a in model.data if any(table[c].personal for c in a.categories if c in table)}


def _scope(model: SystemModel, personal: set[str]) -> dict:
    """TM-BOM requires criticality, tier and exposure; threatmodel has none of them, so they
    are derived from the people the data is about (see docs/interop.md)."""
    people = max((a.subjects or 0 for a in model.data if a.id in personal), default=0)
    special = any(
        c in ("health", "genetic", "biometric", "location", "criminal_record", "minors")
        for a in model.data
        for c in a.categories
    )
    level = "high" if people >= 1_000_000 or special else "moderate" if personal else "low"
    sensitivity = sorted(
        {SENSITIVITY.get(c, "pii") for a in model.data for c in a.categories}
        | ({"pii"} if personal else set())
    )
    orgs = [b for b in model.boundaries if b.type == "organisation"]
    public = any(e.attributes.get("publicly_reachable") is True for e in model.elements)
    return {
        "title": model.system.label,
        "description": model.system.description or model.system.label,
        "business_criticality": level,
        "data_sensitivity": sensitivity,
        "exposure": "external" if public or len(orgs) > 1 else "internal",
        "tier": "business_critical" if level == "high" else "important",
    }


def _crossings(model: SystemModel, zone_of: dict, name) -> list[dict]:
    pairs = set()
    for flow in model.flows:
        a, b = zone_of.get(flow.source), zone_of.get(flow.target)
        if a and b and a != b:
            pairs.add(tuple(sorted((name("zone", a), name("zone", b)))))
    return [{"trust_zone_a": a, "trust_zone_b": b} for a, b in sorted(pairs)]


def _actor_type(element) -> str:
    if element.kind == "external_service":
        return "third_party" if element.type != "cloud_provider" else "system"
    return ACTOR_TYPES.get(element.type or "", "third_party" if element.type else "user")


def _typed(element, name) -> dict:
    kind = {"actor": "actor", "external_service": "actor", "datastore": "data-store"}
    return {"type": kind.get(element.kind, "component"), "object": name("element", element.id)}


def _data_set(asset, model: SystemModel, name, personal: set[str]) -> dict:
    stores = [e for e in model.elements if e.kind == "datastore" and asset.id in e.stores]
    item: dict[str, Any] = {
        "symbolic_name": name("data", asset.id),
        "title": asset.label,
        "description": asset.description,
        "placements": [
            {
                "data_store": name("element", s.id),
                "encrypted": s.attributes.get("encrypted_at_rest") is True,
            }
            for s in stores
        ],
        "data_sensitivity": sorted(
            {SENSITIVITY.get(c, "pii") for c in asset.categories}
            | ({"pii"} if asset.id in personal else set())
        ),
    }
    if asset.subjects is not None:
        item["record_count"] = asset.subjects
    return item


def _findings(document: dict, model: SystemModel, result, include_possible: bool, name) -> None:
    """Threats, risks and controls from the risks that fired."""
    flows = {f.id: f for f in model.flows}
    elements = {e.id for e in model.elements}
    by_risk: dict[str, list] = {}
    for finding in result.all_findings(include_possible):
        by_risk.setdefault(finding.risk_id, []).append(finding)
    threats: list[dict[str, Any]] = []
    risks: list[dict[str, Any]] = []
    controls: dict[str, dict[str, Any]] = {}
    for risk in result.catalog.risks:
        fired = by_risk.get(risk.id)
        if not fired:
            continue
        symbol = name("risk", risk.id)
        affected: dict[str, None] = {}
        for finding in fired:
            subject = finding.element_id
            ends = (
                (flows[subject].source, flows[subject].target) if subject in flows else (subject,)
            )
            affected.update({name("element", e): None for e in ends if e in elements})
        stride = bool(risk.frameworks.get("stride"))
        threats.append(
            {
                "symbolic_name": symbol,
                "title": risk.title,
                "description": risk.description or risk.title,
                "components_affected": list(affected),
                "threat_persona": "outside-attacker" if stride else "the-operator",
                "event": risk.title,
                "sources": ["adversary" if stride else "human_error"],
                "weaknesses": [
                    {"cwe_id": int(c.split("-")[-1])}
                    for c in risk.frameworks.get("cwe", ())
                    if c.split("-")[-1].isdigit()
                ],
            }
        )
        worst = max(fired, key=lambda f: (f.score, f.likelihood, f.impact))
        risks.append(
            {
                "symbolic_name": symbol,
                "title": risk.title,
                "description": f"{len(fired)} finding(s): " + ", ".join(f.id for f in fired),
                "threats": [symbol],
                "likelihood": LIKELIHOOD[min(max(worst.likelihood, 1), 5) - 1],
                "impact": IMPACT[min(max(worst.impact, 1), 5) - 1],
                "impact_description": _impact(worst),
                "score": min(25, worst.likelihood * worst.impact),
                "level": LEVELS.get(worst.severity, "medium"),
            }
        )
        for finding in fired:
            in_place = {c.mitigation for c in finding.controls}
            for mitigation in (*in_place, *finding.recommended):
                entry = controls.setdefault(
                    mitigation, {"threats": {}, "active": False, "worst": "low"}
                )
                entry["threats"][symbol] = None
                entry["active"] |= mitigation in in_place
                entry["worst"] = max(entry["worst"], finding.severity, key=_rank)
    document["threat_personas"] = [dict(p) for p in PERSONAS]
    document["threats"] = threats
    document["risks"] = risks
    document["controls"] = [
        {
            "symbolic_name": name("control", mitigation),
            "title": getattr(result.catalog.mitigations.get(mitigation), "title", mitigation),
            "description": getattr(result.catalog.mitigations.get(mitigation), "description", "")
            or mitigation,
            "threats": list(entry["threats"]),
            "status": "active" if entry["active"] else "suggested",
            "priority": LEVELS.get(entry["worst"], "medium"),
        }
        for mitigation, entry in sorted(controls.items())
    ]


def _rank(severity: str) -> int:
    return ("low", "medium", "high", "critical").index(severity) if severity in LEVELS else 1


def _impact(finding) -> str:
    harm = finding.harm
    parts = []
    if harm.categories:
        parts.append("data: " + ", ".join(harm.categories))
    if harm.subjects is not None:
        parts.append(f"about {harm.subjects:,} people")
    return "; ".join(parts) or f"impact {finding.impact}/5"
