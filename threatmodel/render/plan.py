"""The plan as a reviewer's action list (text), as Markdown for a pull request, or as JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping

from threatmodel.jsondata import to_plain
from threatmodel.planner import Plan
from threatmodel.render.escape import markdown as md
from threatmodel.render.escape import markdown_code as code
from threatmodel.render.escape import terminal
from threatmodel.render.text import if_unchanged


def render_text(plan: Plan, names: Mapping[str, str] | None = None) -> str:
    """Numbered steps, each with where it goes and what stays open once it is done."""
    names = names or {}
    lines = [
        f"To bring every open concern below {terminal(plan.target)}: "
        f"{_counts(plan.before)} open now, {plan.people_exposed:,} people exposed."
    ]
    if not plan.actions and not plan.remaining:
        lines.append(f"Nothing to do: no open concern is {terminal(plan.target)} or worse.")
    for number, action in enumerate(plan.actions, 1):
        places = ", ".join(terminal(names.get(t, t)) for t in action.targets)
        lines += [
            f"{number:>3}. {terminal(action.title)} ({terminal(action.mitigation)})",
            f"     on {places}",
            f"     then: {_counts(action.after)} open, {action.people_exposed:,} people exposed"
            + if_unchanged(action.changes),
        ]
    for residual in plan.remaining:
        lines.append(
            f"  !  {terminal(residual.title)} ({terminal(residual.concern)}, "
            f"still {residual.severity} after the plan) needs {terminal(residual.needs)}"
        )
    return "\n".join(lines) + "\n"


def render_markdown(plan: Plan, names: Mapping[str, str] | None = None) -> str:
    """The plan as a Markdown table."""
    names = names or {}
    lines = [
        f"### Plan: every open concern below {md(plan.target)}",
        "",
        "| Step | Mitigation | On | Open concerns after | People exposed |",
        "|---:|---|---|---|---:|",
        f"| | (now) | | {_counts(plan.before)} | {plan.people_exposed:,} |",
    ]
    for number, action in enumerate(plan.actions, 1):
        places = ", ".join(md(names.get(t, t)) for t in action.targets)
        lines.append(
            f"| {number} | {md(action.title)} {code(action.mitigation)} | {places} | "
            f"{_counts(action.after)}{if_unchanged(action.changes)} | "
            f"{action.people_exposed:,} |"
        )
    if plan.remaining:
        lines.append("")
    lines += [
        f"- {code(r.concern)} {md(r.title)} ({r.severity}) needs {md(r.needs)}"
        for r in plan.remaining
    ]
    return "\n".join(lines) + "\n"


def render_json(plan: Plan) -> str:
    """The plan as JSON: target, the state before, the actions and what remains."""
    return json.dumps(to_plain(plan), indent=2, ensure_ascii=False) + "\n"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "none"
