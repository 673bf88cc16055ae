"""Likelihood x impact scoring: base values, modifiers, controls, and the severity band."""

from __future__ import annotations

from collections.abc import Iterable

from threatmodel.catalog import Catalog, Risk
from threatmodel.findings import AppliedControl, AppliedModifier

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
