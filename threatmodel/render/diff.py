"""A model diff as text (for the terminal), Markdown (for a pull request) or JSON."""

from __future__ import annotations

import json
from typing import Any

from threatmodel.diff import Change, FindingState, ModelDiff
from threatmodel.jsondata import to_plain
from threatmodel.render.escape import markdown as md
from threatmodel.render.escape import markdown_code as code
from threatmodel.render.escape import terminal


def as_data(d: ModelDiff) -> dict[str, Any]:
    """The diff as plain data (the JSON output)."""
    return {
        "old": d.old_name,
        "new": d.new_name,
        "findings": {
            "new": to_plain(d.new),
            "resolved": to_plain(d.resolved),
            "changed": to_plain(d.changed),
        },
        "elements": {"added": list(d.elements_added), "removed": list(d.elements_removed)},
        "flows": {"added": list(d.flows_added), "removed": list(d.flows_removed)},
    }


def render_json(d: ModelDiff) -> str:
    """The diff as indented JSON."""
    return json.dumps(as_data(d), indent=2, ensure_ascii=False) + "\n"


def render_text(d: ModelDiff) -> str:
    """The diff for the terminal, one change a line."""
    if d.empty:
        return "no changes in findings, elements or flows\n"
    lines = []
    for title, items in (("new findings", d.new), ("resolved findings", d.resolved)):
        if items:
            lines.append(f"{title} ({len(items)}):")
            lines += [
                f"  {'+' if title.startswith('new') else '-'} {terminal(f.label):9} "
                f"{terminal(f.id)}: {terminal(f.title)}"
                for f in items
            ]
    if d.changed:
        lines.append(f"changed findings ({len(d.changed)}):")
        lines += [f"  ~ {terminal(c.id)}: {_transition(c)}" for c in d.changed]
    for title, ids in (
        ("elements added", d.elements_added),
        ("elements removed", d.elements_removed),
        ("flows added", d.flows_added),
        ("flows removed", d.flows_removed),
    ):
        if ids:
            lines.append(f"{title}: " + ", ".join(terminal(i) for i in ids))
    return "\n".join(lines) + "\n"


def _transition(c: Change) -> str:
    parts = []
    for key in ("status", "severity", "review_status"):
        before, after = getattr(c.old, key), getattr(c.new, key)
        if before != after:
            parts.append(f"{key.replace('_', ' ')} {terminal(before)} -> {terminal(after)}")
    return "; ".join(parts)


def render_markdown(d: ModelDiff) -> str:
    """The diff as Markdown to paste in a pull request."""
    lines = [f"### Threat model changes: {md(d.new_name)}", ""]
    if d.empty:
        return "\n".join(lines + ["No changes in findings, elements or flows.", ""])
    counts = f"**{len(d.new)} new**, **{len(d.resolved)} resolved**, {len(d.changed)} changed"
    lines += [counts + " findings.", ""]
    if d.new or d.resolved:
        lines += ["| | Severity | Finding | Element |", "|---|---|---|---|"]
        lines += [
            f"| {change} | {md(f.label)} | {code(f.id)} {md(f.title)} | {code(f.element)} |"
            for change, items in (("new", d.new), ("resolved", d.resolved))
            for f in items
        ]
        lines.append("")
    if d.changed:
        lines += ["| Changed | Finding | From | To |", "|---|---|---|---|"]
        for c in d.changed:
            lines.append(f"| {code(c.id)} | {md(c.title)} | {_state(c.old)} | {_state(c.new)} |")
        lines.append("")
    for title, items in (
        ("Elements added", d.elements_added),
        ("Elements removed", d.elements_removed),
        ("Flows added", d.flows_added),
        ("Flows removed", d.flows_removed),
    ):
        if items:
            lines.append(f"- **{title}:** " + ", ".join(code(i) for i in items))
    return "\n".join(lines).rstrip() + "\n"


def _state(f: FindingState) -> str:
    review = f" ({md(f.review_status)})" if f.review_status != "open" else ""
    return f"{md(f.label)}{review}"
