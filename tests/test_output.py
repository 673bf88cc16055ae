"""Nothing lost: reports are replaced all at once or not at all, an interrupted or failing run
leaves the previous reports intact, write failures are bad input (exit 2) rather than crashes,
and `threatmodel decide` keeps every comment and entry of the decisions file."""

from __future__ import annotations

import os
import stat

import pytest

from tests.helpers import FIXTURES
from threatmodel.cli import main
from threatmodel.errors import ThreatModelError
from threatmodel.output import Staging, write_all, write_atomic

MODEL = str(FIXTURES / "models" / "small.yaml")
CATALOG = ["--no-shipped", "--catalog", str(FIXTURES / "catalog")]


def listing(directory) -> dict[str, object]:
    return {
        p.name: listing(p) if p.is_dir() else p.read_bytes() for p in sorted(directory.iterdir())
    }


def fail_on_call(monkeypatch, number: int, error: BaseException) -> None:
    """Make the `number`-th os.fsync call raise `error` (the disk is full, Ctrl-C, ...)."""
    real = os.fsync
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == number:
            raise error
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


class TestWriteAll:
    def test_failure_while_staging_changes_no_file(self, tmp_path, monkeypatch):
        """When the second of three files cannot be written, none is replaced and no
        temporary file is left behind; the failure is bad input naming the file."""
        write_all(tmp_path, {"a.txt": "old a", "b.txt": "old b", "c.txt": "old c"})
        fail_on_call(monkeypatch, 2, OSError(28, "No space left on device"))
        with pytest.raises(ThreatModelError) as excinfo:
            write_all(tmp_path, {"a.txt": "new a", "b.txt": "new b", "c.txt": "new c"})
        assert (
            str(excinfo.value) == f"{tmp_path / 'b.txt'}: cannot write this file: "
            "No space left on device"
        )
        assert listing(tmp_path) == {"a.txt": b"old a", "b.txt": b"old b", "c.txt": b"old c"}

    def test_interrupt_while_staging_changes_no_file(self, tmp_path, monkeypatch):
        """Ctrl-C while the files are being written leaves the old ones and no debris."""
        write_all(tmp_path, {"a.txt": "old a", "b.txt": "old b"})
        fail_on_call(monkeypatch, 2, KeyboardInterrupt())
        with pytest.raises(KeyboardInterrupt):
            write_all(tmp_path, {"a.txt": "new a", "b.txt": "new b"})
        assert listing(tmp_path) == {"a.txt": b"old a", "b.txt": b"old b"}

    def test_first_run_that_fails_leaves_no_directory(self, tmp_path, monkeypatch):
        """A failed first run does not leave an empty output directory behind."""
        fail_on_call(monkeypatch, 1, OSError(5, "Input/output error"))
        with pytest.raises(ThreatModelError):
            write_all(tmp_path / "out", {"a.txt": "x"})
        assert not (tmp_path / "out").exists()

    def test_output_path_that_is_a_file_is_bad_input(self, tmp_path):
        """An output directory that is an existing file is reported, and the file kept."""
        target = tmp_path / "report"
        target.write_text("keep me")
        with pytest.raises(ThreatModelError, match="exists and is not a directory"):
            write_all(target, {"a.txt": "x"})
        assert target.read_text() == "keep me"

    def test_new_files_are_readable_like_any_other(self, tmp_path):
        """Reports get the permissions a newly created file gets (not the owner-only mode
        of a temporary file), and a replaced file keeps its own permissions."""
        umask = os.umask(0o022)
        try:
            (path,) = write_all(tmp_path, {"r.txt": "x"})
            assert stat.S_IMODE(path.stat().st_mode) == 0o644
            path.chmod(0o640)
            write_atomic(path, "y")
            assert stat.S_IMODE(path.stat().st_mode) == 0o640 and path.read_text() == "y"
        finally:
            os.umask(umask)

    def test_files_staged_but_not_committed_change_nothing(self, tmp_path):
        """Files staged one at a time (as a run renders them) are put in place only by
        `commit`; leaving without it removes them, and a directory the staging made."""
        write_all(tmp_path / "out", {"a.txt": "old a"})
        with Staging(tmp_path / "out", ["a.txt", "b.txt"]) as staging:
            staging.stage("b.txt", ("new ", "b"))
            staging.stage("a.txt", "new a")
        assert listing(tmp_path / "out") == {"a.txt": b"old a"}
        with Staging(tmp_path / "new", ["a.txt"]) as staging:
            staging.stage("a.txt", "x")
        assert not (tmp_path / "new").exists()
        with Staging(tmp_path / "out", ["a.txt", "b.txt"]) as staging:
            staging.stage("b.txt", ("new ", "b"))
            staging.stage("a.txt", b"new a")
            assert staging.commit() == [tmp_path / "out" / "a.txt", tmp_path / "out" / "b.txt"]
        assert listing(tmp_path / "out") == {"a.txt": b"new a", "b.txt": b"new b"}


