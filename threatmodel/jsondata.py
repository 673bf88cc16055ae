"""attrs objects as JSON data, and the JSON Schema of an attrs class, from one description.

A field's JSON key is its name, or `metadata["json"]` when that is a string (`from` is a
Python keyword); `metadata["json"] = False` leaves it out of the JSON. `metadata["doc"]` is
its description in the schema and `metadata["schema"]` adds keywords such as `minimum`. Keys
come out in field order, so output that is built the same way is byte-identical.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import json
import math
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, Union

import attrs

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def field(*, doc: str = "", json: str | bool = True, schema: dict | None = None, **kwargs: Any):
    """An attrs field with its JSON key, description and extra schema keywords."""
    metadata = dict(kwargs.pop("metadata", {}))
    metadata.update(doc=doc, json=json, schema=schema or {})
    return attrs.field(metadata=metadata, **kwargs)


@functools.cache
def _plan(cls: type) -> tuple[tuple[str, str], ...]:
    """(JSON key, attribute name) of each field of `cls` that JSON carries, in order."""
    plan = []
    for f in attrs.fields(cls):
        key = f.metadata.get("json", True)
        if key is False:
            continue
        plan.append((key if isinstance(key, str) else f.name, f.name))
    return tuple(plan)


_PLANS: dict[type, tuple[tuple[str, str], ...] | None] = {}  # per class: its plan, or None
_AS_IS = frozenset({str, int, bool, type(None)})  # exact types JSON holds as they are


def _plan_of(cls: type) -> tuple[tuple[str, str], ...] | None:
    """The plan of an attrs class (`_plan`), None for any other, looked up once per class."""
    plan = _PLANS.get(cls)
    if plan is None and cls not in _PLANS:
        plan = _PLANS[cls] = _plan(cls) if attrs.has(cls) else None
    return plan


def to_plain(value: Any) -> Any:
    """`value` as JSON can hold it: attrs objects and mappings as dicts (keys in order),
    tuples and lists as lists, sets sorted, dates as ISO text, non-finite floats as text.

    An attrs object or mapping met more than once (reports share what depends only on a risk
    or a mitigation between findings) is converted once and its plain form shared."""
    return _Plain().convert(value)


class _Plain:
    """One conversion, remembering the plain form of each attrs object and mapping by
    identity (they stay alive as long as the value converted holds them)."""

    def __init__(self) -> None:
        self.done: dict[int, Any] = {}

    def convert(self, value: Any) -> Any:
        if type(value) in _AS_IS:
            return value
        plan = _plan_of(type(value))
        if plan is not None or isinstance(value, Mapping):
            known = self.done.get(id(value))
            if known is None:
                known = self.done[id(value)] = self._object(value, plan)
            return known
        if isinstance(value, (tuple, list)):
            return [v if type(v) in _AS_IS else self.convert(v) for v in value]
        if isinstance(value, (set, frozenset)):
            return sorted((self.convert(v) for v in value), key=str)
        if isinstance(value, (bool, int, str)):  # subclasses: enums and the like
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else str(value)
        if isinstance(value, (datetime.date, datetime.datetime)):
            return value.isoformat()
        return str(value)

    def shallow(self, value: Any) -> Any:
        """The C encoder's `default`: for a value it does not know (an attrs object, a mapping
        that is not a dict, a set, a date, ...), what `convert` makes of it, one level deep:
        an object's or mapping's values are left for the encoder, which knows or asks again."""
        plan = _plan_of(type(value))
        if plan is not None:
            return {key: getattr(value, name) for key, name in plan}
        if isinstance(value, Mapping):
            return {str(k): v for k, v in value.items()}
        return self.convert(value)

    def convert_shallow(self, value: Any) -> Any:
        """`shallow`, and a tuple as a list, for the levels laid out one item per line."""
        return list(value) if isinstance(value, tuple) else self.shallow(value)

    def _object(self, value: Any, plan: tuple[tuple[str, str], ...] | None) -> dict:
        out = {}
        if plan is None:
            for k, v in value.items():
                out[str(k)] = v if type(v) in _AS_IS else self.convert(v)
        else:
            for key, name in plan:
                v = getattr(value, name)
                out[key] = v if type(v) in _AS_IS else self.convert(v)
        return out


def json_schema(cls: type, *, title: str, schema_id: str = "", description: str = "") -> dict:
    """The JSON Schema (draft 2020-12) of what `to_plain` makes of a `cls` object."""
    definitions: dict[str, Any] = {}
    root = _object_schema(cls, definitions)
    head: dict[str, Any] = {"$schema": DRAFT}
    if schema_id:
        head["$id"] = schema_id
    head["title"] = title
    head["description"] = description or _doc(cls)
    definitions.pop(cls.__name__, None)
    return {**head, **root, "$defs": dict(sorted(definitions.items()))}


def _doc(cls: type) -> str:
    return " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())


def _object_schema(cls: type, definitions: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    for f in attrs.fields(cls):
        key = f.metadata.get("json", True)
        if key is False:
            continue
        schema = _type_schema(hints[f.name], definitions)
        if f.metadata.get("doc"):
            schema = {"description": f.metadata["doc"], **schema}
        schema.update(f.metadata.get("schema", {}))
        properties[key if isinstance(key, str) else f.name] = schema
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _type_schema(hint: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return {}
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    if attrs.has(hint):
        name = hint.__name__
        if name not in definitions:
            definitions[name] = {}  # placeholder: recursive types end here
            definitions[name] = {"description": _doc(hint), **_object_schema(hint, definitions)}
        return {"$ref": f"#/$defs/{name}"}
    if origin is Literal:
        return {"enum": list(args)}
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        inner = (
            _type_schema(options[0], definitions)
            if len(options) == 1
            else {"anyOf": [_type_schema(a, definitions) for a in options]}
        )
        if len(options) == len(args):
            return inner
        if set(inner) == {"type"} and isinstance(inner["type"], str):
            return {"type": [inner["type"], "null"]}
        return {"anyOf": [inner, {"type": "null"}]}
    if origin in (tuple, list, frozenset, set):
        return {"type": "array", "items": _type_schema(args[0], definitions) if args else {}}
    if origin in (dict, Mapping) or hint in (dict, Mapping):
        value = _type_schema(args[1], definitions) if len(args) == 2 else {}
        return {"type": "object", "additionalProperties": value}
    raise TypeError(f"no JSON Schema for the type {hint!r}")


_SCALARS = {str: "string", int: "integer", bool: "boolean", float: "number"}


# Plain data is a tree (`to_plain` never builds a cycle: it would recurse without end first),
# so the encoder's check for cycles, a record kept per container, would be work for nothing.
_ENCODE = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def dumps(value: Any, depth: int = 2, indent: str = "  ") -> str:
    """JSON text of plain data, fast: containers down to `depth` are laid out one item per
    line, anything deeper on one line by the C encoder (`json.dumps` with `indent` runs the
    pure-Python encoder, about ten times slower). Key order is kept; deterministic."""
    return "".join(iter_dumps(value, depth, indent))


def iter_dumps(value: Any, depth: int = 2, indent: str = "  ") -> Iterator[str]:
    """`dumps` in pieces (their join is its text), made as they are read: one per item laid
    out, so that a big text is written piece by piece and never held whole. An iterator
    above `depth` is laid out as the list of its items, each made as it is written."""
    return _lay_out(value, depth, indent, 0, _ENCODE, None)


def encode(value: Any, depth: int = 2, indent: str = "  ") -> str:
    """`dumps(to_plain(value))`, without building the plain form of the whole value first
    (see `iter_encode`)."""
    return "".join(iter_encode(value, depth, indent))


def iter_encode(value: Any, depth: int = 2, indent: str = "  ") -> Iterator[str]:
    """`encode` in pieces, as `iter_dumps`.

    The top `depth` levels are laid out as `dumps` lays them out, and below them the C encoder
    meets the attrs objects, mappings and sets themselves and asks `_Plain.shallow` for each
    one's plain form, one level at a time (at 10,000 elements that tree is hundreds of MB,
    and building it most of the time). The text is the same; an item holding a float that is
    not finite (which the encoder would write as `Infinity`, not `"inf"`) is converted by
    `to_plain` first."""
    plain = _Plain()
    encoder = json.JSONEncoder(
        ensure_ascii=False, check_circular=False, allow_nan=False, default=plain.shallow
    ).encode

    def leaf(item: Any) -> str:
        try:
            return encoder(item)
        except ValueError:  # a NaN or infinity: written as text, as `to_plain` writes it
            return _ENCODE(to_plain(item))

    return _lay_out(value, depth, indent, 0, leaf, plain.convert_shallow)


def _lay_out(
    value: Any,
    depth: int,
    indent: str,
    level: int,
    leaf: Callable[[Any], str],
    shallow: Callable[[Any], Any] | None,
) -> Iterator[str]:
    """Each piece of `value`'s text: containers above `depth` one item per line, each item
    below it as `leaf` encodes it (`shallow` first gives a value that is neither plain nor a
    container its plain form, one level deep; an iterator is a list made as it is read)."""
    if level >= depth:
        yield leaf(value)
        return
    if isinstance(value, Iterator):
        first = next(value, _NONE)
        value = [] if first is _NONE else itertools.chain((first,), value)
    elif shallow is not None and type(value) not in _AS_IS and not isinstance(value, (dict, list)):
        value = shallow(value)
    if isinstance(value, dict) and value:
        pad, inner = indent * level, indent * (level + 1)
        yield "{\n"
        for index, (key, item) in enumerate(value.items()):
            yield (_NEXT if index else "") + inner + _ENCODE(str(key)) + ": "
            yield from _lay_out(item, depth, indent, level + 1, leaf, shallow)
        yield f"\n{pad}}}"
    elif isinstance(value, (list, itertools.chain)) and value:  # (a chain: items still coming)
        pad, inner = indent * level, indent * (level + 1)
        yield "[\n"
        for index, item in enumerate(value):
            yield (_NEXT if index else "") + inner
            yield from _lay_out(item, depth, indent, level + 1, leaf, shallow)
        yield f"\n{pad}]"
    else:
        yield leaf(value)


_NEXT = ",\n"  # between the items of a container laid out
_NONE = object()  # an iterator's end
