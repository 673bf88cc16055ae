"""Portfolio mode: several models, or directories of them, analysed in parallel."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import FIXTURES
from threatmodel.cli import main
from threatmodel.portfolio import find_models, output_dirs

CATALOG = ["--catalog", str(FIXTURES / "catalog"), "--no-shipped"]
SMALL = FIXTURES / "models" / "small.yaml"


def portfolio(tmp_path: Path, n: int = 3) -> Path:
    root = tmp_path / "models"
    (root / "team-b").mkdir(parents=True)
    for i in range(n):
        text = SMALL.read_text().replace("id: small", f"id: small-{i}")
        (root / ("team-b" if i == 2 else "") / f"model-{i}.yaml").write_text(text)
    (root / "parts.yaml").write_text("elements: []\n")  # an included part: not a model
    (root / "model-0.decisions.yaml").write_text("decisions: {}\n")
    return root


def test_directory_is_searched_for_models_only(tmp_path):
    """Only YAML files with a top-level system key count; parts and decisions files do not."""
    root = portfolio(tmp_path)
    assert [p.relative_to(root).as_posix() for p in find_models([str(root)])] == [
        "model-0.yaml",
        "model-1.yaml",
        "team-b/model-2.yaml",
    ]


def test_same_names_get_distinct_output_directories(tmp_path):
    """Two models called model.yaml in different folders write to different directories."""
    dirs = output_dirs([Path("a/x/model.yaml"), Path("b/y/model.yaml")], tmp_path)
    assert len(set(dirs)) == 2 and all(d.parent == tmp_path for d in dirs)


def test_portfolio_writes_each_model_and_a_summary(tmp_path, capsys):
    """Every model gets its reports; portfolio.json sums them up; exit 0 without --fail-on."""
    root = portfolio(tmp_path)
    out = tmp_path / "out"
    assert (
        main(["analyze", str(root), *CATALOG, "-o", str(out), "--format", "json", "-j", "2"]) == 0
    )
    summary = json.loads((out / "portfolio.json").read_text())
    assert [m["name"] for m in summary["models"]] == ["Small scoring platform"] * 3
    assert all(m["concerns_by_severity"]["high"] == 2 for m in summary["models"])
    assert sorted(p.name for p in out.iterdir()) == [
        "model-0",
        "model-1",
        "model-2",
        "portfolio.json",
        "portfolio.md",
    ]
    assert "3 models" in capsys.readouterr().out


def test_parallel_and_sequential_runs_give_identical_reports(tmp_path):
    """Analysing with one job or two writes byte-identical files."""
    root = portfolio(tmp_path)
    for jobs, out in (("1", "seq"), ("2", "par")):
        assert (
            main(
                [
                    "analyze",
                    str(root),
                    *CATALOG,
                    "-o",
                    str(tmp_path / out),
                    "--quiet",
                    "--format",
                    "json,md",
                    "-j",
                    jobs,
                ]
            )
            == 0
        )
    for path in (tmp_path / "seq").rglob("*"):
        if path.is_file():
            twin = tmp_path / "par" / path.relative_to(tmp_path / "seq")
            assert twin.read_bytes() == path.read_bytes(), path


def test_a_broken_model_is_reported_and_the_others_still_run(tmp_path, capsys):
    """A model with problems gets exit 2 and its messages; the other models are written."""
    root = portfolio(tmp_path)
    (root / "broken.yaml").write_text("system: {id: b}\nelements:\n  - {id: a, kind: actr}\n")
    out = tmp_path / "out"
    assert main(["analyze", str(root), *CATALOG, "-o", str(out), "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert "broken.yaml:3:19: element 'a': unknown kind 'actr'" in captured.err
    assert not (out / "broken").exists() and (out / "model-1" / "findings.json").exists()
    assert "1 with problems" in captured.out


def test_fail_on_counts_every_model(tmp_path):
    """--fail-on exits 1 when any model has an open finding at the threshold."""
    root = portfolio(tmp_path)
    assert (
        main(
            [
                "analyze",
                str(root),
                *CATALOG,
                "-o",
                str(tmp_path / "o"),
                "--quiet",
                "--format",
                "json",
                "--fail-on",
                "high",
            ]
        )
        == 1
    )
    assert (
        main(
            [
                "analyze",
                str(root),
                *CATALOG,
                "-o",
                str(tmp_path / "o"),
                "--quiet",
                "--format",
                "json",
                "--fail-on",
                "critical",
            ]
        )
        == 0
    )


def test_empty_directory_is_bad_input(tmp_path, capsys):
    """A directory without models is bad input, not an empty success."""
    (tmp_path / "empty").mkdir()
    assert main(["analyze", str(tmp_path / "empty"), *CATALOG, "-o", str(tmp_path / "o")]) == 2
    assert "no model files found" in capsys.readouterr().err
