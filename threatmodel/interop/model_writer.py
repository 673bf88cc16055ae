"""A SystemModel -> model YAML text in the shape docs/model-format.md describes.

Used by `import` (to write what was imported) and by the OTM round trip. Output is
deterministic: keys in the documented order, lists of plain values in flow style, every string
quoted by PyYAML where YAML 1.1 would read it as something else (`yes`, `on`, `1e3`, ...).
"""

from __future__ import annotations

from typing import Any

import yaml

from threatmodel.model import SystemModel
from threatmodel.vocabulary import Vocabulary


class _Flow(list):
    """A list written in flow style: `[a, b]`."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)


def _value(value: Any) -> Any:
    if isinstance(value, (tuple, list, frozenset, set)):
        items = sorted(value) if isinstance(value, (frozenset, set)) else list(value)
        plain = all(not isinstance(v, (dict, list, tuple)) for v in items)
        return _Flow(items) if plain else [_value(v) for v in items]
    return value


def _put(target: dict, key: str, value: Any) -> None:
    """Set a fixed field only when it says something (empty text and empty lists are left out)."""
    if value in (None, "", (), []):
        return
    target[key] = _value(value)


def _attributes(target: dict, attributes) -> dict:
    for name, value in attributes.items():
        target[name] = _value(value)
    return target


def vocabulary_data(vocabulary: Vocabulary) -> dict:
    """A Vocabulary back in the shape of a `vocabulary:` section."""
    out: dict[str, Any] = {}
    if vocabulary.element_types:
        out["element_types"] = {k: _Flow(v) for k, v in vocabulary.element_types.items()}
    if vocabulary.categories:
        out["data_categories"] = [
            {
                "name": c.name,
                "personal": c.personal,
                "special": c.special,
                **({"meaning": c.meaning} if c.meaning else {}),
            }
            for c in vocabulary.categories.values()
        ]
    for section in ("boundary_kinds", "data_sources", "decision_domains"):
        if getattr(vocabulary, section):
            out[section] = _Flow(getattr(vocabulary, section))
    attributes = []
    for attribute in vocabulary.attributes.values():
        item: dict[str, Any] = {"name": attribute.name, "type": attribute.type}
        _put(item, "values", attribute.values)
        _put(item, "values_from", attribute.values_from)
        if attribute.nullable:
            item["nullable"] = True
        item["applies_to"] = _Flow(sorted(attribute.applies_to))
        _put(item, "meaning", attribute.meaning)
        _put(item, "question", attribute.question)
        attributes.append(item)
    if attributes:
        out["attributes"] = attributes
    return out


def model_data(model: SystemModel) -> dict:
    """The model as plain data in the YAML model's shape."""
    system: dict[str, Any] = {"id": model.system.id}
    _put(system, "name", model.system.name)
    _put(system, "owner", model.system.owner)
    _put(system, "description", model.system.description)
    out: dict[str, Any] = {"system": _attributes(system, model.system.attributes)}
    sections = {
        "data": [
            _attributes(
                _fields(
                    ("id", a.id),
                    ("name", a.name),
                    ("description", a.description),
                    ("categories", a.categories),
                    ("subjects", a.subjects),
                    ("source", a.source),
                ),
                a.attributes,
            )
            for a in model.data
        ],
        "elements": [
            _attributes(
                _fields(
                    ("id", e.id),
                    ("kind", e.kind),
                    ("type", e.type),
                    ("name", e.name),
                    ("description", e.description),
                    ("stores", e.stores),
                    ("inputs", e.inputs),
                ),
                e.attributes,
            )
            for e in model.elements
        ],
        "flows": [
            _attributes(
                _fields(
                    ("id", f.id),
                    ("from", f.source),
                    ("to", f.target),
                    ("data", f.data),
                    ("name", f.name),
                    ("description", f.description),
                ),
                f.attributes,
            )
            for f in model.flows
        ],
        "boundaries": [
            _attributes(
                _fields(
                    ("id", b.id),
                    ("kind", b.type),
                    ("name", b.name),
                    ("description", b.description),
                    ("members", b.members),
                ),
                b.attributes,
            )
            for b in model.boundaries
        ],
        "controls": [
            _fields(("mitigation", c.mitigation), ("targets", c.targets), ("note", c.note))
            for c in model.controls
        ],
    }
    out.update({name: items for name, items in sections.items() if items})
    if model.vocabulary is not None:
        vocabulary = vocabulary_data(model.vocabulary)
        if vocabulary:
            out["vocabulary"] = vocabulary
    return out


def _fields(*pairs) -> dict:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key == "subjects" and value is not None:
            out[key] = value
        else:
            _put(out, key, value)
    return out


def dump_model(model: SystemModel, header: list[str] | tuple[str, ...] = ()) -> str:
    """Model YAML text; `header` lines become comments at the top."""
    body = yaml.dump(
        model_data(model),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
        indent=2,
    )
    lines = []
    for line in body.splitlines():
        if lines and line and not line.startswith((" ", "-")):
            lines.append("")
        lines.append(line)
    comments = [("# " + h).rstrip() for text in header for h in text.splitlines() or [""]]
    return "\n".join(comments + ([""] if comments else []) + lines) + "\n"
