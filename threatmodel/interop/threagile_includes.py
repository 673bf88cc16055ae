"""A Threagile model with its `includes:` read into one located mapping.

Threagile (from 1.0) lets a model name other YAML files under `includes:`, relative to the
file that names them; each may include more. Their sections are merged into the model as
Threagile merges them: mappings (data assets, technical assets, trust boundaries, ...) gain
the included entries, `tags_available` is a union, and single values (title, date, ...) must
agree. Includes are untrusted like the model: relative paths below the model's directory
only, each file once, at most MAX_INCLUDES files, and all files together within one file's
limits (bytes and values), as for our own models' `include:`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from threatmodel.errors import Collector, Position, ThreatModelError
from threatmodel.fields import type_name
from threatmodel.interop.build import Note
from threatmodel.interop.source import read_source
from threatmodel.loader import DEFAULT_LIMITS, Limits, LList, LMap, read_text, value_pos
from threatmodel.model_yaml import MAX_INCLUDES, count_values

# sections whose entries are merged by their title
MAPPED_SECTIONS = (
    "data_assets",
    "technical_assets",
    "trust_boundaries",
    "shared_runtimes",
    "individual_risk_categories",
    "risk_tracking",
    "questions",
    "abuse_cases",
    "security_requirements",
)
LIST_SECTIONS = ("tags_available", "custom_risk_categories", "contributors")


def read_threagile(
    path: Path | str, limits: Limits = DEFAULT_LIMITS, data: Any = None
) -> tuple[Any, list[str], list[Note]]:
    """The model at `path` (already read as `data`, or read now) with every include merged
    in, the files read (main first), and notes on includes read once or empty."""
    path = Path(path)
    if data is None:
        data, _ = read_source(path, limits)
    reader = _Includes(path.resolve().parent, limits)
    reader.seen.add(path.resolve())
    reader.files.append(str(path))
    reader.used_bytes = path.stat().st_size
    reader.main_data = data
    if isinstance(data, LMap):
        reader.follow(data, data, path.parent)
    reader.out.raise_if_errors()
    return data, reader.files, reader.notes


class _Includes:
    def __init__(self, root: Path, limits: Limits):
        self.root = root
        self.limits = limits
        self.out = Collector()
        self.notes: list[Note] = []
        self.seen: set[Path] = set()
        self.files: list[str] = []
        self.used_bytes = 0
        # the values of the main file and of every include read, counted when the first
        # include is read (a file without includes is not walked again for them)
        self.main_data: Any = None
        self.used_nodes: int | None = None

    def follow(self, model: LMap, data: LMap, base: Path) -> None:
        """Merge every file `data` includes (and theirs) into `model`."""
        includes = data.get("includes")
        if includes is None:
            return
        if not isinstance(includes, list):
            self.out.error(
                value_pos(data, "includes", data.pos),
                f"includes must be a list of file names, not {type_name(includes)}",
            )
            return
        for index, name in enumerate(includes):
            where = value_pos(includes, index, data.pos)
            if not isinstance(name, str) or not name:
                self.out.error(
                    where, f"includes: entries must be file names, not {type_name(name)}"
                )
                continue
            included = self._read(name, where, base)
            if included is not None:
                merge(model, included, self.out)
                self.follow(model, included, (base / name).parent)

    def _read(self, name: str, where: Position, base: Path) -> LMap | None:
        if len(self.files) >= MAX_INCLUDES:
            self.out.error(where, f"includes: more than {MAX_INCLUDES} files")
            return None
        candidate = base / name
        try:
            resolved = candidate.resolve()
            inside = not Path(name).is_absolute() and resolved.is_relative_to(self.root)
            found = inside and resolved.is_file()
            size = resolved.stat().st_size if found else 0
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            self.out.error(where, f"includes: cannot read '{name}': {reason}")
            return None
        if not inside:
            self.out.error(
                where,
                f"includes: '{name}' is outside the model's directory; includes must be "
                "relative paths below it",
            )
            return None
        if resolved in self.seen:  # Threagile merges it again; the entries would be the same
            self.notes.append(
                Note(pos=where, topic="files included again (read once)", detail=name)
            )
            return None
        if not found:
            self.out.error(where, f"includes: file '{name}' not found")
            return None
        self.seen.add(resolved)
        over = (
            f"includes: '{name}' would take the model over its limit of "
            f"{self.limits.max_bytes:,} bytes or {self.limits.max_nodes:,} values "
            "(the limits cover a model with all its includes)"
        )
        if self.used_bytes + size > self.limits.max_bytes:
            self.out.error(where, over)
            return None
        try:
            if _blank(read_text(candidate, str(candidate), self.limits)):
                self.notes.append(
                    Note(pos=where, topic="included files with nothing in them", detail=name)
                )
                self.files.append(str(candidate))
                return None
            data, _ = read_source(candidate, self.limits)
        except ThreatModelError as exc:
            self.out.problems.extend(exc.problems)
            return None
        self.used_bytes += size
        if self.used_nodes is None:
            self.used_nodes = count_values(self.main_data)
        self.used_nodes += count_values(data)
        if self.used_nodes > self.limits.max_nodes:
            self.out.error(where, over)
            return None
        self.files.append(str(candidate))
        if not isinstance(data, LMap):
            self.out.error(
                Position(file=str(candidate), line=1, col=1),
                f"an included Threagile file must be a mapping, not {type_name(data)}",
            )
            return None
        return data


def _blank(text: str) -> bool:
    """Whether a YAML text holds nothing but blank lines and comments."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def merge(model: LMap, part: LMap, out: Collector) -> None:
    """Merge one included file's sections into the model, as Threagile does."""
    for key, value in part.items():
        if key == "includes":
            continue
        if key not in model or model[key] in (None, "", [], {}):
            _put(model, key, value, part)
        elif key in MAPPED_SECTIONS and isinstance(value, LMap) and isinstance(model[key], LMap):
            for title, item in value.items():
                if title in model[key]:
                    first = model[key].key_pos[title]
                    out.error(
                        value.key_pos[title],
                        f"{key}: '{title}' is defined twice (first at "
                        f"{Path(first.file).name}:{first.line})",
                    )
                    continue
                _put(model[key], title, item, value)
        elif key in LIST_SECTIONS and isinstance(value, LList) and isinstance(model[key], LList):
            for index, item in enumerate(value):
                if item not in model[key]:
                    model[key].append(item)
                    model[key].item_pos.append(value_pos(value, index, value.pos))
        elif model[key] != value and value not in (None, "", [], {}):
            first = model.key_pos[key]
            out.error(
                part.key_pos[key],
                f"'{key}' differs from the one in {Path(first.file).name}:{first.line} "
                "(an included file may not change it)",
            )


def _put(target: LMap, key: str, value: Any, source: LMap) -> None:
    target[key] = value
    target.key_pos[key] = source.key_pos[key]
    target.val_pos[key] = source.val_pos[key]
