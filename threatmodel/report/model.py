"""The report model: everything a report says about one analysis, as typed, frozen data.

`threatmodel.report.build_report(result)` computes it once; every renderer (JSON, Markdown, HTML, SARIF, CSV,
diagrams, the terminal summary) reads it and computes nothing. `findings.json` is this model
written out by `jsondata.to_plain`, and `threatmodel/schemas/results.schema.json` is generated
from these classes (`python -m threatmodel.schema`). Key order is the field order; nothing
depends on the clock, so the same input gives the same bytes.
"""

from __future__ import annotations

import functools
from typing import Any

import attrs

from threatmodel.findings import AppliedControl, Harm, Result
from threatmodel.jsondata import field
from threatmodel.tracking import STATUSES as DECISION_STATUSES

SCHEMA_VERSION = "1"
DETAIL_LIMIT = 1000  # findings written out in full in HTML and Markdown; the rest as table rows
COUNT = {"minimum": 0}


# -- the model -------------------------------------------------------------------------------


@attrs.frozen
class Tool:
    """The program that wrote the report."""

    name: str
    version: str


@attrs.frozen(kw_only=True)
class SystemInfo:
    """The system under review and the size of its model."""

    id: str
    name: str
    owner: str
    description: str
    file: str = field(doc="the model file")
    elements: int = field(schema=COUNT)
    flows: int = field(schema=COUNT)
    boundaries: int = field(schema=COUNT)
    data_assets: int = field(schema=COUNT)
    controls: tuple[str, ...] = field(doc="the mitigations in place somewhere in the model")


@attrs.frozen
class CatalogInfo:
    """The catalogs the model was checked against."""

    files: tuple[str, ...]
    risks: int = field(schema=COUNT)


@attrs.frozen
class TopItem:
    """One of the worst open findings, in a sentence."""

    id: str
    severity: str
    sentence: str


@attrs.frozen(kw_only=True)
class Summary:
    """Counts of findings by severity and review status, and the worst open ones."""

    confirmed: int = field(schema=COUNT)
    possible: int = field(schema=COUNT)
    open: int = field(schema=COUNT)
    by_severity: dict[str, int] = field(doc="confirmed findings per severity band, worst first")
    open_by_severity: dict[str, int] = field(doc="open confirmed findings per band, worst first")
    by_status: dict[str, int] = field(
        doc="confirmed findings per review status",
        schema={"propertyNames": {"enum": list(DECISION_STATUSES)}},
    )
    expired_decisions: int = field(schema=COUNT)
    people_exposed: int = field(doc="the most people one confirmed finding is about", schema=COUNT)
    top: tuple[TopItem, ...]


@attrs.frozen
class MatrixCell:
    """Confirmed findings with one final likelihood and impact."""

    likelihood: int
    impact: int
    score: int
    severity: str
    count: int = field(schema=COUNT)
    open: int = field(schema=COUNT)


@attrs.frozen
class MatrixRow:
    """One likelihood of the risk matrix, impact 1 to 5."""

    likelihood: int
    cells: tuple[MatrixCell, ...]


@attrs.frozen
class Matrix:
    """The likelihood x impact matrix, likelihood 5 first."""

    rows: tuple[MatrixRow, ...]
    impacts: tuple[int, ...]


@attrs.frozen
class ElementRef:
    """The element (or flow, boundary, system) a finding is on, and where the model says it."""

    id: str
    kind: str
    name: str
    file: str
    line: int
    col: int


@attrs.frozen
class Evidence:
    """A value that made a condition true."""

    name: str
    value: Any = field(doc="a JSON scalar or a list of them")


@attrs.frozen
class ModifierInfo:
    """A modifier that fired, and why."""

    why: str
    condition: str
    likelihood: int
    impact: int
    evidence: tuple[Evidence, ...]


@attrs.frozen
class MitigationRef:
    """A mitigation a finding recommends, with its effect."""

    mitigation: str
    title: str
    likelihood: int
    impact: int


@attrs.frozen(kw_only=True)
class DecisionInfo:
    """The review decision governing a finding."""

    status: str = field(
        doc="the status in force ('open' once expired)",
        schema={"enum": list(DECISION_STATUSES)},
    )
    recorded_status: str = field(schema={"enum": list(DECISION_STATUSES)})
    expired: bool
    justification: str
    owner: str
    date: str | None
    expires: str | None
    ticket: str
    key: str = field(doc="the finding id or pattern it was recorded under")
    file: str
    line: int


@attrs.frozen(kw_only=True)
class ReportFinding:
    """One risk on one element, with everything a report says about it."""

    id: str = field(doc="'<risk>@<element>', stable across runs")
    risk_id: str
    title: str
    description: str
    group: str
    status: str = field(schema={"enum": ["confirmed", "possible"]})
    review_status: str = field(schema={"enum": list(DECISION_STATUSES)})
    open: bool
    severity: str
    likelihood: int
    impact: int
    score: int
    base_likelihood: int
    base_impact: int
    sentence: str
    element: ElementRef
    evidence: tuple[Evidence, ...]
    missing: tuple[str, ...] = field(doc="what a possible finding needs to be decided")
    modifiers: tuple[ModifierInfo, ...]
    controls: tuple[AppliedControl, ...]
    recommended: tuple[MitigationRef, ...]
    harm: Harm
    frameworks: dict[str, tuple[str, ...]]
    references: tuple[str, ...] = field(doc="ids into the report's references")
    decision: DecisionInfo | None

    @property
    def confirmed(self) -> bool:
        return self.status == "confirmed"


