"""Concerns: findings with one root cause, shown, counted and decided as one.

A risk that fires on several elements is one gap in several places (one decision: "encrypt
the stores", "add an appeal"), and risks the catalog declares overlapping (`overlaps:`) name
the same gap. So a concern is a group of fired risks linked by declared overlaps, with every
finding of those risks. It keeps each finding, with its stable id, for decisions, SARIF and
diffs; its severity is the worst of its findings, and it leads with its worst finding.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from threatmodel.catalog import Catalog
from threatmodel.findings import Finding
from threatmodel.scoring import order


@attrs.frozen(kw_only=True)
class Concern:
    """One root cause: its findings (worst first), where they are, and how bad."""

    id: str  # 'C-' and the first of its risk ids: stable while those risks fire
    title: str  # the title of its worst finding's risk
    severity: str  # the worst severity of its findings
    open_severity: str | None  # the worst severity of its open findings; None: all closed
    risks: tuple[str, ...]
    element: str  # the element (or flow, boundary, system) of its worst finding
    elements: tuple[str, ...]  # every place it fires, in the order of its findings
    findings: tuple[str, ...]  # finding ids, worst first
    people: int | None  # the most people one of its findings is about

    @property
    def open(self) -> bool:
        return self.open_severity is not None


def concerns(
    findings: Iterable[Finding], catalog: Catalog, *, ranked: bool = False
) -> tuple[Concern, ...]:
    """The concerns of a set of findings, worst first. `ranked`: the findings are already
    worst first (as a Result holds them), so they are not sorted again."""
    ranked_findings = list(findings) if ranked else sorted(findings, key=order(catalog))
    fired = {f.risk_id for f in ranked_findings}
    parent = {risk_id: risk_id for risk_id in fired}

    def root(risk_id: str) -> str:
        while parent[risk_id] != risk_id:
            parent[risk_id] = parent[parent[risk_id]]
            risk_id = parent[risk_id]
        return risk_id

    for risk_id in sorted(fired):
        risk = catalog.risk(risk_id)
        for other in risk.overlaps if risk else ():
            if other in fired:
                a, b = root(risk_id), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[str, list[Finding]] = {}  # in the order of each group's worst finding
    for finding in ranked_findings:
        groups.setdefault(root(finding.risk_id), []).append(finding)
    return tuple(_concern(members) for members in groups.values())


def _concern(members: list[Finding]) -> Concern:
    """The concern of findings sharing a root cause, given worst first."""
    lead = members[0]
    still_open = [f for f in members if f.open]
    people = [f.harm.subjects for f in members if f.harm.subjects is not None]
    risks = tuple(dict.fromkeys(f.risk_id for f in members))
    return Concern(
        id=f"C-{min(risks)}",
        title=lead.title,
        severity=lead.severity,
        open_severity=still_open[0].severity if still_open else None,
        risks=risks,
        element=lead.element_id,
        elements=tuple(dict.fromkeys(f.element_id for f in members)),
        findings=tuple(f.id for f in members),
        people=max(people) if people else None,
    )


def by_severity(items: Iterable[Concern], catalog: Catalog, *, only_open: bool = False) -> dict:
    """How many concerns have each severity (their open severity with `only_open`), every
    band present, worst first."""
    counts = dict.fromkeys(catalog.severities, 0)
    for concern in items:
        severity = concern.open_severity if only_open else concern.severity
        if severity is not None:
            counts[severity] = counts.get(severity, 0) + 1
    return counts
