"""Single-object rules as attrs validators, run the same way for YAML and for Python.

A rule is a function `(obj, value) -> message | None` attached to a field with `rule(...)`.
It is defined once and runs on every path:

- built in Python, an object is checked by attrs when it is constructed: a broken rule raises
  `RuleError` (a ValueError) with the rule's message;
- read from YAML, an object is built inside `collecting(...)`: the same validators then report
  every broken rule, each at the position of the key or value it concerns (`field_pos`),
  instead of raising at the first, and skip the fields the reader has already reported;
- `broken_rules(obj)` runs them on an existing object: `validate.py` does so for every object
  of a model that no reader has checked, so an object built with attrs' validators disabled
  (or inside `deferred()`, as importers' objects are) is refused there rather than analysed.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Collection
from typing import Any

import attrs

from threatmodel.errors import Position, Problem

Check = Callable[[Any, Any], "str | At | None"]


@attrs.frozen
class At:
    """A broken rule's message for one entry of a list field, e.g. `members[2]`."""

    entry: str
    message: str


class RuleError(ValueError):
    """An object breaks one of its rules (raised when it is constructed in Python)."""


class _Sink:
    """Where broken rules go while objects are built: a list of problems, skipping some keys."""

    def __init__(self, skip: Collection[str]):
        self.skip = skip
        self.problems: list[Problem] = []


_IGNORE = _Sink(())  # `deferred()`: rules are not run at all
_SINK: contextvars.ContextVar[_Sink | None] = contextvars.ContextVar("rule_sink", default=None)


@attrs.frozen
class Rule:
    """An attrs validator running `checks` in order; the first message found is the problem.

    Problems are placed at the field's value, or at its key with `at_key`; a check may return
    an `At` to name one entry of a list field. `key` is the YAML key the field is written
    under when it differs from the field's name (`from` for a flow's `source`).
    """

    checks: tuple[Check, ...]
    at_key: bool = False
    key: str | None = None

    def __call__(self, obj: Any, attribute: attrs.Attribute, value: Any) -> None:
        sink = _SINK.get()
        if sink is _IGNORE:
            return
        key = self.key or attribute.name
        if sink is not None and key in sink.skip:
            return
        problem = self.problem(obj, key, value)
        if problem is None:
            return
        if sink is None:
            raise RuleError(problem.message)
        sink.problems.append(problem)

    def problem(self, obj: Any, key: str, value: Any) -> Problem | None:
        """The first broken check as a problem placed on `obj`, or None."""
        for check in self.checks:
            message = check(obj, value)
            if message is None:
                continue
            if isinstance(message, At):
                return Problem(message=message.message, pos=_position(obj, message.entry, False))
            return Problem(message=message, pos=_position(obj, key, self.at_key))
        return None


def rule(*checks: Check, at_key: bool = False, key: str | None = None) -> Rule:
    """The validator for a field with these checks (see `Rule`)."""
    return Rule(checks, at_key, key)


class collecting:
    """Build objects whose broken rules are collected, not raised (in this thread or task
    only); fields whose YAML key is in `skip` are not checked."""

    def __init__(self, skip: Collection[str] = ()):
        self._sink = _Sink(skip)

    def __enter__(self) -> list[Problem]:
        self._token = _SINK.set(self._sink)
        return self._sink.problems

    def __exit__(self, *exc: object) -> None:
        _SINK.reset(self._token)


class deferred(collecting):
    """Build objects without running their rules; whoever uses them runs `broken_rules`."""

    def __init__(self) -> None:
        self._sink = _IGNORE


def broken_rules(obj: Any) -> list[Problem]:
    """Every rule `obj` breaks, one problem per field, each at the position of what it
    concerns (`obj.field_pos`, else `obj.pos`)."""
    with collecting() as found:
        for field in attrs.fields(type(obj)):
            if field.validator is not None:
                field.validator(obj, field, getattr(obj, field.name))
    return found


def _position(obj: Any, key: str, at_key: bool) -> Position:
    """Where `key` (or `key[i]`, one entry) of `obj` is written; the object's own position
    when it does not say (built in Python)."""
    pos: Position = obj.pos
    field_pos = obj.field_pos
    if not field_pos:
        return pos
    base = key.split("[", 1)[0]
    if at_key:
        return field_pos.get(f"{base}:key", field_pos.get(base, pos))
    return field_pos.get(key, field_pos.get(base, pos))


def range_problem(value: int, low: int | None, high: int | None, what: str, key: str) -> str | None:
    """The message for a whole number outside `low`..`high` (either may be open), or None."""
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    if low is not None and high is not None:
        bounds = f"between {low} and {high}"
    elif low is not None:
        bounds = f"at least {low}"
    else:
        bounds = f"at most {high}"
    return f"{what}: '{key}' is {value}; it must be {bounds}"
