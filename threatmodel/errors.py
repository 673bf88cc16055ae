"""Problems found in user input, and the one exception type that carries them."""

from __future__ import annotations

import collections
import datetime
import itertools
import re
from collections.abc import Iterable
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


def _place_maker():
    """`place(file, line, col)`: a Position as `Position(file=, line=, col=)` makes it, in half
    the time (the loaders make one per key and value: 50,000 for a 1,000-element model). It
    sets the three slots directly instead of through the frozen class's `__setattr__` guard."""
    new = object.__new__
    set_file, set_line, set_col = (
        Position.__dict__[name].__set__ for name in ("file", "line", "col")
    )

    def place(file: str, line: int, col: int) -> Position:
        position = new(Position)
        set_file(position, file)
        set_line(position, line)
        set_col(position, col)
        return position

    return place


place = _place_maker()


MAX_QUOTED = 100  # characters of one quoted text a message shows
MAX_MESSAGE = 1_000  # characters of one message
# every quoted text, left to right: matching short ones too keeps quotes paired, so the
# text between two quoted values ("' matches no finding of ... (did you mean '") is not one
_QUOTED_TEXT = re.compile(r"'([^'\n]*)'")


def _cut(match: re.Match) -> str:
    text = match.group(1)
    if len(text) <= MAX_QUOTED:
        return match.group(0)
    return f"'{text[: MAX_QUOTED - 3]}...' ({len(text):,} characters)"


def capped(message: str) -> str:
    """`message` with each quoted text over MAX_QUOTED characters cut, and MAX_MESSAGE
    characters at most: a message never echoes a whole 100,000-character key or value."""
    if len(message) <= MAX_QUOTED:
        return message
    message = _QUOTED_TEXT.sub(_cut, message)
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 3] + "..."


@attrs.frozen(kw_only=True)
class Problem:
    """One thing wrong with a model, catalog or decisions file (its message `capped`)."""

    message: str = attrs.field(converter=capped)
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
    """Bad input: carries every problem found, sorted by position. `written`: some output was
    written before the problem and could not be taken back (the problems say which)."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], written: bool = False):
        self.problems = tuple(sorted(problems, key=lambda p: (p.pos, p.message)))
        self.written = written
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple:  # pickled (from a forked child) as it was made
        return type(self), (self.problems, self.written)


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


MAX_PER_KIND = 20  # problems of one kind printed; the rest are counted


def problem_lines(problems: Iterable[Any]) -> list[str]:
    """One line per problem (or warning text), but at most MAX_PER_KIND of one kind (the same
    message but for the quoted names and numbers in it), then a line counting the rest."""
    first: dict[str, str] = {}
    count: dict[str, int] = {}
    lines = []
    for problem in problems:
        message = getattr(problem, "message", str(problem))
        kind = getattr(problem, "severity", "warning") + _QUOTED.sub("'", message)
        first.setdefault(kind, message)
        count[kind] = count.get(kind, 0) + 1
        if count[kind] <= MAX_PER_KIND:
            lines.append(str(problem))
    for kind, number in count.items():
        if number > MAX_PER_KIND:
            what = "errors" if kind.startswith("error") else "warnings"
            lines.append(
                f"... and {number - MAX_PER_KIND:,} more {what} like '{_shorten(first[kind])}'"
            )
    return lines


_QUOTED = re.compile(r"'[^']*'|\d+")


def _shorten(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


def did_you_mean(word: str, choices: Iterable[Any]) -> str:
    """A ' (did you mean ...?)' hint for a misspelt word, or ''. Bounded time whatever the
    number of choices: a large collection is indexed once (`_Index`), and the close match is
    looked for among the few candidates that share the most character trigrams with the word."""
    close = _index(choices).closest(str(word)[:MAX_HINT_WORD])
    return f" (did you mean '{close}'?)" if close else ""


MAX_HINT_WORD = 100  # characters of a word compared; a longer one is cut
_SMALL = 200  # up to this many choices, all are compared (difflib's own quick filters)
_SHORTLIST = 10  # candidates compared in full for a word, from a large collection
_POSTINGS = 1_000  # entries of the trigram index visited for one word, at most


class _Index:
    """The choices of one collection, and for a large one, which choices hold each trigram."""

    def __init__(self, source: Any, names: list[str]):
        self.source, self.size, self.names = source, len(names), names
        self.postings: dict[str, list[int]] = {}
        if len(names) > _SMALL:
            for number, name in enumerate(names):
                for gram in set(_trigrams(name[:MAX_HINT_WORD])):
                    self.postings.setdefault(gram, []).append(number)

    def closest(self, word: str) -> str | None:
        candidates = self.names if not self.postings else self._shortlist(word)
        import difflib  # only when a suggestion is made

        close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
        return close[0] if close else None

    def _shortlist(self, word: str) -> list[str]:
        """The choices sharing the most trigrams with `word`, rarest trigrams first, reading at
        most _POSTINGS entries of the index (a trigram most choices hold tells little)."""
        lists = sorted(
            (self.postings[gram] for gram in set(_trigrams(word)) if gram in self.postings),
            key=len,
        )
        taken, budget = [], _POSTINGS
        for numbers in lists:
            taken.append(numbers[:budget])
            budget -= len(numbers)
            if budget <= 0:
                break
        shared = collections.Counter(itertools.chain.from_iterable(taken))
        return [self.names[n] for n, _ in shared.most_common(_SHORTLIST)]


def _trigrams(text: str) -> list[str]:
    padded = f"  {text.lower()} "
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


_INDEXES: list[_Index] = []  # the last few collections indexed (the same one is asked often)


def _index(choices: Iterable[Any]) -> _Index:
    for index in _INDEXES:
        if index.source is choices and index.size == len(choices):
            return index
    names = [str(choice) for choice in choices]
    index = _Index(choices, names)
    if hasattr(choices, "__len__"):  # a collection (not an iterator): it may be asked again
        _INDEXES.insert(0, index)
        del _INDEXES[4:]
    return index


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


# a key whose value may be a secret: messages never show that value
_SECRET_KEY = re.compile(
    r"pass(?:word|wd|phrase)?|secret|token|api[-_]?key|credential|private[-_]?key|cookie",
    re.IGNORECASE,
)


def show(value: Any, key: str = "") -> str:
    """A short rendering of a value for messages; '(not shown)' when `key` names something
    that may hold a secret (api_token, password, ...)."""
    if key and _SECRET_KEY.search(key):
        return "(not shown)"
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
