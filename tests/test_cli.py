"""The command line: exit codes, --fail-on, determinism, and nothing written on bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURES
from threatmodel.cli import main

MODEL = str(FIXTURES / "models" / "small.yaml")
CATALOG = ["--catalog", str(FIXTURES / "catalog"), "--no-shipped"]


def analyze(tmp_path: Path, *extra: str, model: str = MODEL) -> int:
    return main(["analyze", model, *CATALOG, "-o", str(tmp_path / "out"), "--quiet", *extra])


class TestExitCodes:
    def test_success_writes_reports(self, tmp_path):
        """A clean run exits 0 and writes JSON and Markdown."""
        assert analyze(tmp_path, "--format", "json,md") == 0
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
            "findings.json",
            "report.md",
        ]

    @pytest.mark.parametrize(
        "threshold, status", [("critical", 0), ("high", 1), ("medium", 1), ("low", 1)]
    )
    def test_fail_on(self, tmp_path, threshold, status):
        """--fail-on exits 1 only when a confirmed finding reaches the threshold (worst: high)."""
        assert analyze(tmp_path, "--fail-on", threshold) == status

    def test_fail_on_unknown_severity(self, tmp_path, capsys):
        """An unknown severity is bad input."""
        assert analyze(tmp_path, "--fail-on", "urgent") == 2
        assert "unknown severity 'urgent'" in capsys.readouterr().err

    def test_bad_model_exit_2_and_nothing_written(self, tmp_path, write, capsys):
        """A model with problems exits 2, prints each problem, and writes no output."""
        bad = write("bad.yaml", "system: {id: x}\nelements:\n  - {id: a, kind: actr}\n")
        assert analyze(tmp_path, model=str(bad)) == 2
        err = capsys.readouterr().err
        assert f"{bad}:3:19: element 'a': unknown kind 'actr' (did you mean 'actor'?)" in err
        assert "nothing was written" in err
        assert not (tmp_path / "out").exists()

    def test_previous_reports_survive_a_failing_run(self, tmp_path, write):
        """A failing run leaves the reports of the previous run untouched."""
        assert analyze(tmp_path) == 0
        before = (tmp_path / "out" / "findings.json").read_bytes()
        bad = write("bad.yaml", "system: {id: x}\nflows: [{id: f, from: a, to: b}]\n")
        assert analyze(tmp_path, model=str(bad)) == 2
        assert (tmp_path / "out" / "findings.json").read_bytes() == before

    def test_missing_model_file(self, tmp_path, capsys):
        """A model path that does not exist is bad input, not a traceback."""
        assert analyze(tmp_path, model=str(tmp_path / "nope.yaml")) == 2
        assert "cannot read file" in capsys.readouterr().err

    def test_unknown_format(self, tmp_path, capsys):
        """An unknown output format is bad input."""
        assert analyze(tmp_path, "--format", "json,pdf") == 2
        assert "unknown format 'pdf'" in capsys.readouterr().err

    def test_internal_error_is_short_without_debug(self, tmp_path, capsys, monkeypatch):
        """A bug in threatmodel prints a short message and exits 3 instead of a traceback."""
        import threatmodel.engine

        monkeypatch.setattr(threatmodel.engine, "_finding", lambda *a: 1 / 0)
        assert analyze(tmp_path) == 3
        err = capsys.readouterr().err
        assert "internal error: ZeroDivisionError" in err and "Traceback" not in err

    def test_validate_command(self, capsys):
        """validate prints ok and exits 0 for a good model."""
        assert main(["validate", MODEL, *CATALOG]) == 0
        assert "ok (10 elements, 7 flows" in capsys.readouterr().out


def test_outputs_are_byte_identical_across_runs(tmp_path):
    """Two runs on the same input give byte-identical files."""
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        assert main(["analyze", MODEL, *CATALOG, "-o", str(out), "--quiet"]) == 0
    for name in ("findings.json", "report.md"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_console_script_runs_as_a_process(tmp_path):
    """`python -m threatmodel` works as a separate process with the documented exit status."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1]))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "threatmodel",
            "analyze",
            MODEL,
            *CATALOG,
            "-o",
            str(tmp_path),
            "--fail-on",
            "high",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "concerns: 0 critical, 2 high" in proc.stdout


def test_a_named_command_builds_only_its_own_parser():
    """`threatmodel analyze ...` imports and builds the analyze command alone; without a
    command (or with `--help`, or a mistyped one) every command is there to list."""
    from threatmodel.cli import COMMANDS, build_parser

    def commands(argv):
        parser = build_parser(argv)
        return set(parser._subparsers._group_actions[0].choices)

    assert commands(["--debug", "analyze", "m.yaml"]) == {"analyze"}
    assert commands(["import", "--from", "otm", "x.json"]) == {"import"}
    assert commands(["--help"]) == set(COMMANDS)
    assert commands(["analyse", "m.yaml"]) == set(COMMANDS)
    assert commands([]) == set(COMMANDS)
