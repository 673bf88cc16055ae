"""A draft data protection impact assessment (DPIA) in Markdown, for the data-protection officer.

Its sections are the minimum content of GDPR Art 35(7) (Regulation (EU) 2016/679, OJ L 119,
4.5.2016, p. 1; linked at EUR-Lex's own `#art_35` anchor, see catalogs/references.yaml), each
headed by the words of its point (a) to (d) and quoting the point whole, as the Official
Journal's English text has it (checked against a reproduction of that text, December 2026). Each is filled from the model
and the report; where the model is silent the draft says so and names what the owner must
supply.
It is a draft: the assessment itself, the legal basis and the views of data subjects
(Art 35(9)) are the controller's. Text goes through the Markdown escapes of `markdown`.
"""

from __future__ import annotations

from collections import defaultdict

from threatmodel.render import RenderOptions
from threatmodel.render.markdown import _n, _severities, code, md
from threatmodel.render.text import if_unchanged
from threatmodel.report import Report

GDPR = "https://eur-lex.europa.eu/legal-content/EN/TXT/HTML/?uri=CELEX:32016R0679#art_35"
# (point, heading, the point's whole text): Art 35(7) "The assessment shall contain at least:"
SECTIONS = (
    (
        "a",
        "A systematic description of the envisaged processing operations and the purposes of "
        "the processing",
        "a systematic description of the envisaged processing operations and the purposes of "
        "the processing, including, where applicable, the legitimate interest pursued by the "
        "controller;",
    ),
    (
        "b",
        "An assessment of the necessity and proportionality of the processing operations in "
        "relation to the purposes",
        "an assessment of the necessity and proportionality of the processing operations in "
        "relation to the purposes;",
    ),
    (
        "c",
        "An assessment of the risks to the rights and freedoms of data subjects",
        "an assessment of the risks to the rights and freedoms of data subjects referred to in "
        "paragraph 1; and",
    ),
    (
        "d",
        "The measures envisaged to address the risks",
        "the measures envisaged to address the risks, including safeguards, security measures "
        "and mechanisms to ensure the protection of personal data and to demonstrate compliance "
        "with this Regulation taking into account the rights and legitimate interests of data "
        "subjects and other persons concerned.",
    ),
)
CONCERNS_PER_GROUP = 12  # concerns listed under each group of people; the rest are counted


def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    """The DPIA draft as Markdown text."""
    lines = _head(report)
    for letter, title, text in SECTIONS:
        lines += [
            f"## Art 35(7)({letter}): {title}",
            "",
            f"> GDPR Art 35(7)({letter}): “{text}”",
            "",
        ]
        lines += {"a": _description, "b": _necessity, "c": _risks, "d": _measures}[letter](report)
    lines += _to_supply(report)
    return "\n".join(lines).rstrip() + "\n"


def _head(report: Report) -> list[str]:
    system = report.system
    return [
        f"# Data protection impact assessment (draft): {md(system.name)}",
        "",
        "> **Draft for the data-protection officer.** Written by threatmodel "
        f"{md(report.tool.version)} from the model {code(system.file)} and "
        f"{_n(report.catalog.risks, 'catalog risk')}. It follows the minimum content of "
        f"[GDPR Art 35(7)]({GDPR}) and fills each part from the model; the assessment, the "
        "legal basis and the views of the people concerned (Art 35(9)) remain the "
        "controller's. Parts the model does not cover are marked **to supply**.",
        "",
    ]


def _attributes(report: Report) -> dict:
    return dict(report.result.model.system.attributes)


def _description(report: Report) -> list[str]:
    system, appendix = report.system, report.model
    attributes = _attributes(report)
    jurisdictions = attributes.get("jurisdictions") or []
    lines = [
        f"**Processing:** {md(system.description) or '**to supply**: what the system does.'}",
        "",
        f"**Controller / owner:** {md(system.owner) or '**to supply**'}. "
        f"**Jurisdictions:** {md(', '.join(map(str, jurisdictions))) or '**to supply**'}.",
        "",
        f"The model describes {_n(system.elements, 'element')}, {_n(system.flows, 'flow')}, "
        f"{_n(system.boundaries, 'boundary', 'boundaries')} and "
        f"{_n(system.data_assets, 'data asset')}.",
        "",
        "### Personal data, people and purposes",
        "",
        "| Data | Categories | People | Source | Purpose | Retention |",
        "|---|---|---:|---|---|---|",
    ]
    assets = {d.id: d for d in report.result.model.data}
    for d in appendix.data:
        purpose = assets[d.id].attributes.get("purpose") if d.id in assets else None
        lines.append(
            f"| {md(d.name)} {code(d.id)} | {md(', '.join(d.categories))} | "
            f"{'**to supply**' if d.subjects is None else format(d.subjects, ',')} | "
            f"{md(d.source) or '**to supply**'} | {md(purpose) if purpose else '**to supply**'} | "
            f"{'**to supply**' if d.retention == 'unknown' else md(d.retention)} |"
        )
    lines += _operations(report)
    names = {e.id: e for e in appendix.elements}
    outside = [b for b in appendix.boundaries if b.kind in ("organisation", "jurisdiction")]
    lines += ["", "### Recipients and flows", ""]
    if outside:
        lines += [
            "Organisations and jurisdictions: "
            + "; ".join(f"{md(b.name)} ({md(b.kind)})" for b in outside)
            + ".",
            "",
        ]
    external = sorted(
        {
            names[f.target].name
            for f in appendix.flows
            if f.target in names and names[f.target].kind in ("actor", "external_service")
        }
    )
    if external:
        lines += ["People and services outside the system who receive data: "]
        lines[-1] += md(", ".join(external)) + "."
        lines.append("")
    if appendix.flows:
        lines += ["| Flow | From | To | Data |", "|---|---|---|---|"]
        for f in appendix.flows:
            source = names[f.source].name if f.source in names else f.source
            target = names[f.target].name if f.target in names else f.target
            lines.append(
                f"| {md(f.name)} {code(f.id)} | {md(source)} | {md(target)} | "
                f"{md(', '.join(f.data)) or '**to supply**'} |"
            )
        lines.append("")
    return lines


