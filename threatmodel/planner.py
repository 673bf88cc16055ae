"""The plan: the fewest mitigations that bring every open concern below a target severity.

Greedy: each step puts in place the catalog mitigation that does the most, on every element
where an open finding at or above the target recommends it; "the most" is the risk
(likelihood x impact) it takes off the open findings of the worst band, then of the next
band down to the target, then how many concerns it brings below the target, then the risk it
takes off all open findings. Each step carries its
what-if, the open concerns by severity and the people still exposed once it and the steps
before it are in place. The what-if is exact: it is the analysis scored again with those
controls added (`engine.with_controls`), which is what analysing the changed model gives.
A concern no mitigation brings below the target needs a design change; the plan says so,
with the facts that make it fire.
"""

from __future__ import annotations

import attrs

from threatmodel.concerns import Concern, by_severity, concerns
from threatmodel.engine import with_controls
from threatmodel.findings import Finding, Result
from threatmodel.model import Control
from threatmodel.scoring import order, score_with


@attrs.frozen(kw_only=True)
class Action:
    """One step: a mitigation on named elements, and how things stand once it is in place."""

    mitigation: str
    title: str
    targets: tuple[str, ...]
    after: dict[str, int]  # open concerns by severity once this and earlier steps are done
    people_exposed: int  # the most people one open finding at or above the target is about
    resolves: tuple[str, ...]  # concern ids this step brings below the target


@attrs.frozen(kw_only=True)
class Residual:
    """An open concern the plan does not bring below the target, and why."""

    concern: str
    title: str
    severity: str
    reason: str  # 'design change' (no catalog mitigation does it) or 'step limit'
    needs: str  # what would have to change


@attrs.frozen(kw_only=True)
class Plan:
    """The plan for one result and target."""

    target: str
    before: dict[str, int]
    people_exposed: int
    actions: tuple[Action, ...]
    remaining: tuple[Residual, ...]


def make_plan(result: Result, target: str = "high", limit: int | None = None) -> Plan:
    """The greedy plan that brings every open concern below `target` (a severity name)."""
    catalog = result.catalog
    rank = {name: catalog.severity_rank(name) for name in catalog.severities}
    threshold = catalog.severity_rank(target)

    def above(r: Result) -> list[Finding]:
        return [f for f in r.findings if f.open and rank[f.severity] >= threshold]

    def summary(grouped: tuple[Concern, ...], high: list[Finding]) -> tuple[dict[str, int], int]:
        open_concerns = [c for c in grouped if c.open]
        people = max((f.harm.subjects or 0 for f in high), default=0)
        return by_severity(open_concerns, catalog, only_open=True), people

    # the plan is about findings only, held worst first (as `with_controls` keeps them)
    ranked = tuple(sorted(result.findings, key=order(catalog)))
    current = attrs.evolve(result, findings=ranked, undecided=())
    high = above(current)
    grouped = concerns(current.findings, catalog, ranked=True)
    before, people = summary(grouped, high)
    actions: list[Action] = []
    tried: set[str] = set()
    places = _Places(current)
    while high and (limit is None or len(actions) < limit):
        step = _best_step(current, high, grouped, rank, threshold, tried, places)
        if step is None:
            break
        control, resolved = step
        tried.add(control.mitigation)
        current = with_controls(current, (control,))
        high = above(current)
        grouped = concerns(current.findings, catalog, ranked=True)
        after, exposed = summary(grouped, high)
        actions.append(
            Action(
                mitigation=control.mitigation,
                title=catalog.mitigations[control.mitigation].title,
                targets=control.targets,
                after=after,
                people_exposed=exposed,
                resolves=resolved,
            )
        )
    remaining = _remaining(current, grouped, threshold, limit is not None and len(actions) >= limit)
    return Plan(
        target=target,
        before=before,
        people_exposed=people,
        actions=tuple(actions),
        remaining=remaining,
    )


class _Places:
    """Each subject with the boundaries around it, as a set of ids, worked out once a plan."""

    def __init__(self, result: Result):
        self.graph = result.graph
        self.known: dict[str, frozenset[str]] = {}

    def __call__(self, subject_id: str) -> frozenset[str]:
        found = self.known.get(subject_id)
        if found is None:
            chain = self.graph.chain(subject_id)
            found = self.known[subject_id] = frozenset([subject_id, *(b.id for b in chain)])
        return found


