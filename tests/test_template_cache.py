"""The shipped HTML template compiled ahead of time: fresh, used, the same page as compiling
the template, and set aside when it does not match."""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2

import threatmodel
from threatmodel.render import html, template_cache
from threatmodel.report import build_report

EXAMPLE = Path(__file__).parents[1] / "examples" / "trust-score-platform.yaml"


def test_the_compiled_template_is_fresh():
    shipped = html.shipped_environment(), html.template_source(), html.TEMPLATE
    assert not template_cache.stale(*shipped), (
        "threatmodel/render/compiled_report.py is stale: run `make templates` after changing "
        "report.html.j2 or the HTML environment's settings"
    )


def test_the_shipped_template_is_the_compiled_module():
    assert html.shipped_template().filename == str(template_cache.PATH)


def test_the_compiled_template_writes_the_page_compiling_it_writes():
    report = build_report(
        threatmodel.analyze(threatmodel.load_model(EXAMPLE), threatmodel.load_catalog())
    )
    env = html.environment(None)
    compiled = template_cache.compiled(env, html.template_source())
    assert compiled is not None
    context = html.context(report, html.RenderOptions())
    from_text = env.from_string(html.template_source())
    assert compiled.render(**context) == from_text.render(**context)


def test_another_text_or_setting_is_compiled_from_the_text():
    env = html.environment(None)
    source = html.template_source()
    assert template_cache.compiled(env, source + "<!-- an edit -->") is None
    env.trim_blocks = False  # a setting that changes the code Jinja writes
    assert template_cache.compiled(env, source) is None


def test_a_missing_module_is_compiled_from_the_text(monkeypatch):
    monkeypatch.setattr(template_cache, "MODULE", "threatmodel.render.no_such_module")
    assert template_cache.compiled(html.environment(None), html.template_source()) is None
    html.shipped_template.cache_clear()
    try:
        page = html.shipped_template()
        assert isinstance(page, jinja2.Template)
        assert page.filename != str(template_cache.PATH)
    finally:
        html.shipped_template.cache_clear()
    assert "threatmodel.render.no_such_module" not in sys.modules
