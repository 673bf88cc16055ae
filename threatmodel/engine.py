"""Catalog x model -> findings: every risk is evaluated on every element of its kinds."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

import attrs

from threatmodel import forked
from threatmodel.catalog import Catalog, Modifier, Risk
from threatmodel.collector import no_cycle_collection
from threatmodel.context import Context, Probe
from threatmodel.expr import (
    UNKNOWN,
    UNREAD,
    Condition,
    Test,
    as_set,
    call_label,
    judge,
    requirement_of,
)
from threatmodel.findings import AppliedControl, AppliedModifier, Finding, Harm, Result, Scored
from threatmodel.graph import Graph, Missing
from threatmodel.model import SCALARS, Control, SystemModel
from threatmodel.packed import Packed, Packer, unpack
from threatmodel.scoring import score, worst_first
from threatmodel.validate import validate
from threatmodel.work import too_many_findings


def analyze(
    model: SystemModel, catalog: Catalog, *, max_findings: int | None = None, processes: int = 1
) -> Result:
    """Validate the model, then match every risk against it.

    A risk applies to a subject when its `scope` is true there (unknown: it does not apply).
    Its `when` then decides: true gives a finding, unknown an undecided one (the model leaves
    out what decides it; reports turn these into questions), false nothing. Findings are
    sorted worst first (see `scoring.order`). Past `max_findings` (confirmed and undecided
    together) the analysis stops with a ThreatModelError (see `work.too_many_findings`).
    With `processes` over 1, a big model is matched in this process and a forked child
    side by side (`_match`); the result is the same.
    """
    with no_cycle_collection():  # hundreds of thousands of new objects, none in a cycle
        return _analyze(model, catalog, max_findings, processes)


def _analyze(
    model: SystemModel, catalog: Catalog, max_findings: int | None, processes: int
) -> Result:
    vocabulary = validate(model, catalog)
    graph = Graph(model, vocabulary)
    controls = controls_in_place(model, graph)
    matcher = _Matcher(graph, catalog, controls)
    findings, undecided = _match(matcher, matcher.work(model), max_findings, processes)
    return Result(
        model=model,
        catalog=catalog,
        findings=worst_first(findings, catalog),
        graph=graph,
        controls=controls,
        undecided=worst_first(undecided, catalog),
        warnings=tuple(model.warnings) + tuple(catalog.warnings),
    )


class _Subject(NamedTuple):
    """A subject to match, with what deciding each risk of its kind takes (`_Matcher.work`)."""

    subject: Any
    screen: Screen
    checks: list[tuple]


class _Found(NamedTuple):
    """What matching some subjects found, in their order: `ends` has how many findings
    (confirmed and undecided) there were after each subject matched."""

    findings: list[Finding]
    undecided: list[Finding]
    ends: list[int]


@attrs.define
class _Matcher:
    """Risks matched on subjects of one model; it keeps the scores and harms findings share."""

    graph: Graph
    catalog: Catalog
    controls: dict[str, dict[str, Any]]
    shared: dict[tuple, tuple] = attrs.Factory(dict)  # see `_finding`
    harms: dict[tuple, Harm] = attrs.Factory(dict)  # see `_harm`

    def work(self, model: SystemModel) -> list[_Subject]:
        """The subjects a risk applies to, kind by kind in catalog order, each kind's in
        model order, with what deciding each risk takes."""
        subjects: dict[str, list] = defaultdict(list)
        for subject in model.subjects():
            subjects[subject.kind].append(subject)
        risks_by_kind: dict[str, list[Risk]] = defaultdict(list)
        for risk in self.catalog.risks:
            for kind in risk.applies_to:
                risks_by_kind[kind].append(risk)
        work: list[_Subject] = []
        for kind, risks in risks_by_kind.items():
            screen = Screen.of(risks)
            checks = [  # by position: what deciding each risk takes
                (
                    risk,
                    risk.scope.fn if risk.scope else None,
                    risk.condition.fn if risk.condition else None,
                    *screen.settles.get(index, _UNSETTLED),
                    screen.unindexed.get(index),
                    screen.evidence.get(index),
                )
                for index, risk in enumerate(risks)
            ]
            work.extend(_Subject(subject, screen, checks) for subject in subjects.get(kind, ()))
        return work

    def run(self, work: list[_Subject], limit: int | None) -> _Found:
        """The findings of `work`, stopping after the subject that takes them past `limit`."""
        graph, catalog, controls, shared, harms = (
            self.graph,
            self.catalog,
            self.controls,
            self.shared,
            self.harms,
        )
        findings: list[Finding] = []
        undecided: list[Finding] = []
        ends: list[int] = []
        for subject, screen, checks in work:
            probe = Probe(graph, subject)
            harm = None
            # values by the label a condition reads them by: the subject's memo of facts,
            # where a name's label is the name itself (a call's and a reference's join it)
            seen: dict[str, Any] = probe.facts
            positions, loose = screen.candidates(probe, seen)
            for index in positions:
                risk, applies, check, scope_tests, tests, unindexed, labels = checks[index]
                if scope_tests is not None:
                    judged = scope_tests if loose or unindexed is None else unindexed
                    if judged and not judge(judged, probe, seen, only_true=True):
                        continue
                elif applies is not None and applies(probe) is not True:
                    continue
                verdict = None if tests is None else judge(tests, probe, seen)
                if verdict is False:
                    continue
                missing: tuple[Missing, ...] = ()  # only an undecided finding lacks facts
                if labels is not None and (verdict is True or check is None):
                    outcome, evidence = True, _known(labels, seen)
                else:
                    if verdict is True or check is None:  # true on known values
                        outcome, trace = True, _trace(tests, seen)
                    else:
                        traced = Context(graph, subject)  # evaluate once, recording evidence
                        outcome = check(traced)
                        if outcome is False:
                            continue
                        trace = traced.trace
                        if outcome is not True:
                            missing = tuple(traced.missing)
                    if outcome is True and risk.scope is not None:
                        trace = {**_scope_trace(risk, probe, scope_tests, seen), **trace}
                    evidence = _evidence(trace.items())
                harm = harm or _harm(probe, harms)
                finding = _finding(
                    risk, probe, outcome, evidence, missing, catalog, controls, harm, shared
                )
                (findings if finding.confirmed else undecided).append(finding)
            ends.append(len(findings) + len(undecided))
            if limit is not None and ends[-1] > limit:
                break
        return _Found(findings, undecided, ends)


def _match(
    matcher: _Matcher, work: list[_Subject], limit: int | None, processes: int
) -> tuple[list[Finding], list[Finding]]:
    """The findings of `work`, confirmed and undecided, in its order; past `limit` a
    ThreatModelError at the subject where it was crossed.

    With two processes or more and a big model, `work` is cut into parts that this process
    and a forked child take in turns (`forked.Turns`), each the next part when it is free;
    the child packs the findings of each part it takes (`packed`) and sends them back. The
    parts are then joined in order, and what neither process matched (the parts of a child
    that failed, the rest of parts cut short at the limit) is matched here as it comes. So
    the findings, their order and the subject where the limit is crossed are one
    process's."""
    parts = _parts(work, processes)
    turns = forked.turns(range(len(parts))) if len(parts) > 1 else None
    found: dict[int, _Found] = {}
    if turns is None:
        parts = [work]
    else:
        with turns, forked.Forked(lambda: _sent(matcher, parts, turns, limit)) as child:
            found = _take(matcher, parts, turns, limit)
            sent = child.result()
        if sent is not None:
            subjects = {index: [item.subject for item in parts[index]] for index in sent.groups}
            for index, group in unpack(sent, matcher.catalog, subjects, matcher.harms).items():
                found[index] = _Found(*group)
    findings: list[Finding] = []
    undecided: list[Finding] = []

    def join(piece: _Found, subjects: list[_Subject]) -> None:
        """Add a piece's findings, or raise at the subject where they pass the limit."""
        made = len(findings) + len(undecided)
        if limit is not None:
            for position, end in enumerate(piece.ends):
                if made + end > limit:
                    raise too_many_findings(subjects[position].subject, limit)
        findings.extend(piece.findings)
        undecided.extend(piece.undecided)

    for index, part in enumerate(parts):
        own = found.get(index, _Found([], [], []))
        join(own, part)
        rest = part[len(own.ends) :]
        if rest:
            left = None if limit is None else limit - len(findings) - len(undecided)
            join(matcher.run(rest, left), rest)
    return findings, undecided


