"""Reading another tool's file (YAML or JSON) into located data: LMap / LList with positions.

YAML goes through `threatmodel.loader` as usual (merge keys allowed: Threagile's own example
uses them). JSON is first scanned token by token against the same limits as YAML (nesting
depth, number of values, length of a value, digits of an integer), noting where each value and
key starts; then `json` parses it (strict: duplicate keys, NaN and lone surrogates refused) for exact
values, and the values take the positions of the scan in document order. (Positions are not
borrowed from a YAML pass: JSON is not quite YAML 1.1, and that pass cost ten times the rest.)
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from threatmodel.errors import Position, Problem, ThreatModelError
from threatmodel.loader import DEFAULT_LIMITS, Limits, LList, LMap, load_text, read_text

_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")  # an escape of either half


def looks_like_json(path: Path, text: str) -> bool:
    """JSON by extension, or by a first non-blank character of '{' or '['."""
    if path.suffix.lower() == ".json":
        return True
    if path.suffix.lower() in (".yaml", ".yml"):
        return False
    return text.lstrip()[:1] in ("{", "[")


def read_source(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, list]:
    """Read a YAML or JSON file; returns (located data, warnings) or raises ThreatModelError."""
    path = Path(path)
    display = str(path)
    if not path.is_file():
        raise ThreatModelError([Problem(message="file not found", pos=Position(file=display))])
    text = read_text(path, display, limits)
    if looks_like_json(path, text):
        return read_json_text(text, display, limits), []
    return load_text(text, display, limits, merge_keys=True)


def read_json_text(text: str, display: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Strict JSON with duplicate keys refused; each value and key with its position."""
    if not text.strip():
        raise ThreatModelError(
            [
                Problem(
                    message="file is empty; expected a JSON object",
                    pos=Position(file=display, line=1, col=1),
                )
            ]
        )
    offsets = scan_json(text, display, limits)
    duplicate: list[str] = []

    def pairs(items):
        seen = {}
        for key, value in items:
            if key in seen and not duplicate:
                duplicate.append(key)
            seen[key] = value
        return seen

    def constant(name: str):
        raise ValueError(f"{name} is not a JSON value")

    try:
        values = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        where = Position(file=display, line=exc.lineno, col=exc.colno)
        raise ThreatModelError([Problem(message=f"invalid JSON: {exc.msg}", pos=where)]) from None
    except ValueError as exc:  # NaN / Infinity, or a number Python will not convert
        where = _first_position(text, display, ("NaN", "Infinity", "-Infinity"))
        raise ThreatModelError([Problem(message=f"invalid JSON: {exc}", pos=where)]) from None
    except RecursionError:  # only when --limit max_depth was raised past Python's own stack
        raise ThreatModelError(
            [Problem(message="invalid JSON: nested too deeply", pos=Position(file=display))]
        ) from None
    if duplicate:
        where = _duplicate_position(text, display, duplicate[0])
        raise ThreatModelError([Problem(message=f"duplicate key '{duplicate[0]}'", pos=where)])
    if _SURROGATE.search(text) and not _encodes(values):  # before positions are built
        _refuse_lone_surrogates(values, text, display, offsets)
    place = _places(text, display, offsets).__next__
    return _located(values, place(), place)


