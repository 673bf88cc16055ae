"""`threatmodel diagram` and the diagrams `analyze` writes; behaviour without graphviz."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from threatmodel.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "diagram"
MODEL = str(FIXTURES / "model.yaml")
CATALOG = ["--catalog", str(FIXTURES / "catalog.yaml"), "--no-shipped"]
REPO = Path(__file__).parent.parent

if shutil.which("dot") is None:  # `make test` installs it; a silent skip would hide a gap
    pytest.fail("graphviz's 'dot' program is needed: apt-get install graphviz", pytrace=False)


def diagram(*args: str) -> int:
    return main(["diagram", MODEL, *CATALOG, *args])


class TestDiagramCommand:
    @pytest.mark.parametrize(
        "name, magic",
        [
            ("dfd.svg", b"<?xml"),
            ("dfd.png", b"\x89PNG"),
            ("dfd.pdf", b"%PDF"),
            ("dfd.dot", b"digraph dfd"),
        ],
    )
    def test_format_follows_the_file_extension(self, tmp_path, capsys, name, magic):
        assert diagram("-o", str(tmp_path / name)) == 0
        assert (tmp_path / name).read_bytes().startswith(magic)
        assert f"wrote {tmp_path / name}" in capsys.readouterr().out

    def test_default_output_names_the_diagram(self, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        assert diagram("--data", "social_graph") == 0
        assert diagram("--risk", "D-SEC-01", "--format", "dot") == 0
        assert diagram("--kind", "attack-tree") == 0
        written = sorted(p.name for p in (tmp_path / "threatmodel-out" / "model").iterdir())
        assert written == [
            "attack-tree-D-SEC-01.dot",
            "attack-trees.svg",
            "data-map-social_graph.svg",
        ]

    def test_stdout(self, capsys):
        assert diagram("--format", "dot", "-o", "-", "--boundary", "dc") == 0
        out = capsys.readouterr().out
        assert out.startswith("digraph dfd {") and "Data centre and 4 neighbours" in out
        assert diagram("-o", "-") == 0
        assert capsys.readouterr().out.startswith('<?xml version="1.0"')

    def test_same_model_gives_identical_files(self, tmp_path):
        for run in ("a", "b"):
            for name in ("dfd.svg", "dfd.dot", "dfd.pdf"):
                assert diagram("-o", str(tmp_path / run / name)) == 0
        for name in ("dfd.svg", "dfd.dot", "dfd.pdf"):
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()

    @pytest.mark.parametrize(
        "args, message",
        [
            (["--risk", "D-SEC-01", "--kind", "dfd"], "--risk: --risk draws an attack tree"),
            (
                ["--kind", "data", "--boundary", "dc"],
                "--boundary: --boundary applies to the data-flow",
            ),
            (["--collapse-depth", "-1"], "--collapse-depth: --collapse-depth must be 0 or more"),
            (["--risk", "D-NOPE-01"], "--risk: no risk 'D-NOPE-01'"),
            (["--data", "nothing"], "--data: no data asset or category 'nothing'"),
            (["--boundary", "dcc"], "--boundary: no boundary 'dcc' (did you mean 'dc'?)"),
        ],
    )
    def test_bad_options_exit_2_and_write_nothing(self, tmp_path, capsys, args, message):
        out = tmp_path / "x.svg"
        assert diagram(*args, "-o", str(out)) == 2
        err = capsys.readouterr().err
        assert message in err and "nothing was written" in err
        assert not out.exists()


class TestWithoutGraphviz:
    def test_dot_works_and_rendered_formats_say_how_to_install(self, tmp_path, capsys, monkeypatch):
        monkeypatch.setenv("PATH", str(tmp_path))  # no 'dot' to be found
        assert diagram("--format", "dot", "-o", str(tmp_path / "dfd.dot")) == 0
        assert (tmp_path / "dfd.dot").read_text().startswith("digraph dfd {")
        for fmt in ("svg", "png", "pdf"):
            assert diagram("-o", str(tmp_path / f"dfd.{fmt}")) == 2
            err = capsys.readouterr().err
            assert f"dot: the Graphviz program 'dot' is needed to draw {fmt.upper()}" in err
            assert "sudo apt-get install graphviz" in err and "'--format dot'" in err
            assert "Traceback" not in err and not (tmp_path / f"dfd.{fmt}").exists()

    def test_analyze_writes_the_other_reports_and_the_dot_source(self, tmp_path):
        """Without graphviz the SVG diagrams are not default formats, so analyze succeeds."""
        env = dict(os.environ, PATH=str(tmp_path), PYTHONPATH=str(REPO))
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "threatmodel",
                "analyze",
                MODEL,
                *CATALOG,
                "-o",
                str(tmp_path / "out"),
                "--quiet",
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        written = {p.name for p in (tmp_path / "out").iterdir()}
        assert "dfd.dot" in written and not {n for n in written if n.endswith(".svg")}
        asked = subprocess.run(
            [
                sys.executable,
                "-m",
                "threatmodel",
                "analyze",
                MODEL,
                *CATALOG,
                "-o",
                str(tmp_path / "out2"),
                "--format",
                "json,svg",
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        assert asked.returncode == 2 and "apt-get install graphviz" in asked.stderr
        assert not (tmp_path / "out2").exists()


def test_analyze_writes_the_diagrams_with_the_reports(tmp_path):
    assert main(["analyze", MODEL, *CATALOG, "-o", str(tmp_path), "--quiet"]) == 0
    written = {p.name for p in tmp_path.iterdir()}
    assert {"dfd.dot", "dfd.svg", "data-map.svg", "attack-trees.svg"} <= written
    assert "Where personal data goes" in (tmp_path / "data-map.svg").read_text()
    assert "Read the store&#39;s plaintext" in (tmp_path / "attack-trees.svg").read_text()


def test_readme_diagram_is_committed():
    """The README shows docs/images/trust-score-dfd.svg, the example's diagram, beside the
    command that draws it (test_readme.py runs that command)."""
    readme = (REPO / "README.md").read_text()
    command = "threatmodel diagram examples/trust-score-platform.yaml -o out/trust-score-dfd.svg"
    assert (
        "![Data-flow diagram of the trust-score example](docs/images/trust-score-dfd.svg)" in readme
        and command in readme
    )
    committed = (REPO / "docs" / "images" / "trust-score-dfd.svg").read_text()
    assert "Data&#45;flow diagram: Xinyong trust score platform" in committed
