"""Results as Markdown for pull requests and wikis (GitHub-flavoured, escaped).

`render` (report.md) is a pull-request comment: the brief (what to do), the plan, the concerns
and the questions, kept under COMMENT_LIMIT characters (GitHub refuses longer comments).
`render_full` (report-full.md, `--format md-full`) has the same content as the HTML report:
summary, risk matrix, findings by severity with evidence, harms, frameworks, mitigations,
references and decisions, the mitigation checklist, the compliance view, the questionnaire
and the appendix. Every piece of model or catalog text goes through `md` (paragraphs and
table cells) or `code` (inline code), and links only to http(s) addresses.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from threatmodel.render import RenderOptions
from threatmodel.render.escape import markdown as _markdown
from threatmodel.render.escape import markdown_code as _markdown_code
from threatmodel.render.text import if_unchanged, value_text
from threatmodel.report import Report, ReportFinding
from threatmodel.report.model import DecisionInfo, ReferenceInfo

PLAN_ROWS = 10  # steps of the plan shown; `threatmodel plan` lists them all
FRAMEWORK_LABELS = {
    "stride": "STRIDE",
    "linddun": "LINDDUN",
    "linddun_go": "LINDDUN GO",
    "pram": "PRAM data actions",
    "pram_problems": "PRAM problems",
    "solove": "Solove",
    "cwe": "CWE",
    "capec": "CAPEC",
}


@functools.lru_cache(maxsize=65536)
def _md_text(text: str) -> str:
    return _markdown(text).replace("&", "\\&")


def md(text: Any) -> str:
    """Text safe in a paragraph or table cell; `&` too, so entities show as written."""
    return _md_text(str(text))


@functools.lru_cache(maxsize=65536)
def _code_text(text: str) -> str:
    return _markdown_code(text)


def code(text: Any) -> str:
    """Text as inline code, whatever backticks and pipes it holds."""
    return _code_text(str(text))


COMMENT_LIMIT = 60_000  # characters: a GitHub comment holds at most 65,536
BRIEF_STEPS = 5  # steps of the plan the brief names


def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    """The report as a pull-request comment: brief, plan, concerns and questions; rows that
    would take it past COMMENT_LIMIT characters are counted instead of listed."""
    head = _title(report) + brief(report) + _plan(report)
    tail = [
        "---",
        "",
        "Every finding in full, the risk matrix, the mitigation checklist, the compliance view "
        "and the model are in `report.html` and `report-full.md` (`--format md-full`); "
        "`findings.json` and `findings.csv` hold every finding.",
        "",
        *_diagram_notes(options),
    ]
    budget = COMMENT_LIMIT - _size(head) - _size(tail) - 2_000  # room for the two notes
    concerns = _concerns(report)
    questions = _questions(report)
    concerns = _within(concerns, budget * 2 // 3, "concerns", _rows(concerns))
    questions = _within(questions, budget - _size(concerns), "questions", _items(questions))
    return "\n".join(head + concerns + questions + tail).rstrip() + "\n"


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _rows(lines: list[str]) -> int:
    """Where the first table's body starts (after its separator row)."""
    return next((i + 1 for i, line in enumerate(lines) if line.startswith("|---")), len(lines))


def _items(lines: list[str]) -> int:
    return next((i for i, line in enumerate(lines) if line.startswith("- [ ]")), len(lines))


def _within(lines: list[str], budget: int, what: str, start: int) -> list[str]:
    """`lines` whose rows from `start` on are cut where the section passes `budget`."""
    if _size(lines) <= budget:
        return lines
    kept, size = lines[:start], _size(lines[:start])
    rows = [line for line in lines[start:] if line]
    for row in rows:
        if size + len(row) + 1 > budget:
            break
        kept.append(row)
        size += len(row) + 1
    left = len(rows) - (len(kept) - start)
    return kept + ["", f"{left:,} more {what}: see `report.html` or `report-full.md`.", ""]


