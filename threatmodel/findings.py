"""Findings and the analysis result: what fired, why, how bad, and who is harmed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from threatmodel.catalog import Catalog
from threatmodel.errors import Position
from threatmodel.graph import Graph, Missing
from threatmodel.model import Control, SystemModel
from threatmodel.vocabulary import Vocabulary


@attrs.frozen(kw_only=True)
class AppliedModifier:
    """A modifier that fired, with the values that made it fire."""

    why: str
    condition: str
    likelihood: int
    impact: int
    evidence: tuple[tuple[str, Any], ...] = ()


@attrs.frozen(kw_only=True)
class AppliedControl:
    """A control in the model that lowered a finding."""

    mitigation: str
    title: str
    likelihood: int
    impact: int
    note: str = ""


@attrs.frozen(kw_only=True)
class Harm:
    """Who is hurt: the data involved, its categories and how many people it is about."""

    data_assets: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    special_categories: tuple[str, ...] = ()
    subjects: int | None = None
    exposure: str = "internal"  # how far the data goes: internal, internet, organisation,
    # jurisdiction (it leaves the operator's organisation, or its jurisdiction)
    irreversible: bool = False  # data that cannot be changed once disclosed (biometric, genetic)


@attrs.frozen(kw_only=True)
class Finding:
    """One risk matched on one element. Its id, `<risk>@<element>`, is stable across runs."""

    id: str
    risk_id: str
    title: str
    element_id: str
    element_kind: str
    element_name: str
    status: str  # "confirmed", or "possible": the model leaves facts out (see `missing`)
    base_likelihood: int
    base_impact: int
    likelihood: int
    impact: int
    score: int
    severity: str
    evidence: tuple[tuple[str, Any], ...] = ()
    missing: tuple[Missing, ...] = ()
    modifiers: tuple[AppliedModifier, ...] = ()
    controls: tuple[AppliedControl, ...] = ()
    recommended: tuple[str, ...] = ()
    harm: Harm = Harm()
    pos: Position = attrs.field(default=Position(file="<python>"), eq=False)
    decision: Any = None  # a tracking.Decision once review decisions are applied

    @property
    def confirmed(self) -> bool:
        return self.status == "confirmed"

    @property
    def open(self) -> bool:
        """Still needs action: no decision, or a decision that leaves it open."""
        return self.decision is None or self.decision.status in ("open", "in-progress")


@attrs.frozen(kw_only=True)
class Result:
    """The outcome of analysing one model with one catalog, with the facts it was decided
    on: the model's graph (its indexes and memoised derived facts) and the controls in place
    on each subject, so that reports read them instead of working them out again."""

    model: SystemModel
    catalog: Catalog
    findings: tuple[Finding, ...]  # confirmed: the model says enough to decide
    graph: Graph = attrs.field(eq=False, repr=False)
    controls: Mapping[str, Mapping[str, Control]] = attrs.field(eq=False, repr=False)
    undecided: tuple[Finding, ...] = ()  # in scope, but the model leaves out what decides them
    warnings: tuple = ()

    @property
    def vocabulary(self) -> Vocabulary:
        """The catalog's vocabulary merged with the model's own."""
        return self.graph.vocabulary

    @property
    def confirmed(self) -> tuple[Finding, ...]:
        return self.findings

    @property
    def possible(self) -> tuple[Finding, ...]:
        return self.undecided

    def counts(self, findings=None) -> dict[str, int]:
        """Number of findings per severity, worst first, every band present."""
        counts = {band.name: 0 for band in self.catalog.bands}
        for finding in self.findings if findings is None else findings:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
        return counts

    def finding(self, finding_id: str) -> Finding | None:
        return next((f for f in self.findings if f.id == finding_id), None)
