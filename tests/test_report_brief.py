"""The short reports every example gets: report.md fits a pull-request comment and starts with
what to do; the DPIA draft has each part of GDPR Art 35(7), filled from the model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import threatmodel
from threatmodel.render import dpia, markdown
from threatmodel.report import build_report

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.fixture(scope="module", params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def report(request):
    result = threatmodel.analyze(threatmodel.load_model(request.param), threatmodel.load_catalog())
    return build_report(result)


def sections(text: str) -> dict[str, str]:
    """The body of each `## ` section by its heading."""
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_report_md_is_a_pull_request_comment_that_starts_with_what_to_do(report):
    """Under 60,000 characters; the brief (people, concerns by band, the plan's first steps,
    the questions) comes before any long list."""
    text = markdown.render(report)
    assert len(text) < 60_000
    body = sections(text)
    assert list(body)[:3] == ["What to do", "Plan", "Concerns"]
    brief = body["What to do"]
    worst = next(s for s, n in report.summary.concerns_by_severity.items() if n)
    assert f"**{report.summary.concerns_by_severity[worst]} {worst}**" in brief
    assert f"**{report.summary.concerns} concerns**" in brief
    if report.plan.actions:
        assert f"1. **{report.plan.actions[0].title}**" in brief
    if report.questions:
        assert f"**{len(report.questions)} question" in brief
    else:
        assert "No question for the system owner" in brief


def test_full_markdown_keeps_every_detailed_finding(report):
    """`--format md-full` keeps the findings the comment leaves out."""
    text = markdown.render_full(report)
    assert "## What to do" in text
    assert all(f"({markdown.code(f.id)})" in text for f in report.findings[:50])


def test_dpia_has_each_part_of_art_35_7_filled_from_the_model(report):
    """(a) the processing, its data and purposes; (b) necessity and proportionality; (c) the
    risks, by the people concerned; (d) the measures; then what the owner must supply."""
    body = sections(dpia.render(report))
    titles = [f"Art 35(7)({letter}): {title}" for letter, title, _ in dpia.SECTIONS]
    assert list(body) == [*titles, "What the owner must still supply"]
    a, b, c, d = (body[t] for t in titles)
    for (letter, _, text), part in zip(dpia.SECTIONS, (a, b, c, d), strict=True):
        assert f"> GDPR Art 35(7)({letter}): “{text}”" in part  # the regulation's own words
        assert len(part.replace("**to supply**", "")) > len(text) + 200  # and filled
    assert "**Legitimate interest pursued by the controller:**" in a
    assert "### Mechanisms to demonstrate compliance" in d
    model = report.result.model
    assert all(markdown.md(asset.name) in a for asset in model.data)
    assert markdown.md(report.system.description)[:60] in a
    purposes = {str(x.attributes["purpose"]) for x in model.data if x.attributes.get("purpose")}
    assert purposes and all(markdown.md(p) in b for p in purposes)
    open_concerns = [x for x in report.concerns if x.open]
    assert f"{len(open_concerns)} open concern" in c
    assert markdown.md(open_concerns[0].title) in c
    biggest = max(model.data, key=lambda x: x.subjects or 0)
    assert f"### People in {markdown.md(biggest.name)}" in c
    assert all(markdown.md(x.title) in d for x in report.plan.actions)
    assert all(markdown.code(x.mitigation) in d for x in report.model.controls)
    assert "Draft for the data-protection officer" in dpia.render(report)
