"""The one typed reader of located YAML: a mapping read key by key, reporting every problem
with its position instead of raising. Models, catalogs, decisions and importers all use it.

The rules, the same for every file:

- a key that is absent, null or empty text is *missing*; a missing required key is reported
  once, at the mapping (not at all when a misspelling of it is reported as an unknown key);
- free text (`text`) is a string, or a number standing for its text (YAML reads `version: 1.0`
  as a number); an identifier or a fixed word (`word`, `ident`, `id_entries`) must be a string,
  since YAML may have changed what was written as a number (`010` is read as 8);
- a list of identifiers may be written as a single one without brackets; its entries follow
  the identifier rule, and a missing entry (null or empty text) is reported;
- a value of the wrong type is reported at the value, and the key then reads as missing; every
  key whose value could not be read is remembered in `failed`, so that the rules of the object
  built from it (see `checks.py`) are not run on the stand-in value.

One option changes two rules, for another tool's file read by an importer (`foreign=True`):
numbers stand for text everywhere (JSON ids are often numbers), and missing list entries are
skipped instead of reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, cast

from threatmodel.checks import range_problem
from threatmodel.errors import Collector, Position, did_you_mean, show, type_name
from threatmodel.ids import id_problem
from threatmodel.loader import LList, LMap, key_pos, value_pos

__all__ = ["Fields", "each_mapping", "is_missing", "position_in_scalar", "show", "type_name"]

_MISSING: Any = object()
_NOWHERE = Position(file="<data>")


def _key_name(key: str) -> str:
    """`key:key`, the name under which `positions` keeps where a key is written: one object
    per short key, not one per object read (a 10,000-element model reads 800,000 fields)."""
    name = _KEY_NAMES.get(key)
    if name is None:
        name = f"{key}:key"
        if len(key) <= 64 and len(_KEY_NAMES) < 4096:
            _KEY_NAMES[key] = name
    return name


_KEY_NAMES: dict[str, str] = {}


def is_missing(value: Any) -> bool:
    """Whether a value counts as not given: null or empty text."""
    return value is None or (isinstance(value, str) and value == "")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Fields:
    """One YAML mapping read field by field; every problem goes to `out` with its position.

    `container` is normally an LMap; anything else reads as an empty mapping placed at `pos`
    (importers pass whatever the foreign file holds). With `remember` (the default) it keeps
    where each field read and its key are written (`positions`, the `field_pos` of the object
    built from them); an importer's one-off reads do not need them, and in a big JSON file
    working them out is a good part of reading it.
    """

    def __init__(
        self,
        container: Any,
        out: Collector,
        what: str,
        *,
        foreign: bool = False,
        pos: Position | None = None,
        remember: bool = True,
    ):
        self.container = container
        self.map: dict = container if isinstance(container, dict) else {}
        self.out = out
        self.what = what
        self.foreign = foreign
        self.remember = remember and isinstance(container, LMap)
        self.pos: Position = getattr(container, "pos", None) or pos or _NOWHERE
        self.positions: dict[str, Position] = {}
        self.failed: set[str] = set()  # keys whose value was reported and reads as missing
        self.allowed: tuple[str, ...] | None = None  # the keys it may hold, once known

    # -- positions
    def at(self, key: Any) -> Position:
        """Where the value of `key` starts (the mapping's position if it has none)."""
        return value_pos(self.container, key, self.pos)

    def key_at(self, key: Any) -> Position:
        """Where the key `key` is written."""
        return key_pos(self.container, key, self.pos)

    def raw(self, key: str, default: Any = None) -> Any:
        """The value of `key` as it is, remembering where it and its key are written."""
        value = self.map.get(key, _MISSING)
        if value is _MISSING:
            return default
        if self.remember:
            self.positions[key] = self.container.val_pos.get(key, self.pos)
            self.positions[_key_name(key)] = self.container.key_pos.get(key, self.pos)
        return value

    # -- problems
    def error(self, key: str, message: str, *, at_key: bool = False) -> None:
        """Report a problem with the value of `key`, which then reads as missing."""
        self.failed.add(key)
        self.out.error(self.key_at(key) if at_key else self.at(key), message)

    def _required(self, key: str) -> None:
        self.failed.add(key)
        if not self.misspelt(key):
            self.out.error(self.pos, f"{self.what}: '{key}' is required")

    def _wrong(self, key: str, value: Any, expected: str) -> None:
        self.error(key, f"{self.what}: '{key}' must be {expected}, not {type_name(value)}")

    # -- scalars
    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        """Free text; a number stands for its text."""
        return self._text(key, required, default, numbers=True)

    def word(self, key: str, *, required: bool = False, default: str = "") -> str:
        """An identifier or a fixed word (a kind, a status): text, not a number."""
        return self._text(key, required, default, numbers=self.foreign)

    def ident(self, key: str = "id", *, required: bool = True) -> str:
        """An id: a word that also follows the id rule (`ids.is_id`)."""
        value = self.word(key, required=required)
        if value:
            problem = id_problem(value, self.what, key)
            if problem:
                self.error(key, problem)
        return value

    def _text(self, key: str, required: bool, default: str, numbers: bool) -> str:
        value = self.raw(key)
        if isinstance(value, str) and value:
            return value
        if value is None or value == "":
            if required:
                self._required(key)
            return default
        if numbers and _is_number(value):
            return str(value)
        self._wrong(key, value, "text")
        return default

    def integer(
        self, key: str, *, low: int | None = None, high: int | None = None, required: bool = False
    ) -> int | None:
        """A whole number, within `low`..`high` when they are given."""
        value = self.raw(key)
        if value is None:
            if required:
                self._required(key)
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self._wrong(key, value, "a whole number")
            return None
        problem = range_problem(value, low, high, self.what, key)
        if problem:
            self.error(key, problem)
            return None
        return value

    def flag(self, key: str, default: bool | None = None) -> bool | None:
        """true or false."""
        value = self.raw(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self._wrong(key, value, "true or false")
            return default
        return value

    # -- collections
    def mapping(self, key: str, *, required: bool = False) -> LMap | None:
        value = self.raw(key)
        if value is None:
            if required:
                self._required(key)
            return None
        if not isinstance(value, dict):
            self._wrong(key, value, "a mapping")
            return None
        return cast(LMap, value)  # located data: the loader makes every mapping an LMap

    def sequence(self, key: str) -> LList | None:
        value = self.raw(key)
        if value is None:
            return None
        if not isinstance(value, list):
            self._wrong(key, value, "a list")
            return None
        return cast(LList, value)

    def id_entries(self, key: str) -> list[tuple[str, Position]]:
        """A list of identifiers (or a single one without brackets), each with its position."""
        value = self.raw(key)
        if is_missing(value):
            return []
        if isinstance(value, str) or (self.foreign and _is_number(value)):
            return [(str(value), self.at(key))]
        if not isinstance(value, list):
            self._wrong(key, value, "a list")
            return []
        items: list[tuple[str, Position]] = []
        for index, item in enumerate(value):
            where = value_pos(value, index, self.at(key))
            if isinstance(item, str) and item:
                text = item
            elif self.foreign and _is_number(item):
                text = str(item)
            elif self.foreign and is_missing(item):
                continue
            else:
                self.failed.add(key)
                self.out.error(
                    where,
                    f"{self.what}: '{key}' entries must not be empty"
                    if item == ""
                    else f"{self.what}: '{key}' entries must be text, not {type_name(item)}",
                )
                continue
            self.positions[f"{key}[{len(items)}]"] = where  # for messages about one entry
            items.append((text, where))
        return items

    def id_list(self, key: str) -> tuple[str, ...]:
        """`id_entries` without the positions (they stay in `positions`)."""
        return tuple(text for text, _ in self.id_entries(key))

    def ident_list(self, key: str) -> tuple[str, ...]:
        """A list of new ids (names this mapping defines): entries that break the id rule are
        reported and left out."""
        kept = []
        for text, where in self.id_entries(key):
            problem = id_problem(text, self.what, f"{key} entry")
            if problem:
                self.out.error(where, problem)
                continue
            kept.append(text)
        return tuple(kept)

    # -- keys
    def misspelt(self, key: str) -> bool:
        """Whether the mapping holds a misspelling of `key`, reported as an unknown key (with a
        'did you mean') elsewhere: then a missing `key` needs no message of its own."""
        if self.allowed is None or key in self.map:
            return False
        hint = did_you_mean(key, (key,))
        return any(
            isinstance(other, str)
            and other not in self.allowed
            and did_you_mean(other, self.allowed) == hint
            for other in self.map
        )

    def reject_unknown(self, allowed: Iterable[str]) -> None:
        """Report every key that is not in `allowed`, with a 'did you mean'."""
        allowed = tuple(allowed)
        self.allowed = allowed
        for key in self.map:
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                if not hint and " " in key.strip():
                    hint = (
                        " (in a {...} mapping a comma ends the value: quote a value that "
                        "contains commas)"
                    )
                self.out.error(self.key_at(key), f"{self.what}: unknown key '{key}'{hint}")


def each_mapping(
    items: Any, out: Collector, what: str, where: Position
) -> Iterator[tuple[int, LMap]]:
    """Yield (index, LMap) for a list of mappings, reporting non-mapping items."""
    if items is None:
        return
    if not isinstance(items, list):
        out.error(where, f"'{what}' must be a list, not {type_name(items)}")
        return
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            out.error(
                value_pos(items, index, where),
                f"{what}[{index + 1}] must be a mapping, not {type_name(item)}",
            )
            continue
        yield index, cast(LMap, item)


_BREAK = re.compile(
    r"\r\n|[\r\n\x85\u2028\u2029]"
)  # YAML 1.1 line breaks, as the parser counts them
_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX_LENGTH = {"x": 2, "u": 4, "U": 8}


def position_in_scalar(source: str, start: Position, text: str, offset: int) -> Position | None:
    """Where character `offset` of the scalar `text`, which starts at `start` in `source`, is
    written: follows block (| >) and multi-line plain scalars and quoted escapes, which all
    change only whitespace or turn one escape into one character. None if it cannot tell."""
    lines = _BREAK.split(source)
    row, col = start.line - 1, start.col - 1
    if not 0 <= row < len(lines) or not 0 <= col <= len(lines[row]):
        return None
    line = lines[row]
    quote = line[col - 1] if col and line[col - 1] in "'\"" else ""
    if not quote and line[col : col + 1] in ("|", ">"):
        row, col = row + 1, 0  # a block scalar's text starts on the next line
    wanted = sum(1 for c in text[:offset] if not c.isspace())  # visible characters before it
    after = offset >= len(text) or text[offset].isspace()  # then point just past the last one
    last = None
    for unit_row, unit_col in _visible(lines, row, col, quote):
        if wanted == 0 and not after:
            return Position(file=start.file, line=unit_row + 1, col=unit_col + 1)
        last = (unit_row, unit_col)
        wanted -= 1
        if wanted == 0 and after:
            return Position(file=start.file, line=unit_row + 1, col=unit_col + 2)
    if last is None or wanted > 0:
        return None
    return Position(file=start.file, line=last[0] + 1, col=last[1] + 2)


def _visible(lines: list[str], row: int, col: int, quote: str):
    """(row, col) of each source character that stands for a visible character of the value."""
    while row < len(lines):
        line = lines[row]
        while col < len(line):
            char = line[col]
            if quote and char == quote:
                if quote == "'" and line[col + 1 : col + 2] == "'":
                    yield row, col  # '' is one quote
                    col += 2
                    continue
                return
            if quote == '"' and char == "\\":
                code = line[col + 1 : col + 2]
                if not code:  # an escaped line break joins the lines
                    break
                width = 2 + _HEX_LENGTH.get(code, 0)
                try:
                    value = (
                        chr(int(line[col + 2 : col + width], 16))
                        if code in _HEX_LENGTH
                        else _ESCAPES[code]
                    )
                except (KeyError, ValueError):
                    return
                if not value.isspace():
                    yield row, col
                col += width
                continue
            if not char.isspace():
                yield row, col
            col += 1
        row, col = row + 1, 0
