"""Whole-model checks: ids, references between objects, boundaries, and the vocabulary.

Works on model objects, so a model built in Python is checked exactly like one from YAML:
each object's own rules (`checks.py`) were run by the YAML reader, and are run here for a
model that no reader built. Every problem is collected; `validate` raises once with all of them.
"""

from __future__ import annotations

import functools
from typing import Any

from threatmodel.catalog import Catalog
from threatmodel.checks import broken_rules
from threatmodel.collector import no_cycle_collection
from threatmodel.errors import Collector, Position, did_you_mean
from threatmodel.model import SCALARS, Control, SystemModel
from threatmodel.model_yaml import (
    BOUNDARY_FIELDS,
    DATA_FIELDS,
    ELEMENT_FIELDS,
    FLOW_FIELDS,
    SYSTEM_FIELDS,
)
from threatmodel.vocabulary import Vocabulary


def model_vocabulary(model: SystemModel, catalog: Catalog, out: Collector) -> Vocabulary:
    """The catalog's vocabulary extended by the model's own `vocabulary:` section."""
    if model.vocabulary is None:
        return catalog.vocabulary
    return catalog.vocabulary.merge(model.vocabulary, out)


def validate(model: SystemModel, catalog: Catalog) -> Vocabulary:
    """Check a model against itself and the catalog; returns the vocabulary used."""
    out = Collector()
    out.problems.extend(model.problems)
    with no_cycle_collection():  # indexes of a big model and its problems: no cycles
        if not model.rules_checked:
            for obj in model.objects():
                out.problems.extend(broken_rules(obj))
            # built in Python with attrs' validators off: its values may not even have the right
            # types, so the cross-checks below wait until its objects keep their own rules
            out.raise_if_errors()
        vocabulary = model_vocabulary(model, catalog, out)
        _Checker(model, vocabulary, catalog, out).run()
    out.raise_if_errors()
    return vocabulary


def _at(obj: Any, field: str, index: int | None = None) -> Position:
    """Where `field` of `obj` is written; with `index`, its entry of that number if known."""
    where = obj.field_pos.get(field, obj.pos)
    return where if index is None else obj.field_pos.get(f"{field}[{index}]", where)


def _key_at(obj: Any, field: str) -> Position:
    """Where the key of `field` of `obj` is written (else where its value is)."""
    return obj.field_pos.get(f"{field}:key", _at(obj, field))


