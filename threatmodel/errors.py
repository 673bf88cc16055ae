"""Problems found in user input, and the one exception type that carries them."""

from __future__ import annotations

import datetime
from typing import Any

import attrs


@attrs.frozen(kw_only=True, order=True)
class Position:
    """A place in a source file; line and column are 1-based."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


@attrs.frozen(kw_only=True)
class Problem:
    """One thing wrong with a model, catalog or decisions file."""

    message: str
    pos: Position
    severity: str = "error"  # "error" or "warning"

    @property
    def file(self) -> str:
        return self.pos.file

    @property
    def line(self) -> int:
        return self.pos.line

    @property
    def col(self) -> int:
        return self.pos.col

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.pos}: {prefix}{self.message}"


class ThreatModelError(Exception):
    """Bad input: carries every problem found, sorted by position."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(sorted(problems, key=lambda p: (p.pos, p.message)))
        super().__init__("\n".join(str(p) for p in self.problems))


class Collector:
    """Gathers problems across a stage so that all of them are reported together."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, pos: Position, message: str) -> None:
        self.problems.append(Problem(message=message, pos=pos))

    def warn(self, pos: Position, message: str) -> None:
        self.problems.append(Problem(message=message, pos=pos, severity="warning"))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ThreatModelError(self.errors)


def did_you_mean(word: str, choices) -> str:
    """A ' (did you mean ...?)' hint for a misspelt word, or ''."""
    import difflib

    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def type_name(value: Any) -> str:
    """How a value's type is named in messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime.datetime):
        return "a date and time"
    if isinstance(value, datetime.date):
        return "a date"
    return type(value).__name__


def show(value: Any) -> str:
    """A short rendering of a value for messages."""
    text = (
        repr(value)
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, bool)
        else "null"
        if value is None
        else str(value)
    )
    return text if len(text) <= 60 else text[:57] + "..."