BASES = {
    "consent": "consent, Art 6(1)(a)",
    "contract": "contract, Art 6(1)(b)",
    "legal_obligation": "legal obligation, Art 6(1)(c)",
    "public_task": "public task, Art 6(1)(e)",
    "legitimate_interest": "legitimate interest, Art 6(1)(f)",
    "none": "none stated as such: no lawful basis",
}


def _operations(report: Report) -> list[str]:
    """The processes and flows as processing operations: purpose and lawful basis of each, and
    the legitimate interests pursued where that is the basis."""
    model = report.result.model
    operations = [e for e in model.elements if e.kind == "process"] + list(model.flows)
    lines = [
        "",
        "### Processing operations",
        "",
        "| Operation | Purpose | Lawful basis |",
        "|---|---|---|",
    ]
    for o in operations:
        purpose, basis = o.attributes.get("purpose"), o.attributes.get("legal_basis")
        lines.append(
            f"| {md(o.name)} {code(o.id)} | {md(purpose) if purpose else '**to supply**'} | "
            f"{md(BASES.get(str(basis), str(basis))) if basis else '**to supply**'} |"
        )
    interests = [o for o in operations if o.attributes.get("legal_basis") == "legitimate_interest"]
    lines += ["", "**Legitimate interest pursued by the controller:** "]
    if interests:
        by_purpose: dict[str, list[str]] = defaultdict(list)
        for o in interests:
            by_purpose[str(o.attributes.get("purpose") or "**to supply**")].append(o.name)
        lines[-1] += "; ".join(
            f"{md(purpose)} ({md(', '.join(names))})" for purpose, names in by_purpose.items()
        )
        lines[-1] += (
            ". The balancing test against the interests and rights of the people concerned "
            "is **to supply**."
        )
    else:
        lines[-1] += "not relied on by any operation in the model."
    return lines


def _necessity(report: Report) -> list[str]:
    attributes = _attributes(report)
    assets = report.result.model.data
    lines = [
        "What the model records that bears on whether each processing operation is necessary "
        "for its purpose and proportionate to it:",
        "",
    ]
    no_purpose = [a.label for a in assets if not a.attributes.get("purpose")]
    no_retention = [a.label for a in assets if a.attributes.get("retention_days") is None]
    purposes = sorted({str(a.attributes["purpose"]) for a in assets if a.attributes.get("purpose")})
    lines.append(
        f"- **Purposes stated:** {md('; '.join(purposes))}."
        if purposes
        else "- **Purposes stated:** none."
    )
    if no_purpose:
        lines.append(f"- **No purpose stated (to supply):** {md(', '.join(no_purpose))}.")
    if no_retention:
        lines.append(
            f"- **No retention limit (to supply, or justify keeping without limit):** "
            f"{md(', '.join(no_retention))}."
        )
    special = sorted({c for f in report.findings for c in f.harm.special_categories})
    if special:
        lines.append(
            f"- **Special categories of data (Art 9) involved:** {md(', '.join(special))}: "
            "the condition of Art 9(2) relied on is **to supply**."
        )
    for key, meaning in (
        ("mandatory", "yes: people cannot opt out of being processed"),
        ("dpia_done", "yes: an impact assessment is on record"),
        ("independent_oversight", "yes: an independent body oversees the processing"),
        ("transparency_report", "yes: a transparency report is published"),
    ):
        if key in attributes:
            lines.append(f"- {code(key)} = {code(attributes[key])} ({meaning}).")
    creep = [
        c
        for c in report.concerns
        if c.open and any(f.group in ("CREEP", "OPA") for f in _findings_of(report, c.findings))
    ]
    if creep:
        lines += [
            "",
            "Concerns about purpose and transparency the analysis found (function creep, "
            "opacity), which the necessity assessment must answer:",
            "",
        ]
        lines += [f"- {c.severity}: {md(c.title)} ({code(c.id)})" for c in creep[:15]]
        if len(creep) > 15:
            lines.append(f"- and {len(creep) - 15} more in the report")
    lines += [
        "",
        "The legal basis (Art 6(1)) of each purpose and why less data, fewer people or a "
        "shorter retention would not serve it are **to supply**.",
        "",
    ]
    return lines


