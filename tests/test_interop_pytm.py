"""pytm import from its --json output (no pytm code is imported or run), and the JSON reader."""

import json
from pathlib import Path

import pytest

import threatmodel
from tests.helpers import shared_path
from threatmodel.cli import main
from threatmodel.errors import ThreatModelError
from threatmodel.interop.pytm import import_pytm
from threatmodel.interop.source import read_json_text

FIXTURE = Path(__file__).parent / "fixtures" / "interop" / "border-watchlist.pytm.json"


@pytest.fixture(scope="module")
def imported():
    return import_pytm(FIXTURE)


def _by_id(items):
    return {item.id: item for item in items}


def test_elements_flows_boundaries_and_data_arrive_by_name(imported):
    """Names become ids; every element, flow, boundary and data item arrives and validates."""
    model = imported.model
    assert [e.id for e in model.elements] == [
        "border-officer",
        "watchlist-administrator",
        "traveller",
        "checkpoint-terminal",
        "watchlist-matching-service",
        "alert-notifier",
        "watchlist-db",
        "crossing-log",
        "partner-agency-feed",
    ]
    assert len(model.flows) == 8 and len(model.data) == 4
    boundaries = _by_id(model.boundaries)
    assert set(boundaries["border-agency"].members) == {"airport", "agency-network"}
    assert "watchlist-db" in boundaries["agency-network"].members
    threatmodel.check_model(model, threatmodel.load_catalog())


def test_classes_and_flags_map_onto_kinds_types_and_attributes(imported):
    """Datastore type and flags give the element type; controls map onto our attributes."""
    elements = _by_id(imported.model.elements)
    assert (elements["watchlist-db"].kind, elements["watchlist-db"].type) == (
        "datastore",
        "database",
    )
    assert elements["crossing-log"].type == "log"
    assert elements["watchlist-db"].attributes == {
        "encrypted_at_rest": False,
        "patched": False,  # isHardened
        "access_control": "none",
    }
    assert elements["watchlist-administrator"].type == "operator_staff"
    assert elements["watchlist-administrator"].attributes == {"mfa": True}
    assert elements["partner-agency-feed"].kind == "external_service"
    assert elements["alert-notifier"].kind == "process"


def test_data_flags_give_categories_and_confidentiality(imported):
    """isPII, isCredentials and words give categories; classification gives confidentiality."""
    data = _by_id(imported.model.data)
    assert "biometric" in data["face-image"].categories
    assert data["officer-session-token"].categories == ("credentials",)
    assert data["watchlist-entry"].attributes["confidentiality"] == "strictly_confidential"
    assert data["passport-data"].attributes["confidentiality"] == "confidential"


def test_flows_carry_data_encryption_and_fill_the_stores(imported):
    """Flow controls map onto encryption and authentication (a TLS version says encrypted);
    data flowing into a datastore is what it stores."""
    flows = _by_id(imported.model.flows)
    assert flows["passport-scan"].attributes == {
        "encrypted_in_transit": True,  # tlsVersion TLSv12, although isEncrypted is false
        "authenticated": False,
    }
    assert flows["match-request"].attributes["authenticated"] is True
    assert flows["lookup"].attributes["protocol"] == "SQL"
    elements = _by_id(imported.model.elements)
    assert elements["crossing-log"].stores == ("passport-data",)
    assert elements["watchlist-db"].stores == ("watchlist-entry", "passport-data")


def test_pytm_findings_and_assumptions_are_listed_with_their_lines(imported):
    """pytm's own findings and assumptions, and every other field with no equivalent, are
    listed with their positions; fields at pytm's default under a topic of their own."""
    from threatmodel.interop.build import UNMAPPED, UNMAPPED_DEFAULT

    unmapped = {n.detail: n for n in imported.notes if n.topic == UNMAPPED}
    assert {"TM: findings", "TM: assumptions"} <= set(unmapped)
    assert unmapped["TM: findings"].pos.line > 1
    defaults = {n.detail for n in imported.notes if n.topic == UNMAPPED_DEFAULT}
    assert "flow controls: checksInputBounds" in defaults
    assert "TM: findings" not in defaults


