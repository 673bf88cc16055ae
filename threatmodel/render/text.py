"""Plain-text pieces every report uses the same way."""

from __future__ import annotations

from typing import Any

UNCHANGED = "unchanged: it lowers scores, no concern changes band yet"  # a plan step's effect


def if_unchanged(changes: bool) -> str:
    """What a plan step's line adds after its counts: " (UNCHANGED)" when the step moves no
    concern (`Action.changes` false), else nothing."""
    return "" if changes else f" ({UNCHANGED})"


def value_text(value: Any) -> str:
    """An evidence value as reports print it: lists in brackets, true/false/null in YAML's words."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)
