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


# -- summarised views of large models ---------------------------------------------------------


def nested(elements: int, boundaries: bool = True):
    from tests.test_diagram_views import catalog, nested_model

    model = nested_model(elements)
    if not boundaries:
        model["boundaries"] = []
    return threatmodel.analyze(threatmodel.load_model_data(model), catalog())


def test_a_large_data_map_groups_elements_by_boundary_and_says_so():
    result = nested(400)
    full = diagram.sketch(result, diagram.Options(kind="data", max_nodes=0))
    summary = diagram.sketch(result, diagram.Options(kind="data", max_nodes=40))
    assert not full.notes and 'id="element-' in full.source
    assert len(summary.notes) == 1 and "summary view" in summary.notes[0]
    assert "summary view" in summary.source  # said in the drawing too
    groups = set(re.findall(r'id="group-([^"]+)"', summary.source))
    assert groups and groups <= {b.id for b in result.model.boundaries}
    assert len(groups) <= 40 and 'id="element-' not in summary.source
    assert "2 elements" not in summary.notes[0]  # counts every element of the map
    ET.fromstring(diagram.render(result, diagram.Options(kind="data", max_nodes=40), "svg"))


def test_a_large_data_map_without_boundaries_groups_by_kind_and_type():
    result = nested(400, boundaries=False)
    summary = diagram.sketch(result, diagram.Options(kind="data", max_nodes=40))
    assert summary.notes
    labels = re.findall(r'id="group-([^"]+)"', summary.source)
    assert labels and all(
        x.split("-")[0] in {"process", "datastore", "actor", "external_service"} for x in labels
    )
    assert len(labels) == len(
        {(e.kind, e.type) for e in result.model.elements}
        & {tuple(x.split("-")[:2]) for x in labels}
    )


def test_a_data_map_whose_groups_still_have_too_many_flows_groups_by_kind():
    """Grouped by kind and type, 400 elements with no boundaries still leave more than 12
    flows between groups; by kind alone they fit (a sparse 1,000-element model's map, drawn
    by kind and type, kept `dot` busy for over 100 s)."""
    result = nested(400, boundaries=False)
    summary = diagram.sketch(result, diagram.Options(kind="data", max_nodes=12))
    kinds = {x.split("-")[0] for x in re.findall(r'id="group-([^"]+)"', summary.source)}
    assert kinds == {"process", "datastore", "actor", "external_service"}
    assert "\u00abgrouped\u00bb" in summary.source and "4 groups" in summary.notes[0]
    ET.fromstring(diagram.render(result, diagram.Options(kind="data", max_nodes=12), "svg"))


def test_attack_trees_over_the_cap_keep_the_worst_and_name_the_rest():
    result = threatmodel.analyze(threatmodel.load_model(EXAMPLE), threatmodel.load_catalog())
    full = diagram.sketch(result, diagram.Options(kind="attack-tree", max_nodes=0))
    drawn = set(re.findall(r'id="risk-([^"]+)"', full.source))
    assert len(drawn) >= 2 and not full.notes
    capped = diagram.sketch(result, diagram.Options(kind="attack-tree", max_nodes=5))
    kept = set(re.findall(r'id="risk-([^"]+)"', capped.source))
    assert 1 <= len(kept) < len(drawn) and kept <= drawn
    assert len(capped.notes) == 1
    assert all(r in capped.notes[0] for r in drawn - kept)  # what was left out, by id


# -- the time budget ----------------------------------------------------------------------------


def test_a_diagram_not_drawn_in_time_is_noted_and_the_run_goes_on(tmp_path, capsys):
    from threatmodel.cli import main

    out = tmp_path / "out"
    status = main(["analyze", str(EXAMPLE), "-o", str(out), "--diagram-timeout", "0.001"])
    assert status == 0  # as a normal run of this model (no --fail-on)
    err = capsys.readouterr().err
    expected = {"findings.json", "report.md", "report.html", "findings.sarif", "findings.csv"}
    expected |= {"dfd.dot", "dfd.svg", "data-map.svg", "attack-trees.svg"}
    assert expected == {p.name for p in out.iterdir()}
    for name, title in (
        ("dfd.svg", "data-flow diagram"),
        ("data-map.svg", "data map"),
        ("attack-trees.svg", "attack trees"),
    ):
        assert f"{name}: {title} not drawn" in err
        placeholder = ET.fromstring((out / name).read_text("utf-8"))
        text = " ".join(t.text or "" for t in placeholder.iter() if t.tag.endswith("text"))
        assert "not drawn" in text and "0.001 s" in text
    html = (out / "report.html").read_text("utf-8")
    assert "The diagram is not included: graphviz" in html
    assert "data-map.svg: data map not drawn" in html
    markdown = (out / "report.md").read_text("utf-8")
    assert "data-map.svg: data map not drawn" in markdown
    assert "--diagram-timeout" in markdown


def test_the_budget_is_an_option_of_the_library(tmp_path):
    from threatmodel import run
    from threatmodel.render import RenderOptions

    options = run.Options(formats=("json", "data-map"), render=RenderOptions(diagram_timeout=0.001))
    report, written = run.analyse_to(run.catalog(run.Sources()), EXAMPLE, tmp_path, options)
    assert {p.name for p in written} == {"findings.json", "data-map.svg"}
    assert any(w.startswith("data-map.svg: data map not drawn") for w in report.warnings)


@pytest.mark.parametrize("value", ["0", "-1", "nan"])
def test_a_budget_that_is_not_positive_is_refused(tmp_path, capsys, value):
    from threatmodel.cli import main

    out = tmp_path / "out"
    assert main(["analyze", str(EXAMPLE), "-o", str(out), f"--diagram-timeout={value}"]) == 2
    assert "--diagram-timeout" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize("value", ["inf", "1e300", "604801"])
@pytest.mark.parametrize(
    "command, option",
    [("analyze", "--diagram-timeout"), ("analyze", "--template-timeout"), ("diagram", "--timeout")],
)
def test_a_budget_past_a_week_is_refused(tmp_path, capsys, command, option, value):
    """Found after the fact: inf or 1e300 overflowed the timer, an internal error (exit 3)."""
    from threatmodel.cli import main

    out = tmp_path / ("out" if command == "analyze" else "out.svg")
    assert main([command, str(EXAMPLE), "-o", str(out), f"{option}={value}"]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith(f"{option}: {option} must be at most 604,800 seconds (a week)")
    assert not out.exists()


def test_a_large_model_writes_every_default_output(tmp_path, capsys):
    """Issue 16.1: with the default formats, `dot` drew the data map of a large model for
    minutes and the run wrote nothing; now a view over 150 nodes is summarised and every file
    is written. 400 elements keep the suite quick; benchmarks/ measures 1,000 to 3,000."""
    from benchmarks.synth import generate
    from threatmodel.cli import main

    path = tmp_path / "m400.yaml"
    path.write_text(yaml.dump(generate(400), Dumper=yaml.CSafeDumper), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["analyze", str(path), "-o", str(out), "--quiet"]) == 0
    assert "not drawn" not in capsys.readouterr().err
    names = {p.name for p in out.iterdir()}
    assert {"report.html", "report.md", "dfd.svg", "data-map.svg", "attack-trees.svg"} <= names
    data_map = (out / "data-map.svg").read_text("utf-8")
    assert 'class="node group' in data_map and "summary view" in data_map
    assert "data-map.svg: summary view" in (out / "report.md").read_text("utf-8")
