"""Likelihood x impact scoring: base values, modifiers, controls, and the severity band."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import attrgetter

from threatmodel.catalog import Catalog, Risk
from threatmodel.findings import AppliedControl, AppliedModifier, Finding

LOW, HIGH = 1, 5


def clamp(value: int) -> int:
    return max(LOW, min(HIGH, value))


def score(
    risk: Risk,
    modifiers: Iterable[AppliedModifier],
    controls: Iterable[AppliedControl],
    catalog: Catalog,
) -> tuple[int, int, int, str]:
    """Final (likelihood, impact, score, severity) after modifiers, then controls.

    Modifiers move the base values first (clamped to 1-5); each control in place then lowers
    them by its mitigation's declared effect (again clamped), so a control can never raise a
    finding and two controls for the same mitigation count once.
    """
    likelihood, impact = risk.likelihood, risk.impact
    for modifier in modifiers:
        likelihood = clamp(likelihood + modifier.likelihood)
        impact = clamp(impact + modifier.impact)
    for control in controls:
        likelihood = clamp(likelihood + control.likelihood)
        impact = clamp(impact + control.impact)
    value = likelihood * impact
    return likelihood, impact, value, catalog.band(value).name


def score_with(likelihood: int, impact: int, d_likelihood: int, d_impact: int) -> int:
    """Likelihood x impact after moving each by a delta (clamped to 1-5): with a mitigation's
    effect, the score once it is in place; with the effect negated, the score without it."""
    return clamp(likelihood + d_likelihood) * clamp(impact + d_impact)


EXPOSURE_RANK = {"jurisdiction": 3, "organisation": 2, "internet": 1, "internal": 0}


def order(catalog: Catalog) -> Callable[[Finding], tuple]:
    """The sort key that puts findings worst first: severity band, then score, then what a
    reviewer weighs within a band: how many people, special-category data, how far the data
    goes (out of the jurisdiction, out of the organisation, onto the internet), whether the
    harm can be undone (biometric and genetic data cannot be reissued); then the id, so the
    order is always the same."""
    rank = {name: index for index, name in enumerate(catalog.severities)}

    def key(finding: Finding) -> tuple:
        harm = finding.harm
        return (
            rank.get(finding.severity, len(rank)),
            -finding.score,
            -(harm.subjects or 0),
            -len(harm.special_categories),
            -EXPOSURE_RANK.get(harm.exposure, 0),
            not harm.irreversible,
            finding.id,
        )

    return key


def worst_first(findings: Iterable[Finding], catalog: Catalog) -> tuple[Finding, ...]:
    """The findings in the order `order` gives, sorted faster: by id, then (stably) by one
    small number per finding, its band, score and harm, each distinct score and harm ranked
    once. Keys of one type are compared without the generic comparison of tuples."""
    findings = sorted(findings, key=attrgetter("id"))
    scores = {id(f.scored): f.scored for f in findings}
    if any(not LOW <= s.score <= HIGH * HIGH for s in scores.values()):
        return tuple(sorted(findings, key=order(catalog)))  # not scored by `score`
    harms = {id(f.harm): f.harm for f in findings}
    parts = {
        key: (
            -(harm.subjects or 0),
            -len(harm.special_categories),
            -EXPOSURE_RANK.get(harm.exposure, 0),
            not harm.irreversible,
        )
        for key, harm in harms.items()
    }
    dense = {part: n for n, part in enumerate(sorted(set(parts.values())))}
    harm_rank = {harm: dense[part] for harm, part in parts.items()}
    rank = {name: index for index, name in enumerate(catalog.severities)}
    width, top = len(dense), HIGH * HIGH
    score_rank = {
        key: (rank.get(s.severity, len(rank)) * (top + 1) + top - s.score) * width
        for key, s in scores.items()
    }
    findings.sort(key=lambda f: score_rank[id(f.scored)] + harm_rank[id(f.harm)])
    return tuple(findings)
