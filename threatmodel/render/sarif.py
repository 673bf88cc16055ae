"""Findings as SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).

One rule per catalog risk; one result per finding, pointing at the model file and the line
of the element it concerns. Confirmed findings are `kind: fail` with the level of their
severity band (questions, what the model leaves undecided, are not results).
Findings a review closed (accepted, false-positive, mitigated, transferred) stay in the log
with a `suppressions` entry, so code scanning shows them as dismissed instead of reopening
them. Fingerprints hash the finding id (`<risk>@<element>`), never line numbers or text, so
reformatting or reordering the YAML does not reopen alerts.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from pathlib import PurePath
from typing import Any

from threatmodel import __version__
from threatmodel.catalog import Catalog, Risk
from threatmodel.jsondata import iter_dumps
from threatmodel.render import Pieces, RenderOptions
from threatmodel.render.text import value_text
from threatmodel.report import Report, ReportFinding, jurisdictions_of, safe_url

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/threatmodel/threatmodel"
FINGERPRINT = "threatmodel/findingId/v1"
FRAMEWORK_TAGS = ("stride", "linddun", "pram", "solove")


def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    """The SARIF log as JSON text (stable key order, no timestamps); one result per line."""
    return render_pieces(report, options).text()


def render_pieces(report: Report, options: RenderOptions = RenderOptions()) -> Pieces:
    """`render` in pieces (one per result), as `analyze` writes it."""
    return Pieces(
        lambda: itertools.chain(iter_dumps(sarif_log(report, streamed=True), depth=4), ("\n",))
    )


def sarif_log(report: Report, *, streamed: bool = False) -> dict[str, Any]:
    """The SARIF log as plain data; `streamed`, with its results made one at a time as
    they are read (an iterator `jsondata.iter_dumps` lays out as a list)."""
    catalog = report.result.catalog
    risks = sorted(catalog.risks, key=lambda r: r.id)
    index = {risk.id: i for i, risk in enumerate(risks)}
    levels = {band.name: band.sarif_level for band in catalog.bands}
    jurisdictions = jurisdictions_of(report.result.model)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "threatmodel",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(risk, catalog, jurisdictions) for risk in risks],
                    }
                },
                "automationDetails": {"id": f"threatmodel/{report.system.id}/"},
                "columnKind": "unicodeCodePoints",
                "results": (iter if streamed else list)(
                    _result(f, index, levels) for f in report.findings if f.risk_id in index
                ),
            }
        ],
    }


def _rule(risk: Risk, catalog: Catalog, jurisdictions: tuple[str, ...]) -> dict[str, Any]:
    band = catalog.band(risk.likelihood * risk.impact)
    mitigations = [catalog.mitigations[m] for m in risk.mitigations if m in catalog.mitigations]
    references = [
        catalog.references[r]
        for r in risk.references
        if r in catalog.references and catalog.references[r].applies_in(jurisdictions)
    ]
    text = [risk.description or risk.title]
    markdown = [_md(risk.description or risk.title)]
    if mitigations:
        text.append("Mitigations: " + "; ".join(f"{m.title} ({m.id})" for m in mitigations) + ".")
        markdown.append(
            "**Mitigations**\n\n" + "\n".join(f"- {_md(m.title)} (`{m.id}`)" for m in mitigations)
        )
    if references:
        text.append(
            "References: "
            + "; ".join(f"{r.title}{' <' + r.url + '>' if r.url else ''}" for r in references)
            + "."
        )
        markdown.append(
            "**References**\n\n"
            + "\n".join(
                f"- [{_md(r.title)}]({safe_url(r.url)})" if safe_url(r.url) else f"- {_md(r.title)}"
                for r in references
            )
        )
    tags = ["security", "privacy", "threat-model"]
    for name in FRAMEWORK_TAGS:
        tags += [f"{name}/{value}" for value in risk.frameworks.get(name, ())]
    tags += [f"external/cwe/{c.lower()}" for c in risk.frameworks.get("cwe", ())]
    return {
        "id": risk.id,
        "name": _camel(risk.title),
        "shortDescription": {"text": risk.title},
        "fullDescription": {"text": risk.description or risk.title},
        "help": {"text": "\n\n".join(text), "markdown": "\n\n".join(markdown)},
        "defaultConfiguration": {"level": band.sarif_level},
        "properties": {
            "security-severity": f"{band.security_severity:.1f}",
            "tags": tags,
            "precision": "high",
            "problem.severity": _problem_severity(band.sarif_level),
        },
    }


def _result(f: ReportFinding, index: dict[str, int], levels: dict[str, str]) -> dict[str, Any]:
    element = f.element
    message = f"{f.title}: {element.name} ({element.kind.replace('_', ' ')} '{element.id}'). "
    message += f"Severity {f.severity} (likelihood {f.likelihood} x impact {f.impact} = {f.score})."
    if f.evidence:
        message += (
            " Why: " + ", ".join(f"{e.name} = {value_text(e.value)}" for e in f.evidence) + "."
        )
    if f.recommended:
        message += " Do: " + "; ".join(m.title for m in f.recommended) + "."
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(element.file)}}
    if element.line:
        physical["region"] = {"startLine": element.line, "startColumn": max(element.col, 1)}
    digest = hashlib.sha256(f.id.encode("utf-8")).hexdigest()
    item: dict[str, Any] = {
        "ruleId": f.risk_id,
        "ruleIndex": index[f.risk_id],
        "kind": "fail",
        "level": levels.get(f.severity, "warning"),
        "message": {"text": _plain(message)},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [
                    {
                        "name": element.id,
                        "kind": "element",
                        "fullyQualifiedName": f"{element.kind}:{element.id}",
                    }
                ],
            }
        ],
        # our own stable identity, and the key GitHub matches alerts on (set here so that
        # the upload action does not derive it from the line's text)
        "fingerprints": {FINGERPRINT: digest},
        "partialFingerprints": {"primaryLocationLineHash": f"{digest[:16]}:1"},
        "properties": {
            "findingId": f.id,
            "severity": f.severity,
            "score": f.score,
            "concern": f.concern,
            "reviewStatus": f.review_status,
            "people": f.harm.subjects,
        },
    }
    decision = f.decision
    if decision is not None and not f.open:
        why = decision.justification or decision.status
        if decision.owner:
            why += f" ({decision.owner})"
        item["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{decision.status}: {why}",
            }
        ]
    return item


def _plain(text: str) -> str:
    """Message text with brackets escaped: SARIF viewers turn `[text](uri)` into links."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _problem_severity(level: str) -> str:
    return {"error": "error", "warning": "warning"}.get(level, "recommendation")


@functools.lru_cache(maxsize=1024)
def _uri(path: str) -> str:
    """A relative URI for a relative path (what code scanning needs), else a file: URI."""
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri() if hasattr(pure, "as_uri") else path
    from urllib.parse import quote

    return quote(pure.as_posix(), safe="/")


def _camel(title: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in title).split()
    return "".join(w[:1].upper() + w[1:] for w in words)[:100] or "Risk"


def _md(text: str) -> str:
    from threatmodel.render.escape import markdown

    return markdown(text)
