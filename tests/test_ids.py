"""One identifier rule (`threatmodel.ids`), matched against the whole text everywhere: no id-shaped
field of a model, catalog or decisions file takes a control character or a trailing newline
(`re.match(r"^...$")` let `"db\\n"` sit beside `db`), and imports never produce one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from threatmodel.cli import main
from threatmodel.ids import is_clean_label, is_decision_key, is_id, is_risk_id

FIXTURES = Path(__file__).parent / "fixtures"
CATALOG = str(FIXTURES / "catalog")
GOOD_MODEL = str(FIXTURES / "models" / "small.yaml")
# Each hostile value is written as a YAML double-quoted escape, so the file itself is clean.
HOSTILE = {"newline": "\\n", "control": "\\x01", "nel": "\\N"}
VOCABULARY = "vocabulary:\n  attributes:\n    - {name: tier, type: enum, values: [gold], applies_to: [datastore]}\n"

# (group, what the case covers, file text with {X} for the hostile value, its base value, the
# start of the message expected; {V} there is the value as messages show it)
CASES = [
    ("model", "system id", "system: {id: {X}}\n", "s", "system: id {V} must start"),
    ("model", "data asset id", "system: {id: s}\ndata:\n  - {id: {X}}\n", "d",
     "data asset: id {V} must start"),
    ("model", "element id", "system: {id: s}\nelements:\n  - {id: {X}, kind: actor}\n", "db",
     "element: id {V} must start"),
    ("model", "flow id", "system: {id: s}\nelements:\n  - {id: a, kind: actor}\n"
     "  - {id: b, kind: actor}\nflows:\n  - {id: {X}, from: a, to: b}\n", "f",
     "flow: id {V} must start"),
    ("model", "boundary id", "system: {id: s}\nboundaries:\n  - {id: {X}, kind: organisation}\n",
     "org", "boundary: id {V} must start"),
    ("model", "a reference to an element", "system: {id: s}\nelements:\n  - {id: a, kind: actor}\n"
     "  - {id: b, kind: actor}\nflows:\n  - {id: f, from: {X}, to: b}\n", "a",
     "flow 'f': 'from' names unknown element"),
    ("model", "vocabulary attribute name", "system: {id: s}\nvocabulary:\n  attributes:\n"
     "    - {name: {X}, type: bool, applies_to: [datastore]}\n", "pci", "attribute: name {V}"),
    ("model", "vocabulary category name", "system: {id: s}\nvocabulary:\n  data_categories:\n"
     "    - {name: {X}}\n", "odd", "data category: name {V}"),
    ("model", "vocabulary boundary kind", "system: {id: s}\nvocabulary:\n  boundary_kinds: [{X}]\n",
     "zone", "vocabulary: boundary_kinds entry {V}"),
    ("model", "vocabulary data source", "system: {id: s}\nvocabulary:\n  data_sources: [{X}]\n",
     "feed", "vocabulary: data_sources entry {V}"),
    ("model", "vocabulary decision domain", "system: {id: s}\nvocabulary:\n"
     "  decision_domains: [{X}]\n", "bail", "vocabulary: decision_domains entry {V}"),
    ("model", "vocabulary element type", "system: {id: s}\nvocabulary:\n"
     "  element_types: {actor: [{X}]}\n", "clerk", "element_types: actor entry {V}"),
    ("model", "vocabulary enum value", "system: {id: s}\nvocabulary:\n  attributes:\n"
     "    - {name: tier, type: enum, values: [{X}], applies_to: [datastore]}\n", "gold",
     "attribute: values entry {V}"),
    ("catalog", "risk id", "risks:\n  - {id: {X}, title: t, applies_to: system, likelihood: 1, "
     "impact: 1}\n", "X-A-1", "risk: id {V} must start"),
    ("catalog", "mitigation id", "mitigations:\n  - {id: {X}, title: t, effect: {likelihood: -1}}\n",
     "MIT-X", "mitigation: id {V} must start"),
    ("catalog", "reference id", "references:\n  - {id: {X}, kind: incident, title: t}\n", "ref-x",
     "reference: id {V} must start"),
    ("catalog", "severity band name", "severity:\n  bands:\n    - {name: {X}, min: 1}\n", "low",
     "severity band: name {V} must start"),
    ("catalog", "framework name", "frameworks:\n  {X}: {title: T, ids: [a]}\n", "acme",
     "frameworks: name {V} must start"),
    ("catalog", "framework id in its list", "frameworks:\n  acme: {title: T, ids: [{X}]}\n", "A1",
     "framework 'acme': id {V} must be one line"),
    ("catalog", "framework id by pattern", "risks:\n  - {id: X-A-1, title: t, applies_to: system, "
     "likelihood: 1, impact: 1, frameworks: {cwe: [{X}]}}\n", "CWE-79",
     "risk 'X-A-1': '"),
    ("catalog", "framework id by list", "risks:\n  - {id: X-A-1, title: t, applies_to: system, "
     "likelihood: 1, impact: 1, frameworks: {stride: [{X}]}}\n", "S", "risk 'X-A-1': '"),
    ("catalog", "catalog vocabulary", "vocabulary:\n  boundary_kinds: [{X}]\n", "zone",
     "vocabulary: boundary_kinds entry {V}"),
    ("decisions", "decision key", "decisions:\n  {X}: {status: open}\n", "T-SEC-01@profile-db",
     "decision '"),
]  # fmt: skip


def _argv(group: str, path: str, out: Path) -> list[str]:
    if group == "model":
        return ["validate", path, "--no-shipped", "--catalog", CATALOG]
    if group == "catalog":
        return ["catalog", "lint", "--no-shipped", "--catalog", path]
    return ["analyze", GOOD_MODEL, "--no-shipped", "--catalog", CATALOG, "--decisions", path,
            "--today", "2025-06-01", "-o", str(out), "--quiet", "--format", "json"]  # fmt: skip


@pytest.mark.parametrize("hostile", list(HOSTILE))
@pytest.mark.parametrize("case", CASES, ids=[c[1] for c in CASES])
def test_id_fields_refuse_control_characters_through_the_cli(case, hostile, tmp_path, capsys):
    """Each id-shaped field with a trailing newline, a control character or a NEL (U+0085)
    inside is refused: exit 2, a message at the value's file:line:col, nothing written."""
    group, _, template, base, expected = case
    escape = HOSTILE[hostile]
    value = f"{base}{escape}" if hostile == "newline" else f"{base[:1]}{escape}{base[1:]}"
    path = tmp_path / f"{group}.yaml"
    path.write_text(template.replace("{X}", f'"{value}"'), encoding="utf-8")
    raw = yaml.safe_load(f'"{value}"')  # what the file holds
    assert not is_id(raw) and not is_clean_label(raw)
    status = main(_argv(group, str(path), tmp_path / "out"))
    err = capsys.readouterr().err
    assert status == 2, err
    want = expected.replace("{V}", repr(raw).replace("\\", "\\\\"))
    assert re.search(rf"^{re.escape(str(path))}:[1-9]\d*:[1-9]\d*: {want}", err, re.M), err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "text",
    ["db", "a.b:c-d_e", "A" * 128],
)
def test_ordinary_ids_pass(text):
    assert is_id(text)


