"""Resource limits: hostile inputs are refused with a clear message in bounded memory, the
limits are configurable (--limit, $THREATMODEL_LIMITS) and shared by a model's includes, and
catalog patterns cannot make matching take exponential time. (Timings: benchmarks/.)"""

from __future__ import annotations

import os
import threading
import tracemalloc
from pathlib import Path

import pytest

from tests.helpers import FIXTURES
from threatmodel.cli import main
from threatmodel.errors import ThreatModelError
from threatmodel.id_pattern import pattern_problem
from threatmodel.loader import DEFAULT_LIMITS, Limits, load_file, load_text

CATALOG = ["--no-shipped", "--catalog", str(FIXTURES / "catalog")]
MB = 1024 * 1024


def refusal(text: str, limits: Limits = DEFAULT_LIMITS) -> tuple[list[str], int]:
    """The messages a text is refused with, and the peak memory (bytes) spent refusing it."""
    tracemalloc.start()
    try:
        with pytest.raises(ThreatModelError) as excinfo:
            load_text(text, "m.yaml", limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return [f"{p.line}:{p.col}: {p.message}" for p in excinfo.value.problems], peak


class TestHostileYaml:
    def test_billion_laughs_is_refused_in_little_memory(self):
        """Nine levels of ten aliases (10^9 values) stop at the default value budget, having
        built almost nothing."""
        lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
        messages, peak = refusal("\n".join(lines) + "\n")
        assert messages == [
            "7:10: the document expands to more than 2,000,000 values (too many aliases?)"
        ]
        assert peak < 2 * MB

    def test_wide_alias_fan_out_is_refused(self):
        """One large list repeated through many aliases counts every repetition."""
        text = "a: &a [" + ", ".join(["x"] * 50_000) + "]\nb: [" + ", ".join(["*a"] * 100) + "]\n"
        messages, peak = refusal(text)
        assert messages[0].startswith("2:") and "more than 2,000,000 values" in messages[0]
        assert peak < 40 * MB

    def test_million_levels_of_nesting_are_refused_without_recursion(self):
        """A million nested brackets stop at the depth limit (no RecursionError, no crash)."""
        messages, peak = refusal("a: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n")
        # ours stops at level 65; libyaml in PyYAML >= 6.0.4 may stop first at its own cap
        assert messages in (
            ["1:67: nesting is deeper than the limit of 64 levels"],
            ["1:1003: nesting is deeper than the limit of 64 levels"],
        )
        assert peak < 20 * MB

    def test_very_long_value_is_refused(self):
        """A five-million-character value is refused at its position."""
        messages, _ = refusal("system: {id: s}\nnote: " + "x" * 5_000_000 + "\n")
        assert messages == ["2:7: value is 5,000,000 characters long, over the limit of 100,000"]

    def test_huge_file_is_refused_before_it_is_read(self, tmp_path):
        """A 4 GiB file (sparse: it takes no disk) is refused from its size, reading nothing."""
        path = tmp_path / "huge.yaml"
        with open(path, "wb") as handle:
            handle.truncate(4 * 1024 * MB)
        tracemalloc.start()
        try:
            with pytest.raises(ThreatModelError) as excinfo:
                load_file(path)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert str(excinfo.value) == (
            f"{path}: file is 4,294,967,296 bytes, over the limit of 20,971,520 bytes"
        )
        assert peak < MB

    @pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
    def test_pipe_longer_than_the_limit_is_refused(self, tmp_path):
        """A named pipe (size 0 to stat) streaming far more than max_bytes is refused once the
        limit is passed, and the reader stops there instead of reading the stream to its end
        (a device such as /dev/zero has no end at all)."""
        pipe = tmp_path / "model.yaml"
        os.mkfifo(pipe)
        outcome = []

        def feed():
            try:
                with open(pipe, "wb") as handle:
                    for _ in range(1024):
                        handle.write(b"a: 1\n" * 1600)  # 8,000 bytes at a time, 8 MB in all
                outcome.append("read to the end")
            except BrokenPipeError:
                outcome.append("cut off")

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            with pytest.raises(ThreatModelError, match=r"limit|not a regular file"):
                load_file(pipe, limits=Limits(max_bytes=1000))
        finally:  # a reader that refused to open the pipe at all leaves the writer waiting
            os.close(os.open(pipe, os.O_RDONLY | os.O_NONBLOCK))
            writer.join(timeout=30)
        assert outcome == ["cut off"]


class TestConfigurableLimits:
    @pytest.fixture
    def model(self, write):
        """A valid model with one 300-character description."""
        return str(write("m.yaml", "system: {id: s, description: " + "d" * 300 + "}\n"))

    def test_limit_option_lowers_a_limit(self, model, capsys):
        """--limit max_scalar_chars=200 refuses the long description, naming the limit."""
        assert main(["validate", model, *CATALOG, "--limit", "max_scalar_chars=200"]) == 2
        assert capsys.readouterr().err.splitlines()[0] == (
            f"{model}:1:30: value is 300 characters long, over the limit of 200"
        )

    def test_shipped_catalogs_keep_the_default_limits(self, model, capsys):
        """A limit far below the shipped catalogs' sizes still lets them load: they are
        trusted; the limit applies to the user's files."""
        assert (
            main(["validate", model, "--limit", "max_bytes=400", "--limit", "max_scalar_chars=1K"])
            == 0
        )
        assert "ok" in capsys.readouterr().out

    def test_environment_variable_and_option_precedence(self, model, monkeypatch, capsys):
        """$THREATMODEL_LIMITS sets limits; a --limit for the same name wins over it."""
        monkeypatch.setenv("THREATMODEL_LIMITS", "max_scalar_chars=200, max_depth=10")
        assert main(["validate", model, *CATALOG]) == 2
        assert "over the limit of 200" in capsys.readouterr().err
        assert main(["validate", model, *CATALOG, "--limit", "max_scalar_chars=1k"]) == 0

    def test_raising_a_limit_accepts_a_larger_file(self, write, capsys):
        """A value over the default limit is refused, and accepted once the limit is raised."""
        path = str(write("big.yaml", "system: {id: s, description: " + "d" * 150_000 + "}\n"))
        assert main(["validate", path, *CATALOG]) == 2
        assert "over the limit of 100,000" in capsys.readouterr().err
        assert main(["validate", path, *CATALOG, "--limit", "max_scalar_chars=200_000"]) == 0

    def test_bad_limit_specifications_are_bad_input(self, model, monkeypatch, capsys):
        """Unknown names and non-numbers are reported, one line each, with where they came from."""
        monkeypatch.setenv("THREATMODEL_LIMITS", "max_nodes=lots")
        assert (
            main(["validate", model, *CATALOG, "--limit", "max_byte=1M", "--limit", "max_depth=0"])
            == 2
        )
        assert capsys.readouterr().err.splitlines() == [
            "--limit: limit max_depth must be a whole number of at least 1 (K, M, G allowed), "
            "not '0'",
            "--limit: unknown limit 'max_byte' (did you mean 'max_bytes'?); the limits are "
            "max_bytes, max_depth, max_nodes, max_scalar_chars, max_elements, max_flows, "
            "max_boundary_depth, max_findings",
            "THREATMODEL_LIMITS: limit max_nodes must be a whole number of at least 1 "
            "(K, M, G allowed), not 'lots'",
            "threatmodel: 3 problems found; nothing was written.",
        ]

    def test_includes_share_the_model_budget(self, write, capsys):
        """Each include fits the limit on its own, but together they exceed it: the include
        that would cross it is refused at its position."""
        for name in ("a", "b"):
            write(
                f"{name}.yaml",
                "elements:\n"
                + "".join(f"  - {{id: {name}{i}, kind: actor}}\n" for i in range(100)),
            )
        main_model = str(write("main.yaml", "system: {id: s}\ninclude: [a.yaml, b.yaml]\n"))
        assert main(["validate", main_model, *CATALOG]) == 0
        capsys.readouterr()
        assert main(["validate", main_model, *CATALOG, "--limit", "max_nodes=800"]) == 2
        assert capsys.readouterr().err.splitlines()[0] == (
            f"{main_model}:2:19: include: 'b.yaml' would take the model over its limit of "
            "20,971,520 bytes or 800 values (the limits cover a model with all its includes)"
        )


def lines_run(call, function) -> int:
    """How many lines of `function` run while `call()` runs: a measure of work, not time."""
    import sys

    count = 0

    def local(frame, event, arg):
        nonlocal count
        count += event == "line"
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code is function.__code__ else None

    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(None)
    return count


def _elements(count: int, start: int = 0) -> str:
    return "".join(f"  - {{id: e{i}, kind: process}}\n" for i in range(start, start + count))


class TestWorkLimits:
    """Limits on the work a model asks for, not only on the text it takes: elements, flows,
    boundary nesting and findings, each refused at the first thing past it (exit 2)."""

    def test_elements_past_the_limit_stop_the_read_there(self, write, capsys):
        """The element past max_elements is named, and the read stops at it: a syntax error
        further down is never reached (the rest of a huge file costs nothing)."""
        path = str(write("m.yaml", "system: {id: s}\nelements:\n" + _elements(5) + "flows: [\n"))
        assert main(["validate", path, *CATALOG, "--limit", "max_elements=3"]) == 2
        assert capsys.readouterr().err.splitlines() == [
            f"{path}:6:5: elements: more than 3, over the limit max_elements=3 (it covers a "
            "model with all its includes; raise it with --limit max_elements=N)",
            "threatmodel: 1 problem found; nothing was written.",
        ]

    def test_flows_of_a_model_and_its_includes_share_the_limit(self, write, capsys):
        """Three flows in the model and three in an include: the fifth-and-more is refused in
        the include, at the first flow past the shared limit of 5."""
        flows = "".join(f"  - {{id: f{{0}}{i}, from: e0, to: e1}}\n" for i in range(3))
        write("more.yaml", "flows:\n" + flows.replace("{0}", "b"))
        path = str(
            write(
                "m.yaml",
                "system: {id: s}\ninclude: [more.yaml]\nelements:\n"
                + _elements(2)
                + "flows:\n"
                + flows.replace("{0}", "a"),
            )
        )
        assert main(["validate", path, *CATALOG, "--limit", "max_flows=6"]) == 0
        capsys.readouterr()
        assert main(["validate", path, *CATALOG, "--limit", "max_flows=5"]) == 2
        assert capsys.readouterr().err.splitlines()[0] == (
            f"{Path(path).parent / 'more.yaml'}:4:5: flows: more than 5, over the limit "
            "max_flows=5 (it covers a model with all its includes; raise it with --limit "
            "max_flows=N)"
        )

    def test_models_built_from_data_are_held_to_the_limits_too(self):
        """The limits also apply where no file is read (imports, the library)."""
        from threatmodel.model_yaml import read_model_data

        data = {
            "system": {"id": "s"},
            "elements": [{"id": f"e{i}", "kind": "actor"} for i in range(4)],
        }
        model = read_model_data(data, limits=Limits(max_elements=3))
        assert [p.message.split(",")[0] for p in model.problems] == ["elements: more than 3"]

    def nested(self, depth: int) -> str:
        lines = ["system: {id: s}", "elements:", "  - {id: a, kind: process}", "boundaries:"]
        lines.append("  - {id: b0, kind: network, members: [a]}")
        lines += [f"  - {{id: b{i}, kind: network, members: [b{i - 1}]}}" for i in range(1, depth)]
        return "\n".join(lines) + "\n"

    def test_boundaries_nested_past_the_limit_are_refused(self, write, capsys):
        """33 nested boundaries pass the default of 32: the innermost is named; 32 are fine."""
        path = str(write("m.yaml", self.nested(33)))
        assert main(["validate", path, *CATALOG]) == 2
        assert capsys.readouterr().err.splitlines()[0] == (
            f"{path}:5:5: boundary 'b0' is inside 32 other boundaries, over the limit "
            "max_boundary_depth=32 (raise it with --limit max_boundary_depth=N)"
        )
        path = str(write("ok.yaml", self.nested(32)))
        assert main(["validate", path, *CATALOG]) == 0

    def test_nesting_depth_is_computed_in_linear_work(self):
        """Chains of boundaries listed innermost first (the worst order for a naive walk):
        twice the chain costs twice the lines executed, not four times; no recursion."""
        from threatmodel.model import Boundary
        from threatmodel.work import nested_too_deep

        def cost(length: int) -> int:
            chain = [Boundary(id="b0", type="network", members=("a",))]
            chain += [
                Boundary(id=f"b{i}", type="network", members=(f"b{i - 1}",))
                for i in range(1, length)
            ]
            assert nested_too_deep(chain, length) is None
            return lines_run(lambda: nested_too_deep(chain, length - 1), nested_too_deep)

        small, large = cost(2_000), cost(4_000)
        assert large < 2.2 * small

    def test_findings_past_the_limit_stop_the_analysis(self, write, capsys, tmp_path):
        """The analysis stops as soon as it has more findings than max_findings: exit 2, the
        subject where it crossed the limit, and nothing written."""
        model = FIXTURES / "models" / "small.yaml"
        out = tmp_path / "out"
        assert main(["analyze", str(model), *CATALOG, "-o", str(out), "--format", "json"]) == 0
        limited = ["-o", str(tmp_path / "o2"), "--limit", "max_findings=2"]
        assert main(["analyze", str(model), *CATALOG, *limited]) == 2
        err = capsys.readouterr().err.splitlines()
        assert "over the limit max_findings=2; review the model in parts" in err[0]
        assert err[0].startswith(f"{model}:")
        assert not (tmp_path / "o2").exists()

    def test_the_findings_limit_counts_findings_as_they_come(self):
        """The engine stops at the first subject past the limit, not after the whole model."""
        from threatmodel.api import load_model
        from threatmodel.catalog_yaml import load_catalog
        from threatmodel.engine import analyze

        model = load_model(FIXTURES / "models" / "small.yaml")
        catalog = load_catalog([FIXTURES / "catalog"], shipped_risks=False)
        total = len(analyze(model, catalog).all_findings())
        assert total > 3
        with pytest.raises(ThreatModelError) as excinfo:
            analyze(model, catalog, max_findings=1)
        assert "more than 1 findings" in excinfo.value.problems[0].message
        assert len(analyze(model, catalog, max_findings=total).all_findings()) == total


class TestCatalogPatterns:
    @pytest.mark.parametrize(
        "pattern",
        [
            r"^CWE-[0-9]{1,5}$",
            r"^(CWE|CAPEC)-[0-9]+$",
            r"^[A-Z][a-z]*\.[0-9](\.[0-9])?$",
            r"^(?:Nc|DD)\.[0-9]+$",
        ],
    )
    def test_ordinary_id_patterns_are_accepted(self, pattern):
        """Patterns of the kind framework ids need pass the safety check."""
        assert pattern_problem(pattern) is None

    @pytest.mark.parametrize(
        "pattern, problem",
        [
            (r"^(a+)+$", "repeats a group that itself repeats"),
            (r"^([a-z]*\.)*$", "repeats a group that itself repeats"),
            (r"^(a|ab)*$", "repeats an alternation"),
            (r"^(x)\1$", "backreference or lookaround"),
            (r"^(?=a)a$", "backreference or lookaround"),
            (r"a*b*c*d*e*", "more than 4 repetitions"),
            ("a" * 201, "longer than 200 characters"),
            (r"^[a-", "bad pattern"),
        ],
    )
    def test_patterns_that_could_backtrack_are_refused(self, pattern, problem):
        """Nested or alternating repetition, backreferences, lookarounds, many repetitions and
        overlong patterns are refused before any matching is done."""
        assert problem in pattern_problem(pattern)

    def test_long_values_are_not_matched(self, write):
        """A 10,000-character framework id is refused without running the pattern on it."""
        from threatmodel.catalog_yaml import load_catalog

        path = write(
            "c.yaml",
            "frameworks:\n  acme: {title: ACME, pattern: '^[a-z]+$'}\n"
            "risks:\n  - {id: X-A-1, title: t, applies_to: system, likelihood: 1,"
            " impact: 1, frameworks: {acme: [" + "a" * 10_000 + "]}}\n",
        )
        with pytest.raises(ThreatModelError, match="is not a ACME id"):
            load_catalog([path], shipped_risks=False)


def test_limit_option_reaches_decisions_files(tmp_path, capsys):
    """--limit applies to the decisions file as well as to the model."""
    from threatmodel.cli import main

    model = tmp_path / "small.yaml"
    model.write_text((Path(__file__).parent / "fixtures" / "models" / "small.yaml").read_text())
    (tmp_path / "small.decisions.yaml").write_text("decisions:\n" + "  # padding\n" * 300)
    assert (
        main(
            [
                "analyze",
                str(model),
                "--no-shipped",
                "--catalog",
                str(Path(__file__).parent / "fixtures" / "catalog"),
                "-o",
                str(tmp_path / "o"),
                "--limit",
                "max_bytes=2600",
                "--quiet",
            ]
        )
        == 2
    )
    assert "small.decisions.yaml: file is" in capsys.readouterr().err


class TestPatternGrammar:
    """The guard reads patterns with its own grammar (no private `re` parser) and keeps every
    protection: what it accepts matches in bounded time, and it refuses what it cannot read."""

    @pytest.mark.parametrize(
        "pattern, problem",
        [
            (r"^(a{2})*$", "repeats a group that itself repeats"),
            (r"^((a)?b+)*$", "repeats a group that itself repeats"),
            (r"^(?:x|y)+$", "repeats an alternation"),
            (r"^a*+$", "repeats a repetition"),
            (r"^(?P<n>a)$", "only (...) and (?:...) groups"),
            (r"(?i)^a$", "only (...) and (?:...) groups"),
            (r"^(?<=a)b$", "backreference or lookaround"),
            (r"^\0$", "backreference or lookaround"),
            (r"^a{x}$", "starts no repetition"),
            (r"^[[a]$", "bad pattern: Possible nested set"),
        ],
    )
    def test_refused(self, pattern, problem):
        assert problem in pattern_problem(pattern)

    @pytest.mark.parametrize(
        "pattern", [r"^[\]a-z]+\.\d{1,3}$", r"^a{,3}b?$", r"^\x41\u0042+$", r"^(?:a|b)c*$"]
    )
    def test_accepted(self, pattern):
        assert pattern_problem(pattern) is None

    def test_random_patterns_always_get_an_answer(self):
        """Thousands of random patterns over the grammar's characters: the guard always
        answers, never raises and never lets `re` print a warning. (The matching time of the
        worst accepted shapes is measured by benchmarks/hostile_inputs.py.)"""
        import random
        import warnings

        pieces = list("ab()|*+?{},0123[]^-\\.$:=!<PN") + ["(?:", "\\d", "{1,2}", "{2}", "[^]]"]
        rng = random.Random(7)
        answers = set()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for _ in range(5000):
                pattern = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
                problem = pattern_problem(pattern)
                answers.add(problem is None)
        assert answers == {True, False}

    def test_patterns_match_the_whole_id(self, write):
        """A framework pattern must match a whole id: 'CWE-79\\n' and 'CWE-79x' are not ids
        even for a pattern written without '$'."""
        from threatmodel.id_pattern import id_matches

        assert id_matches(r"CWE-[0-9]+", "CWE-79")
        assert not id_matches(r"CWE-[0-9]+", "CWE-79x")
        assert not id_matches(r"^CWE-[0-9]+$", "CWE-79\n")
