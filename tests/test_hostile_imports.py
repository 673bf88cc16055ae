"""Issue 17: hostile files given to `threatmodel import` end in one positioned message per
problem and exit 2, with nothing written; never a traceback, and never a model that does not
load."""

from __future__ import annotations

import json

import pytest

from tests.helpers import shared_path
from threatmodel.cli import main

OTM = shared_path("interop-corpus/otm/EXAMPLE.json")


def otm_text(**project) -> str:
    data = json.loads(OTM.read_text())
    data["project"].update(project)
    return json.dumps(data, indent=1)


@pytest.mark.parametrize("fmt", ["otm", "pytm", "threat-dragon", "threagile", "auto"])
@pytest.mark.parametrize(
    "text, expected",
    [
        (
            '{\n "name": "x\\ud800y"}',
            "2:11: invalid JSON: '\\ud800' is half of a surrogate pair, not a character "
            "(write the character itself, or both halves)",
        ),
        (
            '{\n "a": ' + "9" * 5000 + "}",
            "2:7: invalid value '" + "9" * 57 + "...': a number with 5,000 digits",
        ),
        ("[" * 100_000 + "]" * 100_000, "1:65: nesting is deeper than the limit of 64 levels"),
        (
            '{"a": "' + "x" * 100_001 + '"}',
            "1:7: value is 100,001 characters long, over the limit of 100,000",
        ),
        ("[" + "0," * 2_000_000 + "0]", "1:4000000: the document has more than 2,000,000 values"),
    ],
    ids=["lone-surrogate", "5000-digit-integer", "nested-100000-deep", "long-value", "values"],
)
def test_json_past_the_limits_is_refused_by_every_importer(tmp_path, capsys, fmt, text, expected):
    source = tmp_path / "in.json"
    source.write_text(text)
    out = tmp_path / "m.yaml"
    assert main(["import", "--from", fmt, str(source), "-o", str(out)]) == 2
    assert capsys.readouterr().err.splitlines()[0] == f"{source}:{expected}"
    assert not out.exists()


def test_a_lone_surrogate_in_an_otm_file_is_refused_where_it_is(tmp_path, capsys):
    source = tmp_path / "s.otm.json"
    source.write_text(otm_text(description="before \udc00 after"))
    out = tmp_path / "m.yaml"
    assert main(["import", "--from", "otm", str(source), "-o", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{source}:6:") and "'\\udc00' is half of a surrogate pair" in err[0]
    assert not out.exists()


def test_json_limits_are_the_configured_yaml_limits(tmp_path, capsys):
    source = tmp_path / "in.otm.json"
    source.write_text(otm_text())
    out = tmp_path / "m.yaml"
    for limit, words in [
        ("max_depth=3", "nesting is deeper than the limit of 3 levels"),
        ("max_nodes=50", "the document has more than 50 values"),
        ("max_scalar_chars=10", "over the limit of 10"),
        ("max_bytes=1000", "over the limit of 1,000 bytes"),
    ]:
        assert main(["import", str(source), "-o", str(out), "--limit", limit]) == 2
        assert words in capsys.readouterr().err.splitlines()[0]
        assert not out.exists()


def test_an_import_past_a_work_limit_is_refused_at_the_source(capsys, tmp_path):
    """Four flows where only three may be: the model written would not load, so none is."""
    out = tmp_path / "m.yaml"
    assert main(["import", str(OTM), "-o", str(out), "--limit", "max_flows=3"]) == 2
    assert (
        capsys.readouterr()
        .err.splitlines()[0]
        .startswith(f"{OTM}:199:5: flows: more than 3, over the limit max_flows=3")
    )
    assert not out.exists()


def test_an_import_that_would_write_a_model_too_big_to_load_writes_nothing(tmp_path, capsys):
    """A small file whose aliases repeat one long description: the model written out would be
    over max_bytes, so `validate` would refuse it; `import` refuses it first (before: exit 0
    and a model that did not load)."""
    lines = [
        "otmVersion: 0.2.0",
        "project: {name: P, id: p}",
        "trustZones: [{id: tz, name: TZ}]",
        "components:",
        '  - {id: c0, name: C0, type: web-service, parent: {trustZone: tz}, description: &d "'
        + "x" * 2000
        + '"}',
    ]
    lines += [
        f"  - {{id: c{i}, name: C{i}, type: web-service, parent: {{trustZone: tz}}, "
        "description: *d}"
        for i in range(1, 100)
    ]
    source = tmp_path / "aliases.otm.yaml"
    source.write_text("\n".join(lines) + "\n")
    out = tmp_path / "m.yaml"
    assert main(["import", str(source), "-o", str(out), "--limit", "max_bytes=100K"]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{out} (not written): text is over the limit of 102,400 bytes"
    )
    assert not out.exists()
    assert main(["import", str(source), "--limit", "max_bytes=100K"]) == 2  # nor printed
    assert capsys.readouterr().out == ""
    assert main(["import", str(source), "-o", str(out)]) == 0
    assert main(["validate", str(out)]) == 0


def test_analyze_from_another_tool_keeps_the_work_limits(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["analyze", "--from", "otm", str(OTM), "-o", str(out), "--format", "json"]
    assert main([*args, "--limit", "max_flows=3"]) == 2
    assert f"{OTM}:199:5: flows: more than 3" in capsys.readouterr().err
    assert not out.exists()
