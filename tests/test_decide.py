"""`threatmodel decide`: records decisions beside the model without disturbing the file, checks
finding ids against the model, and what it writes is what `analyze` then applies."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from threatmodel.cli import main

REPORTS = Path(__file__).parent / "fixtures" / "reports"
CATALOG = ["--catalog", str(REPORTS / "catalog.yaml"), "--no-shipped"]


@pytest.fixture
def model(tmp_path):
    """A copy of the report fixture model and its decisions file in a temporary directory."""
    shutil.copy(REPORTS / "model.yaml", tmp_path / "model.yaml")
    shutil.copy(REPORTS / "model.decisions.yaml", tmp_path / "model.decisions.yaml")
    return tmp_path / "model.yaml"


def decide(model: Path, *args: str) -> int:
    return main(["decide", *args, "--model", str(model), *CATALOG])


def findings(model: Path, tmp_path: Path) -> dict[str, dict]:
    assert (
        main(
            [
                "analyze",
                str(model),
                *CATALOG,
                "--format",
                "json",
                "-o",
                str(tmp_path / "out"),
                "--today",
                "2024-06-01",
                "--quiet",
            ]
        )
        == 0
    )
    data = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    return {f["id"]: f for f in data["findings"]}


def test_decision_is_written_beside_the_model_and_applied(model, tmp_path, capsys):
    """A new decision lands in <model>.decisions.yaml and closes the finding in the next analysis."""
    assert (
        decide(
            model,
            "R-OPA-01@scoring",
            "--status",
            "accepted",
            "--why",
            "Appeals in Q4",
            "--owner",
            "cpo",
            "--expires",
            "2025-01-01",
            "--ticket",
            "RISK-9",
            "--date",
            "2024-05-30",
        )
        == 0
    )
    assert "recorded R-OPA-01@scoring: accepted" in capsys.readouterr().out
    text = (tmp_path / "model.decisions.yaml").read_text(encoding="utf-8")
    assert text.endswith("""    owner: dpo@example.org
  R-OPA-01@scoring:
    status: accepted
    justification: Appeals in Q4
    owner: cpo
    date: 2024-05-30
    expires: 2025-01-01
    ticket: RISK-9
""")
    found = findings(model, tmp_path)["R-OPA-01@scoring"]
    assert (found["review_status"], found["open"], found["decision"]["ticket"]) == (
        "accepted",
        False,
        "RISK-9",
    )


def test_updating_keeps_comments_other_entries_and_unchanged_fields(model, tmp_path):
    """Re-deciding an entry edits only its changed lines; the header comment and others stay."""
    before = (tmp_path / "model.decisions.yaml").read_text(encoding="utf-8")
    assert (
        decide(
            model,
            "R-RES-01@f-sell",
            "--status",
            "mitigated",
            "--why",
            "Export stopped",
            "--date",
            "2024-06-01",
        )
        == 0
    )
    after = (tmp_path / "model.decisions.yaml").read_text(encoding="utf-8")
    expected = (
        before.replace("    status: accepted\n", "    status: mitigated\n")
        .replace(
            "    justification: Contract forbids onward sale; audit in Q3.\n",
            "    justification: Export stopped\n",
        )
        .replace("    date: 2024-05-02\n", "    date: 2024-06-01\n")
        .replace("    expires: 2030-01-31\n", "")
    )  # a new status drops the old expiry
    assert after == expected


def test_a_typo_in_the_finding_id_is_refused_with_did_you_mean(model, tmp_path, capsys):
    """An id the model does not produce is bad input (exit 2); the file is untouched."""
    before = (tmp_path / "model.decisions.yaml").read_text(encoding="utf-8")
    assert decide(model, "R-OPA-01@scorin", "--status", "mitigated", "--why", "x") == 2
    err = capsys.readouterr().err
    assert "'R-OPA-01@scorin' matches no finding" in err
    assert "(did you mean 'R-OPA-01@scoring'?)" in err
    assert (tmp_path / "model.decisions.yaml").read_text(encoding="utf-8") == before
    assert decide(model, "R-OPA-01@scorin", "--status", "mitigated", "--why", "x", "--force") == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["R-OPA-01@scoring", "--status", "accepted"], "needs a 'justification'"),
        (["R-OPA-01@scoring", "--status", "acepted", "--why", "x"], "did you mean 'accepted'?"),
        (
            ["R-OPA-01@scoring", "--status", "open", "--expires", "soon"],
            "--expires: 'soon' is not a date",
        ),
        (["not an id", "--status", "open"], "is not a finding id"),
    ],
)
def test_bad_decisions_write_nothing(model, tmp_path, capsys, args, message):
    """A decision that would not read back cleanly is exit 2 with a message; nothing changes."""
    before = (tmp_path / "model.decisions.yaml").read_text(encoding="utf-8")
    assert decide(model, *args) == 2
    assert message in capsys.readouterr().err
    assert (tmp_path / "model.decisions.yaml").read_text(encoding="utf-8") == before


def test_a_new_file_is_created_with_a_header(tmp_path):
    """Without a decisions file, decide creates one that analyze reads."""
    shutil.copy(REPORTS / "model.yaml", tmp_path / "model.yaml")
    assert (
        decide(tmp_path / "model.yaml", "R-SEC-*@*", "--status", "in-progress", "--owner", "ops")
        == 0
    )
    text = (tmp_path / "model.decisions.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Review decisions for model.yaml")
    assert "  R-SEC-*@*:\n    status: in-progress\n" in text
    assert (
        findings(tmp_path / "model.yaml", tmp_path)["R-SEC-01@profile-db"]["review_status"]
        == "in-progress"
    )
