"""Rendering every format at once: one report shared by all, files in the asked order."""

from __future__ import annotations

import importlib

import pytest

from threatmodel import render
from threatmodel.report import build_report

FORMATS = ["json", "md", "html", "sarif", "csv"]


@pytest.fixture(scope="module")
def report(small_report):
    return small_report


def test_every_format_renders_in_the_order_asked(report):
    """Files come back by name in the order of the formats, each rendered from the report."""
    files = render.render_formats(report, list(reversed(FORMATS)))
    assert list(files) == [render.file_name(f) for f in reversed(FORMATS)]
    assert files["findings.json"] == render.whole(render.renderer("json")(report))


@pytest.mark.parametrize("name", ["json", "sarif", "csv", "html"])
def test_big_outputs_are_rendered_in_pieces_that_join_to_the_text(report, name, tmp_path):
    """JSON, SARIF, CSV and HTML come in pieces made as they are read (one per finding, per
    block of rows, per stretch of the template), never one text: their join is the module's text, and `write_all` writes
    the same bytes from them; a child sends them back as those bytes."""
    from threatmodel.output import write_all

    module = importlib.import_module(render.FORMATS[name].module)
    pieces = list(render.renderer(name)(report))
    assert isinstance(render.renderer(name)(report), render.Pieces) and len(pieces) >= 2
    again = render.renderer(name)(report)
    assert "".join(pieces) == again.text() == again.text() == module.render(report)
    write_all(tmp_path / "pieces", {"out": render.renderer(name)(report)})
    write_all(tmp_path / "text", {"out": module.render(report)})
    assert (tmp_path / "pieces" / "out").read_bytes() == (tmp_path / "text" / "out").read_bytes()
    (sent,) = render._render_all_of(report, [name], render.RenderOptions(), None).values()
    assert isinstance(sent, render.Encoded) and sent == module.render(report).encode("utf-8")
    assert render.whole(sent) == module.render(report)


def test_large_results_are_detailed_only_for_the_worst_findings(report, monkeypatch):
    """Past the detail limit, HTML and Markdown describe the worst findings in full and say
    where the rest are; every finding still has its table row."""
    from threatmodel.render import html, markdown
    from threatmodel.report import model

    monkeypatch.setattr(model, "DETAIL_LIMIT", 2)
    report = build_report(report.result)  # the limit is read when a report is first asked
    text = markdown.render_full(report)
    assert text.count("- **Why it fired:**") == 2
    assert f"The {len(report.confirmed) - 2:,} findings after the worst 2" in text
    assert all(f"`{f.id}`" in text for f in report.confirmed)
    page = html.render(report)
    assert page.count('<article class="finding ') == 2
    assert f"The {len(report.confirmed) - 2:,} findings after the worst 2 are not written" in page
