"""JSON Schemas for model, catalog and decisions files, generated from the attrs classes.

Nothing here is a hand-kept twin of the formats: object shapes come from the attrs classes
(`model.Element`, `catalog.Risk`, `tracking.Decision`, ...) with a small table of YAML names
and descriptions, allowed words come from the vocabulary, and key lists come from the readers
(`catalog_yaml.RISK_KEYS`, `tracking.KEYS`). Every attrs field must be either described or
explicitly excluded, so adding a field without updating the schema fails the tests.

The model schema lists, per element kind, the vocabulary's attributes with their types and
allowed values, and rejects any other key (a typo). A model with its own `vocabulary:` section
may use attributes the schema cannot know, so for it only the known attributes are checked.
Draft-07, the draft editors' YAML language servers support best.

`python -m threatmodel.schema` rewrites the shipped files in threatmodel/schemas/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from threatmodel import catalog as cat
from threatmodel import model as m
from threatmodel import tracking
from threatmodel import vocabulary as voc
from threatmodel.catalog_yaml import REFERENCE_KINDS, RISK_KEYS
from threatmodel.catalog_yaml import TOP_KEYS as CATALOG_KEYS
from threatmodel.ids import DECISION_KEY_RE, ID_RE
from threatmodel.model_yaml import TOP_KEYS as MODEL_KEYS

DRAFT = "http://json-schema.org/draft-07/schema#"
NAMES = ("model", "catalog", "decisions", "results")
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
ID: dict[str, Any] = {"type": "string", "pattern": ID_RE.pattern}
TEXT: dict[str, Any] = {"type": "string"}
IDS: dict[str, Any] = {
    "type": ["array", "string"],
    "items": {"type": "string"},
    "description": "a list of ids (a single id may be written without brackets)",
}
# attrs annotation text -> JSON Schema (annotations are read as text, never evaluated)
ANNOTATIONS: dict[str, dict[str, Any]] = {
    "str": TEXT,
    "str | None": TEXT,
    "tuple[str, ...]": IDS,
    "bool": {"type": "boolean"},
    "int": {"type": "integer"},
    "int | None": {"type": "integer", "minimum": 0},
}
DOCS = {
    "id": "unique id: letters, digits, '-', '_', '.', ':'",
    "name": "display name",
    "description": "what it is, in a sentence or two",
    "owner": "the team or person answerable for the system",
    "categories": "data categories (vocabulary data_categories)",
    "subjects": "number of people the records are about",
    "source": "where the data comes from (vocabulary data_sources)",
    "kind": "what the object is",
    "type": "its type (vocabulary element_types for its kind)",
    "stores": "datastore only: ids of the data assets it holds",
    "inputs": "process only: ids of the data assets it uses",
    "from": "id of the element the data leaves",
    "to": "id of the element the data reaches",
    "data": "ids of the data assets the flow carries",
    "members": "ids of the elements and boundaries inside this boundary",
    "mitigation": "id of a catalog mitigation already in place",
    "targets": "ids it is in place on (none: the whole system)",
    "note": "free text",
}


def _field(annotation: str, name: str) -> dict:
    if annotation not in ANNOTATIONS:
        raise ValueError(f"schema: no JSON Schema for annotation {annotation!r} of '{name}'")
    schema = dict(ANNOTATIONS[annotation])
    if name in DOCS:
        schema["description"] = DOCS[name]
    return schema


def object_schema(cls, *, rename=None, overrides=None, exclude=(), extra=None, required=()) -> dict:
    """An object schema from an attrs class: one property per field (renamed for YAML),
    every field accounted for; `extra` adds YAML keys that are not fields."""
    rename, overrides = rename or {}, overrides or {}
    props: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if field.name in exclude:
            continue
        key = rename.get(field.name, field.name)
        props[key] = overrides[key] if key in overrides else _field(str(field.type), key)
    props.update(extra or {})
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = list(required)
    return schema


def _closed(schema: dict) -> dict:
    return {**schema, "additionalProperties": False}


def _enum(values, description: str = "") -> dict:
    schema: dict[str, Any] = {"enum": list(values)}
    if description:
        schema["description"] = description
    return schema


def _ids_of(values, strict: bool) -> dict:
    """A list of ids (or one id without brackets), each one of `values` when strict."""
    if not strict:
        return dict(IDS)
    return {"anyOf": [{"enum": list(values)}, {"type": "array", "items": {"enum": list(values)}}]}


# -- the model ---------------------------------------------------------------------------------


def attribute_schema(attribute: voc.Attribute, vocabulary: voc.Vocabulary, strict: bool) -> dict:
    """The JSON Schema of one vocabulary attribute's value."""
    allowed = list(attribute.allowed(vocabulary))
    fixed = attribute.values is not None
    if attribute.type == "bool":
        schema: dict[str, Any] = {"type": "boolean"}
    elif attribute.type == "int":
        schema = {"type": "integer", "minimum": 0}
    elif attribute.type == "number":
        schema = {"type": "number"}
    elif attribute.type == "enum" and (fixed or strict):
        schema = {"enum": allowed}
    elif attribute.type == "list":
        items = {"enum": allowed} if allowed and (fixed or strict) else {"type": "string"}
        schema = {"type": "array", "items": items}
    else:
        schema = {"type": "string"}
    if attribute.nullable:
        if "enum" in schema:
            schema["enum"] = schema["enum"] + [None]
        else:
            schema["type"] = [schema["type"], "null"]
    if attribute.meaning:
        schema["description"] = attribute.meaning + (" (null: none)" if attribute.nullable else "")
    return schema


