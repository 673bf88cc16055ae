"""A short terminal summary: concerns by severity, the worst open ones, the first steps of
the plan and how many questions the model leaves open."""

from __future__ import annotations

from threatmodel.render.escape import terminal
from threatmodel.report import Report

COLOURS = {"critical": "\x1b[1;31m", "high": "\x1b[31m", "medium": "\x1b[33m", "low": "\x1b[36m"}
RESET = "\x1b[0m"


def render(report: Report, top: int = 5, colour: bool = False) -> str:
    """Counts per severity, the worst `top` open concerns and the plan's first steps."""

    def paint(severity: str, text: str) -> str:
        return (
            f"{COLOURS.get(severity, '')}{text}{RESET}" if colour and severity in COLOURS else text
        )

    system, summary = report.system, report.summary
    lines = [
        f"{terminal(system.name)}: {system.elements} elements, "
        f"{system.flows} flows, {report.catalog.risks} risks checked"
    ]
    parts = [paint(name, f"{count} {name}") for name, count in summary.concerns_by_severity.items()]
    decided = sum(count for status, count in summary.by_status.items() if status != "open")
    lines.append(
        f"concerns: {', '.join(parts)} ({summary.findings} findings, {decided} decided); "
        f"{summary.questions} questions for the system owner"
    )
    shown = [c for c in report.concerns if c.open][:top]
    if shown:
        lines.append("top concerns:")
        width = max(len(c.severity) for c in shown)
        for c in shown:
            places = f" ({len(c.elements)} places)" if len(c.elements) > 1 else ""
            people = f"  [{c.people:,} people]" if c.people else ""
            lines.append(
                f"  {paint(c.severity, c.severity.ljust(width))}  {terminal(c.title)}"
                f"{places}{people}"
            )
    if report.plan.actions:
        lines.append(f"plan to bring every concern below {report.plan.target}:")
        for number, action in enumerate(report.plan.actions[:3], 1):
            targets = ", ".join(action.targets[:3]) + ("..." if len(action.targets) > 3 else "")
            lines.append(f"  {number}. {terminal(action.title)} on {terminal(targets)}")
        if len(report.plan.actions) > 3:
            lines.append(f"  ... {len(report.plan.actions) - 3} more steps (threatmodel plan)")
    return "\n".join(lines) + "\n"