# one JSON token: a string (perhaps unterminated), a bracket, or a bare word (number, literal)
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|[\[{]|[\]}]|[^\s\[\]{}",:]+')
_INTEGER = re.compile(r"-?[0-9]+")


def scan_json(text: str, display: str, limits: Limits = DEFAULT_LIMITS) -> array:
    """Refuse JSON deeper, bigger or with longer values than YAML may be, before `json` reads
    it (Python's parser recurses, and converts integers of any length slowly). Returns where
    each value and key starts (offsets in `text`), in the order of the document."""
    depth = count = 0
    max_depth, max_chars, max_nodes = limits.max_depth, limits.max_scalar_chars, limits.max_nodes
    offsets = array("q")
    add = offsets.append
    for match in _TOKEN.finditer(text):
        token, start = match.group(), match.start()
        first = token[0]
        problem = None
        if first == '"':
            start += 1  # a string's position is its text, not its quote (as in the YAML loader)
            if len(token) - 2 > max_chars and (length := _decoded_length(token)) > max_chars:
                problem = f"value is {length:,} characters long, over the limit of {max_chars:,}"
        elif first in "]}":
            depth -= 1
            continue
        elif first in "[{":
            depth += 1
            if depth > max_depth:
                problem = f"nesting is deeper than the limit of {max_depth} levels"
        elif len(token) > 100 and _INTEGER.fullmatch(token):
            digits = len(token.lstrip("-"))
            problem = f"invalid value '{token[:57]}...': a number with {digits:,} digits"
        count += 1
        if problem is None and count > max_nodes:
            problem = f"the document has more than {max_nodes:,} values"
        if problem:
            where = _offset_position(text, display, match.start())
            raise ThreatModelError([Problem(message=problem, pos=where)])
        add(start)
    return offsets


def _decoded_length(token: str) -> int:
    try:
        return len(json.loads(token))
    except ValueError:
        return len(token) - 2


def _offset_position(text: str, display: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    return Position(file=display, line=line, col=offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _first_position(text: str, display: str, words: tuple[str, ...]) -> Position:
    found = [at for at in (text.find(w) for w in words) if at >= 0]
    return _offset_position(text, display, min(found)) if found else Position(file=display)


def _places(text: str, display: str, offsets: array) -> Iterator[Position]:
    """The positions of valid JSON's values and keys, one after another in document order,
    from their offsets (lines counted once, moving forward)."""
    line, line_start, last = 1, 0, 0
    for offset in offsets:
        newlines = text.count("\n", last, offset)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", last, offset) + 1
        last = offset
        yield Position(file=display, line=line, col=offset - line_start + 1)


def _located(value: Any, pos: Position, place) -> Any:
    """`value` (from json) as LMap / LList with positions; `place()` gives the position of the
    next key or value in document order, the order json built `value` in."""
    if isinstance(value, dict):
        result = LMap(pos)
        for key, item in value.items():
            kpos = place()
            vpos = place()
            result[key] = _located(item, vpos, place)
            result.key_pos[key] = kpos
            result.val_pos[key] = vpos
        return result
    if isinstance(value, list):
        items = LList(pos)
        for item in value:
            ipos = place()
            items.append(_located(item, ipos, place))
            items.item_pos.append(ipos)
        return items
    return value


def _parts(value: Any) -> Iterator[Any]:
    """`value`, then each key and value inside it, in document order."""
    yield value
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _parts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _parts(item)


def _encodes(value: Any) -> bool:
    """Whether all text in `value` is valid Unicode (one pass in C: surrogate pairs are common,
    lone surrogates rare)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse_lone_surrogates(value: Any, text: str, display: str, offsets: array) -> None:
    """Text that is not valid Unicode (a lone surrogate escape) is an error at its place."""
    bad: dict[int, str] = {}
    for index, part in enumerate(_parts(value)):
        if isinstance(part, str):
            try:
                part.encode("utf-8")
            except UnicodeEncodeError as exc:
                bad[offsets[index]] = part[exc.start]
    if bad:
        raise ThreatModelError(
            [
                Problem(
                    message=f"invalid JSON: '\\u{ord(char):04x}' is half of a surrogate pair, "
                    "not a character (write the character itself, or both halves)",
                    pos=where,
                )
                for char, where in zip(
                    bad.values(), _places(text, display, array("q", bad)), strict=True
                )
            ]
        )


def _duplicate_position(text: str, display: str, key: str) -> Position:
    """Where a duplicated key appears for the second time (best effort: the text of the key)."""
    needle = json.dumps(key)
    first = text.find(needle)
    second = text.find(needle, first + 1) if first >= 0 else -1
    at = second if second >= 0 else first
    if at < 0:
        return Position(file=display)
    line = text.count("\n", 0, at) + 1
    return Position(file=display, line=line, col=at - (text.rfind("\n", 0, at) + 1) + 1)
