"""Two results -> what changed: findings new, resolved or re-scored; elements and flows added
or removed. Each side is a fresh report or a `findings.json` written by `analyze` (perhaps
by an older release), reduced to the same `Side`, so both compare the same way. Rendered by
`threatmodel.render.diff` as text, Markdown (for a pull request) and JSON.
"""

from __future__ import annotations

from typing import Any

import attrs

from threatmodel.errors import Position, Problem, ThreatModelError
from threatmodel.interop.source import read_json_text
from threatmodel.loader import DEFAULT_LIMITS, Limits
from threatmodel.report import Report

REQUIRED = ("schema_version", "system", "findings")


@attrs.frozen(kw_only=True)
class FindingState:
    """What a diff compares of one finding."""

    id: str
    title: str
    status: str
    severity: str
    score: int | None
    review_status: str
    open: bool
    element: str

    @property
    def label(self) -> str:
        """Its severity when confirmed, else 'possible'."""
        return self.severity if self.status == "confirmed" else "possible"


@attrs.frozen(kw_only=True)
class Side:
    """One side of a comparison: a system's findings, elements and flows."""

    name: str
    findings: tuple[FindingState, ...]
    elements: tuple[str, ...]
    flows: tuple[str, ...]
    severities: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Change:
    """A finding present in both results whose severity, status or review status changed."""

    id: str
    title: str
    old: FindingState
    new: FindingState


@attrs.frozen(kw_only=True)
class ModelDiff:
    """What changed between two results, each list in a stable order."""

    old_name: str
    new_name: str
    new: tuple[FindingState, ...] = ()
    resolved: tuple[FindingState, ...] = ()
    changed: tuple[Change, ...] = ()
    elements_added: tuple[str, ...] = ()
    elements_removed: tuple[str, ...] = ()
    flows_added: tuple[str, ...] = ()
    flows_removed: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.new
            or self.resolved
            or self.changed
            or self.elements_added
            or self.elements_removed
            or self.flows_added
            or self.flows_removed
        )

    def new_at_or_above(self, severity: str) -> list[FindingState]:
        """Open confirmed findings at or above `severity` that are new, or newly confirmed,
        newly open (a decision removed or expired) or newly worse."""
        rank = {name: i for i, name in enumerate(self.severities)}
        limit = rank.get(severity, len(rank))
        worse = [
            c.new
            for c in self.changed
            if c.old.status != "confirmed"
            or not c.old.open
            or rank.get(c.new.severity, 99) < rank.get(c.old.severity, 99)
        ]
        return [
            f
            for f in list(self.new) + worse
            if f.status == "confirmed" and f.open and rank.get(f.severity, 99) <= limit
        ]


def side_of_report(report: Report) -> Side:
    """A fresh analysis, as one side of a diff."""
    return Side(
        name=report.system.name,
        findings=tuple(
            FindingState(
                id=f.id,
                title=f.title,
                status="confirmed",
                severity=f.severity,
                score=f.score,
                review_status=f.review_status,
                open=f.open,
                element=f.element.id,
            )
            for f in report.findings
        ),
        elements=tuple(e.id for e in report.model.elements),
        flows=tuple(f.id for f in report.model.flows),
        severities=tuple(report.summary.by_severity),
    )


def side_of_json(text: str, display: str, limits: Limits = DEFAULT_LIMITS) -> Side:
    """A findings.json written by `analyze`, as one side of a diff; problems are positioned
    errors. Keys newer releases added are optional, so old files still compare. It is read
    as an imported JSON file is (`read_json_text`: strict JSON, under the limits a model is,
    refused at the place it passes one)."""
    data = read_json_text(text, display, limits)
    where = Position(file=display, line=1, col=1)
    if not isinstance(data, dict) or any(k not in data for k in REQUIRED):
        raise ThreatModelError(
            [
                Problem(
                    message=f"not a threatmodel findings.json (it needs {', '.join(REQUIRED)})",
                    pos=where,
                )
            ]
        )
    if not isinstance(data["findings"], list) or not all(
        isinstance(f, dict) and {"id", "title", "severity", "element"} <= f.keys()
        for f in data["findings"]
    ):
        raise ThreatModelError(
            [
                Problem(
                    message="'findings' must be a list of findings with id, "
                    "title, severity and element",
                    pos=where,
                )
            ]
        )
    model = data.get("model") or {}
    system = data["system"] if isinstance(data["system"], dict) else {}
    return Side(
        name=str(system.get("name", "")),
        # findings.json before schema 2 also listed "possible" findings: those are questions
        findings=tuple(_state(f) for f in data["findings"] if f.get("status") != "possible"),
        elements=_ids(model, "elements"),
        flows=_ids(model, "flows"),
        severities=tuple((data.get("summary") or {}).get("by_severity") or {}),
    )


def _state(f: dict[str, Any]) -> FindingState:
    element = f["element"]
    return FindingState(
        id=str(f["id"]),
        title=str(f["title"]),
        status=str(f.get("status", "confirmed")),
        severity=str(f["severity"]),
        score=f.get("score"),
        review_status=str(f.get("review_status", "open")),
        open=bool(f.get("open", True)),
        element=str(element["id"] if isinstance(element, dict) else element),
    )


def _ids(model: Any, key: str) -> tuple[str, ...]:
    items = model.get(key, ()) if isinstance(model, dict) else ()
    return tuple(str(item["id"]) for item in items if isinstance(item, dict) and "id" in item)


def diff(old: Side, new: Side) -> ModelDiff:
    """Compare two sides."""
    old_findings = {f.id: f for f in old.findings}
    new_findings = {f.id: f for f in new.findings}
    severities = new.severities or old.severities
    rank = {name: i for i, name in enumerate(severities)}

    def order(f: FindingState) -> tuple:
        return (f.status != "confirmed", rank.get(f.severity, 99), f.id)

    changed = []
    for fid in sorted(old_findings.keys() & new_findings.keys()):
        before, after = old_findings[fid], new_findings[fid]
        if (before.severity, before.status, before.review_status) != (
            after.severity,
            after.status,
            after.review_status,
        ):
            changed.append(Change(id=fid, title=after.title, old=before, new=after))
    changed.sort(key=lambda c: (rank.get(c.new.severity, 99), c.id))
    return ModelDiff(
        old_name=old.name,
        new_name=new.name,
        new=tuple(sorted((f for i, f in new_findings.items() if i not in old_findings), key=order)),
        resolved=tuple(
            sorted((f for i, f in old_findings.items() if i not in new_findings), key=order)
        ),
        changed=tuple(changed),
        elements_added=_added(old.elements, new.elements),
        elements_removed=_added(new.elements, old.elements),
        flows_added=_added(old.flows, new.flows),
        flows_removed=_added(new.flows, old.flows),
        severities=severities,
    )


def _added(before: tuple[str, ...], after: tuple[str, ...]) -> tuple[str, ...]:
    had = set(before)
    return tuple(sorted(i for i in after if i not in had))
