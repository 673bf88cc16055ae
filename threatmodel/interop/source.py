"""Reading another tool's file (YAML or JSON) into located data: LMap / LList with positions.

YAML goes through `threatmodel.loader` as usual. JSON is parsed twice: once by `json` (strict,
duplicate keys refused) for exact values, and once through the YAML loader for positions only.
JSON is nearly YAML, but not quite for PyYAML (YAML 1.1): `1e5` is a string there, surrogate
pair escapes are refused and tabs may not indent. So tabs outside strings become spaces and
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

_SURROGATE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")


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
    return load_text(text, display, limits)


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
    duplicate: list[str] = []

    def pairs(items):
        seen = {}
        for key, value in items:
            if key in seen and not duplicate:
                duplicate.append(key)
            seen[key] = value
        return seen

    try:
        values = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        where = Position(file=display, line=exc.lineno, col=exc.colno)
        raise ThreatModelError([Problem(message=f"invalid JSON: {exc.msg}", pos=where)]) from None
    except RecursionError:
        raise ThreatModelError(
            [Problem(message="invalid JSON: nested too deeply", pos=Position(file=display))]
        ) from None
    located = _positions(text, display, limits)
    if duplicate:
        where = _duplicate_position(text, display, duplicate[0])
        raise ThreatModelError([Problem(message=f"duplicate key '{duplicate[0]}'", pos=where)])
    return overlay(values, located, Position(file=display))


def _positions(text: str, display: str, limits: Limits) -> Any:
    cleaned = _SURROGATE.sub(lambda m: "\\u0020" * 2, _untab(text))
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


def overlay(value: Any, located: Any, where: Position) -> Any:
    """`value` (from json) rebuilt as LMap / LList carrying the positions of `located`."""
    if isinstance(value, dict):
        pos = located.pos if isinstance(located, LMap) else where
        result = LMap(pos)
        for key, item in value.items():
            inner = located.get(key) if isinstance(located, LMap) else None
            kpos = located.key_pos.get(key, pos) if isinstance(located, LMap) else pos
            vpos = located.val_pos.get(key, pos) if isinstance(located, LMap) else pos
            result[key] = overlay(item, inner, vpos)
            result.key_pos[key] = kpos
            result.val_pos[key] = vpos
        return result
    if isinstance(value, list):
        pos = located.pos if isinstance(located, LList) else where
        result = LList(pos)
        for index, item in enumerate(value):
            fits = isinstance(located, LList) and index < len(located)
            ipos = located.item_pos[index] if fits else pos
            result.append(overlay(item, located[index] if fits else None, ipos))
            result.item_pos.append(ipos)
        return result
    return value
