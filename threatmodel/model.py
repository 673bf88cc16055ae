"""The system model: frozen attrs classes for a system, its data, elements, flows and boundaries.

One `Element` class serves actors, processes, data stores and external services: they differ
only in `kind` and in which attributes the vocabulary lets them carry, so separate classes
would add names, not behaviour. Everything beyond the fixed fields lives in `attributes`,
checked against the vocabulary when the model is validated.

Each object's own rules (id shape, a known element kind, only a datastore `stores`, ...) are
attrs validators (see `checks.py`): a model built in Python is refused at construction, and
one read from YAML gets one positioned message per broken rule. Rules that need the other
objects or the vocabulary are in `validate.py`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Literal, get_args

import attrs

from threatmodel.checks import At, range_problem, rule
from threatmodel.errors import Position, did_you_mean, type_name
from threatmodel.ids import id_problem

ElementKind = Literal["actor", "process", "datastore", "external_service"]
SubjectKind = Literal[ElementKind, "dataflow", "boundary", "system"]  # what a risk applies to
AttributeKind = Literal[SubjectKind, "data"]  # what an attribute applies to
ELEMENT_KINDS: tuple[ElementKind, ...] = get_args(ElementKind)
SUBJECT_KINDS: tuple[SubjectKind, ...] = get_args(SubjectKind)
ATTRIBUTE_KINDS: tuple[AttributeKind, ...] = get_args(AttributeKind)
MAX_SUBJECTS = 10**11  # more people than have ever lived: a typo, not a population
PYTHON = Position(file="<python>")
SCALARS = frozenset((str, bool, int, float, type(None)))  # attribute values that are not lists


def _tuple(value: Any) -> tuple:
    return tuple(value) if value is not None else ()


def _mapping(value: Any) -> dict:
    return dict(value) if value is not None else {}


def _name(obj: Any) -> str:
    """How messages name an object: "element 'db'", "flow 'f1'", ..."""
    return f"{obj.noun} '{obj.id}'"


def _a(kind: str) -> str:
    """'an actor', 'a process', ...: a kind with its article."""
    return f"{'an' if kind[:1] and kind[:1] in 'aeiou' else 'a'} {kind.replace('_', ' ')}"


# -- the rules (each returns a message, or None when the value is fine) ----------------------


def _text_of(noun_key: str) -> Any:
    """Required text: the key named in messages is `noun_key`."""

    def check(obj: Any, value: Any) -> str | None:
        what = obj.noun if noun_key == "id" else _name(obj)
        if not isinstance(value, str):
            return f"{what}: '{noun_key}' must be text, not {type_name(value)}"
        if not value:
            return f"{what}: '{noun_key}' is required"
        return None

    return check


def _id_shape(obj: Any, value: str) -> str | None:
    return id_problem(value, obj.noun)


def _optional_text(key: str) -> Any:
    def check(obj: Any, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return None
        return f"{_name(obj)}: '{key}' must be text, not {type_name(value)}"

    return check


def _texts(key: str) -> Any:
    """A tuple of ids (references to other objects or vocabulary words)."""

    def check(obj: Any, value: tuple) -> At | None:
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item:
                return At(
                    f"{key}[{index}]",
                    f"{_name(obj)}: '{key}' entries must be text, not {type_name(item)}"
                    if not isinstance(item, str)
                    else f"{_name(obj)}: '{key}' entries must not be empty",
                )
        return None

    return check


def attribute_problem(what: str, name: Any, value: Any) -> str | None:
    """Why a free-form attribute cannot be kept (a mapping, a list of lists), or None; its type
    against the vocabulary is checked by `validate.py`."""
    if not isinstance(name, str) or not name:
        return f"{what}: attribute names must be text, not {type_name(name)}"
    if isinstance(value, dict):
        return f"{what}: attribute '{name}' must be a single value or a list, not a mapping"
    if isinstance(value, (list, tuple)) and any(isinstance(v, (dict, list, tuple)) for v in value):
        return f"{what}: attribute '{name}' must be a list of plain values"
    return None


def _attributes(obj: Any, value: Mapping[str, Any]) -> At | None:
    for name, item in value.items():
        problem = attribute_problem(_name(obj), name, item)
        if problem:
            return At(str(name), problem)
    return None


def _subjects(obj: DataAsset, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        return f"{_name(obj)}: 'subjects' must be a whole number, not {type_name(value)}"
    return range_problem(value, 0, MAX_SUBJECTS, _name(obj), "subjects")


def _element_kind(obj: Element, kind: str) -> str | None:
    if kind in ELEMENT_KINDS:
        return None
    hint = did_you_mean(kind, ELEMENT_KINDS) or f" (use one of {', '.join(ELEMENT_KINDS)})"
    return f"{_name(obj)}: unknown kind '{kind}'{hint}"


def _only_datastore_stores(obj: Element, stores: tuple) -> str | None:
    if stores and obj.kind != "datastore" and obj.kind in ELEMENT_KINDS:
        return f"{_name(obj)}: only a datastore 'stores' data (this is {_a(obj.kind)}; use flows)"
    return None


def _only_process_inputs(obj: Element, inputs: tuple) -> str | None:
    if inputs and obj.kind != "process" and obj.kind in ELEMENT_KINDS:
        return f"{_name(obj)}: only a process has 'inputs' (this is {_a(obj.kind)})"
    return None


def _not_to_itself(obj: DataFlow, target: str) -> str | None:
    if obj.source and obj.source == target:
        return f"flow '{obj.id}' goes from '{obj.source}' to itself"
    return None


def _not_member_of_itself(obj: Boundary, members: tuple) -> At | None:
    for index, member in enumerate(members):
        if member == obj.id:
            return At(f"members[{index}]", f"boundary '{obj.id}' contains itself")
    return None


def _mitigation(obj: Control, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"control: 'mitigation' must be text, not {type_name(value)}"
    return None if value else "control: 'mitigation' is required"


def _control_targets(obj: Control, value: tuple) -> At | None:
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            return At(
                f"targets[{index}]",
                f"control: 'targets' entries must be text, not {type_name(item)}",
            )
    return None


def _control_text(key: str) -> Any:
    def check(obj: Control, value: Any) -> str | None:
        if isinstance(value, str):
            return None
        return f"control: '{key}' must be text, not {type_name(value)}"

    return check


_ID = (_text_of("id"), _id_shape)


def _id_field() -> Any:
    return attrs.field(validator=rule(*_ID))


def _text_field(key: str, default: Any = "") -> Any:
    return attrs.field(default=default, validator=rule(_optional_text(key)))


def _ids_field(key: str, *checks: Any, at_key: bool = False) -> Any:
    return attrs.field(
        default=(), converter=_tuple, validator=rule(_texts(key), *checks, at_key=at_key)
    )


def _attributes_field() -> Any:
    return attrs.field(factory=dict, converter=_mapping, validator=rule(_attributes, at_key=True))


@attrs.frozen(kw_only=True)
class System:
    """The system under review."""

    id: str = _id_field()
    name: str = _text_field("name")
    owner: str = _text_field("owner")
    description: str = _text_field("description")
    attributes: Mapping[str, Any] = _attributes_field()
    pos: Position = attrs.field(default=PYTHON, eq=False)
    field_pos: Mapping[str, Position] = attrs.field(factory=dict, eq=False, repr=False)

    kind: ClassVar[Literal["system"]] = "system"
    noun: ClassVar[str] = "system"

    @property
    def label(self) -> str:
        return self.name or self.id


@attrs.frozen(kw_only=True)
class DataAsset:
    """A kind of record the system holds or moves, and whom it is about."""

    id: str = _id_field()
    name: str = _text_field("name")
    description: str = _text_field("description")
    categories: tuple[str, ...] = _ids_field("categories")
    subjects: int | None = attrs.field(default=None, validator=rule(_subjects))
    source: str | None = _text_field("source", None)
    attributes: Mapping[str, Any] = _attributes_field()
    pos: Position = attrs.field(default=PYTHON, eq=False)
    field_pos: Mapping[str, Position] = attrs.field(factory=dict, eq=False, repr=False)

    kind: ClassVar[Literal["data"]] = "data"
    noun: ClassVar[str] = "data asset"

    @property
    def label(self) -> str:
        return self.name or self.id


@attrs.frozen(kw_only=True)
class Element:
    """An actor, process, data store or external service."""

    id: str = _id_field()
    kind: ElementKind = attrs.field(validator=rule(_text_of("kind"), _element_kind))
    type: str | None = _text_field("type", None)
    name: str = _text_field("name")
    description: str = _text_field("description")
    stores: tuple[str, ...] = _ids_field("stores", _only_datastore_stores, at_key=True)
    inputs: tuple[str, ...] = _ids_field("inputs", _only_process_inputs, at_key=True)
    attributes: Mapping[str, Any] = _attributes_field()
    pos: Position = attrs.field(default=PYTHON, eq=False)
    field_pos: Mapping[str, Position] = attrs.field(factory=dict, eq=False, repr=False)

    noun: ClassVar[str] = "element"

    @property
    def label(self) -> str:
        return self.name or self.id


@attrs.frozen(kw_only=True)
class DataFlow:
    """Data moving from one element to another (`from` and `to` in YAML)."""

    id: str = _id_field()
    source: str = attrs.field(validator=rule(_text_of("from"), key="from"))
    target: str = attrs.field(validator=rule(_text_of("to"), _not_to_itself, key="to"))
    data: tuple[str, ...] = _ids_field("data")
    name: str = _text_field("name")
    description: str = _text_field("description")
    attributes: Mapping[str, Any] = _attributes_field()
    pos: Position = attrs.field(default=PYTHON, eq=False)
    field_pos: Mapping[str, Position] = attrs.field(factory=dict, eq=False, repr=False)

    kind: ClassVar[Literal["dataflow"]] = "dataflow"
    type: ClassVar[None] = None
    noun: ClassVar[str] = "flow"

    @property
    def label(self) -> str:
        return self.name or self.id


@attrs.frozen(kw_only=True)
class Boundary:
    """A trust boundary (organisation, jurisdiction, network, ...) around elements and boundaries."""

    id: str = _id_field()
    # the boundary kind (organisation, jurisdiction, network, ...), written `kind` in YAML;
    # `kind` itself says what sort of object this is, as for every other class
    type: str = attrs.field(validator=rule(_text_of("kind"), key="kind"))
    name: str = _text_field("name")
    description: str = _text_field("description")
    members: tuple[str, ...] = _ids_field("members", _not_member_of_itself)
    attributes: Mapping[str, Any] = _attributes_field()
    pos: Position = attrs.field(default=PYTHON, eq=False)
    field_pos: Mapping[str, Position] = attrs.field(factory=dict, eq=False, repr=False)

    kind: ClassVar[Literal["boundary"]] = "boundary"
    noun: ClassVar[str] = "boundary"

    @property
    def label(self) -> str:
        return self.name or self.id


@attrs.frozen(kw_only=True)
class Control:
    """A mitigation already in place, on some elements or (no targets) on the whole system."""

    mitigation: str = attrs.field(validator=rule(_mitigation))
    targets: tuple[str, ...] = attrs.field(
        default=(), converter=_tuple, validator=rule(_control_targets)
    )
    note: str = attrs.field(default="", validator=rule(_control_text("note")))
    pos: Position = attrs.field(default=PYTHON, eq=False)
    field_pos: Mapping[str, Position] = attrs.field(factory=dict, eq=False, repr=False)


@attrs.frozen(kw_only=True)
class SystemModel:
    """A whole model. Build it from YAML with `threatmodel.load_model` or directly in Python."""

    system: System
    data: tuple[DataAsset, ...] = attrs.field(default=(), converter=_tuple)
    elements: tuple[Element, ...] = attrs.field(default=(), converter=_tuple)
    flows: tuple[DataFlow, ...] = attrs.field(default=(), converter=_tuple)
    boundaries: tuple[Boundary, ...] = attrs.field(default=(), converter=_tuple)
    controls: tuple[Control, ...] = attrs.field(default=(), converter=_tuple)
    vocabulary: Any = attrs.field(default=None, eq=False)  # a Vocabulary layer, or None
    files: tuple[str, ...] = attrs.field(default=(), converter=_tuple, eq=False)
    warnings: tuple = attrs.field(default=(), converter=_tuple, eq=False)
    problems: tuple = attrs.field(default=(), converter=_tuple, eq=False)  # from reading YAML
    decisions: Any = attrs.field(default=None, eq=False, repr=False)  # a `decisions:` section, raw
    # True when the reader that built the objects ran their own rules (see `checks.py`) and
    # kept what they found in `problems`; otherwise validation runs them
    rules_checked: bool = attrs.field(default=False, eq=False, repr=False)

    @property
    def path(self) -> str:
        """The main model file (the first one read), or '<python>'."""
        return self.files[0] if self.files else PYTHON.file

    def subjects(self) -> Iterator[Element | DataFlow | Boundary | System]:
        """Every object a risk can apply to: elements, flows, boundaries and the system."""
        yield from self.elements
        yield from self.flows
        yield from self.boundaries
        yield self.system

    def objects(self) -> Iterator[System | DataAsset | Element | DataFlow | Boundary | Control]:
        """Every object of the model, in the order of its sections."""
        yield self.system
        yield from self.data
        yield from self.elements
        yield from self.flows
        yield from self.boundaries
        yield from self.controls
