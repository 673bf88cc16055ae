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

from threatmodel.concerns import by_severity, concerns
from threatmodel.engine import with_controls
from threatmodel.findings import Finding, Result
from threatmodel.model import Control
from threatmodel.scoring import score_with


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
    threshold = catalog.severity_rank(target)

    def above(r: Result) -> list[Finding]:
        return [f for f in r.findings if f.open and catalog.severity_rank(f.severity) >= threshold]

    def summary(r: Result) -> tuple[dict[str, int], int]:
        open_concerns = [c for c in concerns(r.findings, catalog) if c.open]
        people = max((f.harm.subjects or 0 for f in above(r)), default=0)
        return by_severity(open_concerns, catalog, only_open=True), people

    before, people = summary(result)
    actions: list[Action] = []
    current = attrs.evolve(result, undecided=())  # the plan is about findings only
    tried: set[str] = set()
    while above(current) and (limit is None or len(actions) < limit):
        step = _best_step(current, above(current), threshold, tried)
        if step is None:
            break
        control, resolved = step
        tried.add(control.mitigation)
        current = with_controls(current, (control,))
        after, exposed = summary(current)
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
    remaining = _remaining(current, threshold, limit is not None and len(actions) >= limit)
    return Plan(
        target=target,
        before=before,
        people_exposed=people,
        actions=tuple(actions),
        remaining=remaining,
    )


def _best_step(
    current: Result, high: list[Finding], threshold: int, tried: set[str]
) -> tuple[Control, tuple[str, ...]] | None:
    """The control that helps most now, and the concerns it brings below the target.

    Each candidate is scored on the findings it would change only: a control lowers exactly
    the open findings, on its targets or inside a boundary it targets, whose risk recommends
    its mitigation and does not have it yet; mitigations only lower likelihood and impact, so
    the order controls are counted in does not matter and the new score is the old one moved
    by the mitigation's effect. The chosen step is then applied in full (`with_controls`).
    """
    catalog = current.catalog
    rank = catalog.severity_rank
    targets: dict[str, set[str]] = {}
    for finding in high:
        for mitigation in finding.recommended:
            if mitigation not in tried and mitigation in catalog.mitigations:
                targets.setdefault(mitigation, set()).add(finding.element_id)
    by_mitigation: dict[str, list[Finding]] = {}
    for finding in current.findings:
        if finding.open:
            for mitigation in finding.recommended:
                by_mitigation.setdefault(mitigation, []).append(finding)
    grouped = [c for c in concerns(current.findings, catalog) if c.open]
    by_id = {f.id: f for f in current.findings}
    best: tuple | None = None
    for mitigation, places in sorted(targets.items()):
        effect = catalog.mitigations[mitigation]
        changed: dict[str, tuple[int, str]] = {}
        for finding in by_mitigation.get(mitigation, ()):
            chain = {b.id for b in current.graph.chain(finding.element_id)}
            if finding.element_id in places or chain & places:
                value = score_with(
                    finding.likelihood, finding.impact, effect.likelihood, effect.impact
                )
                changed[finding.id] = (value, catalog.band(value).name)
        gain_all = sum(by_id[i].score - value for i, (value, _) in changed.items())
        if gain_all <= 0:
            continue
        gain_high = tuple(  # risk removed per band, worst band first, down to the target
            sum(
                by_id[i].score - value
                for i, (value, _) in changed.items()
                if by_id[i].severity == band
            )
            for band in catalog.severities
            if rank(band) >= threshold
        )
        resolved = tuple(
            c.id
            for c in grouped
            if rank(c.open_severity or "") >= threshold
            and any(i in changed for i in c.findings)
            and all(
                rank(changed[i][1] if i in changed else by_id[i].severity) < threshold
                for i in c.findings
                if by_id[i].open
            )
        )
        key = (gain_high, len(resolved), gain_all, -len(places), mitigation)
        if best is None or key > best[0]:
            control = Control(mitigation=mitigation, targets=tuple(sorted(places)))
            best = (key, control, resolved)
    return None if best is None else (best[1], best[2])


def _remaining(current: Result, threshold: int, limited: bool) -> tuple[Residual, ...]:
    catalog = current.catalog
    by_id = {f.id: f for f in current.findings}
    out = []
    for concern in concerns(current.findings, catalog):
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
