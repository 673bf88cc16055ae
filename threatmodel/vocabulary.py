"""The vocabulary: which attributes, element types, categories and domains a model may use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from threatmodel.errors import Collector, Position, did_you_mean, show, type_name
from threatmodel.fields import Fields, each_mapping
from threatmodel.loader import LMap, value_pos
from threatmodel.model import ATTRIBUTE_KINDS, ELEMENT_KINDS

ATTRIBUTE_TYPES = ("bool", "int", "number", "string", "enum", "list")
LIST_SECTIONS = ("boundary_kinds", "data_sources", "decision_domains")


@attrs.frozen(kw_only=True)
class Attribute:
    """One free-form attribute: its type, allowed values and the kinds it applies to."""

    name: str
    type: str
    applies_to: frozenset[str]
    values: tuple[str, ...] | None = None
    values_from: str | None = None
    nullable: bool = False
    meaning: str = ""
    question: str = ""  # how to ask a system owner for it, e.g. "Is the store encrypted at rest?"
    pos: Position = attrs.field(default=Position(file="<python>"), eq=False)

    def problem(self, value: Any, vocabulary: Vocabulary) -> str | None:
        """Why `value` is not valid for this attribute, or None."""
        if value is None:
            return None if self.nullable else f"'{self.name}' cannot be null"
        allowed = self.allowed(vocabulary)
        if self.type == "bool" and not isinstance(value, bool):
            return f"'{self.name}' must be true or false, not {type_name(value)} {show(value, self.name)}"
        if self.type == "int" and (not isinstance(value, int) or isinstance(value, bool)):
            return f"'{self.name}' must be a whole number, not {type_name(value)} {show(value, self.name)}"
        if self.type == "int" and value < 0:
            return f"'{self.name}' must not be negative (got {value})"
        if self.type == "number" and (
            not isinstance(value, (int, float)) or isinstance(value, bool)
        ):
            return (
                f"'{self.name}' must be a number, not {type_name(value)} {show(value, self.name)}"
            )
        if self.type in ("string", "enum") and not isinstance(value, str):
            return f"'{self.name}' must be text, not {type_name(value)} {show(value, self.name)}"
        if self.type == "enum" and value not in allowed:
            return (
                f"'{self.name}' must be one of {', '.join(allowed)}, not {show(value, self.name)}"
                f"{did_you_mean(value, allowed)}"
            )
        if self.type == "list":
            if not isinstance(value, (list, tuple)):
                return (
                    f"'{self.name}' must be a list, not {type_name(value)} {show(value, self.name)}"
                )
            for item in value:
                if not isinstance(item, str):
                    return f"'{self.name}' entries must be text, not {type_name(item)} {show(item, self.name)}"
                if allowed and item not in allowed:
                    return (
                        f"'{self.name}': {show(item, self.name)} is not one of {', '.join(allowed)}"
                        f"{did_you_mean(item, allowed)}"
                    )
        return None

    def allowed(self, vocabulary: Vocabulary) -> tuple[str, ...]:
        if self.values_from:
            return tuple(vocabulary.list_section(self.values_from))
        return self.values or ()


@attrs.frozen(kw_only=True)
class Category:
    """A data category and whether it is personal and special (sensitive)."""

    name: str
    personal: bool = True
    special: bool = False
    irreversible: bool = False  # cannot be changed or reissued once disclosed (a face, DNA)
    meaning: str = ""


@attrs.frozen(kw_only=True)
class Vocabulary:
    """All the words a model may use; layers are merged with `merge`."""

    attributes: Mapping[str, Attribute] = attrs.field(factory=dict)
    element_types: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    categories: Mapping[str, Category] = attrs.field(factory=dict)
    boundary_kinds: tuple[str, ...] = ()
    data_sources: tuple[str, ...] = ()
    decision_domains: tuple[str, ...] = ()

    def list_section(self, name: str) -> tuple[str, ...]:
        if name == "data_categories":
            return tuple(self.categories)
        return getattr(self, name)

    def attributes_for(self, kind: str) -> dict[str, Attribute]:
        return {n: a for n, a in self.attributes.items() if kind in a.applies_to}

    def merge(self, other: Vocabulary, out: Collector | None = None) -> Vocabulary:
        """This vocabulary extended by `other`; a conflicting attribute is reported to `out`."""
        attributes = dict(self.attributes)
        for name, attribute in other.attributes.items():
            old = attributes.get(name)
            if old is not None and old != attribute:
                if out is not None:
                    out.error(
                        attribute.pos,
                        f"attribute '{name}' is already defined differently "
                        f"at {old.pos}; choose another name",
                    )
                continue
            attributes[name] = attribute
        types = {
            k: _union(self.element_types.get(k, ()), other.element_types.get(k, ()))
            for k in set(self.element_types) | set(other.element_types)
        }
        categories = dict(self.categories)
        categories.update({n: c for n, c in other.categories.items() if n not in categories})
        return Vocabulary(
            attributes=attributes,
            element_types=types,
            categories=categories,
            boundary_kinds=_union(self.boundary_kinds, other.boundary_kinds),
            data_sources=_union(self.data_sources, other.data_sources),
            decision_domains=_union(self.decision_domains, other.decision_domains),
        )


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(first + tuple(second)))


def parse_vocabulary(section: LMap, out: Collector) -> Vocabulary:
    """Read a `vocabulary:` section (from the shipped file, a user catalog or a model)."""
    fields = Fields(section, out, "vocabulary")
    fields.reject_unknown(("id", "attributes", "element_types", "data_categories") + LIST_SECTIONS)
    attributes: dict[str, Attribute] = {}
    for _, item in each_mapping(
        fields.raw("attributes"), out, "attributes", fields.at("attributes")
    ):
        attribute = _parse_attribute(Fields(item, out, "attribute"))
        if attribute is None:
            continue
        if attribute.name in attributes:
            out.error(
                attribute.pos,
                f"attribute '{attribute.name}' is defined twice "
                f"(first at line {attributes[attribute.name].pos.line})",
            )
            continue
        attributes[attribute.name] = attribute
    element_types: dict[str, tuple[str, ...]] = {}
    types_map = fields.mapping("element_types") or LMap(fields.pos)
    for kind in types_map:
        if kind not in ELEMENT_KINDS:
            out.error(
                types_map.key_pos[kind],
                f"element_types: unknown element kind '{kind}'{did_you_mean(kind, ELEMENT_KINDS)}",
            )
            continue
        element_types[kind] = Fields(types_map, out, "element_types").ident_list(kind)
    categories: dict[str, Category] = {}
    for _, item in each_mapping(
        fields.raw("data_categories"), out, "data_categories", fields.at("data_categories")
    ):
        cat = Fields(item, out, "data category")
        cat.reject_unknown(("name", "personal", "special", "irreversible", "meaning"))
        name = cat.ident("name")
        if name:
            categories[name] = Category(
                name=name,
                personal=bool(cat.flag("personal", True)),
                special=bool(cat.flag("special", False)),
                irreversible=bool(cat.flag("irreversible", False)),
                meaning=cat.text("meaning"),
            )
    lists = {name: fields.ident_list(name) for name in LIST_SECTIONS}
    return Vocabulary(
        attributes=attributes, element_types=element_types, categories=categories, **lists
    )


def _parse_attribute(fields: Fields) -> Attribute | None:
    fields.reject_unknown(
        ("name", "type", "applies_to", "values", "values_from", "nullable", "meaning", "question")
    )
    name = fields.ident("name")
    if "." in name:  # conditions would read it as an element's fact (`source.kind`)
        fields.error(
            "name",
            f"attribute '{name}': conditions read a name with '.' as another element's or "
            f"the model's value (as in source.kind); use '_' instead",
        )
    kind = fields.word("type", required=True)
    if kind and kind not in ATTRIBUTE_TYPES:
        fields.out.error(
            fields.at("type"),
            f"attribute '{name}': unknown type '{kind}'; use one of "
            f"{', '.join(ATTRIBUTE_TYPES)}{did_you_mean(kind, ATTRIBUTE_TYPES)}",
        )
        return None
    applies = fields.id_list("applies_to")
    if not applies:
        fields.out.error(
            fields.pos,
            f"attribute '{name}': 'applies_to' is required (any of {', '.join(ATTRIBUTE_KINDS)})",
        )
    for index, item in enumerate(applies):
        if item not in ATTRIBUTE_KINDS:
            fields.out.error(
                value_pos(fields.map.get("applies_to"), index, fields.at("applies_to")),
                f"attribute '{name}': unknown kind '{item}'{did_you_mean(item, ATTRIBUTE_KINDS)}",
            )
    values = fields.ident_list("values") or None
    values_from = fields.word("values_from") or None
    if values_from and values_from not in LIST_SECTIONS + ("data_categories",):
        fields.out.error(
            fields.at("values_from"),
            f"attribute '{name}': values_from must name one of "
            f"{', '.join(LIST_SECTIONS)}, data_categories",
        )
    if kind == "enum" and not (values or values_from):
        fields.out.error(fields.pos, f"attribute '{name}': an enum needs 'values'")
    if not name or not kind:
        return None
    return Attribute(
        name=name,
        type=kind,
        applies_to=frozenset(applies),
        values=values,
        values_from=values_from,
        nullable=bool(fields.flag("nullable", False)),
        meaning=fields.text("meaning"),
        question=fields.text("question"),
        pos=fields.pos,
    )
