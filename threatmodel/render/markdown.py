"""Results as a Markdown report for wikis and pull requests (GitHub-flavoured, escaped)."""

from __future__ import annotations

from typing import Any

from threatmodel.findings import Result
from threatmodel.render.data import result_data
from threatmodel.render.escape import markdown as md
from threatmodel.render.escape import markdown_code as code

FRAMEWORK_LABELS = {"stride": "STRIDE", "linddun": "LINDDUN", "linddun_go": "LINDDUN GO",
                    "pram": "PRAM", "pram_problems": "PRAM problems", "solove": "Solove",
                    "cwe": "CWE", "capec": "CAPEC"}


def render(result: Result) -> str:
    """The whole report as Markdown text."""
    data = result_data(result)
    lines: list[str] = []
    system = data["system"]
    lines += [f"# Threat model: {md(system['name'])}", ""]
    if system["description"]:
        lines += [md(system["description"]), ""]
    lines += [
        f"Model {code(system['file'])}: {system['elements']} elements, {system['flows']} flows, "
        f"{system['boundaries']} boundaries, {system['data_assets']} data assets; "
        f"{data['catalog']['risks']} risks checked.",
        "",
        "## Summary",
        "",
        "| Severity | Findings |",
        "|---|---:|",
    ]
    for severity, count in data["summary"]["by_severity"].items():
        lines.append(f"| {severity} | {count} |")
    lines.append(f"| possible (needs information) | {data['summary']['possible']} |")
    lines.append("")
    confirmed = [f for f in data["findings"] if f["status"] == "confirmed"]
    possible = [f for f in data["findings"] if f["status"] != "confirmed"]
    if data["summary"]["people_exposed"]:
        lines += [f"Largest group of people exposed by a single finding: "
                  f"{data['summary']['people_exposed']:,}.", ""]
    if confirmed:
        lines += ["## Findings", "", "| Severity | Finding | Element | People | L x I |",
                  "|---|---|---|---:|---|"]
        for f in confirmed:
            lines.append(f"| {f['severity']} | {code(f['id'])} {md(f['title'])} | "
                         f"{md(f['element']['name'])} | {_people(f)} | "
                         f"{f['likelihood']} x {f['impact']} = {f['score']} |")
        lines.append("")
        for f in confirmed:
            lines += _details(f)
    if possible:
        lines += ["## Needs information", "",
                  "These risks may apply; the model does not say enough to decide. Fill in:", "",
                  "| Finding | Element | Missing |", "|---|---|---|"]
        for f in possible:
            lines.append(f"| {code(f['id'])} {md(f['title'])} | {md(f['element']['name'])} | "
                         f"{md('; '.join(f['missing']))} |")
        lines.append("")
    if data["warnings"]:
        lines += ["## Warnings", ""] + [f"- {md(w)}" for w in data["warnings"]] + [""]
    return "\n".join(lines).rstrip() + "\n"


def _people(finding: dict[str, Any]) -> str:
    subjects = finding["harm"]["subjects"]
    return f"{subjects:,}" if subjects else ""


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _details(f: dict[str, Any]) -> list[str]:
    lines = [f"### {f['severity'].upper()}: {md(f['title'])} ({code(f['id'])})", ""]
    if f["description"]:
        lines += [md(f["description"]), ""]
    evidence = ", ".join(f"{code(e['name'])} = {code(_value(e['value']))}" for e in f["evidence"])
    lines.append(f"- **Why it fired:** {evidence or 'it applies to every ' + md(f['element']['kind'])}")
    lines.append(f"- **Score:** likelihood {f['likelihood']} x impact {f['impact']} = {f['score']} "
                 f"(catalog: {f['base_likelihood']} x {f['base_impact']})")
    for m in f["modifiers"]:
        change = ", ".join(f"{k} {m[k]:+d}" for k in ("likelihood", "impact") if m[k])
        lines.append(f"- **Modifier:** {change}: {md(m['why'])} ({code(m['condition'])})")
    for c in f["controls"]:
        change = ", ".join(f"{k} {c[k]:+d}" for k in ("likelihood", "impact") if c[k])
        lines.append(f"- **Control in place:** {code(c['mitigation'])} {md(c['title'])} ({change})")
    if f["recommended"]:
        lines.append("- **Recommended:** " + "; ".join(
            f"{code(m['mitigation'])} {md(m['title'])}" for m in f["recommended"]))
    harm = f["harm"]
    if harm["data_assets"]:
        people = f"{harm['subjects']:,} people" if harm["subjects"] else "an unknown number of people"
        special = f"; special categories: {md(', '.join(harm['special_categories']))}" \
            if harm["special_categories"] else ""
        lines.append(f"- **Who is harmed:** {people}; data: {md(', '.join(harm['data_assets']))} "
                     f"({md(', '.join(harm['categories']))}){special}")
    frameworks = [f"{FRAMEWORK_LABELS.get(k, md(k))} {md(', '.join(v))}"
                  for k, v in f["frameworks"].items() if v]
    if frameworks:
        lines.append("- **Frameworks:** " + " · ".join(frameworks))
    if f["references"]:
        lines.append("- **References:** " + "; ".join(
            f"[{md(r['title'])}]({_url(r['url'])})" if r["url"] else md(r["title"])
            for r in f["references"]))
    if f["decision"]:
        d = f["decision"]
        lines.append(f"- **Decision:** {md(d['status'])} by {md(d.get('owner') or 'unknown')}: "
                     f"{md(d.get('justification') or '')}")
    lines.append("")
    return lines


def _url(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
