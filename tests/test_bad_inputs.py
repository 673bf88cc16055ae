"""The bad-input corpus (tests/bad_inputs/): every broken or hostile file gets exactly its
expected file:line:col messages through the real command line, exit status 2, no traceback,
and nothing written. Also: how internal errors are reported (exit 3, --debug)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.helpers import FIXTURES
from threatmodel.cli import ISSUES_URL, main

CORPUS = Path(__file__).parent / "bad_inputs"
GROUPS = ("model", "catalog", "decisions", "import")
EXPECTED: dict = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
CATALOG = str(FIXTURES / "catalog")
GOOD_MODEL = str(FIXTURES / "models" / "small.yaml")


def commands(case: str, out: Path) -> list[list[str]]:
    """The command lines a case is run with; each must report the same problems."""
    path = str(CORPUS / case)
    group = case.split("/", maxsplit=1)[0]
    analyze = ["analyze", "--no-shipped", "-o", str(out), "--quiet", "--format", "json,md"]
    if group == "model":
        return [
            ["validate", path, "--no-shipped", "--catalog", CATALOG],
            analyze + [path, "--catalog", CATALOG],
        ]
    if group == "catalog":
        return [
            ["catalog", "lint", "--no-shipped", "--catalog", path],
            analyze + [GOOD_MODEL, "--catalog", path],
        ]
    if group == "import":
        return [["import", path, "-o", str(out / "model.yaml")]]
    return [
        analyze + [GOOD_MODEL, "--catalog", CATALOG, "--decisions", path, "--today", "2025-06-01"]
    ]


def expected_lines(case: str) -> list[str]:
    value = EXPECTED[case]
    lines = value["expect"] if isinstance(value, dict) else value
    return [
        line.replace("{file}", str(CORPUS / case)).replace("{dir}", str(CORPUS)) for line in lines
    ]


def cases():
    for case, value in EXPECTED.items():
        marks = (
            [pytest.mark.xfail(strict=True, reason=value["xfail"])]
            if isinstance(value, dict)
            else []
        )
        yield pytest.param(case, id=case, marks=marks)


@pytest.mark.parametrize("case", list(cases()))
def test_case_reports_exactly_its_problems(case, tmp_path, capsys):
    """Each case prints exactly its expected lines, exits 2 and writes nothing, whichever
    command reads it."""
    want = expected_lines(case)
    summary = (
        f"threatmodel: {len(want)} problem{'s' if len(want) != 1 else ''} found; "
        "nothing was written."
    )
    for argv in commands(case, tmp_path / "out"):
        status = main(argv)
        captured = capsys.readouterr()
        assert captured.err.splitlines() == want + [summary], " ".join(argv[:2])
        assert status == 2
        assert captured.out == ""
        assert list(tmp_path.iterdir()) == []
        assert "Traceback" not in captured.err


def test_corpus_is_complete_and_large_enough():
    """Every file in the corpus is a case with expectations or a part of a multi-file case,
    and the corpus holds at least 60 cases."""
    found = set()
    for group in GROUPS:
        for path in (CORPUS / group).iterdir():
            found.add(f"{group}/{path.name}/main.yaml" if path.is_dir() else f"{group}/{path.name}")
    assert found == set(EXPECTED)
    assert len(EXPECTED) >= 60
    for case in EXPECTED:
        assert expected_lines(case), f"{case} expects no message"


def test_every_expected_line_has_a_position():
    """Every expected message starts with file:line:col (line and column at least 1)."""
    import re

    for case in EXPECTED:
        for line in expected_lines(case):
            match = re.match(r"^(.+?):(\d+):(\d+): ", line)
            assert match and int(match[2]) >= 1 and int(match[3]) >= 1, line


class TestInternalErrors:
    """A bug in threatmodel itself: exit 3, a short message, the traceback only with --debug."""

    @pytest.fixture
    def broken_engine(self, monkeypatch):
        import threatmodel.run  # the application service every command runs through

        def boom(*args, **kwargs):
            raise KeyError("a bug")

        monkeypatch.setattr(threatmodel.run, "analyze", boom)

    def test_bug_is_short_message_with_issue_hint(self, broken_engine, tmp_path, capsys):
        """Without --debug an internal error exits 3 with one short paragraph: what broke,
        that it is a bug, where to report it and how to get the traceback."""
        status = main(
            [
                "analyze",
                GOOD_MODEL,
                "--no-shipped",
                "--catalog",
                CATALOG,
                "-o",
                str(tmp_path / "out"),
                "--quiet",
            ]
        )
        err = capsys.readouterr().err
        assert status == 3
        assert "internal error: KeyError" in err and ISSUES_URL in err and "--debug" in err
        assert "Traceback" not in err and len(err.splitlines()) <= 3
        assert not (tmp_path / "out").exists()

    def test_debug_shows_the_traceback(self, broken_engine, tmp_path):
        """With --debug the original exception propagates, so Python prints its traceback."""
        with pytest.raises(KeyError, match="a bug"):
            main(
                [
                    "--debug",
                    "analyze",
                    GOOD_MODEL,
                    "--no-shipped",
                    "--catalog",
                    CATALOG,
                    "-o",
                    str(tmp_path / "out"),
                    "--quiet",
                ]
            )

    def test_a_path_the_system_refuses_is_bad_input(self, capsys):
        """A path the operating system cannot even look up (a name too long) is bad input
        naming the path and the reason, not an internal error."""
        path = "/tmp/" + "a" * 300
        assert main(["validate", GOOD_MODEL, "--catalog", path]) == 2
        assert capsys.readouterr().err.splitlines() == [
            f"{path}: cannot read this catalog path: File name too long",
            "threatmodel: 1 problem found; nothing was written.",
        ]

    def test_os_errors_outside_our_checks_are_bad_input(self, monkeypatch, capsys):
        """An OSError that no check caught is reported as bad input with its file and reason."""
        import threatmodel.commands.common

        def refuse(*args, **kwargs):
            raise PermissionError(13, "Permission denied", "/srv/models/m.yaml")

        monkeypatch.setattr(threatmodel.commands.common, "load_catalog", refuse)
        monkeypatch.setattr(threatmodel.commands.validate, "load_catalog", refuse)
        assert main(["validate", GOOD_MODEL]) == 2
        assert capsys.readouterr().err.splitlines() == [
            "/srv/models/m.yaml: Permission denied",
            "threatmodel: 1 problem found; nothing was written.",
        ]

    def test_output_into_a_closed_pipe_ends_quietly(self, monkeypatch, capsys):
        """`threatmodel catalog list | head -1`: when the reader has gone, the command stops
        with the shell's status for a closed pipe (141) and no message."""

        class ClosedPipe:
            def write(self, text):
                raise BrokenPipeError(32, "Broken pipe")

            def flush(self):
                pass

        monkeypatch.setattr("sys.stdout", ClosedPipe())
        assert main(["catalog", "list"]) == 141
        assert capsys.readouterr().err == ""

    def test_exit_statuses_are_documented(self, capsys):
        """`threatmodel --help` and the README state what every exit status means."""
        with pytest.raises(SystemExit):
            main(["--help"])
        help_text = " ".join(capsys.readouterr().out.split())
        readme = " ".join((Path(__file__).parents[1] / "README.md").read_text().split())
        for text in (help_text, readme):
            for status, meaning in (
                ("0", "ok"),
                ("1", "fail-on"),
                ("2", "bad input"),
                ("3", "internal error"),
            ):
                assert status in text and meaning in text.lower()