class TestAnalyzeRuns:
    @pytest.mark.parametrize("processes", ["1", "2"])
    def test_a_report_that_fails_after_others_were_written_changes_nothing(
        self, tmp_path, capsys, processes
    ):
        """Reports are written as they are rendered; when a later one fails (a broken user
        template), the ones written so far are taken back: the previous set stays byte for
        byte, with no temporary files, and a first run leaves no directory."""
        out, template = tmp_path / "out", tmp_path / "mine.j2"
        template.write_text("{{ data.nothing }}", encoding="utf-8")
        formats = ["--format", "json,sarif,csv,md,html", "-j", processes]
        assert main(["analyze", MODEL, *CATALOG, "-o", str(out), "--quiet", *formats]) == 0
        before = listing(out)
        broken = ["--template", str(template)]
        for target in (out, tmp_path / "new"):
            args = ["analyze", MODEL, *CATALOG, "-o", str(target), "--quiet", *formats, *broken]
            assert main(args) == 2
            assert "nothing was written" in capsys.readouterr().err
        assert listing(out) == before and not (tmp_path / "new").exists()

    def test_interrupted_run_keeps_the_previous_reports(self, tmp_path, monkeypatch, capsys):
        """Ctrl-C while a run writes its reports exits 130 and leaves the last run's reports
        byte for byte, with no temporary files."""
        out = tmp_path / "out"
        assert (
            main(["analyze", MODEL, *CATALOG, "-o", str(out), "--quiet", "--format", "json,md,csv"])
            == 0
        )
        before = listing(out)
        fail_on_call(monkeypatch, 2, KeyboardInterrupt())
        assert (
            main(["analyze", MODEL, *CATALOG, "-o", str(out), "--quiet", "--format", "json,md,csv"])
            == 130
        )
        assert "interrupted; nothing was written" in capsys.readouterr().err
        assert listing(out) == before

    def test_unwritable_output_is_bad_input_not_a_crash(self, tmp_path, capsys):
        """-o naming a file exits 2 with the path and reason, not an internal error."""
        target = tmp_path / "taken"
        target.write_text("keep me")
        assert main(["analyze", MODEL, *CATALOG, "-o", str(target), "--quiet"]) == 2
        assert capsys.readouterr().err.splitlines() == [
            f"{target}: the output path exists and is not a directory",
            "threatmodel: 1 problem found; nothing was written.",
        ]
        assert target.read_text() == "keep me"

    def test_failing_run_keeps_reports_and_decisions(self, tmp_path, write, capsys):
        """A run whose decisions file is broken writes nothing: the previous reports and the
        decisions file itself stay exactly as they were."""
        model = write("m.yaml", (FIXTURES / "models" / "small.yaml").read_text())
        out = tmp_path / "out"
        assert main(["analyze", str(model), *CATALOG, "-o", str(out), "--quiet"]) == 0
        before = listing(out)
        decisions = write(
            "m.decisions.yaml", "# keep\ndecisions:\n  T-SEC-01@vault: {status: acepted}\n"
        )
        original = decisions.read_bytes()
        assert main(["analyze", str(model), *CATALOG, "-o", str(out), "--quiet"]) == 2
        assert "unknown status 'acepted'" in capsys.readouterr().err
        assert listing(out) == before
        assert decisions.read_bytes() == original


DECISIONS = """\
# Review decisions for the small model. Keep this header.
decisions:
  # the store: encryption is planned
  T-SEC-01@profile-db:
    status: in-progress
    owner: dpo@example.org  # the data protection officer
    ticket: SEC-1
  # an old pattern, kept on purpose
  "T-CREEP-*@police":
    status: accepted
    justification: "Court orders only: see the legal register."
    owner: legal
# trailing comment
"""


