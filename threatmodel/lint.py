"""Catalog checks beyond loading: what loads fine but would mislead a reviewer.

Besides citations and descriptions, lint looks at how each risk splits its condition: `scope`
(where the risk applies at all; what a model leaves out there means "does not apply") and
`when` (the risk proper; what a model leaves out there becomes a question). Measured on a set
of typical models (the `init` starter shapes, the bundled examples), a risk whose `when` is
undecided far more often than decided leans on facts that models leave out: it would fill
reports with questions rather than findings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import attrs

from threatmodel.catalog import Catalog, Framework, Risk, tree_mitigations
from threatmodel.context import Context, Probe
from threatmodel.errors import Problem
from threatmodel.expr import UNKNOWN
from threatmodel.graph import FACTS, Graph
from threatmodel.model import SystemModel
from threatmodel.validate import validate

FIXED_FIELDS = {"id", "name", "kind", "type"}
LEANING_MIN = 3  # undecided subjects before a risk can be said to lean on missing facts
LEANING_RATIO = 2  # ... and how many times more often undecided than decided


@attrs.frozen(kw_only=True)
class Split:
    """How a risk's scope and `when` fare on a set of models."""

    risk: str
    in_scope: int = 0  # subjects where the scope holds
    decided: int = 0  # ... and the `when` comes out true or false
    undecided: int = 0  # ... and the `when` is unknown: a question
    missing: tuple[tuple[str, int], ...] = ()  # the facts the undecided ones lack, most first

    @property
    def leaning(self) -> bool:
        """Undecided far more often than decided on the models measured."""
        return self.undecided >= LEANING_MIN and self.undecided > LEANING_RATIO * self.decided


def lint(catalog: Catalog, typical: Sequence[SystemModel] = ()) -> list[Problem]:
    """Problems of a loaded catalog: unused or uncited entries, risks missing what reviewers
    need, risks without a scope, and (measured on `typical` models) risks whose `when` leans
    on facts that models leave out."""
    problems: list[Problem] = []

    def error(pos, message):
        problems.append(Problem(message=message, pos=pos))

    def warn(pos, message):
        problems.append(Problem(message=message, pos=pos, severity="warning"))

    cited_mitigations: set[str] = set()
    cited_references: set[str] = set()
    for risk in catalog.risks:
        cited_mitigations.update(risk.mitigations)
        cited_mitigations.update(tree_mitigations(risk.attack_tree))
        cited_references.update(risk.references)
        if not risk.description:
            error(risk.pos, f"risk '{risk.id}' has no description")
        if not risk.mitigations:
            error(risk.pos, f"risk '{risk.id}' names no mitigation")
        for blocked_by in tree_mitigations(risk.attack_tree):
            if blocked_by not in risk.mitigations:
                warn(
                    risk.pos,
                    f"risk '{risk.id}': attack tree step is blocked by '{blocked_by}', "
                    "which the risk does not list among its mitigations",
                )
        if not any(risk.frameworks.values()):
            warn(risk.pos, f"risk '{risk.id}' cites no framework id")
        if risk.scope is None:
            warn(
                risk.pos,
                f"risk '{risk.id}' has no scope: it applies to every "
                f"{' and '.join(risk.applies_to)}, and whatever its `when` needs is asked "
                "everywhere (add `scope:` with what must be true for it to apply at all)",
            )
    for framework in catalog.frameworks.values():
        problems.extend(_definition_problems(framework))
    for mitigation in catalog.mitigations.values():
        if mitigation.id not in cited_mitigations:
            warn(mitigation.pos, f"mitigation '{mitigation.id}' is not cited by any risk")
    for reference in catalog.references.values():
        if reference.id not in cited_references:
            warn(reference.pos, f"reference '{reference.id}' is not cited by any risk")
        if reference.kind == "law" and not reference.jurisdiction:
            warn(
                reference.pos,
                f"law reference '{reference.id}' names no jurisdiction: reports cite it for "
                "every model (add `jurisdiction:`, e.g. EU, GB, US-CA)",
            )
        if reference.checked is None:
            warn(
                reference.pos,
                f"reference '{reference.id}' has no `checked:` (the date and the source its "
                "fact was checked against)",
            )
    if typical:
        measured = splits(catalog, typical)
        for risk in catalog.risks:
            split = measured[risk.id]
            if split.leaning:
                facts = ", ".join(fact for fact, _ in split.missing)
                warn(
                    risk.pos,
                    f"risk '{risk.id}': its `when` is undecided on {split.undecided} of "
                    f"{split.in_scope} subjects in scope in the {len(typical)} typical models, "
                    f"for want of {facts}: models leave these out, so it asks more than it "
                    "finds (move what merely makes it relevant to `scope:`)",
                )
    return sorted(problems, key=lambda p: (p.pos, p.message))