@pytest.mark.parametrize(
    "change, words",
    [
        (
            lambda tm: tm["flows"][0].update(sink="Nowhere"),
            "'sink' names unknown element 'Nowhere'",
        ),
        (
            lambda tm: tm["assets"][1].update(name="Checkpoint Terminal"),
            "two elements or boundaries are named 'Checkpoint Terminal'",
        ),
        (lambda tm: tm["flows"][2].update(data=["Passport"]), "unknown data 'Passport'"),
        (lambda tm: tm["actors"][0].update(inBoundary="Moon"), "unknown boundary 'Moon'"),
    ],
)
def test_broken_pytm_output_gives_positioned_errors(tmp_path, change, words):
    """Dangling names and duplicate names are errors at their line in the JSON file."""
    tm = json.loads(FIXTURE.read_text())
    tm["elements"] = None
    del tm["elements"]
    change(tm)
    path = tmp_path / "tm.json"
    path.write_text(json.dumps(tm, indent=2))
    with pytest.raises(ThreatModelError) as caught:
        import_pytm(path)
    problem = next(p for p in caught.value.problems if words in p.message)
    assert problem.file == str(path) and problem.line > 1


def test_analyze_accepts_pytm_output_with_from(tmp_path, capsys):
    """`analyze --from pytm` reports the unencrypted watchlist store."""
    out = tmp_path / "out"
    assert (
        main(
            [
                "analyze",
                "--from",
                "pytm",
                str(FIXTURE),
                "-o",
                str(out),
                "--format",
                "json",
                "--quiet",
            ]
        )
        == 0
    )
    report = json.loads((out / "findings.json").read_text())
    assert "SRS-SEC-02@watchlist-db" in {f["id"] for f in report["findings"]}
    capsys.readouterr()


def test_json_values_come_from_json_and_positions_from_the_text():
    """Numbers like 1e5, surrogate pairs and tab indentation read correctly, with positions."""
    text = '{\n\t"a": 1e5,\n\t"b": "\\ud83d\\ude00 \\/",\n\t"c": [true, null]\n}'
    data = read_json_text(text, "t.json")
    assert data == {"a": 100000.0, "b": "\U0001f600 /", "c": [True, None]}
    assert (data.val_pos["c"].line, data.val_pos["c"].col) == (4, 7)
    assert (data["c"].item_pos[1].line, data["c"].item_pos[1].col) == (4, 14)
    # positions are worked out when asked for, and read like a dict's
    assert "a" in data.key_pos and "z" not in data.key_pos
    assert data.key_pos.get("z") is None and data.val_pos.get("z", "none") == "none"
    assert (data.key_pos.get("b").line, data.key_pos["b"].col) == (3, 3)
    data.key_pos["z"] = data.key_pos["a"]  # set as a dict's (what importers add)
    assert data.key_pos["z"] is data.key_pos["a"]
    with pytest.raises(KeyError):
        data.val_pos["y"]


def test_json_syntax_errors_and_duplicate_keys_have_positions():
    """Bad JSON names its line and column; a duplicate key points at its second use."""
    with pytest.raises(ThreatModelError) as caught:
        read_json_text('{"a": 1,\n  "b": ]}', "t.json")
    assert (caught.value.problems[0].line, caught.value.problems[0].col) == (2, 8)
    with pytest.raises(ThreatModelError) as caught:
        read_json_text('{"a": 1,\n  "a": 2}', "t.json")
    problem = caught.value.problems[0]
    assert "duplicate key 'a'" in problem.message and (problem.line, problem.col) == (2, 3)


@pytest.mark.parametrize("fmt", ["auto", "pytm"])
def test_a_pytm_model_in_python_is_refused_with_how_to_get_its_json(fmt, capsys, tmp_path):
    """pytm's own model is code, which threatmodel never runs: the refusal says so at 1:1 and
    names the command that writes the JSON it reads (it said "invalid YAML" at 192:26)."""
    source = shared_path("interop-corpus/pytm/tm.py")
    assert main(["import", "--from", fmt, str(source), "-o", str(tmp_path / "m.yaml")]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{source}:1:1: this is Python source (a pytm model?); threatmodel reads files and never "
        "runs code: write pytm's JSON with `python3 tm.py --json tm.json` and import that"
    )
    assert not (tmp_path / "m.yaml").exists()
