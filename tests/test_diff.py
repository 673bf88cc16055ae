"""`threatmodel diff`: new, resolved and changed findings, added and removed elements and flows,
from models or findings.json files, as text, Markdown and JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from threatmodel import diff as differ
from threatmodel.cli import main
from threatmodel.errors import ThreatModelError
from threatmodel.render import diff as renderers

REPORTS = Path(__file__).parent / "fixtures" / "reports"
CATALOG = ["--catalog", str(REPORTS / "catalog.yaml"), "--no-shipped", "--today", "2024-06-01"]


@pytest.fixture
def models(tmp_path):
    """The fixture model (with its decisions) and an edited copy: appeal added, archive and a
    camera changed, one flow removed."""
    old = tmp_path / "old" / "model.yaml"
    old.parent.mkdir()
    shutil.copy(REPORTS / "model.yaml", old)
    shutil.copy(REPORTS / "model.decisions.yaml", old.with_name("model.decisions.yaml"))
    text = old.read_text(encoding="utf-8")
    text = (
        text.replace("    appeal: false", "    appeal: true")
        .replace(
            "name: Archive, stores: [health]}",
            "name: Archive, stores: [health], encrypted_at_rest: false}\n"
            "  - {id: cam, kind: external_service, type: camera}",
        )
        .replace("  - {id: f-store, from: scoring, to: profile-db, data: [scores]}\n", "")
    )
    new = tmp_path / "new" / "model.yaml"
    new.parent.mkdir()
    new.write_text(text, encoding="utf-8")
    shutil.copy(REPORTS / "model.decisions.yaml", new.with_name("model.decisions.yaml"))
    return old, new


def run(capsys, *args: str) -> tuple[int, str]:
    code = main(["diff", *args])
    return code, capsys.readouterr().out


def test_text_says_what_changed(models, capsys):
    """New (once undecided, now confirmed) and resolved findings, and added elements and
    removed flows, are listed."""
    code, out = run(capsys, str(models[0]), str(models[1]), *CATALOG)
    assert code == 0
    assert out == (
        "new findings (1):\n"
        "  + high      R-SEC-01@archive: Personal data stored unencrypted\n"
        "resolved findings (1):\n"
        "  - high      R-OPA-01@scoring: Automated decisions people cannot contest\n"
        "elements added: cam\n"
        "flows removed: f-store\n"
    )


def test_json_results_compare_like_models(models, capsys, tmp_path):
    """An old findings.json diffed against the new model gives the same answer as two models."""
    assert (
        main(
            [
                "analyze",
                str(models[0]),
                *CATALOG,
                "--format",
                "json",
                "-o",
                str(tmp_path / "out"),
                "--quiet",
            ]
        )
        == 0
    )
    saved = str(tmp_path / "out" / "findings.json")
    _, from_models = run(capsys, str(models[0]), str(models[1]), *CATALOG, "--format", "json")
    _, from_json = run(capsys, saved, str(models[1]), *CATALOG, "--format", "json")
    assert from_json == from_models
    data = json.loads(from_json)
    assert [f["id"] for f in data["findings"]["resolved"]] == ["R-OPA-01@scoring"]
    assert data["flows"] == {"added": [], "removed": ["f-store"]}


def test_markdown_is_a_pull_request_comment(models, capsys):
    """The Markdown form has counts, a table of new and resolved findings and the changes."""
    _, out = run(capsys, str(models[0]), str(models[1]), *CATALOG, "--format", "md")
    assert "**1 new**, **1 resolved**, 0 changed findings." in out
    assert (
        "| resolved | high | `R-OPA-01@scoring` Automated decisions people cannot contest "
        "| `scoring` |" in out
    )
    assert "| new | high | `R-SEC-01@archive` Personal data stored unencrypted | `archive` |" in out
    assert "- **Flows removed:** `f-store`" in out


def test_fail_on_counts_newly_confirmed_open_findings(models, capsys):
    """--fail-on exits 1 when a finding became confirmed at or above the severity."""
    assert run(capsys, str(models[0]), str(models[1]), *CATALOG, "--fail-on", "high")[0] == 1
    assert run(capsys, str(models[0]), str(models[1]), *CATALOG, "--fail-on", "critical")[0] == 0
    assert run(capsys, str(models[1]), str(models[0]), *CATALOG, "--fail-on", "high")[0] == 1


def test_identical_inputs_have_no_changes(models, capsys):
    """A model compared with itself has nothing to report, in every format."""
    assert (
        run(capsys, str(models[0]), str(models[0]), *CATALOG)[1]
        == "no changes in findings, elements or flows\n"
    )
    assert json.loads(run(capsys, str(models[0]), str(models[0]), *CATALOG, "--format", "json")[1])[
        "findings"
    ] == {"new": [], "resolved": [], "changed": []}


def test_hostile_titles_are_escaped_in_markdown():
    """Pipes, backticks and HTML in titles cannot break the pull-request table."""
    old = {"schema_version": "1", "system": {"name": "a|b"}, "findings": []}
    new = {
        "schema_version": "1",
        "system": {"name": "<b>x</b>"},
        "findings": [
            {
                "id": "R-1@e",
                "title": "<script>x</script> | `t`",
                "status": "confirmed",
                "severity": "high",
                "element": {"id": "e"},
            }
        ],
    }
    sides = [differ.side_of_json(json.dumps(side), "x.json") for side in (old, new)]
    out = renderers.render_markdown(differ.diff(*sides))
    assert "| new | high | `R-1@e` \\<script\\>x\\</script\\> \\| \\`t\\` | `e` |" in out
    assert "### Threat model changes: \\<b\\>x\\</b\\>" in out


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"a": 1,', "1:9: invalid JSON: Expecting property name enclosed in double quotes"),
        (
            '{"a": 1}',
            "1:1: not a threatmodel findings.json (it needs schema_version, system, findings)",
        ),
        (
            '{"schema_version": "1", "system": {}, "findings": [1]}',
            "1:1: 'findings' must be a list of findings with id, title, severity and element",
        ),
        (
            '{"findings": [\n  ' + "[" * 5_000 + "]" * 5_000 + "]}",
            "2:65: nesting is deeper than the limit of 64 levels",
        ),
        (  # deeper than the limit, though not than Python's own parser could read
            '{"findings": [\n  ' + "[" * 100 + "]" * 100 + "]}",
            "2:65: nesting is deeper than the limit of 64 levels",
        ),
        (
            '{"a":\n  ' + "1" * 101 + "}",
            f"2:3: invalid value '{'1' * 57}...': a number with 101 digits",
        ),
    ],
)
def test_bad_json_inputs_are_positioned_errors(text, message):
    """A findings.json that is not one is reported with its position."""
    with pytest.raises(ThreatModelError) as excinfo:
        differ.side_of_json(text, "x.json")
    assert [f"{p.line}:{p.col}: {p.message}" for p in excinfo.value.problems] == [message]


def test_output_is_deterministic(models, capsys):
    """Two runs give identical text."""
    first = run(capsys, str(models[0]), str(models[1]), *CATALOG, "--format", "md")[1]
    assert run(capsys, str(models[0]), str(models[1]), *CATALOG, "--format", "md")[1] == first
