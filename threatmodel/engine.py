"""Catalog x model -> findings: every risk is evaluated on every element of its kinds."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from threatmodel.catalog import Catalog, Risk
from threatmodel.expr import UNKNOWN
from threatmodel.findings import AppliedControl, AppliedModifier, Finding, Harm, Result
from threatmodel.graph import FACTS, Graph
from threatmodel.model import SystemModel
from threatmodel.scoring import score
from threatmodel.validate import validate


_NOT_YET = object()


class Context:
    """What a condition sees while it is evaluated on one subject; records evidence."""

    __slots__ = ("graph", "subject", "facts", "trace", "missing")

    def __init__(self, graph: Graph, subject: Any):
        self.graph = graph
        self.subject = subject
        self.facts = graph.facts_of(subject)
        self.trace: dict[str, Any] = {}
        self.missing: dict[str, None] = {}

    def _note(self, label: str, value: Any, missing_label: str) -> None:
        if value is UNKNOWN:
            self.missing[missing_label] = None
        else:
            self.trace.setdefault(label, value)

    def get(self, name: str) -> Any:
        value = self.facts.get(name, _NOT_YET)
        if value is _NOT_YET:
            value = self.graph.fact(self.subject, name)
        if value is UNKNOWN:
            fact = FACTS.get(name)
            needs = f" (needs {fact.needs})" if fact is not None and fact.needs and \
                name not in self.subject.attributes else ""
            self.missing[f"{name}{needs}"] = None
        else:
            self.trace.setdefault(name, value)
        return value

    def get_ref(self, prefix: str, name: str) -> Any:
        if prefix == "model":
            value = self.graph.model_facts.get(name)
            self._note(f"model.{name}", value, f"model.{name}")
            return value
        other_id = getattr(self.subject, prefix, None)
        other = self.graph.elements.get(other_id) if isinstance(other_id, str) else None
        if other is None:
            return UNKNOWN
        value = self.graph.fact(other, name)
        self._note(f"{prefix}.{name}", value, f"{name} on '{other.id}'")
        return value

    def call(self, function: str, argument: str, label: str) -> Any:
        graph, subject = self.graph, self.subject
        flows = [subject] if subject.kind == "dataflow" else \
            graph.incoming.get(subject.id, []) + graph.outgoing.get(subject.id, [])
        if function == "crosses":
            value: Any = False
            for flow in flows:
                crossed, lacking = graph.crosses(flow, argument)
                if crossed is True:
                    value = True
                    break
                if crossed is UNKNOWN:
                    value = UNKNOWN
                    self.missing[lacking] = None
        elif function == "reaches":
            reach = graph.reach_set(argument, "to")
            starts = [subject.target] if subject.kind == "dataflow" else \
                [f.target for f in graph.outgoing.get(subject.id, ())]
            value = any(s in reach for s in starts)
        else:  # fed_by
            reach = graph.reach_set(argument, "from")
            starts = [subject.source] if subject.kind == "dataflow" else \
                [f.source for f in graph.incoming.get(subject.id, ())]
            value = any(s in reach for s in starts)
        if value is not UNKNOWN:
            self.trace.setdefault(label, value)
        return value


def analyze(model: SystemModel, catalog: Catalog) -> Result:
    """Validate the model, then match every risk against it; findings are sorted worst first."""
    vocabulary = validate(model, catalog)
    graph = Graph(model, vocabulary)
    subjects: dict[str, list] = defaultdict(list)
    for subject in model.subjects():
        subjects[subject.kind].append(subject)
    controls = _controls_by_target(model, graph)
    harms: dict[str, Harm] = {}
    findings = []
    for risk in catalog.risks:
        for kind in risk.applies_to:
            for subject in subjects.get(kind, ()):
                finding = _evaluate(risk, subject, graph, catalog, controls, harms)
                if finding is not None:
                    findings.append(finding)
    rank = {name: index for index, name in enumerate(catalog.severities)}
    findings.sort(key=lambda f: (not f.confirmed, rank.get(f.severity, 99), -f.score,
                                 -(f.harm.subjects or 0), f.id))
    return Result(model=model, catalog=catalog, findings=tuple(findings),
                  warnings=tuple(model.warnings) + tuple(catalog.warnings))


def _controls_by_target(model: SystemModel, graph: Graph) -> dict[str, dict[str, Any]]:
    """For each subject id, the controls in place on it (directly, via a boundary, or globally)."""
    table: dict[str, dict[str, Any]] = defaultdict(dict)
    everywhere: dict[str, Any] = {}
    for control in model.controls:
        if not control.targets:
            everywhere.setdefault(control.mitigation, control)
        for target in control.targets:
            table[target].setdefault(control.mitigation, control)
    result: dict[str, dict[str, Any]] = {}
    for subject in model.subjects():
        merged = dict(everywhere)
        for boundary in reversed(graph.chain(subject.id)):
            merged.update(table.get(boundary.id, {}))
        merged.update(table.get(subject.id, {}))
        result[subject.id] = merged
    return result


def _evaluate(risk: Risk, subject: Any, graph: Graph, catalog: Catalog,
              controls: dict[str, dict[str, Any]], harms: dict[str, Harm]) -> Finding | None:
    ctx = Context(graph, subject)
    outcome = True if risk.condition is None else risk.condition.evaluate(ctx)
    if outcome is False:
        return None
    modifiers = []
    for modifier in risk.modifiers:
        mctx = Context(graph, subject)
        if modifier.condition.evaluate(mctx) is True:
            modifiers.append(AppliedModifier(why=modifier.why, condition=modifier.condition.text,
                                             likelihood=modifier.likelihood, impact=modifier.impact,
                                             evidence=_evidence(mctx.trace)))
    in_place = controls.get(subject.id, {})
    applied = []
    for mitigation_id in risk.mitigations:
        control = in_place.get(mitigation_id)
        if control is not None:
            mitigation = catalog.mitigations[mitigation_id]
            applied.append(AppliedControl(mitigation=mitigation_id, title=mitigation.title,
                                          likelihood=mitigation.likelihood, impact=mitigation.impact,
                                          note=control.note))
    likelihood, impact, value, severity = score(risk, modifiers, applied, catalog)
    confirmed = outcome is True
    harm = harms.get(subject.id)
    if harm is None:
        harm = harms[subject.id] = _harm(graph, subject)
    return Finding(
        id=f"{risk.id}@{subject.id}",
        risk_id=risk.id,
        title=risk.title,
        element_id=subject.id,
        element_kind=subject.kind,
        element_name=subject.label,
        status="confirmed" if confirmed else "possible",
        base_likelihood=risk.likelihood,
        base_impact=risk.impact,
        likelihood=likelihood,
        impact=impact,
        score=value,
        severity=severity,
        evidence=_evidence(ctx.trace),
        missing=() if confirmed else tuple(ctx.missing),
        modifiers=tuple(modifiers),
        controls=tuple(applied),
        recommended=tuple(m for m in risk.mitigations if m not in in_place),
        harm=harm,
        pos=subject.pos,
    )


def _evidence(trace: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple((name, _plain(value)) for name, value in trace.items())


def _plain(value: Any) -> Any:
    if isinstance(value, (frozenset, set, tuple, list)):
        return tuple(sorted(value, key=str))
    return value


def _harm(graph: Graph, subject: Any) -> Harm:
    if subject.kind == "system":
        assets = tuple(graph.model.data)
    elif subject.kind == "boundary":
        assets = ()
    else:
        assets = graph.assets(subject) or ()
    personal = [a for a in assets if graph.personal(a) is True]
    categories = sorted({c for a in personal for c in a.categories})
    table = graph.vocabulary.categories
    counts = [a.subjects for a in personal if a.subjects is not None]
    return Harm(data_assets=tuple(a.id for a in personal), categories=tuple(categories),
                special_categories=tuple(c for c in categories if c in table and table[c].special),
                subjects=max(counts) if counts else None)