CHILD_FROM = 2_000  # subjects: below this, a forked child saves little
PART = 250  # subjects in a part taken in turns (10 to 40 ms of matching)


def _parts(work: list[_Subject], processes: int) -> list[list[_Subject]]:
    """`work` in parts taken in turns (one part: this process matches it all)."""
    if processes < 2 or len(work) < CHILD_FROM:
        return [work]
    size = max(PART, -(-len(work) // 256))  # `Turns` hands out at most 256 items
    return [work[start : start + size] for start in range(0, len(work), size)]


def _take(
    matcher: _Matcher,
    parts: list[list[_Subject]],
    turns: forked.Turns,
    limit: int | None,
    packer: Packer | None = None,
) -> dict[int, _Found]:
    """The findings of each part this process takes in turn, by position (packed into
    `packer` instead, in the child). Past half of `limit` findings of its own it stops,
    within a part if need be: the two processes then hold about `limit` findings, and
    `_match` matches in order what they left."""
    budget = None if limit is None else limit // 2
    found: dict[int, _Found] = {}
    count = 0
    for index in turns:
        taken = matcher.run(parts[index], None if budget is None else budget - count)
        if packer is None:
            found[index] = taken
        else:
            subjects = [item.subject for item in parts[index]]
            packer.add(index, taken.findings, taken.undecided, subjects, taken.ends)
        count += taken.ends[-1] if taken.ends else 0
        if budget is not None and count > budget:
            break
    return found


def _sent(
    matcher: _Matcher, parts: list[list[_Subject]], turns: forked.Turns, limit: int | None
) -> Packed:
    """The child's work: the parts it takes in turn, their findings packed."""
    packer = Packer(matcher.catalog)
    _take(matcher, parts, turns, limit, packer)
    return packer.packed()


@attrs.frozen
class Screen:
    """Risks (by position) indexed by one requirement of their scope, so that a subject reads
    each requirement's value once and only the risks it admits are probed. The requirement
    indexed is the most telling: a test of values (`type in [...]`, `categories contains
    'audio'`) before a truthy one, and the rarer name first (`personal_data` opens half the
    scopes and rules out few). A risk without a requirement is always probed; all are probed
    in catalog order. A scope or condition that only compares names with literals is not
    evaluated where its `Condition.tests` settle it (`expr.judge`): `settles` has, by
    position, the tests of each risk's scope and condition (None: evaluate it),
    `unindexed` the tests of a scope other than the one its index entry checked (what is
    left to judge of a risk `candidates` admitted), and `evidence` the labels a finding of
    a risk settled by tests shows, in the order a `Context` would record them (scope
    first)."""

    free: tuple[int, ...]
    reads: tuple[_Reads, ...]
    settles: Mapping[int, tuple[tuple[Test, ...] | None, tuple[Test, ...] | None]] = attrs.field(
        factory=dict
    )
    unindexed: Mapping[int, tuple[Test, ...]] = attrs.field(factory=dict)
    evidence: Mapping[int, tuple[str, ...]] = attrs.field(factory=dict)

    @classmethod
    def of(cls, risks: list[Risk]) -> Screen:
        free: list[int] = []
        settles = {
            index: (
                risk.scope.tests if risk.scope else None,
                risk.condition.tests if risk.condition else None,
            )
            for index, risk in enumerate(risks)
            if (risk.scope and risk.scope.tests) or (risk.condition and risk.condition.tests)
        }
        evidence = {}
        unindexed: dict[int, tuple[Test, ...]] = {}
        for index, risk in enumerate(risks):
            scope, condition = _labels(risk.scope), _labels(risk.condition)
            if scope is not None and condition is not None:
                evidence[index] = tuple(dict.fromkeys((*scope, *condition)))
        groups: dict[str, tuple[Callable[[Any], Any], list[int], dict, dict]] = {}
        uses = Counter(r.label for risk in risks if risk.scope for r in risk.scope.requires)
        for index, risk in enumerate(risks):
            if risk.scope is None or not risk.scope.requires:
                free.append(index)
                continue
            first = min(
                risk.scope.requires,
                key=lambda r: (r.among is None and r.meets is None, uses[r.label], r.label),
            )
            if risk.scope.tests is not None:
                unindexed[index] = tuple(
                    test for test in risk.scope.tests if requirement_of(test) != first
                )
            _, truthy, among, meets = groups.setdefault(
                first.label, (first.read, [], defaultdict(list), defaultdict(list))
            )
            if first.among is not None:
                for value in first.among:
                    among[value].append(index)
            elif first.meets is not None:
                for value in first.meets:
                    meets[value].append(index)
            else:
                truthy.append(index)
        return cls(
            free=tuple(free),
            reads=tuple(
                _Reads(label, read, tuple(truthy), _tuples(among), _tuples(meets))
                for label, (read, truthy, among, meets) in groups.items()
            ),
            settles=settles,
            unindexed=unindexed,
            evidence=evidence,
        )

    def candidates(self, probe: Probe, seen: dict[str, Any]) -> tuple[list[int], bool]:
        """The positions, in order, of the risks whose indexed requirement this subject
        meets, and of those without one; and whether an unhashable value admitted every risk
        of its read, met or not (then judge all of a scope's tests, not only `unindexed`).
        Values are read through `seen`, by label."""
        loose = False
        chosen = list(self.free)
        repeats = False  # a list meets several words of one risk: it is chosen more than once
        for label, read, truthy, among, meets in self.reads:
            value = seen.get(label, UNREAD)
            if value is UNREAD:
                value = seen[label] = read(probe)
            if value is UNKNOWN:
                continue
            if truthy and value:
                chosen.extend(truthy)
            try:
                if among:
                    chosen.extend(among.get(value, ()))
                if meets:
                    for item in as_set(value):
                        chosen.extend(meets.get(item, ()))
                    repeats = True
            except TypeError:  # an unhashable value: admit every risk of this read
                chosen.extend(
                    {i for table in (among, meets) for i in itertools.chain(*table.values())}
                )
                repeats = loose = True
        return (sorted(set(chosen)) if repeats else sorted(chosen)), loose


class _Reads(NamedTuple):
    """The risks indexed by one name: admitted when its value is truthy, is one of the keys
    of `among`, or (a list) holds one of the keys of `meets`."""

    label: str
    read: Callable[[Any], Any]
    truthy: tuple[int, ...]
    among: dict[Any, tuple[int, ...]]
    meets: dict[Any, tuple[int, ...]]


_UNSETTLED = (None, None)


def _trace(tests: tuple[Test, ...] | None, seen: dict[str, Any]) -> dict[str, Any]:
    """The evidence of conjunction `tests` that `judge` found true (every value read, known),
    as a `Context` evaluating it records it: each name once, in the order it reads them."""
    return {} if tests is None else {test.label: seen[test.label] for test in tests}


def _labels(condition: Condition | None) -> tuple[str, ...] | None:
    """What a condition settled by its tests reads, by label; () for no condition, None for
    one that is evaluated."""
    if condition is None:
        return ()
    return None if condition.tests is None else tuple(test.label for test in condition.tests)


def _known(labels: tuple[str, ...], seen: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """The evidence of a finding settled by tests: the values read by these labels (each
    label once)."""
    return _evidence([(label, seen[label]) for label in labels])


def _tuples(index: dict[Any, list[int]]) -> dict[Any, tuple[int, ...]]:
    return {value: tuple(positions) for value, positions in index.items()}


def rescored(finding: Finding, in_place: Mapping[str, Control], catalog: Catalog) -> Finding:
    """The finding scored again as `analyze` scores it with these controls on its element
    (conditions never depend on controls, so a what-if only re-scores)."""
    scored = _scored(finding.risk, finding.modifiers, in_place, catalog)
    return attrs.evolve(finding, scored=scored)


@attrs.define
class ControlTable:
    """A model's controls by where they are: model-wide ones (no targets), and by target.
    The first control of a mitigation in a place is the one in place there."""

    everywhere: dict[str, Control] = attrs.Factory(dict)
    by_target: dict[str, dict[str, Control]] = attrs.Factory(dict)

    @classmethod
    def of(cls, controls: tuple[Control, ...]) -> ControlTable:
        table = cls()
        for control in controls:
            table.add(control)
        return table

    def add(self, control: Control) -> None:
        if not control.targets:
            self.everywhere.setdefault(control.mitigation, control)
        for target in control.targets:
            self.by_target.setdefault(target, {}).setdefault(control.mitigation, control)

    def on(self, subject_id: str, graph: Graph) -> dict[str, Control]:
        """The controls in place on a subject by mitigation id: model-wide ones, those on a
        boundary around it (the innermost wins), then its own."""
        merged = dict(self.everywhere)
        for boundary in reversed(graph.chain(subject_id)):
            merged.update(self.by_target.get(boundary.id, {}))
        merged.update(self.by_target.get(subject_id, {}))
        return merged


def controls_in_place(model: SystemModel, graph: Graph) -> dict[str, dict[str, Any]]:
    """For each subject id, the controls in place on it (`ControlTable.on`). Without any
    controls the table is empty (read it with `.get(subject_id, {})`)."""
    table = ControlTable.of(tuple(model.controls))
    if not table.everywhere and not table.by_target:
        return {}
    return {subject.id: table.on(subject.id, graph) for subject in model.subjects()}


def _finding(
    risk: Risk,
    probe: Probe,
    outcome: Any,
    evidence: tuple[tuple[str, Any], ...],
    missing: tuple[Missing, ...],
    catalog: Catalog,
    controls: dict[str, dict[str, Any]],
    harm: Harm,
    shared: dict[tuple, tuple],
) -> Finding:
    """The finding of a risk in scope whose condition came out `outcome` (true or unknown)
    on the probe's subject, showing `evidence` and lacking `missing`.

    A confirmed finding's evidence is what made the scope true, then what the condition
    looked at; each modifier that applies keeps its own. An undecided one (there are
    thousands in a model that leaves attributes out, and reports only ask questions about
    them) keeps what the condition looked at and the facts it lacks, and is scored with its
    modifiers, without tracing the scope and modifiers. `shared` keeps, by risk and the
    modifiers that apply, the scores of findings without controls in place (evidence does
    not change a score) and the modifiers of undecided ones."""
    graph, subject = probe.graph, probe.subject
    confirmed = outcome is True
    in_place = controls.get(subject.id, _NONE)
    traces: list[dict[str, Any]] = []
    if not risk.modifiers:
        applying: tuple[int, ...] = ()
    elif confirmed:  # trace each modifier as it is evaluated
        chosen = []
        for index, modifier in enumerate(risk.modifiers):
            traced = Context(graph, subject)
            if modifier.condition.fn(traced) is True:
                chosen.append(index)
                traces.append(traced.trace)
        applying = tuple(chosen)
    else:
        applying = tuple([i for i, m in enumerate(risk.modifiers) if m.condition.fn(probe) is True])
    known = None if in_place else shared.get((risk.id, applying))
    if known is None:
        plain = tuple(_applied(risk.modifiers[i], ()) for i in applying)
        known = (plain, _scored(risk, plain, in_place, catalog))
        if not in_place:  # no controls: the same wherever these modifiers apply
            shared[(risk.id, applying)] = known
    modifiers, scored = known
    if traces:
        modifiers = tuple(
            _applied(risk.modifiers[i], _evidence(trace.items()))
            for i, trace in zip(applying, traces, strict=True)
        )
    return Finding(
        id=f"{risk.id}@{subject.id}",
        risk=risk,
        element=subject,
        status="confirmed" if confirmed else "possible",
        scored=scored,
        evidence=evidence,
        missing=missing,
        modifiers=modifiers,
        harm=harm,
    )


def _scope_trace(
    risk: Risk, probe: Probe, tests: tuple[Test, ...] | None, seen: dict[str, Any]
) -> dict[str, Any]:
    """What made a risk's scope true on the probe's subject, as a `Context` records it:
    from its tests (`_trace`), or by evaluating it again, tracing."""
    if tests is not None:
        return _trace(tests, seen)
    assert risk.scope is not None
    scoped = Context(probe.graph, probe.subject)
    risk.scope.evaluate(scoped)
    return scoped.trace


_NONE: Mapping[str, Control] = {}  # no controls in place (never written to)


def _applied(modifier: Modifier, evidence: tuple[tuple[str, Any], ...]) -> AppliedModifier:
    return AppliedModifier(
        why=modifier.why,
        condition=modifier.condition.text,
        likelihood=modifier.likelihood,
        impact=modifier.impact,
        evidence=evidence,
    )


def _scored(
    risk: Risk,
    modifiers: tuple[AppliedModifier, ...],
    in_place: Mapping[str, Control],
    catalog: Catalog,
) -> Scored:
    """A risk's score after modifiers and the controls in place that lower it, with those
    controls and the mitigations it still lacks."""
    applied = []
    for mitigation_id in risk.mitigations:
        control = in_place.get(mitigation_id)
        if control is not None:
            mitigation = catalog.mitigations[mitigation_id]
            applied.append(
                AppliedControl(
                    mitigation=mitigation_id,
                    title=mitigation.title,
                    likelihood=mitigation.likelihood,
                    impact=mitigation.impact,
                    note=control.note,
                )
            )
    likelihood, impact, value, severity = score(risk, modifiers, applied, catalog)
    return Scored(
        likelihood=likelihood,
        impact=impact,
        score=value,
        severity=severity,
        controls=tuple(applied),
        recommended=tuple(m for m in risk.mitigations if m not in in_place),
    )


def _evidence(read: Iterable[tuple[str, Any]]) -> tuple[tuple[str, Any], ...]:
    """Values read, by label, as findings show them (lists and sets as sorted tuples)."""
    return tuple(
        [(name, value if type(value) in SCALARS else _plain(value)) for name, value in read]
    )


def _plain(value: Any) -> Any:
    if isinstance(value, (frozenset, set, tuple, list)):
        return tuple(sorted(value, key=str))
    return value


def _harm(probe: Probe, harms: dict[tuple, Harm]) -> Harm:
    """Who a finding on the probe's subject hurts; `harms` keeps one Harm per personal data
    and exposure (many subjects carry the same data)."""
    graph, subject = probe.graph, probe.subject
    if subject.kind == "system":
        personal, ids = _personal(graph, tuple(graph.model.data))
    elif subject.kind == "boundary":
        personal, ids = (), ()
    else:
        assets = graph.assets(subject) or ()
        personal, ids = graph.of_assets(assets, "personal assets", _personal)
    key = (ids, _exposure(probe))
    harm = harms.get(key)
    if harm is not None:
        return harm
    categories = sorted({c for a in personal for c in a.categories})
    table = graph.vocabulary.categories
    counts = [a.subjects for a in personal if a.subjects is not None]
    harm = harms[key] = Harm(
        data_assets=key[0],
        categories=tuple(categories),
        special_categories=tuple(c for c in categories if c in table and table[c].special),
        subjects=max(counts) if counts else None,
        exposure=key[1],
        irreversible=any(c in table and table[c].irreversible for c in categories),
    )
    return harm


def _personal(graph: Graph, assets: tuple) -> tuple[tuple, tuple[str, ...]]:
    """The personal data among `assets`, and its ids."""
    personal = tuple([a for a in assets if graph.personal(a) is True])
    return personal, tuple([a.id for a in personal])


def _exposure(probe: Probe) -> str:
    """How far a subject's data goes: out of the jurisdiction, out of the operator's
    organisation (a flow of it crosses one: the memo of `crosses(...)` that conditions read),
    onto the internet, or nowhere beyond the operator (the ranking's words)."""
    subject = probe.subject
    if subject.kind not in ("system", "boundary"):
        for kind, label in _FARTHER_FIRST:
            if probe.call("crosses", kind, label) is True:
                return kind
    if subject.attributes.get("publicly_reachable") is True:
        return "internet"
    return "internal"


_FARTHER_FIRST = tuple(
    (kind, call_label("crosses", kind)) for kind in ("jurisdiction", "organisation")
)