def _definition_problems(framework: Framework) -> list[Problem]:
    """A framework that gives its terms' meanings gives one for every id, names only its own
    ids, and places each sub-term under one of its ids."""
    if not framework.definitions and not framework.parents:
        return []
    known = set(framework.ids)
    messages = [
        f"framework '{framework.id}': id '{word}' has no definition (add it under "
        "`definitions:`, in its source's words)"
        for word in framework.ids
        if word not in framework.definitions
    ]
    for key, table in (("definitions", framework.definitions), ("parents", framework.parents)):
        messages += [
            f"framework '{framework.id}': {key} names '{word}', which is not one of its ids"
            for word in table
            if word not in known
        ]
    messages += [
        f"framework '{framework.id}': '{word}' is placed under '{parent}', which is not one "
        "of its ids"
        for word, parent in framework.parents.items()
        if parent not in known
    ]
    return [Problem(message=m, pos=framework.pos) for m in messages]


def splits(catalog: Catalog, models: Iterable[SystemModel]) -> dict[str, Split]:
    """For every risk, where its scope holds on `models` and whether its `when` is decided
    there. The models must fit the catalog's vocabulary; their controls are left out (they
    lower scores and never decide a condition), so models written for other catalogs do."""
    counts: dict[str, Counter] = {risk.id: Counter() for risk in catalog.risks}
    missing: dict[str, Counter] = {risk.id: Counter() for risk in catalog.risks}
    for model in models:
        model = attrs.evolve(model, controls=())  # controls score findings, never decide them
        graph = Graph(model, validate(model, catalog))
        for subject in model.subjects():
            probe = Probe(graph, subject)
            for risk in catalog.risks:
                if subject.kind not in risk.applies_to:
                    continue
                if risk.scope is not None and risk.scope.fn(probe) is not True:
                    continue
                counts[risk.id]["in_scope"] += 1
                if risk.condition is None or risk.condition.fn(probe) is not UNKNOWN:
                    counts[risk.id]["decided"] += 1
                    continue
                counts[risk.id]["undecided"] += 1
                context = Context(graph, subject)
                risk.condition.evaluate(context)
                missing[risk.id].update({m.fact for m in context.missing})
    return {
        risk_id: Split(
            risk=risk_id,
            in_scope=count["in_scope"],
            decided=count["decided"],
            undecided=count["undecided"],
            missing=tuple(sorted(missing[risk_id].items(), key=lambda kv: (-kv[1], kv[0]))),
        )
        for risk_id, count in counts.items()
    }


@attrs.frozen(kw_only=True)
class Fact:
    """One fact a condition names, and where a model gets it from."""

    name: str  # as the condition names it: 'encrypted_at_rest', 'target.type', "crosses('x')"
    source: str  # 'attribute', 'derived', 'field' or 'graph'
    detail: str  # the attribute's question, the derived fact's meaning, ...


def facts(catalog: Catalog, risk: Risk, part: str) -> tuple[Fact, ...]:
    """The facts a risk's `scope` or `when` (part) names, each with where it comes from."""
    condition = risk.scope if part == "scope" else risk.condition
    out = []
    for name in condition.names if condition else ():
        base = name.rpartition(".")[2]
        attribute = catalog.vocabulary.attributes.get(base)
        if "(" in name:
            out.append(Fact(name=name, source="graph", detail="from the flows and boundaries"))
        elif base in FIXED_FIELDS:
            out.append(Fact(name=name, source="field", detail="the element's fixed field"))
        elif attribute is not None:
            out.append(Fact(name=name, source="attribute", detail=attribute.question))
        elif base in FACTS:
            fact = FACTS[base]
            out.append(Fact(name=name, source="derived", detail=f"{fact.meaning}"))
        else:
            out.append(Fact(name=name, source="derived", detail=""))
    return tuple(out)
