"""Framework id patterns from catalogs: a small regular-expression grammar, checked before use.

Catalogs are untrusted and Python's regular expressions backtrack, so a pattern such as
'(a+)+$' could take hours on one short id. A framework pattern may therefore use only this
part of the grammar, read here by our own parser (not by the private one behind `re`):

    pattern     = sequence ('|' sequence)*
    sequence    = (atom repetition?)*
    atom        = character | '.' | '^' | '$' | escape | '[' class ']' | '(' pattern ')'
                | '(?:' pattern ')'
    repetition  = ('*' | '+' | '?' | '{m}' | '{m,}' | '{,n}' | '{m,n}') '?'?

with at most four repetitions of more than one (`*`, `+`, `{m,n}`), none inside another
and no alternation inside one, so that matching time stays polynomial and small. No
backreferences, lookarounds, flags or possessive repetitions. Ids longer than
`MAX_FRAMEWORK_ID` are never matched at all, and a match covers the whole id (`fullmatch`).
"""

from __future__ import annotations

import re
import warnings

import attrs

MAX_PATTERN = 200  # characters of a framework id pattern
MAX_REPEATS = 4  # repetitions (+, *, {m,n}) in one pattern
MAX_FRAMEWORK_ID = 64  # longer values are never framework ids (and are not matched)

NESTED = (
    "pattern repeats a group that itself repeats (like '(a+)+'), which can take exponential "
    "time; simplify it or list the ids"
)
ALTERNATION = (
    "pattern repeats an alternation (like '(a|ab)*'), which can take exponential time; use a "
    "character class or list the ids"
)
REFERENCE = "pattern uses a backreference or lookaround, which is not supported"
_REPETITION = re.compile(r"\{(\d*)(,(\d*))?\}")
_LOOKS = ("(?=", "(?!", "(?<=", "(?<!", "(?P=", "(?(")
_ESCAPE_LENGTH = {"x": 2, "u": 4, "U": 8}  # hex digits after \x, \u, \U


class _Refused(Exception):
    """The pattern leaves the grammar; the message says how."""


@attrs.frozen
class _Part:
    """What a parsed piece of a pattern contains."""

    repeats: int = 0  # repetitions of more than one
    alternation: bool = False


def pattern_problem(pattern: str) -> str | None:
    """Why a framework id pattern is refused, or None if it is safe to match."""
    if len(pattern) > MAX_PATTERN:
        return f"pattern is longer than {MAX_PATTERN} characters"
    try:  # compiling does not match anything, so it is safe; it reports syntax errors
        with warnings.catch_warnings():  # and sets whose meaning Python will change ('[[')
            warnings.simplefilter("error", FutureWarning)
            re.compile(pattern)
    except (re.error, FutureWarning, OverflowError, RecursionError) as exc:
        return f"bad pattern: {exc}"
    try:
        part = _Parser(pattern).pattern()
    except _Refused as refused:
        return str(refused)
    if part.repeats > MAX_REPEATS:
        return f"pattern has more than {MAX_REPEATS} repetitions (+, *, {{m,n}})"
    return None


def id_matches(pattern: str, value: str) -> bool:
    """Whether a framework id matches a pattern `pattern_problem` accepted, as a whole."""
    return len(value) <= MAX_FRAMEWORK_ID and re.fullmatch(pattern, value) is not None


class _Parser:
    """A recursive-descent reader of the grammar above (patterns are short: the depth is
    bounded by MAX_PATTERN). `re.compile` has already checked that the text is well formed."""

    def __init__(self, text: str):
        self.text = text
        self.at = 0

    def _next(self) -> str:
        return self.text[self.at : self.at + 1]

    def pattern(self) -> _Part:
        part = self._sequence()
        while self._next() == "|":
            self.at += 1
            other = self._sequence()
            part = _Part(repeats=part.repeats + other.repeats, alternation=True)
        return part

    def _sequence(self) -> _Part:
        repeats, alternation = 0, False
        while self._next() not in ("", "|", ")"):
            atom = self._atom()
            if self._repetition():
                if atom.repeats:
                    raise _Refused(NESTED)
                if atom.alternation:
                    raise _Refused(ALTERNATION)
                atom = _Part(repeats=1)
            repeats += atom.repeats
            alternation = alternation or atom.alternation
        return _Part(repeats=repeats, alternation=alternation)

    def _atom(self) -> _Part:
        char = self._next()
        if char == "(":
            if self.text.startswith("(?:", self.at):
                self.at += 3
            elif self.text.startswith(_LOOKS, self.at):
                raise _Refused(REFERENCE)
            elif self.text.startswith("(?", self.at):
                raise _Refused(
                    "pattern uses a '(?...)' group; only (...) and (?:...) groups are supported"
                )
            else:
                self.at += 1
            inner = self.pattern()
            self.at += 1  # the closing ')'
            return inner
        if char == "[":
            self._skip_class()
        elif char == "\\":
            self._skip_escape()
        elif char == "{":
            raise _Refused(
                "pattern has a '{' that starts no repetition; write '\\{' for the character"
            )
        elif char in ("*", "+", "?"):  # pragma: no cover - re.compile refuses "nothing to repeat"
            raise _Refused(f"bad pattern: nothing to repeat at position {self.at}")
        else:
            self.at += 1  # a character, '.', '^', '$', '}' or ']'
        return _Part()

    def _skip_escape(self) -> None:
        code = self.text[self.at + 1 : self.at + 2]
        if code.isdigit() or code == "g":
            raise _Refused(REFERENCE)
        if code == "N":  # \N{NAME}
            self.at = self.text.index("}", self.at) + 1
            return
        self.at += 2 + _ESCAPE_LENGTH.get(code, 0)

    def _skip_class(self) -> None:
        self.at += 1
        if self._next() == "^":
            self.at += 1
        if self._next() == "]":  # a ']' first is a character of the class
            self.at += 1
        while self._next() != "]":
            self.at += 2 if self._next() == "\\" else 1
        self.at += 1

    def _repetition(self) -> bool:
        """Read a repetition if one follows; True if it allows more than one."""
        char = self._next()
        if char in ("*", "+"):
            many = True
            self.at += 1
        elif char == "?":
            many = False
            self.at += 1
        elif char == "{":
            found = _REPETITION.match(self.text, self.at)
            if found is None or found.group() == "{}":
                raise _Refused(
                    "pattern has a '{' that starts no repetition; write '\\{' for the character"
                )
            low = found.group(1)
            high = found.group(3) if found.group(2) else low
            many = not high or int(high) > 1
            self.at = found.end()
        else:
            return False
        if self._next() == "?":  # lazy: the same repetition, tried shortest first
            self.at += 1
        if self._next() in ("*", "+", "?", "{"):
            raise _Refused("pattern repeats a repetition (like 'a*+'), which is not supported")
        return many