def _attributes(vocabulary: voc.Vocabulary, kind: str, strict: bool) -> dict:
    return {
        name: attribute_schema(a, vocabulary, strict)
        for name, a in sorted(vocabulary.attributes_for(kind).items())
    }


def _model_defs(vocabulary: voc.Vocabulary, strict: bool) -> dict:
    categories = list(vocabulary.categories)
    base_overrides = {"id": dict(ID, description=DOCS["id"])}
    system = object_schema(
        m.System,
        exclude=("attributes", "pos", "field_pos"),
        overrides=base_overrides,
        required=("id",),
    )
    system["properties"].update(_attributes(vocabulary, "system", strict))
    data = object_schema(
        m.DataAsset,
        exclude=("attributes", "pos", "field_pos"),
        required=("id",),
        overrides={
            **base_overrides,
            "categories": dict(_ids_of(categories, strict), description=DOCS["categories"]),
            "subjects": {
                "type": "integer",
                "minimum": 0,
                "maximum": m.MAX_SUBJECTS,
                "description": DOCS["subjects"],
            },
            "source": dict(
                {"enum": list(vocabulary.data_sources)} if strict else TEXT,
                description=DOCS["source"],
            ),
        },
    )
    data["properties"].update(_attributes(vocabulary, "data", strict))
    element = object_schema(
        m.Element,
        exclude=("attributes", "pos", "field_pos"),
        required=("id", "kind"),
        overrides={**base_overrides, "kind": _enum(m.ELEMENT_KINDS, DOCS["kind"])},
    )
    per_kind = []
    for kind in m.ELEMENT_KINDS:
        attributes = _attributes(vocabulary, kind, strict)
        element["properties"].update(
            {k: v for k, v in attributes.items() if k not in element["properties"]}
        )
        fixed = (
            ["id", "kind", "type", "name", "description"]
            + (["stores"] if kind == "datastore" else [])
            + (["inputs"] if kind == "process" else [])
        )
        then: dict[str, Any] = {"properties": {k: attributes[k] for k in attributes}}
        if strict:
            then["propertyNames"] = {"enum": fixed + list(attributes)}
            types = vocabulary.element_types.get(kind, ())
            if types:
                then["properties"]["type"] = _enum(types, f"{kind} type")
        per_kind.append(
            {"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]}, "then": then}
        )
    element["allOf"] = per_kind
    flow = object_schema(
        m.DataFlow,
        exclude=("attributes", "pos", "field_pos"),
        rename={"source": "from", "target": "to"},
        required=("id", "from", "to"),
        overrides=base_overrides,
    )
    flow["properties"].update(_attributes(vocabulary, "dataflow", strict))
    boundary = object_schema(
        m.Boundary,
        exclude=("attributes", "pos", "field_pos"),
        rename={"type": "kind"},
        required=("id", "kind"),
        overrides={
            **base_overrides,
            "kind": dict(
                {"enum": list(vocabulary.boundary_kinds)} if strict else TEXT,
                description="organisation, jurisdiction, network, ...",
            ),
        },
    )
    boundary["properties"].update(_attributes(vocabulary, "boundary", strict))
    defs = {
        "system": system,
        "data_asset": data,
        "element": element,
        "flow": flow,
        "boundary": boundary,
    }
    if strict:
        defs = {name: _closed(schema) for name, schema in defs.items()}
    return defs


def vocabulary_schema() -> dict:
    """The `vocabulary:` section (in a model or a catalog), from the vocabulary classes."""
    attribute = object_schema(
        voc.Attribute,
        exclude=("pos",),
        required=("name", "type", "applies_to"),
        overrides={
            "name": ID,
            "type": _enum(voc.ATTRIBUTE_TYPES),
            "applies_to": _ids_of(m.ATTRIBUTE_KINDS, True),
            "values": {"type": "array", "items": TEXT},
            "values_from": _enum(voc.LIST_SECTIONS + ("data_categories",)),
            "nullable": {"type": "boolean"},
            "meaning": TEXT,
            "question": dict(TEXT, description="how to ask a system owner for the value"),
        },
    )
    category = object_schema(voc.Category, required=("name",), overrides={"name": ID})
    lists = {"type": "array", "items": TEXT}
    section = object_schema(
        voc.Vocabulary,
        rename={"categories": "data_categories"},
        overrides={
            "attributes": {"type": "array", "items": _closed(attribute)},
            "element_types": _closed(
                {"type": "object", "properties": dict.fromkeys(m.ELEMENT_KINDS, lists)}
            ),
            "data_categories": {"type": "array", "items": _closed(category)},
            **dict.fromkeys(voc.LIST_SECTIONS, lists),
        },
        extra={"id": TEXT},
    )
    return _closed(section)


def model_schema(vocabulary: voc.Vocabulary) -> dict:
    """The model file's schema for this vocabulary."""
    control = _closed(
        object_schema(m.Control, exclude=("pos", "field_pos"), required=("mitigation",))
    )
    sections = {
        "data": "data_asset",
        "elements": "element",
        "flows": "flow",
        "boundaries": "boundary",
    }
    properties = {
        "system": {"type": "object", "description": "the system under review"},
        "include": dict(IDS, description="model files to append (relative paths below this one)"),
        **{key: {"type": "array", "items": {"type": "object"}} for key in sections},
        "controls": {
            "type": "array",
            "items": {"$ref": "#/definitions/control"},
            "description": "mitigations already in place",
        },
        "vocabulary": {
            "$ref": "#/definitions/vocabulary",
            "description": "the team's own attributes, types and categories",
        },
        "decisions": dict(
            decisions_schema()["properties"]["decisions"],
            description="review decisions kept in the model itself "
            "(instead of <model>.decisions.yaml)",
        ),
    }
    assert set(properties) == set(MODEL_KEYS), "model schema keys drifted from model_yaml.TOP_KEYS"

    def branch(suffix: str) -> dict:
        return {
            "properties": {
                "system": {"$ref": f"#/definitions/system{suffix}"},
                **{
                    key: {"items": {"$ref": f"#/definitions/{name}{suffix}"}}
                    for key, name in sections.items()
                },
            }
        }

    definitions: dict[str, Any] = {
        "control": control,
        "vocabulary": vocabulary_schema(),
        **_model_defs(vocabulary, strict=True),
    }
    for name, schema in _model_defs(vocabulary, strict=False).items():
        definitions[name + "_open"] = schema
    return {
        "$schema": DRAFT,
        "title": "threatmodel system model",
        "description": "A system model for threatmodel (docs/model-format.md). Attributes are "
        "checked against the vocabulary: an unknown key is a typo.",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "if": {"required": ["vocabulary"]},
        "then": branch("_open"),
        "else": branch(""),
        "definitions": definitions,
    }


# -- catalogs ----------------------------------------------------------------------------------


def _tree_node() -> dict:
    node = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "goal": TEXT,
            "step": TEXT,
            "blocked_by": dict(TEXT, description="a mitigation id"),
            "any": {"type": "array", "items": {"$ref": "#/definitions/attack_node"}},
            "all": {"type": "array", "items": {"$ref": "#/definitions/attack_node"}},
        },
    }
    assert {f.name for f in attrs.fields(cat.AttackNode)} == {
        "label",
        "gate",
        "children",
        "blocked_by",
    }
    return node


