"""The canonical plain-data form of a result, shared by every report (JSON, Markdown, HTML,
SARIF, CSV) and published as `threatmodel/schemas/results.schema.json`.

Everything a report says is computed here once: the summary, the risk matrix, each finding
with its evidence and harms, the mitigation checklist, the compliance view, the questionnaire
for "needs information" findings and the appendix of model elements. Renderers only lay it
out and escape it. Key order is fixed and nothing depends on the clock, so the same input
gives the same bytes.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import re
from collections import defaultdict
from typing import Any
from urllib.parse import quote, urlsplit

from threatmodel import __version__
from threatmodel.findings import Finding, Result
from threatmodel.scoring import clamp
from threatmodel.tracking import STATUSES as DECISION_STATUSES

SCHEMA_VERSION = "1"
TOP = 5
LAWS = {
    "gdpr": "GDPR (EU)",
    "uk-gdpr": "UK GDPR",
    "pipl": "PIPL (China)",
    "ccpa": "CCPA / CPRA (California)",
    "cpra": "CCPA / CPRA (California)",
    "fcra": "FCRA (United States)",
    "eu-ai-act": "EU AI Act",
    "lgpd": "LGPD (Brazil)",
    "dpdpa": "DPDP Act (India)",
    "hipaa": "HIPAA (United States)",
}
SAFE_SCHEMES = ("http", "https", "mailto")
URL_SAFE = "-._~:/?#[]@!$&*+,;=%"  # kept as written; everything else is percent-encoded


def result_data(result: Result) -> dict[str, Any]:
    """Everything a report needs, as plain dicts and lists in a stable order."""
    model, catalog = result.model, result.catalog
    writer = _FindingWriter(result)
    findings = [writer.finding(f) for f in result.findings]
    confirmed = [f for f in findings if f["status"] == "confirmed"]
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
        "summary": _summary(result, findings, confirmed),
        "matrix": _matrix(result, confirmed),
        "findings": findings,
        "mitigations": _checklist(result, confirmed),
        "compliance": _compliance(result, findings, writer.risks),
        "questionnaire": _questionnaire(findings),
        "references": _references(result, findings),
        "frameworks": _framework_legend(result, findings),
        "model": _appendix(result),
        "warnings": [str(w) for w in result.warnings],
    }


class _FindingWriter:
    """Builds each finding's dict; what depends only on its risk or a mitigation is built once
    and shared between findings (reports never modify it)."""

    def __init__(self, result: Result):
        self.catalog = result.catalog
        self.risks = {r.id: r for r in result.catalog.risks}
        self.by_risk: dict[str, dict[str, Any]] = {}
        self.mitigations: dict[str, dict[str, Any]] = {}

    def risk(self, risk_id: str) -> dict[str, Any]:
        known = self.by_risk.get(risk_id)
        if known is not None:
            return known
        risk = self.risks.get(risk_id)
        frameworks = risk.frameworks if risk else {}
        references = self.catalog.references
        known = self.by_risk[risk_id] = {
            "description": risk.description if risk else "",
            "group": risk.group if risk else "",
            "frameworks": {k: list(v) for k, v in sorted(frameworks.items())},
            "references": [r for r in (risk.references if risk else ()) if r in references],
        }
        return known

    def mitigation(self, mid: str) -> dict[str, Any]:
        known = self.mitigations.get(mid)
        if known is None:
            m = self.catalog.mitigations[mid]
            known = self.mitigations[mid] = {
                "mitigation": mid,
                "title": m.title,
                "likelihood": m.likelihood,
                "impact": m.impact,
            }
        return known

    def finding(self, finding: Finding) -> dict[str, Any]:
        risk = self.risk(finding.risk_id)
        decision = finding.decision
        harm = finding.harm
        return {
            "id": finding.id,
            "risk_id": finding.risk_id,
            "title": finding.title,
            "description": risk["description"],
            "group": risk["group"],
            "status": finding.status,
            "review_status": decision.status if decision is not None else "open",
            "open": finding.open,
            "severity": finding.severity,
            "likelihood": finding.likelihood,
            "impact": finding.impact,
            "score": finding.score,
            "base_likelihood": finding.base_likelihood,
            "base_impact": finding.base_impact,
            "sentence": _sentence(finding),
            "element": {
                "id": finding.element_id,
                "kind": finding.element_kind,
                "name": finding.element_name,
                "file": finding.pos.file,
                "line": finding.pos.line,
                "col": finding.pos.col,
            },
            "evidence": [{"name": n, "value": json_value(v)} for n, v in finding.evidence],
            "missing": list(finding.missing),
            "modifiers": [
                {
                    "why": m.why,
                    "condition": m.condition,
                    "likelihood": m.likelihood,
                    "impact": m.impact,
                    "evidence": [{"name": n, "value": json_value(v)} for n, v in m.evidence],
                }
                for m in finding.modifiers
            ],
            "controls": [
                {
                    "mitigation": c.mitigation,
                    "title": c.title,
                    "likelihood": c.likelihood,
                    "impact": c.impact,
                    "note": c.note,
                }
                for c in finding.controls
            ],
            "recommended": [
                self.mitigation(m) for m in finding.recommended if m in self.catalog.mitigations
            ],
            "harm": {
                "data_assets": list(harm.data_assets),
                "categories": list(harm.categories),
                "special_categories": list(harm.special_categories),
                "subjects": harm.subjects,
            },
            "frameworks": risk["frameworks"],
            "references": risk["references"],
            "decision": None if decision is None else decision.as_dict(),
        }


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def dumps_json(value: Any, depth: int = 2, indent: str = "  ", level: int = 0) -> str:
    """Pretty JSON for large results, fast: containers down to `depth` are laid out with one
    item per line, anything deeper on one line by the C encoder (`json.dumps` with `indent`
    runs the pure-Python encoder, which is ~10x slower). Key order is kept; deterministic."""
    if level >= depth or not isinstance(value, (dict, list)) or not value:
        return _ENCODE(value)
    pad, inner = indent * level, indent * (level + 1)
    if isinstance(value, dict):
        items = [
            f"{inner}{_ENCODE(k)}: {dumps_json(v, depth, indent, level + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    items = [inner + dumps_json(v, depth, indent, level + 1) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + pad + "]"


@functools.lru_cache(maxsize=4096)
def safe_url(url: str) -> str:
    """An absolute http(s) or mailto URL, percent-encoded so that it is inert in HTML
    attributes and Markdown link targets; '' for anything else (no javascript: links)."""
    text = str(url or "").strip()
    if not text or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in SAFE_SCHEMES or (parts.scheme != "mailto" and not parts.netloc):
        return ""
    return quote(text, safe=URL_SAFE)


def json_value(value: Any) -> Any:
    """A value as JSON can hold it: tuples as lists, dates as ISO text, NaN as text."""
    if isinstance(value, (tuple, list, set, frozenset)):
        items = [json_value(v) for v in value]
        return items if isinstance(value, (tuple, list)) else sorted(items, key=str)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _sentence(finding: Finding) -> str:
    people = f", exposing {finding.harm.subjects:,} people" if finding.harm.subjects else ""
    categories = list(finding.harm.categories)
    if len(categories) > 4:
        categories = categories[:3] + [f"{len(categories) - 3} more kinds of"]
    data = f" ({', '.join(categories)} data)" if categories and people else ""
    return (
        f"{finding.title} at {finding.element_name}: {finding.severity}, likelihood "
        f"{finding.likelihood} x impact {finding.impact}{people}{data}."
    )


def _summary(result: Result, findings: list[dict], confirmed: list[dict]) -> dict[str, Any]:
    severities = result.catalog.severities
    by_status = dict.fromkeys(DECISION_STATUSES, 0)
    open_by_severity = dict.fromkeys(severities, 0)
    for f in confirmed:
        by_status[f["review_status"]] = by_status.get(f["review_status"], 0) + 1
        if f["open"]:
            open_by_severity[f["severity"]] = open_by_severity.get(f["severity"], 0) + 1
    top = [f for f in confirmed if f["open"]][:TOP]
    return {
        "confirmed": len(confirmed),
        "possible": len(findings) - len(confirmed),
        "open": sum(1 for f in confirmed if f["open"]),
        "by_severity": result.counts(),
        "open_by_severity": open_by_severity,
        "by_status": by_status,
        "expired_decisions": sum(1 for f in findings if f["decision"] and f["decision"]["expired"]),
        "people_exposed": max((f["harm"]["subjects"] or 0 for f in confirmed), default=0),
        "top": [{"id": f["id"], "severity": f["severity"], "sentence": f["sentence"]} for f in top],
    }


def _matrix(result: Result, confirmed: list[dict]) -> dict[str, Any]:
    """Counts of confirmed findings (and of those still open) per likelihood x impact cell."""
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for f in confirmed:
        cell = counts[(f["likelihood"], f["impact"])]
        cell[0] += 1
        cell[1] += 1 if f["open"] else 0
    rows = []
    for likelihood in range(5, 0, -1):
        cells = []
        for impact in range(1, 6):
            count, still_open = counts.get((likelihood, impact), (0, 0))
            cells.append(
                {
                    "likelihood": likelihood,
                    "impact": impact,
                    "score": likelihood * impact,
                    "severity": result.catalog.band(likelihood * impact).name,
                    "count": count,
                    "open": still_open,
                }
            )
        rows.append({"likelihood": likelihood, "cells": cells})
    return {"rows": rows, "impacts": [1, 2, 3, 4, 5]}


def _checklist(result: Result, confirmed: list[dict]) -> list[dict[str, Any]]:
    """Mitigations named by confirmed findings, as a to-do list: those still missing somewhere
    first, ordered by the total score they would remove from the open findings; then those
    in place everywhere they are recommended, ordered by the score they already remove."""
    mitigations = result.catalog.mitigations
    table: dict[str, dict[str, Any]] = {}
    for f in confirmed:
        for rec in f["recommended"]:
            entry = _entry(table, rec["mitigation"], f)
            entry["missing_on"].add(f["element"]["id"])
            if f["open"]:
                after = clamp(f["likelihood"] + rec["likelihood"]) * clamp(
                    f["impact"] + rec["impact"]
                )
                entry["todo"] += f["score"] - after
        for control in f["controls"]:
            entry = _entry(table, control["mitigation"], f)
            entry["in_place_on"].add(f["element"]["id"])
            before = clamp(f["likelihood"] - control["likelihood"]) * clamp(
                f["impact"] - control["impact"]
            )
            entry["done"] += before - f["score"]
    items = []
    for mid, entry in table.items():
        mitigation = mitigations.get(mid)
        items.append(
            {
                "id": mid,
                "title": mitigation.title if mitigation else mid,
                "description": mitigation.description if mitigation else "",
                "likelihood": mitigation.likelihood if mitigation else 0,
                "impact": mitigation.impact if mitigation else 0,
                "in_place": not entry["missing_on"],
                "risk_removed": entry["todo"],
                "risk_already_removed": entry["done"],
                "findings": sorted(entry["findings"]),
                "missing_on": sorted(entry["missing_on"]),
                "in_place_on": sorted(entry["in_place_on"]),
            }
        )
    items.sort(
        key=lambda m: (
            m["in_place"],
            -m["risk_removed"],
            -m["risk_already_removed"],
            -len(m["findings"]),
            m["id"],
        )
    )
    return items


def _entry(table: dict, mid: str, finding: dict) -> dict[str, Any]:
    entry = table.setdefault(
        mid, {"todo": 0, "done": 0, "findings": set(), "missing_on": set(), "in_place_on": set()}
    )
    entry["findings"].add(finding["id"])
    return entry


def law_of(reference_id: str) -> str:
    """The law a reference id belongs to: 'gdpr-art-22' -> 'gdpr', 'eu-ai-act-art-5' -> 'eu-ai-act'."""
    rid = reference_id.lower()
    for prefix in sorted(LAWS, key=len, reverse=True):
        if rid == prefix or rid.startswith(prefix + "-"):
            return prefix
    head = re.split(r"-(?:art|article|sec|section|s)-", rid, maxsplit=1)[0]
    return head if head != rid else rid.split("-")[0]


def _natural(text: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _compliance(result: Result, findings: list[dict], risks: dict) -> list[dict[str, Any]]:
    """Findings grouped by law and article, from the references of kind 'law'."""
    references = result.catalog.references
    laws: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        risk = risks.get(f["risk_id"])
        for rid in risk.references if risk else ():
            ref = references.get(rid)
            if ref is not None and ref.kind == "law":
                laws[law_of(rid)][rid].append(
                    {
                        "id": f["id"],
                        "title": f["title"],
                        "severity": f["severity"],
                        "status": f["status"],
                        "review_status": f["review_status"],
                    }
                )
    out = []
    for law in sorted(laws, key=lambda k: (LAWS.get(k, k.upper()), k)):
        articles = []
        for rid in sorted(laws[law], key=_natural):
            ref = references[rid]
            articles.append(
                {
                    "id": rid,
                    "title": ref.title,
                    "fact": ref.fact,
                    "url": ref.url,
                    "link": safe_url(ref.url),
                    "findings": laws[law][rid],
                }
            )
        out.append({"law": law, "title": LAWS.get(law, law.upper()), "articles": articles})
    return out


def _questionnaire(findings: list[dict]) -> list[dict[str, Any]]:
    """What to ask the system owner: per element, each missing fact and the risks it decides."""
    elements: dict[str, dict[str, Any]] = {}
    for f in findings:
        if f["status"] == "confirmed":
            continue
        element = elements.setdefault(
            f["element"]["id"], {"element": f["element"], "questions": {}}
        )
        for missing in f["missing"] or ["(unknown)"]:
            question = element["questions"].setdefault(
                missing, {"missing": missing, "findings": []}
            )
            question["findings"].append(
                {"id": f["id"], "title": f["title"], "severity": f["severity"]}
            )
    return [
        {"element": e["element"], "questions": list(e["questions"].values())}
        for e in elements.values()
    ]


def _references(result: Result, findings: list[dict]) -> dict[str, dict[str, Any]]:
    """The references findings cite, by id (findings name them; the text is here once)."""
    table = result.catalog.references
    cited = sorted({r for f in findings for r in f["references"]})
    return {
        r: {
            "kind": table[r].kind,
            "title": table[r].title,
            "fact": table[r].fact,
            "url": table[r].url,
            "link": safe_url(table[r].url),
        }
        for r in cited
    }


def _framework_legend(result: Result, findings: list[dict]) -> dict[str, Any]:
    """Titles of the frameworks findings cite, and names of the ids that have one."""
    used: dict[str, set] = defaultdict(set)
    for f in findings:
        for name, ids in f["frameworks"].items():
            used[name].update(ids)
    legend = {}
    for name in sorted(used):
        framework = result.catalog.frameworks.get(name)
        names = dict(framework.names) if framework else {}
        legend[name] = {
            "title": framework.title if framework else name,
            "names": {i: names[i] for i in sorted(used[name]) if i in names},
        }
    return legend


def _appendix(result: Result) -> dict[str, Any]:
    model = result.model
    parent = {}
    for boundary in model.boundaries:
        for member in boundary.members:
            parent.setdefault(member, boundary.id)
    return {
        "elements": [
            {
                "id": e.id,
                "name": e.label,
                "kind": e.kind,
                "type": e.type or "",
                "boundary": parent.get(e.id, ""),
                "description": e.description,
                "file": e.pos.file,
                "line": e.pos.line,
            }
            for e in model.elements
        ],
        "flows": [
            {
                "id": f.id,
                "name": f.label,
                "from": f.source,
                "to": f.target,
                "data": list(f.data),
                "file": f.pos.file,
                "line": f.pos.line,
            }
            for f in model.flows
        ],
        "data": [
            {
                "id": d.id,
                "name": d.label,
                "categories": list(d.categories),
                "subjects": d.subjects,
                "source": d.source or "",
                "retention": _retention(d),
                "description": d.description,
                "file": d.pos.file,
                "line": d.pos.line,
            }
            for d in model.data
        ],
        "boundaries": [
            {
                "id": b.id,
                "name": b.label,
                "kind": b.type,
                "parent": parent.get(b.id, ""),
                "members": list(b.members),
            }
            for b in model.boundaries
        ],
        "controls": [
            {"mitigation": c.mitigation, "targets": list(c.targets), "note": c.note}
            for c in model.controls
        ],
    }


def _retention(asset) -> str:
    days = asset.attributes.get("retention_days", "unknown")
    return "no limit" if days is None else days if days == "unknown" else f"{days} days"


def value_text(value: Any) -> str:
    """An evidence value as reports print it: lists in brackets, true/false/null in YAML's words."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


DETAIL_LIMIT = 1000  # findings written out in full in HTML and Markdown; the rest as table rows


def detailed(confirmed: list[dict[str, Any]], limit: int | None = None) -> set[str]:
    """The ids of the findings reports describe in full: the worst `limit` confirmed ones
    (findings are sorted worst first). A report of tens of thousands of findings is read
    from the top; findings.json and findings.csv carry every one of them in full."""
    return {f["id"] for f in confirmed[: DETAIL_LIMIT if limit is None else limit]}
