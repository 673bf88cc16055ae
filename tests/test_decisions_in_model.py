"""Review decisions kept in a `decisions:` section of the model file itself."""

from __future__ import annotations

import json

from tests.helpers import FIXTURES
from threatmodel.cli import main

CATALOG = ["--catalog", str(FIXTURES / "catalog"), "--no-shipped"]
SECTION = """
# what the review decided
decisions:
  T-SEC-01@profile-db:
    status: accepted
    justification: Encryption lands with the storage migration.
    owner: dpo@example.org
    date: 2026-01-05
"""


def model_with_section(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text((FIXTURES / "models" / "small.yaml").read_text() + SECTION)
    return path


def statuses(out_dir) -> dict:
    data = json.loads((out_dir / "findings.json").read_text())
    return {f["id"]: (f["decision"] or {}).get("status") for f in data["findings"]}


def test_analyze_applies_the_models_own_decisions(tmp_path):
    """Decisions in the model's section are applied like those of a decisions file."""
    model = model_with_section(tmp_path)
    assert (
        main(
            [
                "analyze",
                str(model),
                *CATALOG,
                "-o",
                str(tmp_path / "out"),
                "--quiet",
                "--format",
                "json",
                "--today",
                "2026-02-01",
            ]
        )
        == 0
    )
    assert statuses(tmp_path / "out")["T-SEC-01@profile-db"] == "accepted"


def test_decisions_in_two_places_is_an_error(tmp_path, capsys):
    """A model with a decisions section and a decisions file beside it is bad input."""
    model = model_with_section(tmp_path)
    (tmp_path / "small.decisions.yaml").write_text("decisions: {}\n")
    assert main(["analyze", str(model), *CATALOG, "-o", str(tmp_path / "out"), "--quiet"]) == 2
    assert "keep them in one place" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_decide_writes_into_the_model_keeping_comments(tmp_path):
    """`decide` edits the model's section in place when there is no decisions file."""
    model = model_with_section(tmp_path)
    before = model.read_text()
    assert (
        main(
            [
                "decide",
                "T-SEC-01@vault",
                "--model",
                str(model),
                *CATALOG,
                "--status",
                "false-positive",
                "--why",
                "the vault holds test data",
                "--owner",
                "qa",
                "--date",
                "2026-01-06",
            ]
        )
        == 0
    )
    after = model.read_text()
    assert after.startswith(before.rstrip("\n"))
    assert "# what the review decided" in after and "T-SEC-01@vault:" in after
    assert not (tmp_path / "small.decisions.yaml").exists()
    assert main(["validate", str(model), *CATALOG]) == 0


def test_validate_refuses_what_analyze_refuses_in_the_decisions(tmp_path, capsys):
    """`validate` reads the model's own decisions and the file beside it as `analyze` does:
    a key ending in a newline, or a status that does not exist, is bad input at its place
    in both, not 'ok' from one and exit 2 from the other."""
    model = model_with_section(tmp_path)
    text = model.read_text()
    for bad, message in (
        (
            text.replace("T-SEC-01@profile-db:", '"T-SEC-01@profile-db\\n":'),
            "a key is a finding id",
        ),
        (text.replace("status: accepted", "status: bogus"), "status"),
    ):
        model.write_text(bad)
        for command in ("validate", "analyze"):
            args = [command, str(model), *CATALOG]
            status = main(args if command == "validate" else [*args, "-o", str(tmp_path / "o")])
            err = capsys.readouterr().err
            assert status == 2, (command, err)
            assert err.startswith(f"{model}:") and message in err.splitlines()[0], err
    model.write_text(text)
    beside = tmp_path / "small.decisions.yaml"
    model.write_text((FIXTURES / "models" / "small.yaml").read_text())
    beside.write_text("decisions:\n  T-SEC-01@profile-db:\n    status: bogus\n")
    assert main(["validate", str(model), *CATALOG]) == 2
    assert capsys.readouterr().err.startswith(f"{beside}:3:")
    named = tmp_path / "reviewed.yaml"  # --decisions names another file, as for analyze
    named.write_text("decisions:\n  T-SEC-01@profile-db:\n    status: open\n")
    assert main(["validate", str(model), *CATALOG, "--decisions", str(named)]) == 0
