"""Diagrams of hostile or huge models still come out: names of any length give bounded labels
and tooltips (graphviz refuses strings over 16,384 bytes), and wrapping does bounded work."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

import threatmodel
from threatmodel.render import diagram, dot

EXAMPLE = Path(__file__).parent.parent / "examples" / "trust-score-platform.yaml"
DOT_STRING_MAX = 16_384  # graphviz: "longer than 16384?"

if shutil.which("dot") is None:  # `make test` installs it; a silent skip would hide a gap
    pytest.fail("graphviz's 'dot' program is needed: apt-get install graphviz", pytrace=False)


def long_named(tmp_path: Path, length: int) -> Path:
    model = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    model["elements"][0]["name"] = "N" * length
    model["data"][0]["name"] = "D " * (length // 2)
    model["boundaries"][0]["name"] = 'B&<"' * (length // 4)
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(model), encoding="utf-8")
    return path


def strings(source: str) -> list[str]:
    """The quoted and HTML strings of DOT source."""
    quoted = re.findall(r'"(?:[^"\\]|\\.)*"', source)
    html = re.findall(r"=<(.*?)>(?:\s|,|\]|$)", source, re.S)
    return quoted + html


@pytest.mark.parametrize("length", [16_400, 100_000])
def test_a_very_long_name_gives_bounded_dot_strings_and_draws(tmp_path, length):
    path = long_named(tmp_path, length)
    result = threatmodel.analyze(threatmodel.load_model(path), threatmodel.load_catalog())
    name = result.model.elements[0].label
    for kind in diagram.KINDS:
        source = diagram.source(result, diagram.Options(kind=kind))
        assert max(len(s) for s in strings(source)) < DOT_STRING_MAX, kind
        labels = re.findall(r"label=<(.*?)>(?:\s|,|\]|$)", source, re.S)
        runs = [len(run) for x in labels for run in re.findall("N{5,}", x)]
        assert max(runs, default=0) <= 48, kind  # the drawing shows the name shortened
    svg = ET.fromstring(diagram.render(result, diagram.Options(), "svg"))
    titles = [a for e in svg.iter() for k, a in e.attrib.items() if k.endswith("}title")]
    full = [t for t in titles if t.startswith("N" * (dot.TOOLTIP_LINE_MAX - 1))]
    assert full and all(t.index("\u2026") < dot.TOOLTIP_LINE_MAX for t in full), (
        "the tooltip shows the name up to its bound, then an ellipsis"
    )
    assert any(t.startswith(name[:24]) for t in (x.text or "" for x in svg.iter()) if t)


def test_a_100000_character_name_in_a_default_analyze(tmp_path, capsys):
    """Issue 17.4: exit 3 ('longer than 16384?') even with --format html; now every file."""
    from threatmodel.cli import main

    path = long_named(tmp_path, 100_000)
    out = tmp_path / "out"
    assert main(["analyze", str(path), "-o", str(out), "--quiet"]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"report.html", "dfd.svg", "data-map.svg", "attack-trees.svg"} <= names
    assert "The diagram is not included" not in (out / "report.html").read_text("utf-8")


@pytest.mark.parametrize(
    "text",
    ["x" * 1_000_000, "ab " * 300_000, "a" + " " * 500_000 + "b", "\n" * 200_000 + "name"],
)
def test_wrapping_looks_at_a_bounded_prefix(text):
    lines = dot.wrap(text, 24)
    assert 1 <= len(lines) <= 3 and all(dot.width(line) <= 24 for line in lines)
    assert lines[-1].endswith("\u2026") or text.strip() == "name"


def test_wrapping_unchanged_for_ordinary_names():
    assert dot.wrap("Credit bureau data warehouse for lenders", 24) == [
        "Credit bureau data",
        "warehouse for lenders",
    ]
    assert dot.wrap("short") == ["short"]
    assert dot.wrap("one\ntwo three", 24) == ["one", "two three"]
