"""Read a system model from YAML files (with `include:`) into model objects."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from threatmodel.checks import collecting
from threatmodel.collector import no_cycle_collection
from threatmodel.errors import Collector, Position, Problem, ThreatModelError, type_name
from threatmodel.fields import Fields, each_mapping
from threatmodel.loader import (
    DEFAULT_LIMITS,
    Limits,
    LMap,
    load_file,
    load_text,
    value_pos,
)
from threatmodel.model import (
    Boundary,
    Control,
    DataAsset,
    DataFlow,
    Element,
    System,
    SystemModel,
    attribute_problem,
)
from threatmodel.vocabulary import Vocabulary, parse_vocabulary
from threatmodel.work import WORK_LIMITS, over_work_limits, too_many

SECTIONS = ("data", "elements", "flows", "boundaries", "controls")
TOP_KEYS = ("system", "include", "vocabulary", "decisions") + SECTIONS
INCLUDED_KEYS = ("include", "vocabulary") + SECTIONS
MAX_INCLUDES = 200
# The fixed (structural) fields of each kind of object; every other key is an attribute.
SYSTEM_FIELDS = ("id", "name", "owner", "description")
DATA_FIELDS = ("id", "name", "description", "categories", "subjects", "source")
ELEMENT_FIELDS = ("id", "kind", "type", "name", "description", "stores", "inputs")
FLOW_FIELDS = ("id", "from", "to", "data", "name", "description")
BOUNDARY_FIELDS = ("id", "kind", "name", "description", "members")
CONTROL_FIELDS = ("mitigation", "targets", "note")


def read_model_file(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> SystemModel:
    """Read a model file and everything it includes.

    Unreadable YAML raises ThreatModelError at once; problems in the model's structure are
    kept in `model.problems` so that validation can report them together with its own.
    """
    path = Path(path)
    reader = _Reader(path.resolve().parent, limits)
    with no_cycle_collection():  # a located tree, then the model's objects: no cycles
        data, warnings = load_file(path, str(path), limits, sections=reader.caps())
        reader.warnings.extend(warnings)
        reader.main_data = data
        with contextlib.suppress(OSError):  # it was just read
            reader.used_bytes = path.stat().st_size
        return reader.read(data, str(path), path.resolve())


def read_model_data(
    data: Any,
    display: str = "<model>",
    base_dir: Path | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> SystemModel:
    """Build a model from already-parsed data (a dict, e.g. from tests or another tool)."""
    if not isinstance(data, LMap):
        import yaml

        data, _ = load_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True), display, limits
        )
    with no_cycle_collection():  # the model's objects: no cycles
        return _Reader((base_dir or Path.cwd()).resolve(), limits).read(data, display, None)


class _Reader:
    def __init__(self, root: Path, limits: Limits):
        self.root = root
        self.limits = limits
        self.out = Collector()
        self.warnings: list = []
        self.sections: dict[str, list] = {name: [] for name in SECTIONS}
        self.vocabularies: list[Vocabulary] = []
        self.files: list[str] = []
        self.seen: set[Path] = set()
        # A model and all its includes share one file's limits (bytes and values), so that
        # includes cannot multiply what an untrusted model may cost to read.
        self.main_data: Any = None
        self.used_bytes = 0
        self.used_nodes: int | None = None  # counted when the first include is read

    def caps(self) -> dict[str, tuple[int, str]]:
        """What is left of the work limits on sections, for the next file to read."""
        return {
            section: (
                max(getattr(self.limits, name) - len(self.sections[section]), 0),
                too_many(section, name, getattr(self.limits, name)),
            )
            for section, name in WORK_LIMITS.items()
        }

    def read(self, data: Any, display: str, resolved: Path | None) -> SystemModel:
        top = Position(file=display, line=1, col=1)
        if not isinstance(data, dict):
            raise ThreatModelError(
                [
                    _error(
                        top, f"a model must be a mapping with a 'system' key, not {type_name(data)}"
                    )
                ]
            )
        if resolved is not None:
            self.seen.add(resolved)
        self.files.append(display)
        fields = Fields(data, self.out, "model")
        fields.reject_unknown(TOP_KEYS)
        system = self._system(fields)
        self._collect(fields, display)
        self._check_work()
        vocabulary = None
        for layer in self.vocabularies:
            vocabulary = layer if vocabulary is None else vocabulary.merge(layer, self.out)
        return SystemModel(
            system=system,
            data=tuple(self.sections["data"]),
            elements=tuple(self.sections["elements"]),
            flows=tuple(self.sections["flows"]),
            boundaries=tuple(self.sections["boundaries"]),
            controls=tuple(self.sections["controls"]),
            vocabulary=vocabulary,
            files=tuple(self.files),
            warnings=tuple(self.warnings),
            problems=tuple(self.out.errors),
            decisions=data.get("decisions") if "decisions" in data else None,
            rules_checked=True,
        )

    def _system(self, fields: Fields) -> System:
        section = fields.mapping("system")
        if section is None:
            if "system" not in fields.map:
                self.out.error(
                    fields.pos, "model: 'system' is required (a mapping with at least 'id')"
                )
            return System(id="system", pos=fields.pos)
        sys_fields = Fields(section, self.out, System.noun)
        fixed = sys_fields.allowed = SYSTEM_FIELDS
        return _built(
            System,
            sys_fields,
            id=sys_fields.word("id", required=True),
            name=sys_fields.text("name"),
            owner=sys_fields.text("owner"),
            description=sys_fields.text("description"),
            attributes=_attributes(sys_fields, fixed),
        )

    def _collect(self, fields: Fields, display: str) -> None:
        vocab = fields.mapping("vocabulary")
        if vocab is not None:
            self.vocabularies.append(parse_vocabulary(vocab, self.out))
        readers = {
            "data": _data_asset,
            "elements": _element,
            "flows": _flow,
            "boundaries": _boundary,
            "controls": _control,
        }
        for name in SECTIONS:
            for _, item in each_mapping(fields.raw(name), self.out, name, fields.at(name)):
                self.sections[name].append(readers[name](item, self.out))
        for index, include in enumerate(fields.id_list("include")):
            where = value_pos(fields.map.get("include"), index, fields.at("include"))
            self._include(include, where, Path(display).parent)

    def _check_work(self) -> None:
        """Refuse a model (with its includes) past a work limit: too many elements or flows,
        or boundaries nested too deep. One problem per limit, at the first item past it."""
        self.out.problems.extend(over_work_limits(self.sections, self.limits))

    def _include(self, relative: str, where: Position, base: Path) -> None:
        if len(self.files) >= MAX_INCLUDES:
            self.out.error(where, f"include: more than {MAX_INCLUDES} files")
            return
        candidate = Path(relative)
        full = base / candidate
        try:  # the file system may refuse the name itself (too long, a NUL byte, a loop)
            resolved = full.resolve()
            outside = candidate.is_absolute() or not _inside(resolved, self.root)
            found = not outside and resolved.is_file()
            size = resolved.stat().st_size if found else 0
        except (OSError, ValueError, RuntimeError) as exc:  # RuntimeError: a symlink loop (3.11)
            reason = getattr(exc, "strerror", None) or str(exc)
            self.out.error(where, f"include: cannot read '{show_text(relative)}': {reason}")
            return
        if outside:
            self.out.error(
                where,
                f"include: '{relative}' is outside the model's directory; "
                "includes must be relative paths below it",
            )
            return
        if resolved in self.seen:
            self.out.error(where, f"include: '{relative}' is included twice (or includes itself)")
            return
        if not found:
            self.out.error(where, f"include: file '{relative}' not found")
            return
        self.seen.add(resolved)
        display = str(full)
        if self.used_nodes is None:
            self.used_nodes = count_values(self.main_data)
        if (
            self.used_bytes + size > self.limits.max_bytes
            or self.used_nodes >= self.limits.max_nodes
        ):
            self.out.error(
                where,
                f"include: '{relative}' would take the model over its limit of "
                f"{self.limits.max_bytes:,} bytes or {self.limits.max_nodes:,} "
                "values (the limits cover a model with all its includes)",
            )
            return
        try:  # one file's limits bound this read; the shared budget is checked after it
            data, warnings = load_file(resolved, display, self.limits, sections=self.caps())
        except ThreatModelError as exc:
            self.out.problems.extend(exc.problems)
            return
        self.used_bytes += size
        self.used_nodes += count_values(data)
        if self.used_nodes > self.limits.max_nodes:
            self.out.error(
                where,
                f"include: '{relative}' would take the model over its limit of "
                f"{self.limits.max_bytes:,} bytes or {self.limits.max_nodes:,} "
                "values (the limits cover a model with all its includes)",
            )
            return
        self.warnings.extend(warnings)
        self.files.append(display)
        if not isinstance(data, dict):
            self.out.error(
                Position(file=display, line=1, col=1),
                f"an included file must be a mapping, not {type_name(data)}",
            )
            return
        fields = Fields(data, self.out, "included model")
        if "system" in data:
            self.out.error(
                fields.key_at("system"),
                "included model: 'system' belongs in the main "
                "model only; an included file adds sections",
            )
        fields.reject_unknown(INCLUDED_KEYS + ("system",))
        self._collect(fields, display)


def show_text(text: str, limit: int = 60) -> str:
    """`text`, shortened to `limit` characters for a message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def count_values(data: Any) -> int:
    """How many values `data` holds, counting shared (aliased) values each time they appear,
    as the loader's limit does. Bounded by that limit, so the walk is too."""
    count, stack = 0, [data]
    while stack:
        value = stack.pop()
        count += 1
        if isinstance(value, dict):
            stack.extend(value.values())
            count += len(value)  # the keys
        elif isinstance(value, list):
            stack.extend(value)
    return count


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _error(pos: Position, message: str) -> Problem:
    return Problem(message=message, pos=pos)


