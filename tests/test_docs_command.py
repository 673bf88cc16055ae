"""`threatmodel docs`: the documentation pages ship with the package and print by topic, and
the starter models of `threatmodel init` point at a page that exists."""

from __future__ import annotations

import re

import pytest

from tests.helpers import ROOT
from threatmodel.cli import main
from threatmodel.commands import init

PAGES = sorted((ROOT / "docs").glob("*.md"))


def test_without_a_topic_every_page_is_listed_with_its_title(capsys):
    assert main(["docs"]) == 0
    out = capsys.readouterr().out
    for page in PAGES:
        title = page.read_text(encoding="utf-8").splitlines()[0].removeprefix("# ")
        assert re.search(rf"^{page.stem} +{re.escape(title)}$", out, re.M), page.name


@pytest.mark.parametrize("topic", ["model-format", "model-format.md", "docs/model-format.md"])
def test_a_topic_prints_its_page(topic, capsys):
    """By name, or as the README links it."""
    assert main(["docs", topic]) == 0
    assert capsys.readouterr().out == (ROOT / "docs" / "model-format.md").read_text("utf-8")


def test_an_unknown_topic_is_bad_input_with_a_suggestion(capsys):
    assert main(["docs", "model-formats"]) == 2
    err = capsys.readouterr().err
    assert "docs: no documentation page 'model-formats' (did you mean 'model-format'?)" in err


@pytest.mark.parametrize("shape", sorted(init.SHAPES))
def test_the_starter_model_points_at_pages_that_exist(tmp_path, shape, capsys):
    out = tmp_path / "model.yaml"
    assert main(["init", "--shape", shape, "-o", str(out), "--yes"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "docs/" not in text, "an installed package has no docs/ directory"
    topics = re.findall(r"`threatmodel docs ([\w-]+)`", text)
    assert topics
    for topic in topics:
        assert main(["docs", topic]) == 0
    capsys.readouterr()
