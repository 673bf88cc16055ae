"""Building the report model from an analysis result: the one place a report's content is
computed (summary, risk matrix, findings, mitigation checklist, compliance view,
questionnaire, appendix). Renderers only lay it out and escape it."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from typing import Any
from urllib.parse import quote, urlsplit

import attrs

from threatmodel import __version__
from threatmodel.concerns import Concern, by_severity, concerns
from threatmodel.findings import Finding, Result
from threatmodel.model import SystemModel
from threatmodel.planner import Plan, make_plan
from threatmodel.questions import questions
from threatmodel.report.model import (
    SCHEMA_VERSION,
    Appendix,
    AppendixBoundary,
    AppendixControl,
    AppendixData,
    AppendixElement,
    AppendixFlow,
    Article,
    CatalogInfo,
    ChecklistItem,
    DecisionInfo,
    ElementRef,
    Evidence,
    FindingBrief,
    FrameworkLegend,
    Law,
    Matrix,
    MatrixCell,
    MatrixRow,
    MitigationRef,
    ModifierInfo,
    ReferenceInfo,
    Report,
    ReportFinding,
    Summary,
    SystemInfo,
    Tool,
    TopItem,
)
from threatmodel.scoring import score_with
from threatmodel.tracking import STATUSES as DECISION_STATUSES

TOP = 5
LAWS = {
    "gdpr": "GDPR (EU)",
    "uk-gdpr": "UK GDPR",
    "pipl": "PIPL (China)",
    "ccpa": "CCPA / CPRA (California)",
    "cpra": "CCPA / CPRA (California)",
    "fcra": "FCRA (United States)",
    "eu-ai-act": "EU AI Act",
    "lgpd": "LGPD (Brazil)",
    "dpdpa": "DPDP Act (India)",
    "hipaa": "HIPAA (United States)",
}
SAFE_SCHEMES = ("http", "https", "mailto")
URL_SAFE = "-._~:/?#[]@!$&*+,;=%"  # kept as written; everything else is percent-encoded


def build_report(result: Result, plan_target: str = "high", processes: int = 1) -> Report:
    """Everything a report says about `result`, computed once. With `processes` over 1 and
    `PLAN_BESIDE` findings or more, the plan (half the work) is worked out in a forked child
    meanwhile (`forked.beside`; it sends back only the plan's few steps)."""
    catalog = result.catalog
    target = plan_target if plan_target in catalog.severities else catalog.severities[0]
    planning = functools.partial(make_plan, result, target)
    if processes > 1 and len(result.findings) >= PLAN_BESIDE:
        from threatmodel import forked

        plan, report = forked.beside(planning, functools.partial(_report, result))
        return attrs.evolve(report, plan=plan)
    return _report(result, planning())


PLAN_BESIDE = 2_000  # confirmed findings from which the plan is worked out in a child
_NO_PLAN = Plan(target="", before={}, people_exposed=0, actions=(), remaining=())


def _report(result: Result, plan: Plan = _NO_PLAN) -> Report:
    """The report of `result` with `plan` (by default an empty one, put in later)."""
    model, catalog = result.model, result.catalog
    grouped = concerns(result.findings, catalog)
    concern_of = {fid: c.id for c in grouped for fid in c.findings}
    writer = _FindingWriter(result, concern_of)
    findings = tuple(writer.finding(f) for f in result.findings)
    asked = questions(result)
    return Report(
        schema_version=SCHEMA_VERSION,
        tool=Tool("threatmodel", __version__),
        system=SystemInfo(
            id=model.system.id,
            name=model.system.label,
            owner=model.system.owner,
            description=model.system.description,
            file=model.path,
            elements=len(model.elements),
            flows=len(model.flows),
            boundaries=len(model.boundaries),
            data_assets=len(model.data),
            controls=tuple(sorted({c.mitigation for c in model.controls})),
        ),
        catalog=CatalogInfo(tuple(catalog.files), len(catalog.risks)),
        summary=_summary(result, findings, grouped, len(asked)),
        matrix=_matrix(result, findings),
        concerns=grouped,
        plan=plan,
        questions=asked,
        findings=findings,
        mitigations=_checklist(result, findings),
        compliance=_compliance(result, findings, writer),
        references=_references(result, findings),
        frameworks=_framework_legend(result, findings),
        model=_appendix(result),
        warnings=tuple(str(w) for w in result.warnings),
        result=result,
    )


class _FindingWriter:
    """Builds each report finding; what depends only on its risk or a mitigation is built
    once and shared between findings (the objects are frozen)."""

    def __init__(self, result: Result, concern_of: dict[str, str]):
        self.catalog = result.catalog
        self.jurisdictions = jurisdictions_of(result.model)
        self.concern_of = concern_of
        self.by_risk: dict[str, tuple[str, str, dict[str, tuple[str, ...]], tuple[str, ...]]] = {}
        self.mitigations: dict[str, MitigationRef] = {}

    def risk(self, risk_id: str) -> tuple[str, str, dict[str, tuple[str, ...]], tuple[str, ...]]:
        """(description, group, frameworks, references) of a risk."""
        known = self.by_risk.get(risk_id)
        if known is None:
            risk = self.catalog.risk(risk_id)
            references = self.catalog.references
            known = self.by_risk[risk_id] = (
                risk.description if risk else "",
                risk.group if risk else "",
                {k: tuple(v) for k, v in sorted((risk.frameworks if risk else {}).items())},
                tuple(
                    r
                    for r in (risk.references if risk else ())
                    if r in references and references[r].applies_in(self.jurisdictions)
                ),
            )
        return known

    def mitigation(self, mid: str) -> MitigationRef:
        known = self.mitigations.get(mid)
        if known is None:
            m = self.catalog.mitigations[mid]
            known = self.mitigations[mid] = MitigationRef(mid, m.title, m.likelihood, m.impact)
        return known

    def finding(self, finding: Finding) -> ReportFinding:
        description, group, frameworks, references = self.risk(finding.risk_id)
        decision = finding.decision
        pos = finding.pos
        return ReportFinding(
            id=finding.id,
            risk_id=finding.risk_id,
            concern=self.concern_of[finding.id],
            title=finding.title,
            description=description,
            group=group,
            review_status=decision.status if decision is not None else "open",
            open=finding.open,
            severity=finding.severity,
            likelihood=finding.likelihood,
            impact=finding.impact,
            score=finding.score,
            base_likelihood=finding.base_likelihood,
            base_impact=finding.base_impact,
            sentence=_sentence(finding),
            element=ElementRef(
                finding.element_id,
                finding.element_kind,
                finding.element_name,
                pos.file,
                pos.line,
                pos.col,
            ),
            evidence=_evidence(finding.evidence),
            modifiers=tuple(
                ModifierInfo(m.why, m.condition, m.likelihood, m.impact, _evidence(m.evidence))
                for m in finding.modifiers
            ),
            controls=tuple(finding.controls),
            recommended=tuple(
                self.mitigation(m) for m in finding.recommended if m in self.catalog.mitigations
            ),
            harm=finding.harm,
            frameworks=frameworks,
            references=references,
            decision=None if decision is None else _decision(decision),
        )


def _evidence(pairs: tuple[tuple[str, Any], ...]) -> tuple[Evidence, ...]:
    return tuple(Evidence(name, value) for name, value in pairs)


def _decision(decision: Any) -> DecisionInfo:
    return DecisionInfo(
        status=decision.status,
        recorded_status=decision.recorded_status or decision.status,
        expired=decision.expired,
        justification=decision.justification,
        owner=decision.owner,
        date=decision.date.isoformat() if decision.date else None,
        expires=decision.expires.isoformat() if decision.expires else None,
        ticket=decision.ticket,
        key=decision.key,
        file=decision.pos.file,
        line=decision.pos.line,
    )


@functools.lru_cache(maxsize=4096)
def safe_url(url: str) -> str:
    """An absolute http(s) or mailto URL, percent-encoded so that it is inert in HTML
    attributes and Markdown link targets; '' for anything else (no javascript: links)."""
    text = str(url or "").strip()
    if not text or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in SAFE_SCHEMES or (parts.scheme != "mailto" and not parts.netloc):
        return ""
    return quote(text, safe=URL_SAFE)


def _sentence(finding: Finding) -> str:
    people = f", exposing {finding.harm.subjects:,} people" if finding.harm.subjects else ""
    categories = list(finding.harm.categories)
    if len(categories) > 4:
        categories = [*categories[:3], f"{len(categories) - 3} more kinds of"]
    data = f" ({', '.join(categories)} data)" if categories and people else ""
    return (
        f"{finding.title} at {finding.element_name}: {finding.severity}, likelihood "
        f"{finding.likelihood} x impact {finding.impact}{people}{data}."
    )


def _summary(
    result: Result, findings: tuple[ReportFinding, ...], grouped: tuple[Concern, ...], asked: int
) -> Summary:
    catalog = result.catalog
    by_status: dict[str, int] = dict.fromkeys(DECISION_STATUSES, 0)
    open_by_severity = dict.fromkeys(catalog.severities, 0)
    for f in findings:
        by_status[f.review_status] = by_status.get(f.review_status, 0) + 1
        if f.open:
            open_by_severity[f.severity] = open_by_severity.get(f.severity, 0) + 1
    first = {f.id: f for f in findings}
    top = [first[c.findings[0]] for c in grouped if c.open][:TOP]
    return Summary(
        concerns=len(grouped),
        concerns_by_severity=by_severity(grouped, catalog),
        open_concerns_by_severity=by_severity(grouped, catalog, only_open=True),
        findings=len(findings),
        questions=asked,
        open=sum(1 for f in findings if f.open),
        by_severity=result.counts(),
        open_by_severity=open_by_severity,
        by_status=by_status,
        expired_decisions=sum(1 for f in findings if f.decision and f.decision.expired),
        people_exposed=max((f.harm.subjects or 0 for f in findings), default=0),
        top=tuple(TopItem(f.id, f.severity, f.sentence) for f in top),
    )


def _matrix(result: Result, confirmed: tuple[ReportFinding, ...]) -> Matrix:
    """Counts of confirmed findings (and of those still open) per likelihood x impact cell."""
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for f in confirmed:
        cell = counts[(f.likelihood, f.impact)]
        cell[0] += 1
        cell[1] += 1 if f.open else 0
    rows = []
    for likelihood in range(5, 0, -1):
        cells = []
        for impact in range(1, 6):
            count, still_open = counts.get((likelihood, impact), (0, 0))
            score = likelihood * impact
            band = result.catalog.band(score).name
            cells.append(MatrixCell(likelihood, impact, score, band, count, still_open))
        rows.append(MatrixRow(likelihood, tuple(cells)))
    return Matrix(tuple(rows), (1, 2, 3, 4, 5))


def _checklist(result: Result, confirmed: tuple[ReportFinding, ...]) -> tuple[ChecklistItem, ...]:
    """Mitigations named by confirmed findings, as a to-do list: those still missing somewhere
    first, ordered by the total score they would remove from the open findings; then those
    in place everywhere they are recommended, ordered by the score they already remove."""
    mitigations = result.catalog.mitigations
    table: dict[str, dict[str, Any]] = {}
    for f in confirmed:
        for rec in f.recommended:
            entry = _entry(table, rec.mitigation, f)
            entry["missing_on"].add(f.element.id)
            if f.open:
                after = score_with(f.likelihood, f.impact, rec.likelihood, rec.impact)
                entry["todo"] += f.score - after
        for control in f.controls:
            entry = _entry(table, control.mitigation, f)
            entry["in_place_on"].add(f.element.id)
            before = score_with(f.likelihood, f.impact, -control.likelihood, -control.impact)
            entry["done"] += before - f.score
    items = []
    for mid, entry in table.items():
        mitigation = mitigations.get(mid)
        items.append(
            ChecklistItem(
                id=mid,
                title=mitigation.title if mitigation else mid,
                description=mitigation.description if mitigation else "",
                likelihood=mitigation.likelihood if mitigation else 0,
                impact=mitigation.impact if mitigation else 0,
                in_place=not entry["missing_on"],
                risk_removed=entry["todo"],
                risk_already_removed=entry["done"],
                findings=tuple(sorted(entry["findings"])),
                missing_on=tuple(sorted(entry["missing_on"])),
                in_place_on=tuple(sorted(entry["in_place_on"])),
            )
        )
    items.sort(
        key=lambda m: (
            m.in_place,
            -m.risk_removed,
            -m.risk_already_removed,
            -len(m.findings),
            m.id,
        )
    )
    return tuple(items)


def _entry(table: dict, mid: str, finding: ReportFinding) -> dict[str, Any]:
    entry = table.setdefault(
        mid,
        {"todo": 0, "done": 0, "findings": set(), "missing_on": set(), "in_place_on": set()},
    )
    entry["findings"].add(finding.id)
    return entry


_LONGEST_FIRST = sorted(LAWS, key=len, reverse=True)


def jurisdictions_of(model: SystemModel) -> tuple[str, ...]:
    """The model's jurisdictions: the system's `jurisdictions` and the codes of its
    jurisdiction boundaries (empty when it names none: then every law may apply)."""
    named = model.system.attributes.get("jurisdictions") or ()
    codes = [str(c) for c in ([named] if isinstance(named, str) else named)]
    codes += [
        str(b.attributes["code"])
        for b in model.boundaries
        if b.type == "jurisdiction" and b.attributes.get("code")
    ]
    return tuple(dict.fromkeys(c.upper() for c in codes))


@functools.cache  # a report asks once per finding and reference: thousands of times
def law_of(reference_id: str) -> str:
    """The law a reference id belongs to: 'gdpr-art-22' -> 'gdpr', 'eu-ai-act-art-5' -> 'eu-ai-act'."""
    rid = reference_id.lower()
    for prefix in _LONGEST_FIRST:
        if rid == prefix or rid.startswith(prefix + "-"):
            return prefix
    head = re.split(r"-(?:art|article|sec|section|s)-", rid, maxsplit=1)[0]
    return head if head != rid else rid.split("-")[0]


def _natural(text: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _compliance(
    result: Result, findings: tuple[ReportFinding, ...], writer: _FindingWriter
) -> tuple[Law, ...]:
    """Findings grouped by law and article, from the references of kind 'law' (findings
    cite only the laws of the model's jurisdictions)."""
    references = result.catalog.references
    laws: dict[str, dict[str, list[FindingBrief]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        for rid in f.references:
            ref = references.get(rid)
            if ref is not None and ref.kind == "law":
                laws[law_of(rid)][rid].append(
                    FindingBrief(f.id, f.title, f.severity, f.review_status)
                )
    out = []
    for law in sorted(laws, key=lambda k: (LAWS.get(k, k.upper()), k)):
        articles = []
        for rid in sorted(laws[law], key=_natural):
            ref = references[rid]
            articles.append(
                Article(
                    id=rid,
                    title=ref.title,
                    fact=ref.fact,
                    url=ref.url,
                    link=safe_url(ref.url),
                    findings=tuple(laws[law][rid]),
                )
            )
        out.append(Law(law, LAWS.get(law, law.upper()), tuple(articles)))
    return tuple(out)


def _references(result: Result, findings: tuple[ReportFinding, ...]) -> dict[str, ReferenceInfo]:
    """The references findings cite, by id (findings name them; the text is here once)."""
    table = result.catalog.references
    cited = sorted({r for f in findings for r in f.references})
    return {
        r: ReferenceInfo(
            kind=table[r].kind,
            title=table[r].title,
            fact=table[r].fact,
            url=table[r].url,
            link=safe_url(table[r].url),
        )
        for r in cited
    }


def _framework_legend(
    result: Result, findings: tuple[ReportFinding, ...]
) -> dict[str, FrameworkLegend]:
    """Titles of the frameworks findings cite, and names of the ids that have one."""
    used: dict[str, set] = defaultdict(set)
    for f in findings:
        for name, ids in f.frameworks.items():
            used[name].update(ids)
    legend = {}
    for name in sorted(used):
        framework = result.catalog.frameworks.get(name)
        names = dict(framework.names) if framework else {}
        legend[name] = FrameworkLegend(
            framework.title if framework else name,
            {i: names[i] for i in sorted(used[name]) if i in names},
        )
    return legend


def _appendix(result: Result) -> Appendix:
    model = result.model
    parent: dict[str, str] = {}
    for boundary in model.boundaries:
        for member in boundary.members:
            parent.setdefault(member, boundary.id)
    return Appendix(
        elements=tuple(
            AppendixElement(
                id=e.id,
                name=e.label,
                kind=e.kind,
                type=e.type or "",
                boundary=parent.get(e.id, ""),
                description=e.description,
                file=e.pos.file,
                line=e.pos.line,
            )
            for e in model.elements
        ),
        flows=tuple(
            AppendixFlow(
                id=f.id,
                name=f.label,
                source=f.source,
                target=f.target,
                data=tuple(f.data),
                file=f.pos.file,
                line=f.pos.line,
            )
            for f in model.flows
        ),
        data=tuple(
            AppendixData(
                id=d.id,
                name=d.label,
                categories=tuple(d.categories),
                subjects=d.subjects,
                source=d.source or "",
                retention=_retention(d),
                description=d.description,
                file=d.pos.file,
                line=d.pos.line,
            )
            for d in model.data
        ),
        boundaries=tuple(
            AppendixBoundary(
                id=b.id,
                name=b.label,
                kind=b.type,
                parent=parent.get(b.id, ""),
                members=tuple(b.members),
            )
            for b in model.boundaries
        ),
        controls=tuple(
            AppendixControl(c.mitigation, tuple(c.targets), c.note) for c in model.controls
        ),
    )


def _retention(asset: Any) -> str:
    if "retention_days" not in asset.attributes:
        return "unknown"
    days = asset.attributes["retention_days"]
    return "no limit" if days is None else f"{days} days"
