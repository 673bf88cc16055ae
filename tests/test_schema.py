"""JSON Schemas: generated from the classes, shipped up to date, and right about real files."""

import datetime
import json
from pathlib import Path

import attrs
import jsonschema
import pytest

from threatmodel import schema
from threatmodel.cli import main
from threatmodel.loader import load_file

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def plain(value):
    """What an editor's YAML server hands the schema: dates as ISO text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validators():
    return {name: jsonschema.Draft7Validator(schema.generate(name)) for name in schema.NAMES}


def _load(path):
    data, _ = load_file(path)
    return plain(data)


def _errors(validator, data):
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize("name", schema.NAMES)
def test_shipped_schemas_are_up_to_date_with_the_generator(name):
    """The files in threatmodel/schemas/ equal what the generator makes now
    (regenerate with `python3 -m threatmodel.schema`)."""
    shipped = schema.shipped_path(name).read_text(encoding="utf-8")
    assert shipped == schema.render(schema.generate(name)), (
        f"{name}.schema.json is stale: run python3 -m threatmodel.schema"
    )


@pytest.mark.parametrize("name", schema.NAMES)
def test_schemas_are_valid_draft_07(name):
    """Each schema is itself a valid JSON Schema."""
    jsonschema.Draft7Validator.check_schema(schema.generate(name))


def _models():
    paths = sorted((ROOT / "examples").glob("*.yaml")) + sorted(
        (FIXTURES / "models").glob("*.yaml")
    )
    return [p for p in paths if not p.name.endswith(".decisions.yaml")]


@pytest.mark.parametrize("path", _models(), ids=lambda p: p.name)
def test_every_example_and_test_model_validates(validators, path):
    """Every example and fixture model passes the model schema."""
    assert _errors(validators["model"], _load(path)) == []


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "catalogs").glob("*.yaml")) + sorted((FIXTURES / "catalog").glob("*.yaml")),
    ids=lambda p: p.name,
)
def test_every_shipped_and_test_catalog_validates(validators, path):
    """Every catalog file passes the catalog schema."""
    assert _errors(validators["catalog"], _load(path)) == []


@pytest.mark.parametrize("path", sorted(ROOT.glob("**/*.decisions.yaml")), ids=lambda p: p.name)
def test_every_decisions_file_validates(validators, path):
    """Every decisions file in the repository passes the decisions schema."""
    assert _errors(validators["decisions"], _load(path)) == []


def test_a_typo_in_an_attribute_name_is_rejected(validators):
    """encypted_at_rest (a typo) on a datastore fails, naming the key."""
    data = _load(FIXTURES / "models" / "small.yaml")
    data["elements"][4]["encypted_at_rest"] = False
    errors = _errors(validators["model"], data)
    assert errors and any("encypted_at_rest" in e for e in errors)


@pytest.mark.parametrize(
    "change, words",
    [
        (
            lambda d: d["elements"][4].update(encrypted_at_rest="no"),
            "'no' is not of type 'boolean'",
        ),
        (lambda d: d["elements"][0].update(inputs=["purchases"]), "'inputs' is not one of"),
        (lambda d: d["elements"][0].update(type="lendr"), "'lendr' is not one of"),
        (lambda d: d["data"][0].update(categories=["purchse"]), "is not valid under any"),
        (
            lambda d: d["flows"][0].update(transfer_mechanism="handshake"),
            "'handshake' is not one of",
        ),
        (
            lambda d: d["elements"][3].update(encrypted_at_rest=True),
            "'encrypted_at_rest' is not one of",
        ),
        (lambda d: d.update(sytem={}), "'sytem' was unexpected"),
    ],
)
def test_wrong_values_and_misplaced_attributes_are_rejected(validators, change, words):
    """Wrong types, unknown words and attributes on the wrong kind fail the schema."""
    data = _load(FIXTURES / "models" / "small.yaml")
    change(data)
    assert any(words in e for e in _errors(validators["model"], data)), _errors(
        validators["model"], data
    )


def test_a_model_with_its_own_vocabulary_may_use_its_attributes(validators):
    """Declared attributes are allowed; known attributes are still type-checked."""
    data = _load(FIXTURES / "models" / "small.yaml")
    data["vocabulary"] = {
        "attributes": [{"name": "pci_scope", "type": "bool", "applies_to": ["datastore"]}]
    }
    data["elements"][4]["pci_scope"] = True
    assert _errors(validators["model"], data) == []
    data["elements"][4]["encrypted_at_rest"] = "no"
    assert _errors(validators["model"], data)


def test_decisions_need_a_justification_when_accepted(validators):
    """An accepted finding without justification, or an unknown status, fails."""
    ok = {
        "decisions": {
            "SRS-SEC-02@db": {"status": "accepted", "justification": "legacy", "date": "2024-05-01"}
        }
    }
    assert _errors(validators["decisions"], ok) == []
    assert _errors(
        validators["decisions"], {"decisions": {"SRS-SEC-02@db": {"status": "accepted"}}}
    )
    assert _errors(validators["decisions"], {"decisions": {"X@y": {"status": "done"}}})
    assert _errors(validators["decisions"], {"decisions": {"X@y": {"status": "open", "due": 1}}})


def test_catalog_schema_rejects_a_misspelt_risk_key(validators):
    """A risk with 'likelyhood' fails the catalog schema."""
    data = {
        "risks": [
            {
                "id": "ACME-X-1",
                "title": "t",
                "applies_to": "datastore",
                "likelyhood": 3,
                "impact": 2,
            }
        ]
    }
    assert any("likelyhood" in e for e in _errors(validators["catalog"], data))


def test_every_field_of_the_classes_is_described_or_excluded():
    """An attrs field without a schema entry makes generation fail, so schemas cannot drift."""

    @attrs.frozen
    class Thing:
        id: "str"
        weight: "float"

    with pytest.raises(ValueError, match="weight"):
        schema.object_schema(Thing)


def test_schema_command_prints_a_schema_and_its_path(capsys):
    """`threatmodel schema model` prints JSON; --path prints the shipped file's location."""
    assert main(["schema", "decisions"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["title"] == "threatmodel review decisions"
    assert main(["schema", "model", "--path"]) == 0
    assert capsys.readouterr().out.strip().endswith("model.schema.json")


def test_schema_command_adds_a_user_catalogs_vocabulary(tmp_path, capsys):
    """With --catalog, attributes declared by a user catalog are allowed in models."""
    user = tmp_path / "acme.yaml"
    user.write_text(
        "vocabulary:\n  attributes:\n"
        "    - {name: kyc_level, type: enum, values: [none, basic, full], "
        "applies_to: [process]}\n"
    )
    assert main(["schema", "model", "--catalog", str(user)]) == 0
    generated = json.loads(capsys.readouterr().out)
    element = generated["definitions"]["element"]
    assert element["properties"]["kyc_level"] == {"enum": ["none", "basic", "full"]}