def catalog_schema() -> dict:
    """The catalog file's schema, from the catalog classes and catalog_yaml's key lists."""
    level = {"type": "integer", "minimum": 1, "maximum": 5}
    change = {"type": "integer", "minimum": -4, "maximum": 4}
    effect = {"type": "integer", "minimum": -4, "maximum": 0}
    condition = dict(
        TEXT, description="a condition (docs/catalog-format.md), never evaluated as Python"
    )
    modifier = _closed(
        object_schema(
            cat.Modifier,
            exclude=("pos",),
            required=("when", "why"),
            rename={"condition": "when"},
            overrides={"when": condition, "likelihood": change, "impact": change, "why": TEXT},
        )
    )
    risk = _closed(
        object_schema(
            cat.Risk,
            exclude=("pos", "catalog"),
            rename={"condition": "when"},
            required=("id", "title", "applies_to", "likelihood", "impact"),
            overrides={
                "id": {"type": "string", "pattern": "^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"},
                "applies_to": _ids_of(m.SUBJECT_KINDS, True),
                "scope": dict(
                    condition,
                    description="when the risk applies at all (unknown: it does not); "
                    "a condition, never evaluated as Python",
                ),
                "when": condition,
                "overlaps": dict(IDS, description="risks that name the same gap"),
                "likelihood": level,
                "impact": level,
                "modifiers": {"type": "array", "items": modifier},
                "frameworks": {
                    "type": "object",
                    "additionalProperties": {
                        "type": ["array", "string", "integer"],
                        "items": {"type": ["string", "integer"]},
                    },
                },
                "attack_tree": {"$ref": "#/definitions/attack_node"},
            },
            extra={"disabled": {"type": "boolean", "description": "true: switch off this risk"}},
        )
    )
    assert set(risk["properties"]) == set(RISK_KEYS), "catalog schema drifted from RISK_KEYS"
    mitigation = _closed(
        object_schema(
            cat.Mitigation,
            exclude=("pos", "likelihood", "impact"),
            required=("id", "title", "effect"),
            overrides={"id": ID},
            extra={
                "effect": _closed(
                    {"type": "object", "properties": {"likelihood": effect, "impact": effect}}
                )
            },
        )
    )
    reference = _closed(
        object_schema(
            cat.Reference,
            exclude=("pos",),
            required=("id", "kind", "title"),
            overrides={
                "id": ID,
                "kind": _enum(REFERENCE_KINDS),
                "url": {"type": "string", "pattern": "^https?://"},
                "jurisdiction": {
                    "type": "string",
                    "pattern": "^[A-Z]{2}(-[A-Z0-9]{1,3})?$",
                    "description": "whose law it is: EU, a country (GB, CN) or a region (US-CA)",
                },
                "checked": _closed(
                    {
                        "type": "object",
                        "description": "when the fact was last checked, and in which source",
                        "properties": {
                            "date": {"type": "string", "format": "date"},
                            "source": TEXT,
                        },
                        "required": ["date", "source"],
                    }
                ),
            },
        )
    )
    framework = _closed(
        object_schema(
            cat.Framework,
            exclude=("id", "pos"),
            overrides={
                "ids": {"type": "array", "items": {"type": ["string", "integer"]}},
                "names": {"type": "object"},
                "definitions": {
                    "type": "object",
                    "additionalProperties": TEXT,
                    "description": "each id's meaning in its source",
                },
                "parents": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "id -> the id it falls under in its source",
                },
            },
            extra={"categories": {"type": "object"}},
        )
    )
    band = _closed(
        object_schema(
            cat.Band,
            required=("name", "min"),
            overrides={
                "name": ID,
                "min": {"type": "integer", "minimum": 1, "maximum": 25},
                "sarif_level": _enum(("error", "warning", "note", "none")),
                "security_severity": {"type": "number", "minimum": 0, "maximum": 10},
            },
        )
    )
    properties = {
        "catalog": _closed(
            {
                "type": "object",
                "properties": {
                    "id": TEXT,
                    "title": TEXT,
                    "version": {"type": ["string", "number"]},
                    "description": TEXT,
                },
            }
        ),
        "risks": {"type": "array", "items": risk},
        "mitigations": {"type": "array", "items": mitigation},
        "references": {"type": "array", "items": reference},
        "vocabulary": vocabulary_schema(),
        "frameworks": {"type": "object", "additionalProperties": framework},
        "severity": _closed(
            {"type": "object", "properties": {"bands": {"type": "array", "items": band}}}
        ),
        "disable": {"type": "array", "items": TEXT, "description": "risk ids to switch off"},
    }
    assert set(properties) == set(CATALOG_KEYS), "catalog schema drifted from catalog_yaml.TOP_KEYS"
    return {
        "$schema": DRAFT,
        "title": "threatmodel risk catalog",
        "description": "A risk catalog for threatmodel (docs/catalog-format.md).",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "definitions": {"attack_node": _tree_node()},
    }


