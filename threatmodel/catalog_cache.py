"""The shipped catalogs, parsed ahead of time: `catalogs/compiled.json` keeps what the YAML
loader makes of each shipped file (every value and where it is written), so that a run reads
compact JSON instead of parsing 350 KB of YAML (about three times faster).

Each entry is keyed by the SHA-256 of its file's text, and the whole cache by a stamp of what
shapes a load: this format, PyYAML's version and the loader's own source. An entry that does
not match is ignored and the file is parsed as before, so a stale, damaged or deleted cache
costs time, never a wrong result. Only the shipped catalogs use it (they are read with the
default limits); a user's catalogs are always parsed. Nothing but a developer writes it:

    python -m threatmodel.catalog_cache      (`make catalogs`; a test fails while it is stale)
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Any

import yaml

from threatmodel import loader
from threatmodel.catalog import builtin_catalog_dir
from threatmodel.errors import place
from threatmodel.loader import LList, LMap

FORMAT = 1
NAME = "compiled.json"
MAX_BYTES = 4_000_000  # the cache is read whole; a bigger file is not ours


def tree(name: str, text: str, display: str) -> LMap | LList | None:
    """What `loader.load_text(text, display)` returns as data for the shipped file `name`,
    from the cache; None when the cache has no entry for this very text."""
    entry = _entries().get(name)
    if entry is None or entry.get("sha256") != _digest(text):
        return None
    try:
        return _unpack(entry["data"], display)
    except (KeyError, IndexError, TypeError, ValueError):  # damaged: parse the YAML instead
        return None


@functools.cache
def _entries() -> dict[str, Any]:
    """The cache's entries by file name; none when it is missing, damaged or of another
    loader (its first line: format, stamp and the SHA-256 of the second, the entries)."""
    try:
        path = builtin_catalog_dir() / NAME
        if path.stat().st_size > MAX_BYTES:
            return {}
        head, _, body = path.read_bytes().partition(b"\n")
        body = body.removesuffix(b"\n")
        expected = {"format": FORMAT, "stamp": _stamp(), "sha256": hashlib.sha256(body).hexdigest()}
        if json.loads(head) != expected:
            return {}
        return dict(json.loads(body))
    except (OSError, ValueError, TypeError, RecursionError):
        return {}


def _stamp() -> str:
    source = Path(loader.__file__).read_bytes()
    return _digest(f"{FORMAT} {yaml.__version__} {hashlib.sha256(source).hexdigest()}")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# -- the packed form: a mapping is {"m": [line, col, key, key line, key col, value line,
# value col, value, ...]}, a list {"l": [line, col, item line, item col, item, ...]}, a date
# {"date": iso}, a time {"time": iso}; text, numbers, booleans and null are themselves


def _pack(value: Any) -> Any:
    if isinstance(value, LMap):
        packed: list[Any] = [value.pos.line, value.pos.col]
        for key, item in value.items():
            at, where = value.key_pos[key], value.val_pos[key]
            packed += [key, at.line, at.col, where.line, where.col, _pack(item)]
        return {"m": packed}
    if isinstance(value, LList):
        packed = [value.pos.line, value.pos.col]
        for where, item in zip(value.item_pos, value, strict=True):
            packed += [where.line, where.col, _pack(item)]
        return {"l": packed}
    if isinstance(value, datetime.datetime):
        return {"time": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} has no JSON form")
    return value


def _unpack(value: Any, file: str) -> Any:
    if type(value) is not dict:
        return value
    if "m" in value:
        packed = value["m"]
        mapping = LMap(place(file, packed[0], packed[1]))
        key_pos, val_pos = mapping.key_pos, mapping.val_pos
        for i in range(2, len(packed), 6):
            key = packed[i]
            key_pos[key] = place(file, packed[i + 1], packed[i + 2])
            val_pos[key] = place(file, packed[i + 3], packed[i + 4])
            mapping[key] = _unpack(packed[i + 5], file)
        return mapping
    if "l" in value:
        packed = value["l"]
        items = LList(place(file, packed[0], packed[1]))
        item_pos = items.item_pos
        for i in range(2, len(packed), 3):
            item_pos.append(place(file, packed[i], packed[i + 1]))
            items.append(_unpack(packed[i + 2], file))
        return items
    if "time" in value:
        return datetime.datetime.fromisoformat(value["time"])
    return datetime.date.fromisoformat(value["date"])


def build() -> str:
    """The cache's text for the shipped catalogs as they are now (deterministic)."""
    files = {}
    for path in sorted(builtin_catalog_dir().glob("*.yaml")):
        text = loader.read_text(path, path.name)
        data, _ = loader.load_text(text, path.name)  # a catalog's warnings are not shown
        files[path.name] = {"sha256": _digest(text), "data": _pack(data)}
    body = json.dumps(files, ensure_ascii=False, separators=(",", ":"))
    header = {"format": FORMAT, "stamp": _stamp(), "sha256": _digest(body)}
    return json.dumps(header) + "\n" + body + "\n"


def stale() -> bool:
    """Whether `catalogs/compiled.json` differs from what `build` makes now."""
    path = builtin_catalog_dir() / NAME
    return not path.is_file() or path.read_text(encoding="utf-8") != build()


if __name__ == "__main__":
    target = builtin_catalog_dir() / NAME
    target.write_text(build(), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")
