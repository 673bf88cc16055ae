"""The system model: frozen attrs classes for a system, its data, elements, flows and boundaries.

One `Element` class serves actors, processes, data stores and external services: they differ
only in `kind` and in which attributes the vocabulary lets them carry, so separate classes
would add names, not behaviour. Everything beyond the fixed fields lives in `attributes`,
checked against the vocabulary when the model is validated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from threatmodel.errors import Position

ELEMENT_KINDS = ("actor", "process", "datastore", "external_service")
SUBJECT_KINDS = ELEMENT_KINDS + ("dataflow", "boundary", "system")
ATTRIBUTE_KINDS = SUBJECT_KINDS + ("data",)
PYTHON = Position(file="<python>")


def _tuple(value: Any) -> tuple:
    return tuple(value) if value is not None else ()


def _mapping(value: Any) -> dict:
    return dict(value) if value is not None else {}


@attrs.frozen(kw_only=True)
class System:
    """The system under review."""

    id: str
    name: str = ""
    owner: str = ""
    description: str = ""
    attributes: Mapping[str, Any] = attrs.field(factory=dict, converter=_mapping)
    pos: Position = attrs.field(default=PYTHON, eq=False)
    field_pos: Mapping[str, Position] = attrs.field(factory=dict, eq=False, repr=False)

    kind = "system"

    @property
    def label(self) -> str:
        return self.name or self.id


@attrs.frozen(kw_only=True)
class DataAsset:
    """A kind of record the system holds or moves, and whom it is about."""

    id: str
    name: str = ""
    description: str = ""
    categories: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    subjects: int | None = None
    source: str | None = None
    attributes: Mapping[str, Any] = attrs.field(factory=dict, converter=_mapping)
    pos: Position = attrs.field(default=PYTHON, eq=False)
    field_pos: Mapping[str, Position] = attrs.field(factory=dict, eq=False, repr=False)

    kind = "data"

    @property
    def label(self) -> str:
        return self.name or self.id


@attrs.frozen(kw_only=True)
class Element:
    """An actor, process, data store or external service."""

    id: str
    kind: str
    type: str | None = None
    name: str = ""
    description: str = ""
    stores: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    inputs: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    attributes: Mapping[str, Any] = attrs.field(factory=dict, converter=_mapping)
    pos: Position = attrs.field(default=PYTHON, eq=False)
    field_pos: Mapping[str, Position] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def label(self) -> str:
        return self.name or self.id


@attrs.frozen(kw_only=True)
class DataFlow:
    """Data moving from one element to another."""

    id: str
    source: str
    target: str
    data: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    name: str = ""
    description: str = ""
    attributes: Mapping[str, Any] = attrs.field(factory=dict, converter=_mapping)
    pos: Position = attrs.field(default=PYTHON, eq=False)
    field_pos: Mapping[str, Position] = attrs.field(factory=dict, eq=False, repr=False)

    kind = "dataflow"
    type = None

    @property
    def label(self) -> str:
        return self.name or self.id


@attrs.frozen(kw_only=True)
class Boundary:
    """A trust boundary (organisation, jurisdiction, network, ...) around elements and boundaries."""

    id: str
    type: str  # the boundary kind: organisation, jurisdiction, network, ...
    name: str = ""
    description: str = ""
    members: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    attributes: Mapping[str, Any] = attrs.field(factory=dict, converter=_mapping)
    pos: Position = attrs.field(default=PYTHON, eq=False)
    field_pos: Mapping[str, Position] = attrs.field(factory=dict, eq=False, repr=False)

    kind = "boundary"

    @property
    def label(self) -> str:
        return self.name or self.id


@attrs.frozen(kw_only=True)
class Control:
    """A mitigation already in place, on some elements or (no targets) on the whole system."""

    mitigation: str
    targets: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    note: str = ""
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

    @property
    def path(self) -> str:
        """The main model file (the first one read), or '<python>'."""
        return self.files[0] if self.files else PYTHON.file

    def subjects(self):
        """Every object a risk can apply to: elements, flows, boundaries and the system."""
        yield from self.elements
        yield from self.flows
        yield from self.boundaries
        yield self.system
