"""The HTML report: sections, escaping of hostile text, safety of links and scripts,
determinism and user templates."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

import threatmodel
from threatmodel.errors import ThreatModelError
from threatmodel.render import RenderOptions, html
from threatmodel.render.escape import terminal
from threatmodel.report import build_report
from threatmodel.tracking import apply_decisions, default_path, load_decisions

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def analysed(model: str, catalog: str, today=datetime.date(2024, 6, 1)):
    cat = threatmodel.load_catalog([REPORTS / catalog], shipped_risks=False)
    result = threatmodel.analyze(threatmodel.load_model(REPORTS / model), cat)
    path = default_path(REPORTS / model)
    return build_report(
        apply_decisions(result, load_decisions(path) if path.exists() else None, today)
    )


class Page(HTMLParser):
    """Collects elements with their attributes, script bodies and the visible text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)


@pytest.fixture(scope="module")
def report():
    return html.render(analysed("model.yaml", "catalog.yaml"))


@pytest.fixture(scope="module")
def hostile():
    return html.render(analysed("hostile.yaml", "hostile_catalog.yaml"))


def test_report_has_every_section(report):
    """Summary and plan, concerns, matrix, diagram, findings, checklist, compliance, questions
    and appendix."""
    ids = {attrs.get("id") for _, attrs in Page(report).elements}
    assert {
        "summary",
        "matrix",
        "diagram",
        "findings",
        "checklist",
        "compliance",
        "questions",
        "concerns",
        "appendix",
    } <= ids
    assert {
        "finding-R-OPA-01@scoring",
        "finding-R-RES-01@f-sell",
        "finding-R-SEC-01@profile-db",
        "finding-R-SYS-01@trust",
        "questions",
    } <= ids


def test_finding_shows_harms_frameworks_mitigations_and_decision(report):
    """A finding card says who is harmed, its frameworks, what to do, what is done, the decision."""
    text = " ".join("".join(Page(report).text).split())
    assert "Discrimination, Loss of Self-Determination (NIST PRAM)" in text
    assert "Exclusion, Distortion (Solove)" in text
    assert "STRIDE I (Information disclosure)" in text
    assert "☐ Encrypt the store at rest MIT-R-ENCRYPT likelihood -2" in text
    assert (
        "☑ Log and review every access MIT-R-LOG likelihood -1, impact -1; SIEM since 2024" in text
    )
    assert "accepted by dpo@example.org on 2024-05-02, until 2030-01-31; ticket PRIV-12" in text
    assert "Contract forbids onward sale; audit in Q3." in text
    assert "Is each data store encrypted at rest?" in text or "encrypted_at_rest" in text
    assert "Questions for the system owner" in text


def test_expired_decision_is_shown_as_open_again():
    """A lapsed acceptance is flagged on the card and in the summary."""
    text = " ".join(
        "".join(
            Page(
                html.render(analysed("model.yaml", "catalog.yaml", datetime.date(2031, 1, 1)))
            ).text
        ).split()
    )
    assert "accepted expired" in text
    assert "(expired 2030-01-31; open again)" in text
    assert "1 review decision expired; those findings are open again." in text


def test_links_are_only_safe_web_links_or_anchors(report, hostile):
    """Every href is an in-page anchor or an http(s) link; images (if any) are data: URIs."""
    for page in (report, hostile):
        for tag, attrs in Page(page).elements:
            if "href" in attrs:
                assert attrs["href"].startswith(("#", "https://", "http://")), attrs["href"]
            if tag == "img":
                assert attrs["src"].startswith("data:image/svg+xml;base64,")


def test_hostile_text_is_escaped_everywhere(hostile):
    """Hostile names become text: no injected element, attribute, script or style."""
    page = Page(hostile)
    tags = [tag for tag, _ in page.elements]
    assert tags.count("script") == 1 and tags.count("style") == 1
    forbidden = {"iframe", "i", "textarea", "img", "foreignobject", "image", "use", "animate"}
    assert not forbidden & set(tags)
    assert tags.count("svg") <= 3  # the diagrams, drawn by dot and sanitised (svg_inline)
    assert not [a for _, attrs in page.elements for a in attrs if a.startswith("on")]
    assert page.scripts == [html._asset("report.js")]
    text = "".join(page.text)
    for hostile_text in (
        "<script>alert('system')</script> Evil | Corp `x`",
        "\"><svg/onload=alert('actor')>",
        "<iframe src=//evil>",
        "<script>alert('why')</script> | `x` =SUM(A1)",
        "{{ config }} ${x} %s",
        "@import url(evil.css); {{ 7*7 }} {% raw %}",
    ):
        assert hostile_text in text
    assert "49" not in text.split("@import url(evil.css);")[1][:10]  # no template evaluation


def test_control_characters_are_made_visible(hostile):
    """Terminal escapes, NUL and bidi controls never reach the HTML raw."""
    assert not any(ord(c) < 0x20 and c not in "\n\t" for c in hostile)
    assert "\\x1b[2J" in hostile and "\\x00\\x07" in hostile
    assert terminal("\u202e") == "\\x202e"


def test_content_security_policy_pins_the_inline_blocks(report):
    """The CSP allows exactly the report's own style and script (by hash) and data: images."""
    meta = next(
        a
        for t, a in Page(report).elements
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    )
    policy = meta["content"]
    assert "default-src 'none'" in policy and "img-src data:" in policy
    assert f"script-src '{html._hash(html._asset('report.js'))}'" in policy
    assert f"style-src '{html._hash(html._asset('report.css'))}'" in policy


def test_rendering_is_deterministic(report):
    """Two analyses of the same input render byte-identical HTML."""
    assert html.render(analysed("model.yaml", "catalog.yaml")) == report


def test_user_template_can_extend_the_shipped_one(tmp_path):
    """A user's template may extend report.html.j2 and replace one block, still escaped."""
    template = tmp_path / "mine.html.j2"
    template.write_text(
        '{% extends "report.html.j2" %}{% block footer %}Reviewed by '
        "{{ data.system.name }} board{% endblock %}",
        encoding="utf-8",
    )
    page = html.render(
        analysed("hostile.yaml", "hostile_catalog.yaml"), RenderOptions(template=str(template))
    )
    assert "Reviewed by &lt;script&gt;alert(&#39;system&#39;)&lt;/script&gt; Evil" in page
    assert 'id="findings"' in page


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "{% if %}",
            "mine.j2:1:1: template error: Expected an expression, got 'end of statement block'",
        ),
        (
            "{{ data.nothing }}",
            "mine.j2:1:1: template failed: 'threatmodel.report.model.Report object' has no attribute 'nothing'",
        ),
        (
            "{{ ''.__class__.__mro__ }}",
            "mine.j2:1:1: template failed: access to attribute '__class__' of 'str' object is unsafe.",
        ),
    ],
)
def test_broken_user_templates_are_bad_input(tmp_path, text, message):
    """Syntax errors, unknown names and sandbox escapes in a user template are exit-2 errors."""
    template = tmp_path / "mine.j2"
    template.write_text(text, encoding="utf-8")
    with pytest.raises(ThreatModelError) as excinfo:
        html.render(analysed("model.yaml", "catalog.yaml"), RenderOptions(template=str(template)))
    assert str(excinfo.value).replace(str(tmp_path) + "/", "") == message
