"""The plan: the fewest mitigations that bring every open concern below a target severity.

Greedy: each step puts in place the catalog mitigation that does the most, on every element
where an open finding at or above the target recommends it; "the most" is the risk
(likelihood x impact) it takes off the open findings of the worst band, then of the next
band down to the target, then how many concerns it brings below the target, then the risk it
takes off all open findings. Each step carries its what-if, the open concerns by severity
and the people still exposed once it and the steps before it are in place. The what-if is
exact: the findings a step reaches are scored again as `analyze` scores them with those
controls added (`engine.rescored`), which is what analysing the changed model gives.
A concern no mitigation brings below the target needs a design change; the plan says so,
with the facts that make it fire.
"""

from __future__ import annotations

import attrs

from threatmodel.catalog import Catalog
from threatmodel.concerns import concerns
from threatmodel.engine import ControlTable, rescored
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
    # false when the open concerns by severity and the people exposed stay as the step before
    # left them: the step lowers scores (it always does) without moving a concern's band yet
    changes: bool = True


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
    search = _Search(result, catalog.severity_rank(target))
    before, people = search.summary()
    standing = (before, people)
    actions: list[Action] = []
    while search.has_high() and (limit is None or len(actions) < limit):
        step = search.best_step()
        if step is None:
            break
        control, resolved = step
        search.apply(control)
        after, exposed = search.summary()
        changes, standing = (after, exposed) != standing, (after, exposed)
        actions.append(
            Action(
                mitigation=control.mitigation,
                title=catalog.mitigations[control.mitigation].title,
                targets=control.targets,
                after=after,
                people_exposed=exposed,
                resolves=resolved,
                changes=changes,
            )
        )
    findings = sorted(search.findings.values(), key=search.order_key)
    limited = limit is not None and len(actions) >= limit
    return Plan(
        target=target,
        before=before,
        people_exposed=people,
        actions=tuple(actions),
        remaining=_remaining(findings, catalog, search.threshold, limited),
    )


@attrs.frozen
class _Candidate:
    """What putting one mitigation in place on its targets would do to the open findings."""

    targets: frozenset[str]  # the elements of its open findings at or above the target
    gain_high: tuple[int, ...]  # risk taken off the open findings of each band, worst first
    gain_all: int  # risk taken off all open findings
    below: dict[str, int]  # concern id -> how many of its findings above the target it lowers