@attrs.frozen(kw_only=True)
class ChecklistItem:
    """A mitigation the findings recommend or already have, and the risk it removes."""

    id: str
    title: str
    description: str
    likelihood: int
    impact: int
    in_place: bool = field(doc="in place everywhere it is recommended")
    risk_removed: int = field(doc="likelihood x impact it would take off the open findings")
    risk_already_removed: int
    findings: tuple[str, ...]
    missing_on: tuple[str, ...]
    in_place_on: tuple[str, ...]


@attrs.frozen
class FindingBrief:
    """A finding named in another section."""

    id: str
    title: str
    severity: str
    status: str
    review_status: str


@attrs.frozen(kw_only=True)
class Article:
    """A law article and the findings whose risks cite it."""

    id: str
    title: str
    fact: str
    url: str
    link: str = field(doc="the URL when it is a safe http(s) or mailto link, else empty")
    findings: tuple[FindingBrief, ...]


@attrs.frozen
class Law:
    """A law with the articles findings cite."""

    law: str
    title: str
    articles: tuple[Article, ...]


@attrs.frozen
class QuestionFinding:
    """A possible finding a question would decide."""

    id: str
    title: str
    severity: str


@attrs.frozen
class Question:
    """A fact the model leaves out and the findings it decides."""

    missing: str
    findings: tuple[QuestionFinding, ...]


@attrs.frozen
class ElementQuestions:
    """The questions about one element."""

    element: ElementRef
    questions: tuple[Question, ...]


@attrs.frozen(kw_only=True)
class ReferenceInfo:
    """An incident, law article, study or standard a finding cites."""

    kind: str
    title: str
    fact: str
    url: str
    link: str


@attrs.frozen
class FrameworkLegend:
    """A framework's title and the names of the ids findings use."""

    title: str
    names: dict[str, str]


@attrs.frozen(kw_only=True)
class AppendixElement:
    """An element of the model."""

    id: str
    name: str
    kind: str
    type: str
    boundary: str = field(doc="its innermost boundary")
    description: str
    file: str
    line: int


@attrs.frozen(kw_only=True)
class AppendixFlow:
    """A flow of the model."""

    id: str
    name: str
    source: str = field(json="from")
    target: str = field(json="to")
    data: tuple[str, ...]
    file: str
    line: int


@attrs.frozen(kw_only=True)
class AppendixData:
    """A data asset of the model."""

    id: str
    name: str
    categories: tuple[str, ...]
    subjects: int | None
    source: str
    retention: str = field(doc="'unknown', 'no limit' or 'N days'")
    description: str
    file: str
    line: int


@attrs.frozen(kw_only=True)
class AppendixBoundary:
    """A trust boundary of the model."""

    id: str
    name: str
    kind: str
    parent: str
    members: tuple[str, ...]


@attrs.frozen
class AppendixControl:
    """A control in place."""

    mitigation: str
    targets: tuple[str, ...]
    note: str


@attrs.frozen(kw_only=True)
class Appendix:
    """The model itself, for the report's appendix."""

    elements: tuple[AppendixElement, ...]
    flows: tuple[AppendixFlow, ...]
    data: tuple[AppendixData, ...]
    boundaries: tuple[AppendixBoundary, ...]
    controls: tuple[AppendixControl, ...]


@attrs.frozen(kw_only=True, slots=False)  # no slots: the cached properties need a __dict__
class Report:
    """The results of threatmodel's analysis of one system model (findings.json)."""

    schema_version: str = field(schema={"const": SCHEMA_VERSION})
    tool: Tool
    system: SystemInfo
    catalog: CatalogInfo
    summary: Summary
    matrix: Matrix
    findings: tuple[ReportFinding, ...] = field(
        doc="worst first: confirmed before possible, then severity, score and people"
    )
    mitigations: tuple[ChecklistItem, ...] = field(doc="the mitigation checklist")
    compliance: tuple[Law, ...] = field(doc="findings by the law articles their risks cite")
    questionnaire: tuple[ElementQuestions, ...] = field(doc="what the model leaves out")
    references: dict[str, ReferenceInfo]
    frameworks: dict[str, FrameworkLegend]
    model: Appendix
    warnings: tuple[str, ...]
    result: Result = field(doc="the analysis itself", json=False, eq=False, repr=False)

    @functools.cached_property
    def confirmed(self) -> tuple[ReportFinding, ...]:
        return tuple(f for f in self.findings if f.confirmed)

    @functools.cached_property
    def detailed(self) -> frozenset[str]:
        """Ids of the findings HTML and Markdown describe in full: the worst DETAIL_LIMIT
        confirmed ones. findings.json and findings.csv carry every finding in full."""
        return frozenset(f.id for f in self.confirmed[:DETAIL_LIMIT])
