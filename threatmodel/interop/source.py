"""Reading another tool's file (YAML or JSON) into located data: LMap / LList with positions.

YAML goes through `threatmodel.loader` as usual (merge keys allowed: Threagile's own example
uses them). JSON is parsed by `json`'s C scanner (strict: duplicate keys, NaN and lone
surrogates refused), then one walk of the values checks the same limits as YAML (nesting
depth, number of values, length of a key or value; integers over 100 digits are refused as
they are parsed) and tells each container the index of its token. A position is worked out
only when asked for, from one regular-expression pass over the text. Anything refused is
then scanned token by token (`scan_json`) for the message and the place of the first limit
crossed, so a refusal costs one scan and an accepted file none.
"""

from __future__ import annotations

import json
import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from threatmodel import forked
from threatmodel.collector import no_cycle_collection
from threatmodel.errors import Position, Problem, ThreatModelError, place
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
    if _may_exceed(text, limits.max_nodes):  # refused before json builds millions of values
        scan_json(text, display, limits)
    duplicate: list[str] = []

    def new_map(pairs: list) -> JMap:
        node = JMap(pairs)
        if len(node) != len(pairs) and not duplicate:  # a key given twice: the first one
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    duplicate.append(key)
                    break
                seen.add(key)
        return node

    def constant(name: str):
        raise ValueError(f"{name} is not a JSON value")

    document = _Document(text, display)

    def parse() -> Any:
        with no_cycle_collection():
            values = json.loads(
                text, object_pairs_hook=new_map, parse_constant=constant, parse_int=bounded_int
            )
            return _located(values, document, limits)

    try:
        if len(text) >= SCAN_BESIDE and forked.usable():  # the scan in a child meanwhile
            (document.starts, document.lines), located = forked.beside(document.scan, parse)
        else:
            located = parse()
    except (_PastLimit, ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        scan_json(text, display, limits)  # a limit crossed (before an error): refused at it
        raise _refusal(exc, text, display) from None
    if duplicate:
        where = _duplicate_position(text, display, duplicate[0])
        raise ThreatModelError([Problem(message=f"duplicate key '{duplicate[0]}'", pos=where)])
    if _SURROGATE.search(text) and not _encodes(located):
        _refuse_lone_surrogates(located, document)
    return located


def _refusal(exc: Exception, text: str, display: str) -> ThreatModelError:
    """The error for what `json` refused (within the limits)."""
    if isinstance(exc, json.JSONDecodeError):
        where = Position(file=display, line=exc.lineno, col=exc.colno)
        return ThreatModelError([Problem(message=f"invalid JSON: {exc.msg}", pos=where)])
    if isinstance(exc, ValueError):  # NaN / Infinity, or a number Python will not convert
        where = _first_position(text, display, ("NaN", "Infinity", "-Infinity"))
        return ThreatModelError([Problem(message=f"invalid JSON: {exc}", pos=where)])
    return ThreatModelError(  # only when --limit max_depth was raised past Python's stack
        [Problem(message="invalid JSON: nested too deeply", pos=Position(file=display))]
    )


def _may_exceed(text: str, max_nodes: int) -> bool:
    """Whether `text` might hold more than `max_nodes` keys and values: each but the first
    follows its own '[', '{', ',' or ':' (counted in strings too, so this never undercounts)."""
    return sum(text.count(c) for c in "[{,:") + 1 > max_nodes


def bounded_int(digits: str) -> int:
    """`int(digits)`, or ValueError past MAX_DIGITS (before Python converts a long one)."""
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise ValueError("too many digits")
    return int(digits)


MAX_DIGITS = 100  # digits of an integer (as YAML's loader allows; Python refuses 4,300)
# characters from which a JSON text's positions are scanned in a child while it is parsed
# (below, forking costs more than it saves)
SCAN_BESIDE = 4 * 2**20


class _PastLimit(Exception):
    """A limit is crossed somewhere in the document (`scan_json` says which, and where)."""


class _Document:
    """The text of a JSON document, and the position of its `index`th key or value (in
    document order), worked out when first asked for: one regular expression pass finds where
    each starts (`scan`), so nothing is done per value in Python until a position is wanted.
    A big document is scanned in a forked child while it is parsed (`read_json_text`)."""

    def __init__(self, text: str, display: str):
        self.text, self.display = text, display
        self.starts: array | None = None
        self.lines = array("q")

    def scan(self) -> tuple[array, array]:
        """Where each key or value starts, and where each line starts."""
        lines = array("q", [0])
        lines.extend(map(_END, _NEWLINE.finditer(self.text)))
        return array("q", map(_START, _VALUE.finditer(self.text))), lines

    def position(self, index: int) -> Position:
        if self.starts is None:
            self.starts, self.lines = self.scan()
        offset = self.starts[index]
        offset += self.text[offset] == '"'  # a string's position is its text, not its quote
        line = bisect_right(self.lines, offset)
        return place(self.display, line, offset - self.lines[line - 1] + 1)


# where a key or value starts in valid JSON: a string (skipped whole), '[', '{' or a bare word
_VALUE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]|[^\s\[\]{}",:]+')
_NEWLINE = re.compile("\n")
_START, _END = re.Match.start, re.Match.end


def _lazy(owner: type, name: str, fill: Callable[[Any], None]) -> property:
    """A property over `owner`'s slot `name` that calls `fill(self)` to set it when unset."""
    slot = owner.__dict__[name]

    def get(self: Any) -> Any:
        try:
            return slot.__get__(self, type(self))
        except AttributeError:
            fill(self)
            return slot.__get__(self, type(self))

    return property(get, slot.__set__)


class JMap(LMap):
    """An LMap read from JSON; `pos`, `key_pos` and `val_pos` are filled in when first read
    (from the index of its own token and of its keys' tokens), then are plain as in LMap."""

    __slots__ = ("_at", "_doc", "_keys", "_kidx")
    _at: int
    _doc: _Document
    _keys: tuple[str, ...]
    _kidx: array

    def __init__(self, pairs: list) -> None:
        dict.__init__(self, pairs)

    def _fill_pos(self) -> None:
        self.pos = self._doc.position(self._at)

    def _fill_maps(self) -> None:
        tokens = dict(zip(self._keys, self._kidx, strict=True))
        self.key_pos = _Places(self._doc.position, tokens, 0)
        self.val_pos = _Places(self._doc.position, tokens, 1)  # a value's token follows its key's

    pos = _lazy(LMap, "pos", _fill_pos)
    key_pos = _lazy(LMap, "key_pos", _fill_maps)
    val_pos = _lazy(LMap, "val_pos", _fill_maps)


class _Places(dict):
    """Where a JSON object's keys (or values) are, each worked out when first asked for
    (building a `Position` for every key and value of every object read took a big pytm
    import from 10.5 s to 11.6 s). Read like a dict: `[key]`, `get`, `in`; set as one."""

    __slots__ = ("_place", "_shift", "_tokens")

    def __init__(self, place: Callable[[int], Position], tokens: dict[str, int], shift: int):
        super().__init__()
        self._place, self._tokens, self._shift = place, tokens, shift

    def __missing__(self, key: str) -> Position:
        found = self[key] = self._place(self._tokens[key] + self._shift)  # KeyError if none
        return found

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self._tokens

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


class JList(LList):
    """An LList read from JSON; `pos` and `item_pos` are filled in when first read."""

    __slots__ = ("_at", "_doc", "_iidx")
    _at: int
    _doc: _Document
    _iidx: array

    def __init__(self, items: list) -> None:
        list.__init__(self, items)

    def _fill_pos(self) -> None:
        self.pos = self._doc.position(self._at)

    def _fill_items(self) -> None:
        self.item_pos = list(map(self._doc.position, self._iidx))

    pos = _lazy(LList, "pos", _fill_pos)
    item_pos = _lazy(LList, "item_pos", _fill_items)


def _located(value: Any, document: _Document, limits: Limits) -> Any:
    """`value` (from json, its objects JMap already) with lists made JList and each container
    told the index of its own token and of its keys' or items' tokens; the depth, the length
    of each key and text are checked on the way (_PastLimit); the number of values was, before
    json read them (`_may_exceed`)."""
    max_depth, max_chars = limits.max_depth, limits.max_scalar_chars
    index = 0

    def walk(node: Any, depth: int) -> Any:
        nonlocal index
        if depth > max_depth:
            raise _PastLimit
        at = index
        index += 1
        indexes = array("q")
        add = indexes.append
        if type(node) is JMap:
            for key, item in node.items():
                if len(key) > max_chars:
                    raise _PastLimit
                add(index)
                index += 1
                kind = type(item)
                if kind is JMap:
                    walk(item, depth + 1)
                elif kind is list:
                    node[key] = walk(item, depth + 1)
                else:
                    if kind is str and len(item) > max_chars:
                        raise _PastLimit
                    index += 1
            node._keys, node._kidx = tuple(node), indexes
        else:
            node = JList(node)
            for i, item in enumerate(node):
                add(index)
                kind = type(item)
                if kind is JMap:
                    walk(item, depth + 1)
                elif kind is list:
                    node[i] = walk(item, depth + 1)
                else:
                    if kind is str and len(item) > max_chars:
                        raise _PastLimit
                    index += 1
            node._iidx = indexes
        node._at, node._doc = at, document
        return node

    if type(value) is JMap or type(value) is list:
        return walk(value, 1)
    if type(value) is str and len(value) > max_chars:
        raise _PastLimit
    return value


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


def _refuse_lone_surrogates(value: Any, document: _Document) -> None:
    """Text that is not valid Unicode (a lone surrogate escape) is an error at its place."""
    problems = []
    for index, part in enumerate(_parts(value)):
        if isinstance(part, str):
            try:
                part.encode("utf-8")
            except UnicodeEncodeError as exc:
                problems.append(
                    Problem(
                        message=f"invalid JSON: '\\u{ord(part[exc.start]):04x}' is half of a "
                        "surrogate pair, not a character (write the character itself, or both "
                        "halves)",
                        pos=document.position(index),
                    )
                )
    if problems:
        raise ThreatModelError(problems)


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
