"""Typed reading of located YAML mappings that reports problems instead of raising."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from threatmodel.errors import Collector, Position, did_you_mean
from threatmodel.loader import LList, LMap, key_pos, value_pos

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
_MISSING = object()


def type_name(value: Any) -> str:
    """How a YAML value's type is named in messages."""
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
    if isinstance(value, list):
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


class Fields:
    """One YAML mapping read field by field; every problem goes to `out` with its position."""

    def __init__(self, mapping: LMap, out: Collector, what: str):
        self.map = mapping
        self.out = out
        self.what = what
        self.positions: dict[str, Position] = {}
        self.allowed: tuple[str, ...] | None = None  # the keys it may hold, once known

    @property
    def pos(self) -> Position:
        return self.map.pos

    def at(self, key: str) -> Position:
        return value_pos(self.map, key, self.map.pos)

    def key_at(self, key: str) -> Position:
        return key_pos(self.map, key, self.map.pos)

    def raw(self, key: str, default: Any = None) -> Any:
        if key in self.map:
            self.positions[key] = self.at(key)
        return self.map.get(key, default)

    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        value = self.raw(key, _MISSING)
        if value is _MISSING or value is None:
            if required and not self.misspelt(key):
                self.out.error(self.pos, f"{self.what}: '{key}' is required")
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not required:
            return str(value)
        if not isinstance(value, str):
            self.out.error(
                self.at(key), f"{self.what}: '{key}' must be text, not {type_name(value)}"
            )
            return default
        return value

    def ident(self, key: str = "id", *, required: bool = True) -> str:
        value = self.text(key, required=required)
        if value and not ID_RE.match(value):
            self.out.error(
                self.at(key),
                f"{self.what}: {key} {show(value)} must start with a letter "
                "or digit and use only letters, digits, '_', '-', '.', ':'",
            )
        return value

    def integer(
        self, key: str, *, low: int | None = None, high: int | None = None, required: bool = False
    ) -> int | None:
        value = self.raw(key, _MISSING)
        if value is _MISSING:
            if required and not self.misspelt(key):
                self.out.error(self.pos, f"{self.what}: '{key}' is required")
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.out.error(
                self.at(key), f"{self.what}: '{key}' must be a whole number, not {type_name(value)}"
            )
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.out.error(
                self.at(key),
                f"{self.what}: '{key}' is {value}; it must be {_range_text(low, high)}",
            )
            return None
        return value

    def id_list(self, key: str) -> tuple[str, ...]:
        """A list of ids, or a single id written without brackets."""
        value = self.raw(key, _MISSING)
        if value is _MISSING or value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list):
            self.out.error(
                self.at(key), f"{self.what}: '{key}' must be a list, not {type_name(value)}"
            )
            return ()
        items = []
        for index, item in enumerate(value):
            where = value_pos(value, index, self.at(key))
            if not isinstance(item, str):
                self.out.error(
                    where, f"{self.what}: '{key}' entries must be text, not {type_name(item)}"
                )
                continue
            self.positions[f"{key}[{len(items)}]"] = where  # for messages about one entry
            items.append(item)
        return tuple(items)

    def mapping(self, key: str) -> LMap | None:
        value = self.raw(key, _MISSING)
        if value is _MISSING or value is None:
            return None
        if not isinstance(value, dict):
            self.out.error(
                self.at(key), f"{self.what}: '{key}' must be a mapping, not {type_name(value)}"
            )
            return None
        return value

    def sequence(self, key: str) -> LList | None:
        value = self.raw(key, _MISSING)
        if value is _MISSING or value is None:
            return None
        if not isinstance(value, list):
            self.out.error(
                self.at(key), f"{self.what}: '{key}' must be a list, not {type_name(value)}"
            )
            return None
        return value

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


def _range_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"between {low} and {high}"
    if low is not None:
        return f"at least {low}"
    return f"at most {high}"


def each_mapping(items: Any, out: Collector, what: str, where: Position):
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
        yield index, item


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
