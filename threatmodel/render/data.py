"""The canonical plain-data form of a result, shared by the JSON, Markdown and HTML outputs."""

from __future__ import annotations

from typing import Any

from threatmodel import __version__
from threatmodel.findings import Finding, Result

SCHEMA_VERSION = "1"


def result_data(result: Result) -> dict[str, Any]:
    """Everything a report needs, as plain dicts and lists in a stable order."""
    model, catalog = result.model, result.catalog
    confirmed = result.confirmed
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "threatmodel", "version": __version__},
        "system": {
            "id": model.system.id,
            "name": model.system.label,
            "owner": model.system.owner,
            "description": model.system.description,
            "file": model.path,
            "elements": len(model.elements),
            "flows": len(model.flows),
            "boundaries": len(model.boundaries),
            "data_assets": len(model.data),
            "controls": sorted({c.mitigation for c in model.controls}),
        },
        "catalog": {"files": list(catalog.files), "risks": len(catalog.risks)},
        "summary": {
            "confirmed": len(confirmed),
            "possible": len(result.possible),
            "by_severity": result.counts(),
            "open": sum(1 for f in confirmed if f.open),
            "people_exposed": max((f.harm.subjects or 0 for f in confirmed), default=0),
        },
        "findings": [finding_data(f, result) for f in result.findings],
        "warnings": [str(w) for w in result.warnings],
    }


def finding_data(finding: Finding, result: Result) -> dict[str, Any]:
    """One finding with its risk's text, mappings and references."""
    risk = result.catalog.risk(finding.risk_id)
    mitigations = result.catalog.mitigations
    references = result.catalog.references
    decision = finding.decision
    return {
        "id": finding.id,
        "risk_id": finding.risk_id,
        "title": finding.title,
        "description": risk.description if risk else "",
        "group": risk.group if risk else "",
        "status": finding.status,
        "severity": finding.severity,
        "likelihood": finding.likelihood,
        "impact": finding.impact,
        "score": finding.score,
        "base_likelihood": finding.base_likelihood,
        "base_impact": finding.base_impact,
        "element": {
            "id": finding.element_id,
            "kind": finding.element_kind,
            "name": finding.element_name,
            "file": finding.pos.file,
            "line": finding.pos.line,
        },
        "evidence": [{"name": n, "value": _json_value(v)} for n, v in finding.evidence],
        "missing": list(finding.missing),
        "modifiers": [
            {"why": m.why, "condition": m.condition, "likelihood": m.likelihood, "impact": m.impact,
             "evidence": [{"name": n, "value": _json_value(v)} for n, v in m.evidence]}
            for m in finding.modifiers
        ],
        "controls": [
            {"mitigation": c.mitigation, "title": c.title, "likelihood": c.likelihood,
             "impact": c.impact, "note": c.note}
            for c in finding.controls
        ],
        "recommended": [
            {"mitigation": m, "title": mitigations[m].title,
             "likelihood": mitigations[m].likelihood, "impact": mitigations[m].impact}
            for m in finding.recommended if m in mitigations
        ],
        "harm": {
            "data_assets": list(finding.harm.data_assets),
            "categories": list(finding.harm.categories),
            "special_categories": list(finding.harm.special_categories),
            "subjects": finding.harm.subjects,
        },
        "frameworks": {k: list(v) for k, v in sorted((risk.frameworks if risk else {}).items())},
        "references": [
            {"id": r, "kind": references[r].kind, "title": references[r].title,
             "fact": references[r].fact, "url": references[r].url}
            for r in (risk.references if risk else ()) if r in references
        ],
        "decision": None if decision is None else decision.as_dict(),
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value