# -- decisions ---------------------------------------------------------------------------------


def decisions_schema() -> dict:
    """The decisions file's schema, from tracking.Decision and tracking's key lists."""
    date = {"type": "string", "format": "date", "description": "YYYY-MM-DD"}
    decision = _closed(
        object_schema(
            tracking.Decision,
            exclude=("key", "expired", "recorded_status", "pos", "field_pos"),
            required=("status",),
            overrides={
                "status": _enum(tracking.STATUSES),
                "date": dict(date),
                "expires": dict(
                    date, description="YYYY-MM-DD; from then on the finding is open again"
                ),
                "justification": dict(TEXT, description="why the review decided so"),
                "owner": TEXT,
                "ticket": TEXT,
            },
        )
    )
    assert set(decision["properties"]) == set(tracking.KEYS), "decisions schema drifted"
    decision["if"] = {
        "properties": {"status": {"enum": list(tracking.NEEDS_JUSTIFICATION)}},
        "required": ["status"],
    }
    decision["then"] = {"required": ["justification"]}
    return {
        "$schema": DRAFT,
        "title": "threatmodel review decisions",
        "description": "Review decisions for findings, keyed by finding id or pattern.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "decisions": {
                "type": "object",
                "propertyNames": {"pattern": DECISION_KEY_RE.pattern},
                "additionalProperties": decision,
                "description": "finding id '<risk>@<element>' or a pattern with * and ?",
            }
        },
    }