@pytest.mark.parametrize(
    "text",
    ["db\n", "d\x01b", "d\x85b", "", "-x", "a b", "A" * 129, "db\r", "\ndb", 7, None],
)
def test_the_id_rule_matches_the_whole_text(text):
    """`$` would have accepted 'db\\n'; the whole text must match, control characters never do."""
    assert not is_id(text)


def test_risk_ids_and_decision_keys_match_as_a_whole():
    assert is_risk_id("SRS-SEC-01") and not is_risk_id("SRS-SEC-01\n")
    assert is_decision_key("SRS-*@db") and not is_decision_key("SRS-SEC-01@db\n")
    assert is_clean_label("Dignity Loss") and not is_clean_label("Dignity Loss\n")
    assert not is_clean_label("Loss\u202eof") and not is_clean_label(" Loss")


def test_shipped_risk_cannot_be_shadowed_by_a_newline_twin(tmp_path, capsys):
    """A user catalog risk 'SRS-SEC-01\\n' used to sit beside the shipped SRS-SEC-01."""
    path = tmp_path / "c.yaml"
    path.write_text(
        'risks:\n  - {id: "SRS-SEC-01\\n", title: t, applies_to: system, likelihood: 1, '
        "impact: 1}\n"
    )
    assert main(["catalog", "lint", "--catalog", str(path)]) == 2
    assert f"{path}:2:11: risk: id 'SRS-SEC-01\\n' must start" in capsys.readouterr().err


def test_decide_refuses_a_key_with_a_newline(tmp_path, capsys):
    """`threatmodel decide` checks its FINDING argument with the same rule."""
    decisions = tmp_path / "d.yaml"
    status = main(
        ["decide", "T-SEC-01@profile-db\n", "--status", "open", "--decisions", str(decisions)]
    )
    assert status == 2
    assert "is not a finding id" in capsys.readouterr().err
    assert not decisions.exists()


def test_imports_rename_hostile_ids_instead_of_keeping_them(tmp_path, capsys):
    """A foreign file's ids are made to fit the rule (with a positioned note): 'db' and 'db\\n'
    become two distinct ids, and no id of the imported model carries a control character."""
    source = tmp_path / "m.otm.json"
    source.write_text(
        json.dumps(
            {
                "otmVersion": "0.2.0",
                "project": {"id": "p\n", "name": "P"},
                "trustZones": [{"id": "tz\x01", "name": "TZ", "risk": {"trustRating": 50}}],
                "components": [
                    {"id": "db", "name": "DB", "parent": {"trustZone": "tz\x01"}},
                    {"id": "db\n", "name": "DB twin", "parent": {"trustZone": "tz\x01"}},
                ],
                "dataflows": [
                    {"id": "f\u0085", "name": "F", "source": "db", "destination": "db\n"}
                ],
            },
            indent=1,
        )
    )
    out = tmp_path / "model.yaml"
    assert main(["import", "--from", "otm", str(source), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{source}: notes on the import" in err
    assert "- ids changed to fit" in err
    assert "'db\\n' -> 'db-2' (line 25)" in err
    model = yaml.safe_load(out.read_text())
    ids = [model["system"]["id"]] + [
        item["id"] for section in ("elements", "flows", "boundaries") for item in model[section]
    ]
    assert all(is_id(i) for i in ids), ids
    elements = [e["id"] for e in model["elements"]]
    assert len(set(elements)) == 2 and "db" in elements
    assert main(["validate", str(out)]) == 0
