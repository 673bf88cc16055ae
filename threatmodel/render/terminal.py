"""A short terminal summary: counts by severity and the top findings."""

from __future__ import annotations

from threatmodel.render.escape import terminal
from threatmodel.report import Report

COLOURS = {"critical": "\x1b[1;31m", "high": "\x1b[31m", "medium": "\x1b[33m", "low": "\x1b[36m"}
RESET = "\x1b[0m"


def render(report: Report, top: int = 5, colour: bool = False) -> str:
    """Counts per severity, the worst `top` open findings and the number needing information."""

    def paint(severity: str, text: str) -> str:
        return (
            f"{COLOURS.get(severity, '')}{text}{RESET}" if colour and severity in COLOURS else text
        )

    system = report.system
    lines = [
        f"{terminal(system.name)}: {system.elements} elements, "
        f"{system.flows} flows, {report.catalog.risks} risks checked"
    ]
    parts = [paint(name, f"{count} {name}") for name, count in report.summary.by_severity.items()]
    lines.append("findings: " + ", ".join(parts) + f"; {report.summary.possible} need information")
    shown = [f for f in report.confirmed if f.open][:top]
    if shown:
        lines.append("top findings:")
        width = max(len(f.severity) for f in shown)
        for f in shown:
            people = f"  [{f.harm.subjects:,} people]" if f.harm.subjects else ""
            lines.append(
                f"  {paint(f.severity, f.severity.ljust(width))}  {terminal(f.id)}: "
                f"{terminal(f.title)}{people}"
            )
    return "\n".join(lines) + "\n"
