"""`threatmodel analyze` with the review reports: every format written, byte-identical across
runs, decisions applied from beside the model, and bad decisions stop everything (exit 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from threatmodel.cli import main

REPORTS = Path(__file__).parent / "fixtures" / "reports"
FORMATS = ["--format", "json,md,html,sarif,csv"]
FILES = {"findings.json", "report.md", "report.html", "findings.sarif", "findings.csv"}


@pytest.fixture
def model(tmp_path):
    shutil.copy(REPORTS / "model.yaml", tmp_path / "model.yaml")
    shutil.copy(REPORTS / "model.decisions.yaml", tmp_path / "model.decisions.yaml")
    return tmp_path / "model.yaml"


def analyze(model: Path, out: Path, *extra: str) -> int:
    return main(
        [
            "analyze",
            str(model),
            "--catalog",
            str(REPORTS / "catalog.yaml"),
            "--no-shipped",
            "-o",
            str(out),
            "--quiet",
            "--today",
            "2024-06-01",
            *FORMATS,
            *extra,
        ]
    )


def test_every_report_is_written_and_identical_across_runs(model, tmp_path):
    """Two runs write the five reports with byte-identical content."""
    assert analyze(model, tmp_path / "a") == 0
    assert analyze(model, tmp_path / "b") == 0
    assert {p.name for p in (tmp_path / "a").iterdir()} == FILES
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_decisions_beside_the_model_close_findings_for_fail_on(model, tmp_path):
    """With the acceptance in force --fail-on medium still fails on open findings; once every
    open one is decided, it passes."""
    assert analyze(model, tmp_path / "a", "--fail-on", "high") == 1
    (tmp_path / "model.decisions.yaml").write_text(
        "decisions:\n  '*@*': {status: accepted, justification: pilot only, owner: cpo}\n",
        encoding="utf-8",
    )
    assert analyze(model, tmp_path / "b", "--fail-on", "low") == 0


def test_expired_decision_warns_with_its_position(model, tmp_path, capsys):
    """A lapsed acceptance is reported at its line and the finding counts for --fail-on."""
    assert analyze(model, tmp_path / "a", "--today", "2030-02-01", "--fail-on", "medium") == 1
    err = capsys.readouterr().err
    assert (
        "model.decisions.yaml:4:3: warning: decision 'R-RES-01@f-sell' (accepted) expired "
        "on 2030-01-31; finding 'R-RES-01@f-sell' is open again" in err
    )


@pytest.mark.parametrize(
    "decisions, message",
    [
        (
            "decisions:\n  R-RES-01@f-sell: {status: acepted}\n",
            "model.decisions.yaml:2:29: decision 'R-RES-01@f-sell': unknown status 'acepted' "
            "(did you mean 'accepted'?)",
        ),
        ("decisions: [oops\n", "model.decisions.yaml:2:1: invalid YAML"),
    ],
)
def test_bad_decisions_file_is_bad_input_and_nothing_is_written(
    model, tmp_path, capsys, decisions, message
):
    """A broken decisions file exits 2 with file:line:col and writes no report."""
    (tmp_path / "model.decisions.yaml").write_text(decisions, encoding="utf-8")
    assert analyze(model, tmp_path / "out") == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--decisions", "missing.yaml"], "missing.yaml: decisions file not found"),
        (["--today", "tomorrow"], "--today: 'tomorrow' is not a date written YYYY-MM-DD"),
        (["--template", "nowhere.j2"], "template not found"),
    ],
)
def test_bad_options_are_bad_input(model, tmp_path, capsys, extra, message):
    """A missing decisions file, a bad date or a missing template exit 2; nothing is written."""
    assert analyze(model, tmp_path / "out", *extra) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
