"""Catalog x model -> findings: every risk is evaluated on every element of its kinds."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from threatmodel.catalog import Catalog, Risk
from threatmodel.context import Context, Probe
from threatmodel.findings import AppliedControl, AppliedModifier, Finding, Harm, Result
from threatmodel.graph import Graph
from threatmodel.model import SystemModel
from threatmodel.scoring import score
from threatmodel.validate import validate


def analyze(model: SystemModel, catalog: Catalog) -> Result:
    """Validate the model, then match every risk against it; findings are sorted worst first."""
    vocabulary = validate(model, catalog)
    graph = Graph(model, vocabulary)
    subjects: dict[str, list] = defaultdict(list)
    for subject in model.subjects():
        subjects[subject.kind].append(subject)
    controls = controls_in_place(model, graph)
    risks_by_kind: dict[str, list[Risk]] = defaultdict(list)
    for risk in catalog.risks:
        for kind in risk.applies_to:
            risks_by_kind[kind].append(risk)
    findings = []
    for kind, risks in risks_by_kind.items():
        checks = [(risk, risk.condition.fn if risk.condition else None) for risk in risks]
        for subject in subjects.get(kind, ()):
            probe = Probe(graph, subject)
            harm = None
            for risk, check in checks:
                if check is not None and check(probe) is False:
                    continue
                harm = harm or _harm(graph, subject)
                findings.append(_finding(risk, subject, graph, catalog, controls, harm))
    rank = {name: index for index, name in enumerate(catalog.severities)}
    findings.sort(
        key=lambda f: (
            not f.confirmed,
            rank.get(f.severity, 99),
            -f.score,
            -(f.harm.subjects or 0),
            f.id,
        )
    )
    return Result(
        model=model,
        catalog=catalog,
        findings=tuple(findings),
        graph=graph,
        controls=controls,
        warnings=tuple(model.warnings) + tuple(catalog.warnings),
    )


def controls_in_place(model: SystemModel, graph: Graph) -> dict[str, dict[str, Any]]:
    """For each subject id, the controls in place on it by mitigation id: model-wide ones
    (no targets), those on a boundary around it, and its own."""
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


def _finding(
    risk: Risk,
    subject: Any,
    graph: Graph,
    catalog: Catalog,
    controls: dict[str, dict[str, Any]],
    harm: Harm,
) -> Finding:
    """The finding of a risk whose condition did not come out false on `subject`."""
    condition = risk.condition
    ctx = Context(graph, subject)  # evaluate again, this time recording the evidence
    outcome = True if condition is None else condition.evaluate(ctx)
    modifiers = []
    for modifier in risk.modifiers:
        if modifier.condition.fn(Probe(graph, subject)) is not True:
            continue
        mctx = Context(graph, subject)
        if modifier.condition.evaluate(mctx) is True:
            modifiers.append(
                AppliedModifier(
                    why=modifier.why,
                    condition=modifier.condition.text,
                    likelihood=modifier.likelihood,
                    impact=modifier.impact,
                    evidence=_evidence(mctx.trace),
                )
            )
    in_place = controls.get(subject.id, {})
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
    confirmed = outcome is True
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
    return Harm(
        data_assets=tuple(a.id for a in personal),
        categories=tuple(categories),
        special_categories=tuple(c for c in categories if c in table and table[c].special),
        subjects=max(counts) if counts else None,
    )
