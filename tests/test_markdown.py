"""The Markdown report: full content, escaping checked with GitHub's own parser (cmark-gfm),
links and determinism."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

import threatmodel
from threatmodel.render import markdown
from threatmodel.report import build_report
from threatmodel.tracking import apply_decisions, default_path, load_decisions

REPORTS = Path(__file__).parent / "fixtures" / "reports"
ALLOWED = {
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "strong",
    "a",
    "ul",
    "ol",
    "li",
    "input",
}


def analysed(model: str, catalog: str, today=datetime.date(2024, 6, 1)):
    cat = threatmodel.load_catalog([REPORTS / catalog], shipped_risks=False)
    result = threatmodel.analyze(threatmodel.load_model(REPORTS / model), cat)
    path = default_path(REPORTS / model)
    return build_report(
        apply_decisions(result, load_decisions(path) if path.exists() else None, today)
    )


class Html(HTMLParser):
    """Tags, attributes, table rows (cell counts) and text of GitHub's rendering."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.rows: list[int] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append(0)
        elif tag in ("td", "th"):
            self.rows[-1] += 1

    def handle_data(self, data):
        self.text.append(data)


def github(text: str) -> Html:
    cmarkgfm = pytest.importorskip(
        "cmarkgfm", reason="cmarkgfm (a test extra) renders Markdown as GitHub does"
    )
    from cmarkgfm.cmark import Options

    # UNSAFE: keep raw HTML, as a permissive wiki would; our escaping must stop it anyway
    return Html(cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE))


@pytest.fixture(scope="module")
def report():
    return markdown.render_full(analysed("model.yaml", "catalog.yaml"))


@pytest.fixture(scope="module")
def hostile():
    return markdown.render_full(analysed("hostile.yaml", "hostile_catalog.yaml"))


def test_report_has_the_same_sections_as_the_html(report):
    """Summary, plan, concerns, matrix, findings, checklist, compliance, questions, appendix."""
    headings = [line for line in report.splitlines() if line.startswith("## ")]
    assert headings == [
        "## What to do",
        "## Summary",
        "## Plan",
        "## Concerns",
        "## Risk matrix",
        "## Findings",
        "## Mitigation checklist",
        "## Compliance view",
        "## Questions for the system owner",
        "## Appendix: the model",
    ]


def test_findings_show_harms_mitigations_and_decisions(report):
    """Details carry PRAM problems, Solove harms, task-list mitigations and the decision."""
    assert (
        "- **Problems for people (NIST PRAM):** Discrimination, Loss of Self-Determination"
        in report
    )
    assert (
        "- [ ] **Recommended:** Encrypt the store at rest `MIT-R-ENCRYPT` (likelihood -2)" in report
    )
    assert (
        "- [x] **In place:** Log and review every access `MIT-R-LOG` (likelihood -1, "
        "impact -1; SIEM since 2024)" in report
    )
    assert (
        "- **Review decision:** accepted by dpo@example.org on 2024-05-02, until 2030-01-31; "
        "ticket PRIV-12: Contract forbids onward sale; audit in Q3."
    ) in report
    assert "| **4** | · | · | · | 1 (1) | · |" in report
    question = next(line for line in report.splitlines() if "(`encrypted_at_rest`)" in line)
    assert question.startswith("- [ ] **")
    assert question.endswith(
        "On `archive`. Answers: true / false. Could confirm: Personal data stored "
        "unencrypted (high)."
    )


def test_expired_decisions_are_flagged():
    """A lapsed acceptance says so in the table and the details."""
    text = markdown.render_full(analysed("model.yaml", "catalog.yaml", datetime.date(2031, 1, 1)))
    assert "| accepted, expired 2030-01-31 |" in text
    assert "**1 review decision expired**" in text


def test_tables_keep_their_shape_with_hostile_pipes_and_backticks(hostile):
    """Every table row renders with as many cells as its header, whatever the names hold."""
    page = github(hostile)
    assert page.rows and all(count in (2, 3, 4, 5, 6) for count in page.rows)
    text = "".join(page.text)
    assert "<script>alert('title')</script> | pipe | `code` =1+1" in text
    assert "+DB | `store` [link](javascript:alert(1))" in text
    assert "{{ config }} ${x} %s" in text and "<!-- comment --> & &amp;" in text


def test_hostile_text_never_becomes_html_or_a_link(hostile):
    """GitHub's parser sees only our own elements; links go to http(s) addresses only."""
    page = github(hostile)
    assert {tag for tag, _ in page.tags} <= ALLOWED
    hrefs = [attrs["href"] for tag, attrs in page.tags if tag == "a"]
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs)


def test_ordinary_report_renders_cleanly_on_github(report):
    """The fixture report uses only headings, tables, lists, code and links."""
    page = github(report)
    assert {tag for tag, _ in page.tags} <= ALLOWED
    assert "Automated decisions people cannot contest" in "".join(page.text)


def test_control_characters_are_made_visible(hostile):
    """Terminal escapes and NUL never reach the Markdown raw."""
    assert not any(ord(c) < 0x20 and c != "\n" for c in hostile)
    assert "\\\\x1b" in hostile


def test_rendering_is_deterministic(report):
    """Two analyses of the same input give byte-identical Markdown."""
    assert markdown.render_full(analysed("model.yaml", "catalog.yaml")) == report