def results_schema() -> dict:
    """The schema of findings.json: the report model's classes, as `to_plain` writes them."""
    from threatmodel.jsondata import json_schema
    from threatmodel.report import Report

    return json_schema(
        Report,
        title="threatmodel results (findings.json)",
        schema_id="https://github.com/threatmodel/threatmodel/blob/main/threatmodel/schemas/"
        "results.schema.json",
    )


# -- generation --------------------------------------------------------------------------------


def shipped_vocabulary(paths: tuple = ()) -> voc.Vocabulary:
    """Every word the shipped catalogs (and the catalogs at `paths`) let a model use."""
    from threatmodel.catalog_yaml import load_catalog

    return load_catalog(tuple(paths)).vocabulary


def generate(name: str, catalog_paths: tuple = ()) -> dict:
    if name == "model":
        return model_schema(shipped_vocabulary(catalog_paths))
    if name == "catalog":
        return catalog_schema()
    if name == "decisions":
        return decisions_schema()
    if name == "results":
        return results_schema()
    raise ValueError(f"unknown schema '{name}'")


def render(schema: dict) -> str:
    """Deterministic text: the same schema always gives the same bytes."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def shipped_path(name: str) -> Path:
    return SCHEMA_DIR / f"{name}.schema.json"


def main() -> None:  # pragma: no cover - a maintenance script
    from threatmodel.output import write_atomic

    for name in NAMES:
        write_atomic(shipped_path(name), render(generate(name)))
        print(f"wrote {shipped_path(name)}")


if __name__ == "__main__":  # pragma: no cover
    main()