def _findings_of(report: Report, ids: tuple[str, ...]):
    wanted = set(ids)
    return [f for f in report.findings if f.id in wanted]


def _risks(report: Report) -> list[str]:
    """The open concerns, by the group of people (the data asset it is about) they touch."""
    assets = {d.id: d for d in report.model.data}
    by_finding = {f.id: f for f in report.findings}
    groups: dict[str, list] = defaultdict(list)
    for concern in report.concerns:
        if not concern.open:
            continue
        touched = {a for fid in concern.findings for a in by_finding[fid].harm.data_assets}
        for asset in touched or {""}:
            groups[asset].append(concern)
    lines = [
        f"{_n(sum(1 for c in report.concerns if c.open), 'open concern')} "
        f"({_severities(report.summary.open_concerns_by_severity)}), by the people whose data "
        "they touch, the largest group first. Severity is likelihood x impact on the people "
        "concerned, after the controls in place.",
        "",
    ]
    if not groups:
        return lines + ["No open concern.", ""]
    order = sorted(
        groups, key=lambda a: (-(assets[a].subjects or 0) if a in assets else 1, a == "", a)
    )
    for asset in order:
        concerns = groups[asset]
        if asset in assets:
            d = assets[asset]
            people = f"{d.subjects:,} people" if d.subjects else "an unknown number of people"
            lines += [f"### People in {md(d.name)} ({people})", ""]
        else:
            lines += ["### Not tied to one data asset", ""]
        for c in concerns[:CONCERNS_PER_GROUP]:
            first = by_finding[c.findings[0]]
            harms = first.frameworks.get("pram_problems") or first.frameworks.get("solove") or ()
            harm = f"; harm: {md(', '.join(harms))}" if harms else ""
            lines.append(
                f"- **{c.severity}**: {md(c.title)} ({code(c.id)}, "
                f"{_n(len(c.findings), 'finding')}{harm})"
            )
        if len(concerns) > CONCERNS_PER_GROUP:
            lines.append(f"- and {len(concerns) - CONCERNS_PER_GROUP} more (see the report)")
        lines.append("")
    return lines


def _measures(report: Report) -> list[str]:
    plan = report.plan
    lines = ["### Planned", ""]
    if plan.actions:
        lines += [
            f"The fewest mitigations that bring every open concern below {md(plan.target)} "
            f"(now {_severities(plan.before)}), in order:",
            "",
        ]
        for number, a in enumerate(plan.actions, 1):
            lines.append(
                f"{number}. {md(a.title)} {code(a.mitigation)} on {md(', '.join(a.targets))}: "
                f"then {_severities(a.after)}{if_unchanged(a.changes)}"
            )
        lines.append("")
    else:
        lines += [f"No open concern is {md(plan.target)} or worse.", ""]
    if plan.remaining:
        lines += ["Concerns no catalog mitigation resolves (a design change is needed):", ""]
        lines += [
            f"- {md(r.title)} ({code(r.concern)}, {r.severity}): {md(r.needs)}"
            for r in plan.remaining
        ]
        lines.append("")
    lines += ["### Safeguards and security measures in place", ""]
    if report.model.controls:
        lines += [
            f"- {code(c.mitigation)} on {md(', '.join(c.targets)) or 'everything'}"
            + (f": {md(c.note)}" if c.note else "")
            for c in report.model.controls
        ]
    else:
        lines.append("No control is recorded in the model (**to supply**).")
    decided = {s: n for s, n in report.summary.by_status.items() if n and s != "open"}
    lines += [
        "",
        "### Mechanisms to demonstrate compliance",
        "",
        f"This draft and its threat model review: {_n(report.summary.findings, 'finding')}, "
        + (
            "of which the review decisions record "
            + ", ".join(f"{n} {md(s)}" for s, n in decided.items())
            if decided
            else "none decided yet in a review decisions file"
        )
        + f"; {report.summary.by_status.get('open', 0)} open. Records of processing (Art 30), "
        "the DPO's advice and audits of the measures above are **to supply**.",
    ]
    return lines + [""]


def _to_supply(report: Report) -> list[str]:
    lines = ["## What the owner must still supply", ""]
    if report.questions:
        lines += [
            "The model is silent on these; each answer confirms or rules out risks above:",
            "",
        ]
        for q in report.questions:
            where = ", ".join(code(w.id) for w in q.where[:6])
            more = f" and {len(q.where) - 6} more" if len(q.where) > 6 else ""
            lines.append(f"- [ ] {md(q.text)} ({code(q.id)}; on {where}{more})")
        lines.append("")
    lines += [
        "- [ ] The legal basis of each purpose (Art 6(1)), and the Art 9(2) condition for "
        "special categories.",
        "- [ ] The views of the people concerned or their representatives (Art 35(9)).",
        "- [ ] The DPO's advice (Art 35(2)) and, where high risk remains, prior consultation "
        "of the supervisory authority (Art 36).",
        "",
    ]
    return lines
