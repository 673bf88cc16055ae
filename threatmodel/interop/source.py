"""Reading another tool's file (YAML or JSON) into located data: LMap / LList with positions.

YAML goes through `threatmodel.loader` as usual (merge keys allowed: Threagile's own example
uses them). JSON is first scanned against the same limits as YAML (nesting depth, number of
values, length of a value, digits of an integer), then parsed twice: once by `json` (strict,
duplicate keys, NaN and lone surrogates refused) for exact values, and once through the YAML
loader for positions only.
JSON is nearly YAML, but not quite for PyYAML (YAML 1.1): `1e5` is a string there, surrogate
escapes are refused and tabs may not indent. So tabs outside strings become spaces and
surrogate escapes become same-length placeholders before the position pass (columns are kept),
and the values always come from `json`. When even that pass fails, the data keeps the file name
as its only position.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from threatmodel.errors import Position, Problem, ThreatModelError
from threatmodel.loader import DEFAULT_LIMITS, Limits, LList, LMap, load_text, read_text

_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


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
    """Strict JSON with duplicate keys refused; positions borrowed from a YAML pass."""
    if not text.strip():
        raise ThreatModelError(
            [
                Problem(
                    message="file is empty; expected a JSON object",
                    pos=Position(file=display, line=1, col=1),
                )
            ]
        )
    check_json_limits(text, display, limits)
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
    located = _positions(text, display, limits)
    if duplicate:
        where = _duplicate_position(text, display, duplicate[0])
        raise ThreatModelError([Problem(message=f"duplicate key '{duplicate[0]}'", pos=where)])
    problems: list[Problem] = []
    result = overlay(values, located, Position(file=display), problems)
    if problems:
        raise ThreatModelError(problems)
    return result


# one JSON token: a string (perhaps unterminated), a bracket, or a bare word (number, literal)
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|[\[{]|[\]}]|[^\s\[\]{}",:]+')
_INTEGER = re.compile(r"-?[0-9]+")


def check_json_limits(text: str, display: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse JSON deeper, bigger or with longer values than YAML may be, before `json` reads
    it (Python's parser recurses, and converts integers of any length slowly)."""
    depth = count = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        problem = None
        if token in ("[", "{"):
            depth += 1
            if depth > limits.max_depth:
                problem = f"nesting is deeper than the limit of {limits.max_depth} levels"
        elif token in ("]", "}"):
            depth -= 1
            continue
        elif token[0] == '"':
            if len(token) - 2 > limits.max_scalar_chars:
                length = _decoded_length(token)
                if length > limits.max_scalar_chars:
                    problem = (
                        f"value is {length:,} characters long, over the limit of "
                        f"{limits.max_scalar_chars:,}"
                    )
        elif _INTEGER.fullmatch(token) and len(token) > 100:
            digits = len(token.lstrip("-"))
            problem = f"invalid value '{token[:57]}...': a number with {digits:,} digits"
        count += 1
        if problem is None and count > limits.max_nodes:
            problem = f"the document has more than {limits.max_nodes:,} values"
        if problem:
            where = _offset_position(text, display, match.start())
            raise ThreatModelError([Problem(message=problem, pos=where)])


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


def _positions(text: str, display: str, limits: Limits) -> Any:
    cleaned = _SURROGATE.sub(lambda m: "\\u0020", _untab(text))
    try:
        data, _ = load_text(cleaned, display, limits)
    except ThreatModelError:
        return None
    return data


def _untab(text: str) -> str:
    """Tabs outside JSON strings become spaces (strict JSON has no raw tab inside a string)."""
    out = []
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "\t":
            char = " "
        out.append(char)
    return "".join(out)


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


def overlay(value: Any, located: Any, where: Position, problems: list | None = None) -> Any:
    """`value` (from json) rebuilt as LMap / LList carrying the positions of `located`; text
    that is not valid Unicode (a lone surrogate escape) is added to `problems`."""
    if problems is None:
        problems = []
    if isinstance(value, dict):
        pos = located.pos if isinstance(located, LMap) else where
        result = LMap(pos)
        # keys are paired by order: the position pass may spell a key differently (escapes)
        keys = list(located) if isinstance(located, LMap) and len(located) == len(value) else []
        for index, (key, item) in enumerate(value.items()):
            twin = keys[index] if keys else None
            inner = located.get(twin) if keys else None
            kpos = located.key_pos.get(twin, pos) if keys else pos
            vpos = located.val_pos.get(twin, pos) if keys else pos
            _check_text(key, kpos, problems)
            result[key] = overlay(item, inner, vpos, problems)
            result.key_pos[key] = kpos
            result.val_pos[key] = vpos
        return result
    if isinstance(value, list):
        pos = located.pos if isinstance(located, LList) else where
        items = LList(pos)
        for index, item in enumerate(value):
            fits = isinstance(located, LList) and index < len(located)
            ipos = located.item_pos[index] if fits else pos
            items.append(overlay(item, located[index] if fits else None, ipos, problems))
            items.item_pos.append(ipos)
        return items
    _check_text(value, where, problems)
    return value


def _check_text(value: Any, where: Position, problems: list) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            code = ord(value[exc.start])
            problems.append(
                Problem(
                    message=f"invalid JSON: '\\u{code:04x}' is half of a surrogate pair, "
                    "not a character (write the character itself, or both halves)",
                    pos=where,
                )
            )