class TestDecide:
    def test_decide_keeps_comments_and_other_entries(self, write, capsys):
        """Recording a decision changes only the lines of that decision's changed fields."""
        model = write("small.yaml", (FIXTURES / "models" / "small.yaml").read_text())
        path = write("small.decisions.yaml", DECISIONS)
        assert (
            main(
                [
                    "decide",
                    "T-SEC-01@profile-db",
                    "--status",
                    "accepted",
                    "--why",
                    "Encrypted since 2025-03 # not a comment",
                    "--date",
                    "2025-04-01",
                    "-m",
                    str(model),
                    *CATALOG,
                ]
            )
            == 0
        )
        capsys.readouterr()
        assert path.read_text().splitlines() == [
            "# Review decisions for the small model. Keep this header.",
            "decisions:",
            "  # the store: encryption is planned",
            "  T-SEC-01@profile-db:",
            "    status: accepted",
            "    owner: dpo@example.org  # the data protection officer",
            "    ticket: SEC-1",
            "    justification: 'Encrypted since 2025-03 # not a comment'",
            "    date: 2025-04-01",
            "  # an old pattern, kept on purpose",
            '  "T-CREEP-*@police":',
            "    status: accepted",
            '    justification: "Court orders only: see the legal register."',
            "    owner: legal",
            "# trailing comment",
        ]

    def test_a_comment_after_a_changed_field_is_kept(self):
        """A comment at the end of a field's line survives a change of that field's value."""
        from threatmodel.tracking import record_decision

        text = "decisions:\n  A-B-1@x:\n    status: open  # waiting for legal\n"
        assert (
            record_decision(text, "d.yaml", "A-B-1@x", {"status": "in-progress"})
            == "decisions:\n  A-B-1@x:\n    status: in-progress  # waiting for legal\n"
        )

    def test_decide_that_fails_leaves_the_file_untouched(self, write, capsys):
        """A decision that would be invalid (no justification for 'accepted') is refused
        with exit 2 and the decisions file is not rewritten."""
        path = write("d.yaml", DECISIONS)
        before = path.read_bytes()
        assert (
            main(
                ["decide", "T-SEC-01@profile-db", "--status", "accepted", "--decisions", str(path)]
            )
            == 2
        )
        assert "needs a 'justification'" in capsys.readouterr().err
        assert path.read_bytes() == before

    def test_decide_on_a_file_that_is_not_utf8_is_bad_input(self, tmp_path, capsys):
        """A decisions file in Latin-1 is bad input (exit 2, the byte's position), and kept."""
        path = tmp_path / "d.yaml"
        path.write_bytes(
            "decisions:\n  A-B-1@x: {status: open, owner: Jos\xe9}\n".encode("latin-1")
        )
        before = path.read_bytes()
        assert main(["decide", "A-B-1@x", "--status", "open", "--decisions", str(path)]) == 2
        assert capsys.readouterr().err.splitlines()[0] == (
            f"{path}:2:37: file is not valid UTF-8 (byte 0xe9); save it as UTF-8"
        )
        assert path.read_bytes() == before

    def test_decide_on_a_directory_is_bad_input(self, tmp_path, capsys):
        """Naming a directory as the decisions file is bad input, not a crash."""
        assert main(["decide", "A-B-1@x", "--status", "open", "--decisions", str(tmp_path)]) == 2
        assert "is a directory, not a decisions file" in capsys.readouterr().err


