"""SystemModel (+ analysis result) -> an Open Threat Model document (a plain dict).

Boundaries become trust zones, elements components, flows dataflows, data assets assets. With
a result, every risk that fired becomes an OTM threat and every finding a threat instance on
its component or dataflow, with the catalog's mitigations as OTM mitigations (state
`implemented` when the model has the control, `recommended` otherwise). Our own fields that OTM
has no place for travel in `attributes` under `threatmodel:` keys (see otm_common).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from threatmodel.interop import otm_common as C
from threatmodel.interop.model_writer import vocabulary_data
from threatmodel.model import SystemModel


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list, frozenset, set)):
        items = sorted(value) if isinstance(value, (frozenset, set)) else value
        return [_plain(v) for v in items]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _set(target: dict, key: str, value: Any) -> None:
    if value not in (None, "", (), []):
        target[key] = _plain(value)


def export_otm(model: SystemModel, result=None, include_possible: bool = False) -> dict:
    """The OTM document for `model`; with `result`, its findings as threats."""
    findings = _findings(result, include_possible)
    parents = _parents(model)
    project: dict[str, Any] = {"name": model.system.label, "id": model.system.id}
    _set(project, "description", model.system.description)
    _set(project, "owner", model.system.owner)
    project_attributes = _plain(dict(model.system.attributes))
    if model.controls:
        project_attributes[C.CONTROLS] = [
            {
                k: v
                for k, v in (
                    ("mitigation", c.mitigation),
                    ("targets", list(c.targets)),
                    ("note", c.note),
                )
                if v not in ("", [])
            }
            for c in model.controls
        ]
    if model.vocabulary is not None:
        project_attributes[C.VOCABULARY] = _plain(vocabulary_data(model.vocabulary))
    if project_attributes:
        project["attributes"] = project_attributes
    document: dict[str, Any] = {"otmVersion": C.OTM_VERSION, "project": project}
    document["trustZones"] = _zones(model, parents)
    document["components"] = [_component(e, parents, findings) for e in model.elements]
    document["dataflows"] = [_dataflow(f, findings) for f in model.flows]
    document["assets"] = [_asset(a, result) for a in model.data]
    if result is not None:
        document["threats"] = _threats(result, findings)
        document["mitigations"] = _mitigations(result, findings)
    return document


def _parents(model: SystemModel) -> dict[str, str]:
    parents = {}
    for boundary in model.boundaries:
        for member in boundary.members:
            parents[member] = boundary.id
    return parents


def _zones(model: SystemModel, parents: dict[str, str]) -> list[dict]:
    zones = []
    for boundary in model.boundaries:
        zone: dict[str, Any] = {"id": boundary.id, "name": boundary.label, "type": boundary.type}
        _set(zone, "description", boundary.description)
        zone["risk"] = {"trustRating": C.DEFAULT_TRUST_RATING}
        if boundary.id in parents:
            zone["parent"] = {"trustZone": parents[boundary.id]}
        attributes = {C.KIND: boundary.type, C.MEMBERS: list(boundary.members)}
        attributes.update(_plain(dict(boundary.attributes)))
        zone["attributes"] = attributes
        zones.append(zone)
    if any(e.id not in parents for e in model.elements):
        zones.append(
            {
                "id": C.OUTSIDE_ZONE,
                "name": "Outside every modelled boundary",
                "risk": {"trustRating": C.OUTSIDE_TRUST_RATING},
                "attributes": {C.SYNTHETIC: True},
            }
        )
    return zones


def _component(element, parents: dict[str, str], findings) -> dict:
    component: dict[str, Any] = {
        "id": element.id,
        "name": element.label,
        "type": C.COMPONENT_TYPES.get(element.kind, "empty-component"),
    }
    _set(component, "description", element.description)
    component["parent"] = {"trustZone": parents.get(element.id, C.OUTSIDE_ZONE)}
    component["tags"] = [t for t in (element.kind, element.type) if t]
    assets: dict[str, Any] = {}
    _set(assets, "processed", element.inputs)
    _set(assets, "stored", element.stores)
    if assets:
        component["assets"] = assets
    _set(component, "threats", _instances(findings.get(element.id, ())))
    attributes = {C.KIND: element.kind}
    if element.type:
        attributes[C.TYPE] = element.type
    attributes.update(_plain(dict(element.attributes)))
    component["attributes"] = attributes
    return component


def _dataflow(flow, findings) -> dict:
    dataflow: dict[str, Any] = {
        "id": flow.id,
        "name": flow.label,
        "source": flow.source,
        "destination": flow.target,
        "bidirectional": False,
    }
    _set(dataflow, "description", flow.description)
    _set(dataflow, "assets", flow.data)
    _set(dataflow, "threats", _instances(findings.get(flow.id, ())))
    if flow.attributes:
        dataflow["attributes"] = _plain(dict(flow.attributes))
    return dataflow


def _asset(asset, result) -> dict:
    vocabulary = getattr(result, "vocabulary", None)
    item: dict[str, Any] = {"id": asset.id, "name": asset.label}
    _set(item, "description", asset.description)
    item["risk"] = {
        "confidentiality": _confidentiality(asset, vocabulary),
        "integrity": 50,
        "availability": 50,
        "comment": "confidentiality from the data categories; integrity and "
        "availability are not rated by threatmodel",
    }
    attributes: dict[str, Any] = {C.CATEGORIES: list(asset.categories)}
    if asset.subjects is not None:
        attributes[C.SUBJECTS] = asset.subjects
    if asset.source:
        attributes[C.SOURCE] = asset.source
    attributes.update(_plain(dict(asset.attributes)))
    item["attributes"] = attributes
    return item


SPECIAL = {
    "location",
    "biometric",
    "health",
    "genetic",
    "political",
    "religion",
    "ethnicity",
    "sexual_orientation",
    "criminal_record",
    "minors",
}
NOT_PERSONAL = {"aggregate", "business", "configuration"}


def _confidentiality(asset, vocabulary) -> int:
    """100 for special categories, 80 for other personal data, 40 otherwise."""
    categories = set(asset.categories)
    if vocabulary is not None:
        table = vocabulary.categories
        special = any(table[c].special for c in categories if c in table)
        personal = any(table[c].personal for c in categories if c in table)
    else:
        special = bool(categories & SPECIAL)
        personal = bool(categories - NOT_PERSONAL)
    return 100 if special else 80 if personal else 40


# -- findings ---------------------------------------------------------------------------------


def _findings(result, include_possible: bool) -> OrderedDict[str, list]:
    by_subject: OrderedDict[str, list] = OrderedDict()
    if result is None:
        return by_subject
    for finding in result.all_findings(include_possible):
        by_subject.setdefault(finding.element_id, []).append(finding)
    return by_subject


def _state(finding) -> str:
    decision = getattr(finding, "decision", None)
    return C.THREAT_STATES.get(getattr(decision, "status", None), "exposed")


def _instances(findings) -> list[dict]:
    instances = []
    for finding in sorted(findings, key=lambda f: f.risk_id):
        mitigations = [
            {"mitigation": c.mitigation, "state": "implemented"} for c in finding.controls
        ]
        mitigations += [{"mitigation": m, "state": "recommended"} for m in finding.recommended]
        instance: dict[str, Any] = {"threat": finding.risk_id, "state": _state(finding)}
        if mitigations:
            instance["mitigations"] = mitigations
        instances.append(instance)
    return instances


def _threats(result, findings) -> list[dict]:
    by_risk: OrderedDict[str, list] = OrderedDict()
    for items in findings.values():
        for finding in items:
            by_risk.setdefault(finding.risk_id, []).append(finding)
    threats = []
    for risk in result.catalog.risks:
        fired = by_risk.get(risk.id)
        if not fired:
            continue
        worst = max(fired, key=lambda f: (f.score, f.likelihood, f.impact))
        categories = [C.STRIDE[s] for s in risk.frameworks.get("stride", ()) if s in C.STRIDE]
        categories += [f"LINDDUN {x}" for x in risk.frameworks.get("linddun", ())]
        threat: dict[str, Any] = {"id": risk.id, "name": risk.title}
        _set(threat, "description", risk.description)
        _set(threat, "categories", categories)
        _set(threat, "cwes", list(risk.frameworks.get("cwe", ())))
        threat["risk"] = {
            "likelihood": worst.likelihood * 20,
            "likelihoodComment": f"threatmodel likelihood {worst.likelihood}/5 (catalog "
            f"{risk.likelihood}/5, after modifiers and controls)",
            "impact": worst.impact * 20,
            "impactComment": f"threatmodel impact {worst.impact}/5, severity {worst.severity}",
        }
        _set(threat, "tags", [t for t in (risk.group, risk.catalog) if t])
        threat["attributes"] = {C.FINDINGS: {f.id: _finding_data(f) for f in fired}}
        threats.append(threat)
    return threats


def _finding_data(finding) -> dict:
    data: dict[str, Any] = {
        "subject": finding.element_id,
        "kind": finding.element_kind,
        "status": finding.status,
        "severity": finding.severity,
        "likelihood": finding.likelihood,
        "impact": finding.impact,
        "score": finding.score,
        "state": _state(finding),
    }
    if finding.harm.subjects is not None:
        data["people"] = finding.harm.subjects
    if finding.evidence:
        data["evidence"] = {name: _plain(value) for name, value in finding.evidence}
    if finding.missing:
        data["needs"] = [str(m) for m in finding.missing]
    return data


def _mitigations(result, findings) -> list[dict]:
    used: OrderedDict[str, None] = OrderedDict()
    for items in findings.values():
        for finding in items:
            for control in finding.controls:
                used[control.mitigation] = None
            for mitigation in finding.recommended:
                used[mitigation] = None
    out = []
    for mitigation_id in sorted(used):
        mitigation = result.catalog.mitigations.get(mitigation_id)
        if mitigation is None:
            continue
        item: dict[str, Any] = {"id": mitigation.id, "name": mitigation.title}
        _set(item, "description", mitigation.description)
        item["riskReduction"] = min(100, 20 * (abs(mitigation.likelihood) + abs(mitigation.impact)))
        item["attributes"] = {
            C.PREFIX + "effect": {"likelihood": mitigation.likelihood, "impact": mitigation.impact}
        }
        out.append(item)
    return out


def unplaced_findings(result, include_possible: bool = False) -> list:
    """Findings on boundaries and the system: OTM has no threat instances for those."""
    return [
        f for f in result.all_findings(include_possible) if f.element_kind in ("boundary", "system")
    ]
