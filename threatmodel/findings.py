"""Findings and the analysis result: what fired, why, how bad, and who is harmed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from threatmodel.catalog import Catalog, Risk
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
class Scored:
    """A finding's score after its modifiers and the controls in place, the controls that
    lowered it and the mitigations it still lacks: one record shared by the findings of a
    risk scored alike (the same modifiers apply, no controls in place)."""

    likelihood: int
    impact: int
    score: int
    severity: str
    controls: tuple[AppliedControl, ...] = ()
    recommended: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Finding:
    """One risk matched on one element. Its id, `<risk>@<element>`, is stable across runs.

    A compact record: what the risk and the element say (title, base scores, name, kind,
    position) is read from them, and the score from a `Scored` shared with findings scored
    alike. Findings are compared (and `jsondata.to_plain` writes them) by id, status, score,
    evidence and harm, without the risk and element objects they point to."""

    id: str
    risk: Risk = attrs.field(eq=False, repr=False, metadata={"json": False})
    # the element, flow, boundary or system it is on
    element: Any = attrs.field(eq=False, repr=False, metadata={"json": False})
    status: str  # "confirmed", or "possible": the model leaves facts out (see `missing`)
    scored: Scored
    evidence: tuple[tuple[str, Any], ...] = ()
    missing: tuple[Missing, ...] = ()
    modifiers: tuple[AppliedModifier, ...] = ()
    harm: Harm = Harm()
    decision: Any = None  # a tracking.Decision once review decisions are applied

    @property
    def risk_id(self) -> str:
        return self.risk.id

    @property
    def title(self) -> str:
        return self.risk.title

    @property
    def base_likelihood(self) -> int:
        return self.risk.likelihood

    @property
    def base_impact(self) -> int:
        return self.risk.impact

    @property
    def element_id(self) -> str:
        return self.element.id

    @property
    def element_kind(self) -> str:
        return self.element.kind

    @property
    def element_name(self) -> str:
        return self.element.label

    @property
    def pos(self) -> Position:
        return self.element.pos

    @property
    def likelihood(self) -> int:
        return self.scored.likelihood

    @property
    def impact(self) -> int:
        return self.scored.impact

    @property
    def score(self) -> int:
        return self.scored.score

    @property
    def severity(self) -> str:
        return self.scored.severity

    @property
    def controls(self) -> tuple[AppliedControl, ...]:
        return self.scored.controls

    @property
    def recommended(self) -> tuple[str, ...]:
        return self.scored.recommended

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

    def all_findings(self, undecided: bool = True) -> tuple[Finding, ...]:
        """The confirmed findings, then (when asked) the undecided ones."""
        return (*self.findings, *self.undecided) if undecided else self.findings

    def counts(self, findings=None) -> dict[str, int]:
        """Number of findings per severity, worst first, every band present."""
        counts = {band.name: 0 for band in self.catalog.bands}
        for finding in self.findings if findings is None else findings:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
        return counts

    def finding(self, finding_id: str) -> Finding | None:
        """The finding (confirmed or undecided) with this id."""
        return next((f for f in (*self.findings, *self.undecided) if f.id == finding_id), None)