class TestReportSetIsAllOrNothing:
    """Issue 17.8: the renames that replace a report set all happen or are all undone."""

    def test_a_failed_rename_puts_back_the_files_already_replaced(self, tmp_path, monkeypatch):
        write_all(tmp_path, {"a.txt": "old a", "b.txt": "old b", "c.txt": "old c"})
        real = os.replace

        def replace(source, target):
            if str(target).endswith("c.txt") and str(source).endswith(".tmp"):
                raise OSError(13, "Permission denied")
            return real(source, target)

        monkeypatch.setattr(os, "replace", replace)
        with pytest.raises(ThreatModelError) as excinfo:
            write_all(tmp_path, {"a.txt": "new a", "b.txt": "new b", "c.txt": "new c"})
        assert str(excinfo.value) == f"{tmp_path / 'c.txt'}: cannot write this file: " + (
            "Permission denied"
        )
        assert not excinfo.value.written
        assert listing(tmp_path) == {"a.txt": b"old a", "b.txt": b"old b", "c.txt": b"old c"}

    def test_ctrl_c_between_renames_puts_back_the_previous_set(self, tmp_path, monkeypatch):
        write_all(tmp_path, {"a.txt": "old a", "b.txt": "old b"})
        real, calls = os.replace, []

        def replace(source, target):
            calls.append(target)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return real(source, target)

        monkeypatch.setattr(os, "replace", replace)
        with pytest.raises(KeyboardInterrupt):
            write_all(tmp_path, {"a.txt": "new a", "b.txt": "new b", "new.txt": "x"})
        assert listing(tmp_path) == {"a.txt": b"old a", "b.txt": b"old b"}

    def test_a_rollback_that_fails_says_which_files_are_new(self, tmp_path, monkeypatch):
        """If even putting a file back fails, the message names it and does not claim that
        nothing was written."""
        write_all(tmp_path, {"a.txt": "old a", "b.txt": "old b"})
        real, failed = os.replace, []

        def replace(source, target):
            if failed or str(target).endswith("b.txt"):  # b's rename, then every rollback
                failed.append(target)
                raise OSError(5, "Input/output error")
            return real(source, target)

        monkeypatch.setattr(os, "replace", replace)
        with pytest.raises(ThreatModelError) as excinfo:
            write_all(tmp_path, {"a.txt": "new a", "b.txt": "new b"})
        assert excinfo.value.written
        files = listing(tmp_path)
        (backup,) = (name for name in files if name.startswith(".a.txt."))
        assert files == {backup: b"old a", "a.txt": b"new a", "b.txt": b"old b"}
        assert str(excinfo.value) == (
            f"{tmp_path / 'a.txt'}: this report is from the new run and its previous version "
            f"could not be put back (it is kept as {backup}); the report set is mixed\n"
            f"{tmp_path / 'b.txt'}: cannot write this file: Input/output error"
        )

    def test_a_directory_in_place_of_a_report_changes_nothing(self, tmp_path, capsys):
        """The issue's case: findings.sarif made a non-empty directory, then a re-run."""
        out = tmp_path / "out"
        args = ["analyze", MODEL, *CATALOG, "-o", str(out), "--quiet", "--format", "json,md,sarif"]
        assert main(args) == 0
        (out / "findings.sarif").unlink()
        (out / "findings.sarif").mkdir()
        (out / "findings.sarif" / "keep").write_text("x")
        before = listing(out)
        capsys.readouterr()
        assert main(args) == 2
        assert capsys.readouterr().err.splitlines() == [
            f"{out / 'findings.sarif'}: cannot write this file: a directory of that name is in "
            "the way",
            "threatmodel: 1 problem found; nothing was written.",
        ]
        assert listing(out) == before

    def test_temporary_files_of_a_killed_run_are_removed(self, tmp_path):
        stale = tmp_path / ".a.txt.k3j_x9a2.tmp"
        stale.write_text("x" * 1000)
        other = tmp_path / ".notes.abcdefgh.tmp"  # not a report of this run: left alone
        other.write_text("mine")
        write_all(tmp_path, {"a.txt": "new"})
        assert listing(tmp_path) == {".notes.abcdefgh.tmp": b"mine", "a.txt": b"new"}

    def test_a_planted_symlink_does_not_lend_its_mode(self, tmp_path):
        """A report replacing a symlink to a setuid file gets a new file's mode, not the
        target's; and a replaced regular file never keeps setuid."""
        target = tmp_path / "victim"
        target.write_text("x")
        target.chmod(0o4755)
        out = tmp_path / "out"
        out.mkdir()
        (out / "a.txt").symlink_to(target)
        (out / "b.txt").write_text("old")
        (out / "b.txt").chmod(0o4750)
        umask = os.umask(0o022)
        try:
            write_all(out, {"a.txt": "new", "b.txt": "new"})
        finally:
            os.umask(umask)
        assert not (out / "a.txt").is_symlink()
        assert stat.S_IMODE((out / "a.txt").stat().st_mode) == 0o644
        assert stat.S_IMODE((out / "b.txt").stat().st_mode) == 0o750
        assert stat.S_IMODE(target.stat().st_mode) == 0o4755 and target.read_text() == "x"

    def test_a_second_run_waits_for_the_lock(self, tmp_path, monkeypatch):
        """While another run holds the directory's lock, a run does not write into it."""
        import fcntl

        from threatmodel import output

        monkeypatch.setattr(output, "LOCK_WAIT", 0.2)
        write_all(tmp_path, {"a.txt": "first"})
        fd = os.open(tmp_path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with pytest.raises(ThreatModelError, match="another run has been writing"):
                write_all(tmp_path, {"a.txt": "second"})
        finally:
            os.close(fd)
        assert listing(tmp_path) == {"a.txt": b"first"}

    def test_a_run_that_gives_up_waiting_leaves_the_other_runs_files(self, tmp_path, monkeypatch):
        """A run that stops waiting for the lock (its time is up, or Ctrl-C) removes nothing:
        the files the run holding the lock has staged are that run's, not stale ones."""
        from threatmodel import output

        monkeypatch.setattr(output, "LOCK_WAIT", 0.2)
        with Staging(tmp_path / "out", ["a.txt", "b.txt"]) as first:
            first.stage("a.txt", "first a")
            with pytest.raises(ThreatModelError, match="another run has been writing"):
                with Staging(tmp_path / "out", ["a.txt", "b.txt"]) as second:
                    second.stage("a.txt", "second a")
            first.stage("b.txt", "first b")
            first.commit()
        assert listing(tmp_path / "out") == {"a.txt": b"first a", "b.txt": b"first b"}


class TestDecideUnderHostileConditions:
    """Issue 17, Low: decide under a lock, linear on ' #', and no YAML from a file name."""

    def test_decide_waits_for_the_lock_before_reading(self, tmp_path, monkeypatch, capsys):
        import fcntl

        from threatmodel import output

        monkeypatch.setattr(output, "LOCK_WAIT", 0.2)
        path = tmp_path / "d.yaml"
        path.write_text("decisions: {}\n")
        fd = os.open(tmp_path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            args = ["decide", "A-B-1@x", "--status", "open", "--decisions", str(path)]
            assert main(args) == 2
        finally:
            os.close(fd)
        assert "another run has been writing" in capsys.readouterr().err
        assert path.read_text() == "decisions: {}\n"
        assert main(args) == 0 and "A-B-1@x" in path.read_text()

    def test_hashes_inside_a_quoted_value_are_not_comments(self):
        from threatmodel.tracking import record_decision

        why = "a #" * 20_000  # 60 KB: each ' #' used to cost a YAML parse of the line
        text = (
            "decisions:\n  A-B-1@x:\n    status: accepted\n"
            f'    justification: "{why}"  # reviewed\n    owner: me\n'
        )
        new = record_decision(text, "d.yaml", "A-B-1@x", {"owner": "you"})
        assert f'    justification: "{why}"  # reviewed\n' in new
        assert "    owner: you\n" in new

    @pytest.mark.parametrize(
        "old",
        [
            '"a # b"',
            "'a # b'",
            '"x \\" # y"',
            "[a, '# b']",
            "{k: '# b'}",
            '"' + "a #" * 20_000 + '"',
        ],
    )
    def test_a_changed_quoted_value_leaves_nothing_of_itself_behind(self, old):
        """Changing a field whose old value holds ' #' replaces the whole value and keeps only
        the comment after it (the scan once started inside the quotes and kept '# b"' as a
        comment)."""
        from threatmodel.tracking import record_decision

        text = (
            f"decisions:\n  A-B-1@x:\n    status: accepted\n    justification: {old}  # reviewed\n"
        )
        new = record_decision(text, "d.yaml", "A-B-1@x", {"justification": "new"})
        assert (
            new
            == "decisions:\n  A-B-1@x:\n    status: accepted\n    justification: new  # reviewed\n"
        )

    def test_a_multi_line_model_name_stays_a_comment(self, tmp_path):
        """The header of a new decisions file names the model on one comment line."""
        model = tmp_path / "m\ndecisions:\n  X-Y-1@z: {status: accepted, justification: j}\n.yaml"
        decisions = tmp_path / "new.yaml"
        args = ["decide", "A-B-1@x", "--status", "open", "--decisions", str(decisions)]
        assert main([*args, "--model", str(model), "--force"]) == 0
        from threatmodel.tracking import load_decisions

        assert [d.key for d in load_decisions(decisions).items] == ["A-B-1@x"]

    def test_a_model_named_dots_yaml_writes_below_threatmodel_out(
        self, tmp_path, monkeypatch, capsys
    ):
        import shutil

        monkeypatch.chdir(tmp_path)
        shutil.copy(MODEL, tmp_path / "...yaml")
        assert main(["analyze", "...yaml", *CATALOG, "--quiet", "--format", "json"]) == 0
        assert sorted(p.name for p in tmp_path.iterdir()) == ["...yaml", "threatmodel-out"]
        assert (tmp_path / "threatmodel-out" / "output" / "findings.json").is_file()