def _attributes(fields: Fields, fixed: tuple[str, ...]) -> dict[str, Any]:
    """Every key outside the fixed fields, as an attribute value (lists become tuples); a value
    that cannot be an attribute (see `model.attribute_problem`) is reported and left out."""
    result = {}
    for key, value in fields.map.items():
        if key in fixed:
            continue
        fields.raw(key)  # remembers where the key and its value are
        problem = attribute_problem(fields.what, key, value)
        if problem:
            fields.error(key, problem)
            continue
        result[key] = tuple(value) if isinstance(value, list) else value
    return result


_Object = TypeVar("_Object")


def _built(cls: Callable[..., _Object], fields: Fields, **values: Any) -> _Object:
    """An object of `cls` from the values read by `fields`, with a problem in `fields.out` for
    each of its rules it breaks (rules on values already reported are not run again)."""
    # `_attributes` has already applied the attributes' rule to each one (reporting them all)
    with collecting(skip=fields.failed | {"attributes"}) as broken:
        obj = cls(**values, pos=fields.pos, field_pos=fields.positions)
    fields.out.problems.extend(broken)
    return obj


def _data_asset(item: LMap, out: Collector) -> DataAsset:
    fields = Fields(item, out, DataAsset.noun)
    fixed = fields.allowed = DATA_FIELDS
    asset_id = fields.word("id", required=True)
    fields.what = f"data asset '{asset_id}'"
    return _built(
        DataAsset,
        fields,
        id=asset_id,
        name=fields.text("name"),
        description=fields.text("description"),
        categories=fields.id_list("categories"),
        subjects=fields.integer("subjects"),
        source=fields.word("source") or None,
        attributes=_attributes(fields, fixed),
    )