class _Search:
    """The greedy search: the findings as the steps so far leave them, and each candidate
    mitigation's effect, worked out again only when a step changes a finding it concerns.

    A step changes only the findings on the elements its control reaches (its targets and what
    they enclose), and those are scored again exactly as `analyze` scores them. A
    candidate's effect depends only on the open findings that recommend it, so only the
    candidates those findings recommend (before or after) are worked out again. Concerns keep
    their findings throughout (findings never appear or vanish), so a concern's open severity
    and how many of its findings are above the target are counts kept up to date.
    """

    def __init__(self, result: Result, threshold: int):
        self.catalog = catalog = result.catalog
        self.graph = result.graph
        self.threshold = threshold
        self.rank = {name: catalog.severity_rank(name) for name in catalog.severities}
        self.bands = [band for band in catalog.severities if self.rank[band] >= threshold]
        self.table = ControlTable.of(tuple(result.model.controls))
        self.tried: set[str] = set()
        self.in_place = dict(result.controls)
        self.order_key = order(catalog)
        ranked = sorted(result.findings, key=self.order_key)  # the plan is about findings only
        self.findings = {f.id: f for f in ranked}
        self.on: dict[str, list[str]] = {}  # subject id -> its findings
        for finding in ranked:
            self.on.setdefault(finding.element_id, []).append(finding.id)
        self.places: dict[str, frozenset[str]] = {}  # subject id -> it and the boundaries around it
        self.inside: dict[str, list[str]] = {}  # place id -> the subjects with findings in it
        for subject_id in self.on:
            chain = result.graph.chain(subject_id)
            self.places[subject_id] = frozenset([subject_id, *(b.id for b in chain)])
            for place in self.places[subject_id]:
                self.inside.setdefault(place, []).append(subject_id)
        self.members: dict[str, tuple[str, ...]] = {}  # concern id -> its findings
        self.concern_of: dict[str, str] = {}  # finding id -> concern id
        for concern in concerns(ranked, catalog, ranked=True):
            self.members[concern.id] = concern.findings
            for finding_id in concern.findings:
                self.concern_of[finding_id] = concern.id
        self.open_bands = {c: dict.fromkeys(catalog.severities, 0) for c in self.members}
        self.high_count = dict.fromkeys(self.members, 0)  # open findings above the target
        self.people: dict[int, int] = {}  # people a finding above the target is about -> count
        self.recommending: dict[str, dict[str, Finding]] = {}  # mitigation -> open findings
        self.wanted_on: dict[str, dict[str, int]] = {}  # mitigation -> element -> high findings
        self.known: dict[str, _Candidate | None] = {}
        for finding in ranked:
            self._count(finding, 1)

    def has_high(self) -> bool:
        """Whether any open finding is still at or above the target."""
        return any(self.high_count.values())

    def _is_high(self, finding: Finding) -> bool:
        return finding.open and self.rank[finding.severity] >= self.threshold

    def _count(self, finding: Finding, sign: int) -> None:
        """Add (1) or take away (-1) a finding from the counts and indexes."""
        if not finding.open:
            return
        concern = self.concern_of[finding.id]
        bands = self.open_bands[concern]
        bands[finding.severity] = bands.get(finding.severity, 0) + sign
        high = self._is_high(finding)
        for mitigation in finding.recommended:
            self.known.pop(mitigation, None)
            wanting = self.recommending.setdefault(mitigation, {})
            if sign > 0:
                wanting[finding.id] = finding
            else:
                del wanting[finding.id]
            if high:
                on = self.wanted_on.setdefault(mitigation, {})
                on[finding.element_id] = on.get(finding.element_id, 0) + sign
                if not on[finding.element_id]:
                    del on[finding.element_id]
        if high:
            self.high_count[concern] += sign
            people = finding.harm.subjects or 0
            self.people[people] = self.people.get(people, 0) + sign

    def summary(self) -> tuple[dict[str, int], int]:
        """Open concerns by their open severity, and the most people an open finding at or
        above the target is about."""
        counts = dict.fromkeys(self.catalog.severities, 0)
        for bands in self.open_bands.values():
            worst = next((band for band, n in bands.items() if n > 0), None)
            if worst is not None:
                counts[worst] = counts.get(worst, 0) + 1
        return counts, max((p for p, n in self.people.items() if n > 0), default=0)

    def best_step(self) -> tuple[Control, tuple[str, ...]] | None:
        """The control that helps most now, and the concerns it brings below the target.

        "Most" is the risk (likelihood x impact) it takes off the open findings of the worst
        band, then of the next band down to the target, then how many concerns it brings
        below the target, then the risk it takes off all open findings, then the fewer
        targets, then the mitigation id (so the plan is always the same).
        """
        best: tuple | None = None
        for mitigation in self.recommending:
            if mitigation in self.tried or mitigation not in self.catalog.mitigations:
                continue
            if mitigation not in self.known:
                self.known[mitigation] = self._candidate(mitigation)
            candidate = self.known[mitigation]
            if candidate is None:
                continue
            resolved = [c for c, n in candidate.below.items() if n == self.high_count[c]]
            key = (
                candidate.gain_high,
                len(resolved),
                candidate.gain_all,
                -len(candidate.targets),
                mitigation,
            )
            if best is None or key > best[0]:
                best = (key, candidate, resolved)
        if best is None:
            return None
        key, candidate, resolved = best
        control = Control(mitigation=key[-1], targets=tuple(sorted(candidate.targets)))
        return control, tuple(sorted(resolved, key=self._concern_rank))

    def _concern_rank(self, concern_id: str) -> tuple:
        """Where a concern stands among concerns now: by its worst finding."""
        return min(self.order_key(self.findings[i]) for i in self.members[concern_id])

    def _candidate(self, mitigation: str) -> _Candidate | None:
        """A candidate's effect: a control lowers exactly the open findings, on its targets or
        inside a boundary it targets, whose risk recommends its mitigation; mitigations only
        lower likelihood and impact, so the new score is the old one moved by the mitigation's
        effect. None when it takes no risk off."""
        targets = frozenset(self.wanted_on.get(mitigation, ()))
        if not targets:
            return None
        places = self.places
        effect = self.catalog.mitigations[mitigation]
        band_of = self.catalog.band
        gain_all = 0
        gain_band = dict.fromkeys(self.bands, 0)
        below: dict[str, int] = {}
        for finding in self.recommending[mitigation].values():
            if finding.element_id not in targets and places[finding.element_id].isdisjoint(targets):
                continue
            value = score_with(finding.likelihood, finding.impact, effect.likelihood, effect.impact)
            gain = finding.score - value
            gain_all += gain
            if finding.severity in gain_band:  # at or above the target (and open)
                gain_band[finding.severity] += gain
                if self.rank[band_of(value).name] < self.threshold:
                    concern = self.concern_of[finding.id]
                    below[concern] = below.get(concern, 0) + 1
        if gain_all <= 0:
            return None
        return _Candidate(targets, tuple(gain_band.values()), gain_all, below)

    def apply(self, control: Control) -> None:
        """Put a control in place: score again the findings on every subject it reaches."""
        self.tried.add(control.mitigation)
        self.table.add(control)
        reached = {s for target in control.targets for s in self.inside.get(target, ())}
        for subject_id in sorted(reached):
            in_place = self.table.on(subject_id, self.graph)
            if in_place == self.in_place.get(subject_id, {}):
                continue
            self.in_place[subject_id] = in_place
            for finding_id in self.on[subject_id]:
                old = self.findings[finding_id]
                risk = self.catalog.risk(old.risk_id)
                if risk is None or control.mitigation not in risk.mitigations:
                    continue  # scored only with the controls of its own mitigations
                new = rescored(old, in_place, self.catalog)
                self._count(old, -1)
                self.findings[finding_id] = new
                self._count(new, 1)


def _remaining(
    findings: list[Finding], catalog: Catalog, threshold: int, limited: bool
) -> tuple[Residual, ...]:
    """The open concerns still at or above the target once the plan is in place."""
    by_id = {f.id: f for f in findings}
    out = []
    for concern in concerns(findings, catalog, ranked=True):
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