def brief(report: Report) -> list[str]:
    """What to do, in a few lines: the system, the people in its data, the concerns by band,
    the plan's first steps and the questions for the owner."""
    summary, plan = report.summary, report.plan
    people = max((d.subjects or 0 for d in report.model.data), default=0)
    lines = ["## What to do", ""]
    if people:
        alone = (
            f"; one finding alone concerns {summary.people_exposed:,}"
            if summary.people_exposed
            else ""
        )
        lines += [f"Up to **{people:,} people** are in its data{alone}.", ""]
    bands = ", ".join(
        f"**{n} {severity}**" for severity, n in summary.concerns_by_severity.items() if n
    )
    still_open = sum(summary.open_concerns_by_severity.values())
    lines += [
        f"**{_n(summary.concerns, 'concern')}** ({_n(summary.findings, 'finding')})"
        + (f": {bands}" if bands else "")
        + f"; {still_open:,} still open.",
        "",
    ]
    if plan.actions:
        lines += [
            f"The fewest mitigations that bring every open concern below **{md(plan.target)}**: "
            f"{_n(len(plan.actions), 'step')} (now {_severities(plan.before)}). First:",
            "",
        ]
        for number, action in enumerate(plan.actions[:BRIEF_STEPS], 1):
            lines.append(
                f"{number}. **{md(action.title)}** on {md(', '.join(action.targets[:3]))}"
                + (f" and {len(action.targets) - 3} more" if len(action.targets) > 3 else "")
                + f" → then open: {_severities(action.after)}"
                + if_unchanged(action.changes)
            )
        lines.append("")
    elif not plan.remaining:
        lines += [f"No open concern is {md(plan.target)} or worse.", ""]
    if plan.remaining:
        lines += [
            f"**{_n(len(plan.remaining), 'concern')}** that no catalog mitigation brings below "
            f"{md(plan.target)}: "
            + "; ".join(md(r.title) for r in plan.remaining[:3])
            + (f" and {len(plan.remaining) - 3} more" if len(plan.remaining) > 3 else "")
            + ".",
            "",
        ]
    if report.questions:
        lines += [
            f"**{_n(len(report.questions), 'question')}** for the system owner; first: "
            f"{md(report.questions[0].text)}",
            "",
        ]
    else:
        lines += ["No question for the system owner.", ""]
    return lines


def _title(report: Report) -> list[str]:
    system = report.system
    lines = [f"# Threat model: {md(system.name)}", ""]
    lines += [
        f"System {code(system.id)}"
        + (f", owner {md(system.owner)}" if system.owner else "")
        + f". Model {code(system.file)}: {_n(system.elements, 'element')}, "
        f"{_n(system.flows, 'flow')}, {_n(system.boundaries, 'boundary', 'boundaries')}, "
        f"{_n(system.data_assets, 'data asset')}; {_n(report.catalog.risks, 'risk')} "
        "checked.",
        "",
    ]
    return lines


def render_full(report: Report, options: RenderOptions = RenderOptions()) -> str:
    """The whole report as Markdown text."""
    lines: list[str] = []
    for section in (
        _summary,
        _plan,
        _concerns,
        _matrix,
        _findings,
        _checklist,
        _compliance,
        _questions,
        _appendix,
    ):
        lines += section(report)
        if section is _matrix:
            lines += _diagram_notes(options)
    return "\n".join(lines).rstrip() + "\n"


def _summary(report: Report) -> list[str]:
    system, summary = report.system, report.summary
    lines = _title(report)
    if system.description:
        lines[2:2] = [md(system.description), ""]
    lines += brief(report)
    lines += [
        "## Summary",
        "",
        f"{_n(summary.concerns, 'concern')} ({_n(summary.findings, 'finding')}, grouped by "
        f"root cause) and {_n(summary.questions, 'open question')} for the system owner.",
        "",
        "| Severity | Concerns | Still open | Findings |",
        "|---|---:|---:|---:|",
    ]
    for severity, count in summary.concerns_by_severity.items():
        lines.append(
            f"| {severity} | {count} | {summary.open_concerns_by_severity[severity]} | "
            f"{summary.by_severity[severity]} |"
        )
    lines += [
        "",
        "Findings by review status:",
        "",
        "| " + " | ".join(summary.by_status) + " |",
        "|" + "---:|" * len(summary.by_status),
        "| " + " | ".join(str(v) for v in summary.by_status.values()) + " |",
        "",
    ]
    if summary.expired_decisions:
        lines += [
            f"**{_n(summary.expired_decisions, 'review decision')} expired**; those "
            "findings are open again.",
            "",
        ]
    if summary.people_exposed:
        lines += [
            f"Largest group of people exposed by a single finding: {summary.people_exposed:,}.",
            "",
        ]
    if summary.top:
        lines += ["### Top concerns", ""]
        lines += [
            f"{i}. **{t.severity}**: {md(t.sentence)} ({code(t.id)})"
            for i, t in enumerate(summary.top, 1)
        ]
        lines.append("")
    return lines


