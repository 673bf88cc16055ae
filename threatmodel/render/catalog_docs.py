"""The catalogs as a Markdown reference: a coverage table per framework and every risk.

`threatmodel catalog docs > docs/catalogs.md` regenerates the committed page; a test keeps it
in step with the YAML.
"""

from __future__ import annotations

from collections import Counter

from threatmodel.catalog import Catalog, Risk
from threatmodel.coverage import coverage
from threatmodel.render.escape import markdown as md
from threatmodel.render.escape import markdown_code as code
from threatmodel.report import safe_url


def render(catalog: Catalog) -> str:
    """The whole reference page."""
    lines = [
        "# Shipped catalogs",
        "",
        "Generated from `catalogs/*.yaml` by `threatmodel catalog docs`; do not edit by hand.",
        "",
        f"{len(catalog.risks)} risks, {len(catalog.mitigations)} mitigations, "
        f"{len(catalog.references)} references.",
        "",
        "## Coverage",
        "",
        "How many risks cite each category of each framework.",
        "",
    ]
    names = {
        "linddun": "LINDDUN category",
        "stride": "STRIDE",
        "pram": "NIST PRAM problematic data action",
        "pram_problems": "NIST PRAM problem for individuals",
        "solove": "Solove harm",
    }
    for name, counts in coverage(catalog).items():
        titles = catalog.frameworks[name].names if name in catalog.frameworks else {}
        lines += [f"| {names[name]} | risks |", "|---|---:|"]
        for key, count in counts.items():
            label = f"{key} {titles[key]}" if key in titles else key
            lines.append(f"| {md(label)} | {count} |")
        lines.append("")
    groups = Counter(r.group for r in catalog.risks)
    lines += ["## Risks", "", "| group | risks |", "|---|---:|"]
    lines += [f"| {md(g)} | {n} |" for g, n in sorted(groups.items())] + [""]
    for risk in catalog.risks:
        lines += _risk(risk, catalog)
    return "\n".join(lines).rstrip() + "\n"


def _risk(risk: Risk, catalog: Catalog) -> list[str]:
    lines = [
        f"### {risk.id}: {md(risk.title)}",
        "",
        md(risk.description),
        "",
        f"- **Applies to:** {', '.join(risk.applies_to)}; **when:** "
        f"{code(risk.condition.text) if risk.condition else 'always'}",
        f"- **Likelihood x impact:** {risk.likelihood} x {risk.impact}",
    ]
    for modifier in risk.modifiers:
        change = ", ".join(
            f"{k} {getattr(modifier, k):+d}"
            for k in ("likelihood", "impact")
            if getattr(modifier, k)
        )
        lines.append(
            f"- **Modifier:** {change} when {code(modifier.condition.text)}: {md(modifier.why)}"
        )
    cited = "; ".join(
        f"{name} {md(', '.join(ids))}" for name, ids in risk.frameworks.items() if ids
    )
    if cited:
        lines.append(f"- **Frameworks:** {cited}")
    lines.append(
        "- **Mitigations:** "
        + "; ".join(f"{code(m)} {md(catalog.mitigations[m].title)}" for m in risk.mitigations)
    )
    if risk.references:
        lines.append(
            "- **References:** "
            + "; ".join(
                f"[{md(catalog.references[r].title)}]({safe_url(catalog.references[r].url)})"
                if safe_url(catalog.references[r].url)
                else md(catalog.references[r].title)
                for r in risk.references
            )
        )
    if risk.attack_tree is not None:
        lines.append(f"- **Attack tree:** {md(risk.attack_tree.label)}")
    return lines + [""]