class _Checker:
    def __init__(
        self, model: SystemModel, vocabulary: Vocabulary, catalog: Catalog, out: Collector
    ):
        self.model = model
        self.vocabulary = vocabulary
        self.catalog = catalog
        self.out = out
        self.ids: dict[str, Any] = {}
        self.data_ids: dict[str, Any] = {}
        self._valid: set[tuple] = set()  # (kind, attribute, type, value) found valid: they repeat

    def run(self) -> None:
        model = self.model
        self._register(model.system)
        for asset in model.data:
            self._unique(asset, self.data_ids, "data asset")
            self._check_asset(asset)
        for obj in model.subjects():
            if obj is not model.system:
                self._register(obj)
        for element in model.elements:
            self._check_element(element)
        for flow in model.flows:
            self._check_flow(flow)
        self._check_boundaries()
        for control in model.controls:
            self._check_control(control)
        for item in model.objects():
            if not isinstance(item, Control):  # every other object carries attributes
                self._check_attributes(item)

    # -- ids
    def _register(self, obj: Any) -> None:
        self._unique(obj, self.ids, obj.kind if obj.kind != "dataflow" else "flow")

    def _unique(self, obj: Any, table: dict, what: str) -> None:
        if not obj.id:
            return
        first = table.get(obj.id)
        if first is not None:
            self.out.error(
                _at(obj, "id"), f"duplicate id '{obj.id}' ({what}); first used at {first.pos}"
            )
            return
        table[obj.id] = obj

    def _data_refs(self, obj: Any, field: str, refs: tuple[str, ...]) -> None:
        for index, ref in enumerate(refs):
            if ref not in self.data_ids:
                self.out.error(
                    _at(obj, field, index),
                    f"{_name(obj)}: unknown data asset '{ref}' in "
                    f"'{field}'{did_you_mean(ref, self.data_ids)}",
                )

    # -- objects
    def _check_asset(self, asset: Any) -> None:
        categories = self.vocabulary.categories
        for index, category in enumerate(asset.categories):
            if category not in categories:
                self.out.error(
                    _at(asset, "categories", index),
                    f"data asset '{asset.id}': unknown category "
                    f"'{category}'{did_you_mean(category, categories)}",
                )
        sources = self.vocabulary.data_sources
        if asset.source is not None and asset.source not in sources:
            self.out.error(
                _at(asset, "source"),
                f"data asset '{asset.id}': unknown source "
                f"'{asset.source}'{_choices(asset.source, sources)}",
            )

    def _check_element(self, element: Any) -> None:
        types = self.vocabulary.element_types.get(element.kind, ())
        if (
            element.type is not None
            and element.kind in self.vocabulary.element_types
            and element.type not in types
        ):
            self.out.error(
                _at(element, "type"),
                f"element '{element.id}': unknown {element.kind} type "
                f"'{element.type}'{_choices(element.type, types)}",
            )
        self._data_refs(element, "stores", element.stores)
        self._data_refs(element, "inputs", element.inputs)

    def _check_flow(self, flow: Any) -> None:
        for field, ref in (("from", flow.source), ("to", flow.target)):
            if not ref:
                continue
            target = self.ids.get(ref)
            if target is None:
                self.out.error(
                    _at(flow, field),
                    f"flow '{flow.id}': '{field}' names unknown element "
                    f"'{ref}'{did_you_mean(ref, self._element_ids)}",
                )
            elif target.kind in ("boundary", "system", "dataflow"):
                self.out.error(
                    _at(flow, field),
                    f"flow '{flow.id}': '{field}' must name an element, "
                    f"but '{ref}' is a {target.kind}",
                )
        self._data_refs(flow, "data", flow.data)

    def _check_boundaries(self) -> None:
        kinds = self.vocabulary.boundary_kinds
        parent: dict[str, Any] = {}
        for boundary in self.model.boundaries:
            if boundary.type and boundary.type not in kinds:
                self.out.error(
                    _at(boundary, "kind"),
                    f"boundary '{boundary.id}': unknown kind "
                    f"'{boundary.type}'{_choices(boundary.type, kinds)}",
                )
            for index, member in enumerate(boundary.members):
                where = _at(boundary, "members", index)
                target = self.ids.get(member)
                if target is None:
                    self.out.error(
                        where,
                        f"boundary '{boundary.id}': unknown member "
                        f"'{member}'{did_you_mean(member, self.ids)}",
                    )
                    continue
                if target.kind in ("dataflow", "system"):
                    self.out.error(
                        where,
                        f"boundary '{boundary.id}': '{member}' is "
                        f"{_a(_kind_name(target.kind))}; members are elements or "
                        "boundaries",
                    )
                    continue
                if member == boundary.id:  # a rule of the boundary itself (model.py)
                    continue
                if member in parent:
                    self.out.error(
                        where,
                        f"'{member}' is in two boundaries, '{parent[member].id}' "
                        f"({parent[member].pos}) and '{boundary.id}'; an element belongs to "
                        "one boundary (nest the boundaries instead)",
                    )
                    continue
                parent[member] = boundary
        for boundary in self.model.boundaries:
            seen = {boundary.id}
            current = parent.get(boundary.id)
            while current is not None and current.id not in seen:  # stops at any cycle
                seen.add(current.id)
                current = parent.get(current.id)
            if current is not None and current.id == boundary.id:  # the cycle passes through it
                self.out.error(
                    _at(boundary, "members"),
                    f"boundary '{boundary.id}' is nested inside itself (a cycle of members)",
                )

    def _check_control(self, control: Any) -> None:
        mitigations = self.catalog.mitigations
        if control.mitigation and control.mitigation not in mitigations:
            self.out.error(
                _at(control, "mitigation"),
                f"control: unknown mitigation "
                f"'{control.mitigation}'"
                f"{did_you_mean(control.mitigation, mitigations)}",
            )
        for index, target in enumerate(control.targets):
            if target not in self.ids:
                self.out.error(
                    _at(control, "targets", index),
                    f"control {control.mitigation}: unknown target "
                    f"'{target}'{did_you_mean(target, self.ids)}",
                )

    def _check_attributes(self, obj: Any) -> None:
        known = self.vocabulary.attributes
        kind = obj.kind
        valid = self._valid
        for name, value in obj.attributes.items():
            # a plain value found valid is remembered with its type (`True == 1`, `1 == 1.0`)
            of = type(value)
            if of in SCALARS or (of is tuple and all(type(item) is str for item in value)):
                seen: tuple | None = (kind, name, of, value)
                if seen in valid:
                    continue
            else:
                seen = None
            attribute = known.get(name)
            if attribute is None:
                here = [n for n, a in known.items() if kind in a.applies_to]
                hint = (
                    did_you_mean(name, _FIXED.get(kind, ELEMENT_FIELDS))
                    or did_you_mean(name, here)
                    or did_you_mean(name, known)
                )
                self.out.error(
                    _key_at(obj, name),
                    f"{_name(obj)}: unknown attribute '{name}'{hint or ''}"
                    f"{'' if hint else ' (declare it in a vocabulary: section)'}",
                )
                continue
            if kind not in attribute.applies_to:
                self.out.error(
                    _key_at(obj, name),
                    f"{_name(obj)}: attribute '{name}' does not apply to "
                    f"{_a(_kind_name(kind))} (it applies to "
                    f"{', '.join(sorted(attribute.applies_to))})",
                )
                continue
            problem = attribute.problem(value, self.vocabulary)
            if problem:
                self.out.error(_at(obj, name), f"{_name(obj)}: {problem}")
            elif seen is not None:
                valid.add(seen)

    @functools.cached_property
    def _element_ids(self) -> list[str]:
        """The ids of elements (read once every id is registered, for 'did you mean')."""
        return [i for i, o in self.ids.items() if o.kind not in ("boundary", "system", "dataflow")]


_FIXED = {
    "system": SYSTEM_FIELDS,
    "data": DATA_FIELDS,
    "dataflow": FLOW_FIELDS,
    "boundary": BOUNDARY_FIELDS,
}


def _name(obj: Any) -> str:
    what = {
        "dataflow": "flow",
        "data": "data asset",
        "system": "system",
        "boundary": "boundary",
    }.get(obj.kind, "element")  # any other kind is an element's
    return f"{what} '{obj.id}'"


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] and noun[:1] in 'aeiou' else 'a'} {noun}"


def _kind_name(kind: str) -> str:
    return {"dataflow": "flow", "data": "data asset", "external_service": "external service"}.get(
        kind, kind
    )


def _choices(word: str, choices) -> str:
    hint = did_you_mean(word, choices)
    if hint:
        return hint
    choices = list(choices)
    if len(choices) <= 25:
        return f" (use one of {', '.join(choices)})"
    return " (add it to a vocabulary: section if it is new)"