def _matrix(report: Report) -> list[str]:
    lines = [
        "## Risk matrix",
        "",
        "Confirmed findings by final likelihood (rows) and impact (columns); "
        "open ones in brackets.",
        "",
        "| likelihood \\ impact | 1 | 2 | 3 | 4 | 5 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in report.matrix.rows:
        cells = [f"{c.count} ({c.open})" if c.count else "·" for c in row.cells]
        lines.append(f"| **{row.likelihood}** | " + " | ".join(cells) + " |")
    return lines + [
        "",
        "The data-flow diagram is in the HTML report (`report.html`) and in `threatmodel diagram`.",
        "",
    ]


def _diagram_notes(options: RenderOptions) -> list[str]:
    """The run's diagrams that were not drawn, and what the summarised ones leave out."""
    from threatmodel.render.diagram import notes

    found = notes(options.drawings)
    return ["**Diagrams:**", "", *(f"- {md(n)}" for n in found), ""] if found else []


def _findings(report: Report) -> list[str]:
    confirmed = report.confirmed
    if not confirmed:
        return ["## Findings", "", "No confirmed findings.", ""]
    lines = [
        "## Findings",
        "",
        "| Severity | Finding | Element | People | L x I | Review |",
        "|---|---|---|---:|---|---|",
    ]
    for f in confirmed:
        lines.append(
            f"| {f.severity} | {code(f.id)} {md(f.title)} | "
            f"{md(f.element.name)} | {_people(f)} | "
            f"{f.likelihood} x {f.impact} = {f.score} | {_review(f)} |"
        )
    lines.append("")
    legend = report.frameworks.get("stride")
    stride = legend.names if legend else {}
    shown = report.detailed
    for severity in report.summary.by_severity:
        group = [f for f in confirmed if f.severity == severity]
        if group:
            lines += [f"### {severity.capitalize()} ({len(group)})", ""]
            for f in group:
                if f.id in shown:
                    lines += _details(f, stride, report.references)
    if len(shown) < len(confirmed):
        lines += [
            f"The {len(confirmed) - len(shown):,} findings after the worst {len(shown):,} "
            "are listed in the table above; `findings.json` and `findings.csv` hold every "
            "finding in full.",
            "",
        ]
    return lines


def _review(f: ReportFinding) -> str:
    d = f.decision
    if d is None:
        return "open"
    if d.expired:
        return f"{md(d.recorded_status)}, expired {d.expires}"
    return md(d.status)


def _details(
    f: ReportFinding, stride: Mapping[str, str], references: Mapping[str, ReferenceInfo]
) -> list[str]:
    lines = [f"#### {md(f.title)} ({code(f.id)})", ""]
    if f.description:
        lines += [md(f.description), ""]
    element = f.element
    where = f", {code(element.file)} line {element.line}" if element.line else ""
    lines.append(
        f"- **Element:** {md(element.name)} ({element.kind.replace('_', ' ')} "
        f"{code(element.id)}{where})"
    )
    evidence = ", ".join(f"{code(e.name)} = {code(value_text(e.value))}" for e in f.evidence)
    lines.append(f"- **Why it fired:** {evidence or 'it applies to every ' + md(element.kind)}")
    lines.append(
        f"- **Score:** likelihood {f.likelihood} x impact {f.impact} = {f.score} "
        f"(catalog: {f.base_likelihood} x {f.base_impact})"
    )
    for modifier in f.modifiers:
        lines.append(
            f"- **Modifier:** {_change(modifier)}: {md(modifier.why)} ({code(modifier.condition)})"
        )
    harm = f.harm
    people = f"{harm.subjects:,} people" if harm.subjects else "an unknown number of people"
    data = (
        f"; data: {md(', '.join(harm.data_assets))} ({md(', '.join(harm.categories))})"
        if harm.data_assets
        else ""
    )
    special = (
        f"; special categories: {md(', '.join(harm.special_categories))}"
        if harm.special_categories
        else ""
    )
    lines.append(f"- **Who is harmed:** {people}{data}{special}")
    fw = f.frameworks
    if fw.get("pram_problems"):
        lines.append(f"- **Problems for people (NIST PRAM):** {md(', '.join(fw['pram_problems']))}")
    if fw.get("solove"):
        lines.append(f"- **Privacy harms (Solove):** {md(', '.join(fw['solove']))}")
    frameworks = []
    for name, ids in f.frameworks.items():
        if ids and name not in ("pram_problems", "solove"):
            shown = [f"{i} ({stride[i]})" if name == "stride" and i in stride else i for i in ids]
            frameworks.append(f"{FRAMEWORK_LABELS.get(name, name)} {md(', '.join(shown))}")
    if frameworks:
        lines.append("- **Frameworks:** " + " · ".join(frameworks))
    for m in f.recommended:
        lines.append(f"- [ ] **Recommended:** {md(m.title)} {code(m.mitigation)} ({_change(m)})")
    for c in f.controls:
        note = f"; {md(c.note)}" if c.note else ""
        lines.append(f"- [x] **In place:** {md(c.title)} {code(c.mitigation)} ({_change(c)}{note})")
    if f.references:
        refs = [references[r] for r in f.references]
        lines.append(
            "- **References:** "
            + "; ".join(_link(r.title, r.link) + f" ({md(r.kind)})" for r in refs)
        )
    if f.decision:
        lines.append(f"- **Review decision:** {_decision(f.decision, f.id)}")
    lines.append("")
    return lines


def _decision(d: DecisionInfo, finding_id: str) -> str:
    text = f"{md(d.recorded_status)}"
    if d.expired:
        text += f" (**expired {d.expires}; open again**)"
    if d.owner:
        text += f" by {md(d.owner)}"
    if d.date:
        text += f" on {d.date}"
    if d.expires and not d.expired:
        text += f", until {d.expires}"
    if d.ticket:
        text += f"; ticket {md(d.ticket)}"
    if d.justification:
        text += f": {md(d.justification)}"
    if d.key != finding_id:
        text += f" (recorded for {code(d.key)})"
    return text


def _checklist(report: Report) -> list[str]:
    lines = ["## Mitigation checklist", ""]
    if not report.mitigations:
        return lines + ["No mitigations recommended.", ""]
    lines += [
        "Ordered by how much open risk (sum of likelihood x impact) each would remove.",
        "",
        "| Done | Mitigation | Effect | Risk removed | Findings | Missing on |",
        "|---|---|---|---:|---|---|",
    ]
    for m in report.mitigations:
        already = f" ({m.risk_already_removed} already)" if m.risk_already_removed else ""
        lines.append(
            f"| {'yes' if m.in_place else 'no'} | {md(m.title)} {code(m.id)} | "
            f"{_change(m)} | {m.risk_removed}{already} | "
            f"{', '.join(code(i) for i in m.findings)} | "
            f"{md(', '.join(m.missing_on))} |"
        )
    return lines + [""]


def _compliance(report: Report) -> list[str]:
    lines = ["## Compliance view", ""]
    if not report.compliance:
        return lines + ["No finding cites a law article.", ""]
    for law in report.compliance:
        lines += [f"### {md(law.title)}", "", "| Article | Findings |", "|---|---|"]
        for a in law.articles:
            found = "; ".join(
                f"{f.severity} {code(f.id)}"
                + (f" ({md(f.review_status)})" if f.review_status != "open" else "")
                for f in a.findings
            )
            lines.append(f"| {_link(a.title, a.link)} | {found} |")
        lines.append("")
    return lines


def _plan(report: Report) -> list[str]:
    plan = report.plan
    lines = ["## Plan", ""]
    if not plan.actions and not plan.remaining:
        return lines + [f"No open concern is {md(plan.target)} or worse.", ""]
    lines += [
        f"The fewest mitigations that bring every open concern below {md(plan.target)}, "
        "most effective first; each row says how the open concerns stand once it and the "
        "rows above it are in place.",
        "",
        "| Step | Mitigation | On | Open concerns after | People exposed |",
        "|---:|---|---|---|---:|",
        f"| | (now) | | {_severities(plan.before)} | {plan.people_exposed:,} |",
    ]
    for number, action in enumerate(plan.actions[:PLAN_ROWS], 1):
        lines.append(
            f"| {number} | {md(action.title)} {code(action.mitigation)} | "
            f"{md(', '.join(action.targets))} | {_severities(action.after)}"
            f"{if_unchanged(action.changes)} | {action.people_exposed:,} |"
        )
    lines.append("")
    if len(plan.actions) > PLAN_ROWS:
        lines += [
            f"{len(plan.actions) - PLAN_ROWS} more steps: `threatmodel plan` lists them all.",
            "",
        ]
    for residual in plan.remaining:
        lines.append(
            f"- **{code(residual.concern)} {md(residual.title)}** (still {residual.severity} "
            f"after the plan) needs {md(residual.needs)}"
            if residual.reason == "design change"
            else f"- {code(residual.concern)} {md(residual.title)}: {md(residual.needs)}"
        )
    return lines + ([""] if plan.remaining else [])


def _severities(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "none"


def _concerns(report: Report) -> list[str]:
    lines = ["## Concerns", ""]
    if not report.concerns:
        return lines + ["No concerns.", ""]
    lines += [
        "Findings with one root cause: the same risk wherever it fires, with the risks the "
        "catalog declares overlapping. Decide a concern once; its findings keep their ids.",
        "",
        "| Severity | Concern | Where | Findings |",
        "|---|---|---|---:|",
    ]
    names = {e.id: e.name for e in report.model.elements}
    names.update({f.id: f.name for f in report.model.flows})
    for c in report.concerns:
        where = ", ".join(md(names.get(e, e)) for e in c.elements[:3])
        more = f" and {len(c.elements) - 3} more" if len(c.elements) > 3 else ""
        state = "" if c.open else " (closed)"
        lines.append(
            f"| {c.severity}{state} | {code(c.id)} {md(c.title)} | {where}{more} | "
            f"{len(c.findings)} |"
        )
    return lines + [""]


def _questions(report: Report) -> list[str]:
    lines = ["## Questions for the system owner", ""]
    if not report.questions:
        return lines + ["Nothing is missing: every risk in scope could be decided.", ""]
    lines += [
        "The model is silent on these; each answer, written into the model, confirms or rules "
        "out the risks listed with it. Most weighty first (score x people at stake).",
        "",
    ]
    for q in report.questions:
        where = ", ".join(code(w.id) for w in q.where[:8])
        more = f" and {len(q.where) - 8} more" if len(q.where) > 8 else ""
        answers = f" Answers: {md(' / '.join(q.answers))}." if q.answers else ""
        risks = "; ".join(f"{md(r.title)} ({r.severity})" for r in q.risks[:5])
        lines.append(
            f"- [ ] **{md(q.text)}** ({code(q.id)}) On {where}{more}.{answers} "
            f"Could confirm: {risks}."
        )
    return lines + [""]


def _appendix(report: Report) -> list[str]:
    model = report.model
    lines = [
        "## Appendix: the model",
        "",
        "### Elements",
        "",
        "| Id | Name | Kind | Type | Boundary |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {code(e.id)} | {md(e.name)} | {e.kind.replace('_', ' ')} | "
        f"{md(e.type)} | {md(e.boundary)} |"
        for e in model.elements
    ]
    lines += [
        "",
        "### Data assets",
        "",
        "| Id | Name | Categories | People | Source | Retention |",
        "|---|---|---|---:|---|---|",
    ]
    lines += [
        f"| {code(d.id)} | {md(d.name)} | {md(', '.join(d.categories))} | "
        f"{'' if d.subjects is None else format(d.subjects, ',')} | "
        f"{md(d.source)} | {md(d.retention)} |"
        for d in model.data
    ]
    if model.flows:
        lines += ["", "### Flows", "", "| Id | Name | From | To | Data |", "|---|---|---|---|---|"]
        lines += [
            f"| {code(f.id)} | {md(f.name)} | {code(f.source)} | {code(f.target)} | "
            f"{md(', '.join(f.data))} |"
            for f in model.flows
        ]
    if report.warnings:
        lines += ["", "## Warnings", ""] + [f"- {md(w)}" for w in report.warnings]
    return lines + [""]


def _link(title: str, url: str) -> str:
    return f"[{md(title)}]({url})" if url else md(title)


def _n(number: int, singular: str, plural: str = "") -> str:
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


def _people(finding: ReportFinding) -> str:
    subjects = finding.harm.subjects
    return f"{subjects:,}" if subjects else ""


def _change(item: Any) -> str:
    parts = [f"{k} {getattr(item, k):+d}" for k in ("likelihood", "impact") if getattr(item, k)]
    return ", ".join(parts) or "no score change"