def _best_step(
    current: Result,
    high: list[Finding],
    grouped: tuple[Concern, ...],
    rank: dict[str, int],
    threshold: int,
    tried: set[str],
    places_of: _Places,
) -> tuple[Control, tuple[str, ...]] | None:
    """The control that helps most now, and the concerns it brings below the target.

    Each candidate is scored on the findings it would change only: a control lowers exactly
    the open findings, on its targets or inside a boundary it targets, whose risk recommends
    its mitigation and does not have it yet; mitigations only lower likelihood and impact, so
    the order controls are counted in does not matter and the new score is the old one moved
    by the mitigation's effect. A concern comes below the target when each of its open
    findings at or above the target does (the others only go down). The chosen step is then
    applied in full (`with_controls`).
    """
    catalog = current.catalog
    targets: dict[str, set[str]] = {}
    for finding in high:
        for mitigation in finding.recommended:
            if mitigation not in tried and mitigation in catalog.mitigations:
                targets.setdefault(mitigation, set()).add(finding.element_id)
    by_mitigation: dict[str, list[Finding]] = {}
    for finding in current.findings:
        if finding.open:
            for mitigation in finding.recommended:
                if mitigation in targets:
                    by_mitigation.setdefault(mitigation, []).append(finding)
    concern_of: dict[str, str] = {}  # finding id -> concern above the target
    high_in: dict[str, list[str]] = {}  # concern id -> its open findings above the target
    for concern in grouped:  # worst first: `resolved` keeps that order
        if concern.open and rank[concern.open_severity or ""] >= threshold:
            for i in concern.findings:
                concern_of[i] = concern.id
            high_in[concern.id] = []
    for finding in high:
        high_in[concern_of[finding.id]].append(finding.id)
    bands = [band for band in catalog.severities if rank[band] >= threshold]
    band_of = catalog.band
    best: tuple | None = None
    for mitigation, places in sorted(targets.items()):
        effect = catalog.mitigations[mitigation]
        changed: dict[str, str] = {}  # finding id -> its band once the control is in place
        gain_all = 0
        gain_band = dict.fromkeys(bands, 0)
        for finding in by_mitigation.get(mitigation, ()):
            if places_of(finding.element_id).isdisjoint(places):
                continue
            value = score_with(finding.likelihood, finding.impact, effect.likelihood, effect.impact)
            changed[finding.id] = band_of(value).name
            gain_all += finding.score - value
            if finding.severity in gain_band:
                gain_band[finding.severity] += finding.score - value
        if gain_all <= 0:
            continue
        gain_high = tuple(gain_band.values())  # risk removed per band, worst band first
        touched = {concern_of[i] for i in changed if i in concern_of}
        resolved = tuple(
            c
            for c in high_in
            if c in touched
            and all(i in changed and rank[changed[i]] < threshold for i in high_in[c])
        )
        key = (gain_high, len(resolved), gain_all, -len(places), mitigation)
        if best is None or key > best[0]:
            control = Control(mitigation=mitigation, targets=tuple(sorted(places)))
            best = (key, control, resolved)
    return None if best is None else (best[1], best[2])


def _remaining(
    current: Result, grouped: tuple[Concern, ...], threshold: int, limited: bool
) -> tuple[Residual, ...]:
    catalog = current.catalog
    by_id = {f.id: f for f in current.findings}
    out = []
    for concern in grouped:
        severity = concern.open_severity
        if severity is None or catalog.severity_rank(severity) < threshold:
            continue
        lead = next(by_id[i] for i in concern.findings if by_id[i].open)
        helps = any(m in catalog.mitigations for m in lead.recommended)
        facts = ", ".join(f"{name} = {value}" for name, value in lead.evidence) or "it applies"
        out.append(
            Residual(
                concern=concern.id,
                title=concern.title,
                severity=severity,
                reason="step limit" if limited and helps else "design change",
                needs=(
                    f"more steps (raise --max): {', '.join(lead.recommended)}"
                    if limited and helps
                    else f"a design change: no catalog mitigation brings it below the "
                    f"target; it fires because {facts}"
                ),
            )
        )
    return tuple(out)