def _element(item: LMap, out: Collector) -> Element:
    fields = Fields(item, out, Element.noun)
    fixed = fields.allowed = ELEMENT_FIELDS
    element_id = fields.word("id", required=True)
    fields.what = f"element '{element_id}'"
    return _built(
        Element,
        fields,
        id=element_id,
        kind=fields.word("kind", required=True),
        type=fields.word("type") or None,
        name=fields.text("name"),
        description=fields.text("description"),
        stores=fields.id_list("stores"),
        inputs=fields.id_list("inputs"),
        attributes=_attributes(fields, fixed),
    )


def _flow(item: LMap, out: Collector) -> DataFlow:
    fields = Fields(item, out, DataFlow.noun)
    fixed = fields.allowed = FLOW_FIELDS
    flow_id = fields.word("id", required=True)
    fields.what = f"flow '{flow_id}'"
    for wrong, right in (("source", "from"), ("target", "to")):
        if wrong in item and right not in item:
            out.error(fields.key_at(wrong), f"flow '{flow_id}': write '{right}', not '{wrong}'")
            fields.failed.add(right)  # reported: its rules need not say it is missing
    return _built(
        DataFlow,
        fields,
        id=flow_id,
        source=fields.word("from", required="source" not in item),
        target=fields.word("to", required="target" not in item),
        data=fields.id_list("data"),
        name=fields.text("name"),
        description=fields.text("description"),
        attributes=_attributes(fields, fixed + ("source", "target")),
    )


def _boundary(item: LMap, out: Collector) -> Boundary:
    fields = Fields(item, out, Boundary.noun)
    fixed = fields.allowed = BOUNDARY_FIELDS
    boundary_id = fields.word("id", required=True)
    fields.what = f"boundary '{boundary_id}'"
    return _built(
        Boundary,
        fields,
        id=boundary_id,
        type=fields.word("kind", required=True),
        name=fields.text("name"),
        description=fields.text("description"),
        members=fields.id_list("members"),
        attributes=_attributes(fields, fixed),
    )


def _control(item: LMap, out: Collector) -> Control:
    fields = Fields(item, out, "control")
    fields.reject_unknown(CONTROL_FIELDS)
    return _built(
        Control,
        fields,
        mitigation=fields.word("mitigation", required=True),
        targets=fields.id_list("targets"),
        note=fields.text("note"),
    )
