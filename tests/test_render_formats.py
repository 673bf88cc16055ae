"""Rendering every format at once: shared data, order, and the two-process split."""

from __future__ import annotations

import pytest

import threatmodel
from tests.helpers import FIXTURES
from threatmodel import render

FORMATS = ["json", "md", "html", "sarif", "csv"]


@pytest.fixture(scope="module")
def result(core_catalog):
    return threatmodel.analyze(
        threatmodel.load_model(FIXTURES / "models" / "small.yaml"), core_catalog
    )


def test_two_processes_render_exactly_what_one_does(result, monkeypatch):
    """Rendering split across a forked child gives byte-identical files, in format order."""
    one = render.render_formats(result, FORMATS, workers=1)
    monkeypatch.setattr(render, "PARALLEL_FROM", 0)
    two = render.render_formats(result, FORMATS, workers=2)
    assert list(two) == list(one) == [render.file_name(f) for f in FORMATS]
    assert two == one


def test_split_balances_cost_deterministically():
    """The heaviest format is balanced against the lighter ones, the same way every time."""
    assert render._split(FORMATS) == [["html", "csv"], ["json", "md", "sarif"]]
    assert render._split(["json"]) == [["json"], []]


def test_large_results_are_detailed_only_for_the_worst_findings(result, monkeypatch):
    """Past the detail limit, HTML and Markdown describe the worst findings in full and say
    where the rest are; every finding still has its table row."""
    from threatmodel.render import data as report_data
    from threatmodel.render import html, markdown

    monkeypatch.setattr(report_data, "DETAIL_LIMIT", 2)
    text = markdown.render(result)
    assert text.count("- **Why it fired:**") == 2
    assert f"The {len(result.confirmed) - 2:,} findings after the worst 2" in text
    assert all(f"`{f.id}`" in text for f in result.confirmed)
    page = html.render(result)
    assert page.count('<article class="finding ') == 2
    assert f"The {len(result.confirmed) - 2:,} findings after the worst 2 are not written" in page
