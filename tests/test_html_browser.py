"""The HTML report in a real browser: headless Chromium (Debian's package, installed by
`make test`) loads it, must log no console error, lay out the diagram and every
finding, and take a screenshot that is not blank."""

from __future__ import annotations

import base64
import contextlib
import datetime
import importlib.resources
import json
import os
import re
import select
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path

import attrs
import pytest

import threatmodel
from tests.helpers import missing
from threatmodel.render import html
from threatmodel.report import build_report
from threatmodel.tracking import apply_decisions, load_decisions

REPORTS = Path(__file__).parent / "fixtures" / "reports"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed and could not be installed "
    "here (make test installs it); the browser test needs it",
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
]
# all tests here share one Chromium: on one xdist worker under `--dist loadgroup`
pytestmark = [pytestmark, pytest.mark.xdist_group("chromium")]

# What the page shows, read inside it after it loaded.
PROBE = """(() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
  const img = document.querySelector("#diagram figure svg");
  return {
    diagram: img ? {shapes: img.querySelectorAll("polygon, path, ellipse").length,
      width: img.getBoundingClientRect().width, box: box(img)} : null,
    note: (document.querySelector("#diagram .note") || {}).textContent || "",
    findings: Array.from(document.querySelectorAll("article.finding"),
      (a) => ({id: a.id, box: box(a), text: a.textContent.length})),
    filters_shown: !document.getElementById("filters").hidden,
    border: getComputedStyle(document.querySelector("article.finding")).borderLeftWidth,
  };
})()"""


class Browser:
    """One headless Chromium driven over the DevTools protocol on a pipe (its fds 3 and 4:
    JSON messages ended by a NUL byte), so that every test opens a tab instead of starting
    a browser (a start costs seconds)."""

    TIMEOUT = 60.0

    def __init__(self, profile: Path):
        to_browser, self._out = os.pipe()
        self._in, from_browser = os.pipe()

        def child_fds():  # the browser reads commands on fd 3 and writes on fd 4
            low = [os.dup(to_browser), os.dup(from_browser)]
            os.dup2(low[0], 3)
            os.dup2(low[1], 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=child_fds,  # noqa: PLW1509 - nothing else runs threads here
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    def send(
        self, method: str, session: str | None = None, wait: float | None = None, **params
    ) -> dict:
        """Send one command and return its result (waiting up to `wait` seconds, TIMEOUT
        by default); events met on the way are kept."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        reply = self._receive(lambda m: m.get("id") == self._next_id, wait)
        assert "error" not in reply, f"{method}: {reply['error']}"
        return reply["result"]

    def wait_for(self, method: str, session: str) -> dict:
        """The first event `method` of the session, kept or still to come."""
        for event in self.events:
            if event.get("method") == method and event.get("sessionId") == session:
                return event
        return self._receive(lambda m: m.get("method") == method and m.get("sessionId") == session)

    def _receive(self, wanted, wait: float | None = None) -> dict:
        deadline = time.monotonic() + (wait or self.TIMEOUT)
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "method" in message:
                    self.events.append(message)
                if wanted(message):
                    return message
            left = deadline - time.monotonic()
            assert left > 0 and select.select([self._in], [], [], left)[0], "Chromium is silent"
            chunk = os.read(self._in, 1 << 20)
            assert chunk, "Chromium closed the pipe"
            self._buffer += chunk

    def open(self, url: str, width: int, height: int) -> Tab:
        """A new tab of the given size with `url` loaded (its load event fired)."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.send("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired", session)
        tab = Tab(self, target, session)
        tab.evaluate(
            "new Promise((done) => setTimeout(done, 200))"
        )  # let timers and late errors run
        return tab

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._in)
        os.close(self._out)


@attrs.frozen
class Tab:
    browser: Browser
    target: str
    session: str

    def evaluate(self, expression: str, wait: float | None = None):
        """The expression's value in the page (awaited if a promise), waiting up to `wait`
        seconds (Browser.TIMEOUT by default)."""
        result = self.browser.send(
            "Runtime.evaluate",
            self.session,
            wait=wait,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def console(self) -> list[str]:
        """Everything the page logged: console calls, uncaught errors, and the browser's own
        messages about it (a script or style the Content-Security-Policy blocked, ...)."""
        found = []
        for event in self.browser.events:
            if event.get("sessionId") != self.session:
                continue
            params = event["params"]
            if event["method"] == "Runtime.consoleAPICalled":
                found.append(f"console.{params['type']}: {params['args']}")
            elif event["method"] == "Runtime.exceptionThrown":
                found.append(f"uncaught: {params['exceptionDetails']}")
            elif event["method"] == "Log.entryAdded":
                entry = params["entry"]
                found.append(f"{entry['source']} {entry['level']}: {entry['text']}")
        return found

    def screenshot(self) -> bytes:
        """The visible page as PNG (fast encoding: every row filtered "up")."""
        shot = self.browser.send("Page.captureScreenshot", self.session, optimizeForSpeed=True)
        return base64.b64decode(shot["data"])

    def pdf(self) -> bytes:
        """The page printed to A4 as Chromium prints it (its print stylesheet applied)."""
        printed = self.browser.send(
            "Page.printToPDF",
            self.session,
            wait=PRINT_TIMEOUT,
            paperWidth=210 / 25.4,
            paperHeight=297 / 25.4,
            preferCSSPageSize=True,
        )
        return base64.b64decode(printed["data"])

    def close(self) -> None:
        self.browser.send("Target.closeTarget", targetId=self.target)


PRINT_TIMEOUT = 900.0  # printing the largest example takes minutes on a loaded machine


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    started = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield started
    started.close()


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The fixture model's report written to a temporary directory."""
    catalog = threatmodel.load_catalog([REPORTS / "catalog.yaml"], shipped_risks=False)
    result = threatmodel.analyze(threatmodel.load_model(REPORTS / "model.yaml"), catalog)
    result = apply_decisions(
        result, load_decisions(REPORTS / "model.decisions.yaml"), datetime.date(2024, 6, 1)
    )
    directory = tmp_path_factory.mktemp("html")
    (directory / "report.html").write_text(html.render(build_report(result)), encoding="utf-8")
    return directory / "report.html"


@pytest.fixture(scope="module")
def trust_score_page(tmp_path_factory):
    """The bundled trust-score example's report, the largest, with its diagram (when dot is
    installed), as `make demo` writes it."""
    model = threatmodel.load_model(EXAMPLES / "trust-score-platform.yaml")
    result = threatmodel.analyze(model, threatmodel.load_catalog())
    directory = tmp_path_factory.mktemp("trust-score")
    (directory / "report.html").write_text(html.render(build_report(result)), encoding="utf-8")
    return directory / "report.html"


def test_report_renders_without_console_errors_and_shows_diagram_and_findings(browser, page):
    """Chromium lays out every finding and the diagram (or its note), styles and script apply
    under the page's Content-Security-Policy, and the console stays silent."""
    tab = browser.open(page.as_uri(), 1200, 900)
    probe = tab.evaluate(PROBE)
    assert tab.console() == []
    tab.close()
    assert [f["id"] for f in probe["findings"]] == [
        "finding-R-OPA-01@scoring",
        "finding-R-RES-01@f-sell",
        "finding-R-SEC-01@profile-db",
        "finding-R-SYS-01@trust",
    ]
    assert all(f["box"][0] > 300 and f["box"][1] > 100 for f in probe["findings"])
    assert probe["filters_shown"], "the inline script was blocked or failed"
    assert probe["border"] == "6px", "the inline stylesheet was blocked"
    if probe["diagram"] is None:
        assert "not included" in probe["note"]
        pytest.skip("no diagram module or no dot here: checked the note instead of the picture")
    assert probe["diagram"]["shapes"] > 10 and probe["diagram"]["width"] > 100
    assert probe["diagram"]["box"][0] > 100 and probe["diagram"]["box"][1] > 50


def test_screenshot_is_not_blank(browser, page):
    """A screenshot of the report holds many colours: text, badges and the risk matrix."""
    tab = browser.open(page.as_uri(), 1200, 1600)
    shot = tab.screenshot()
    tab.close()
    width, height, pixels = decode_png(shot)
    assert (width, height) == (1200, 1600)
    colours = set(pixels)
    assert len(colours) > 50
    white = sum(1 for p in pixels if p[:3] == (255, 255, 255))
    assert white < 0.97 * len(pixels)


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and pixels of an 8-bit RGB or RGBA PNG (enough for screenshots)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour_type = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour_type in (2, 6), (depth, colour_type)
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    high = int.from_bytes(b"\x80" * stride, "big")
    previous = bytearray(stride)
    pixels: list[tuple[int, ...]] = []
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 2:  # "up", all a fast screenshot uses: add bytewise, as whole-row integers
            a, b = int.from_bytes(line, "big"), int.from_bytes(previous, "big")
            low = (a & ~high) + (b & ~high)  # no carry crosses a byte
            line = bytearray((low ^ ((a ^ b) & high)).to_bytes(stride, "big"))
        elif kind:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                up = previous[i]
                corner = previous[i - channels] if i >= channels else 0
                if kind == 1:
                    line[i] = (line[i] + left) & 0xFF
                elif kind == 3:
                    line[i] = (line[i] + (left + up) // 2) & 0xFF
                elif kind == 4:
                    p = left + up - corner
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                    predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                    line[i] = (line[i] + predictor) & 0xFF
        pixels.extend(zip(*(line[c::channels] for c in range(channels)), strict=True))
        previous = line
    return width, height, pixels


def test_hostile_report_runs_no_injected_script(browser, tmp_path):
    """The hostile fixture's report loads with a silent console and only our own script."""
    catalog = threatmodel.load_catalog([REPORTS / "hostile_catalog.yaml"], shipped_risks=False)
    result = threatmodel.analyze(threatmodel.load_model(REPORTS / "hostile.yaml"), catalog)
    (tmp_path / "report.html").write_text(html.render(build_report(result)), encoding="utf-8")
    tab = browser.open((tmp_path / "report.html").as_uri(), 1200, 900)
    dom = tab.evaluate("document.documentElement.outerHTML")
    assert tab.console() == []
    tab.close()
    assert dom.count("<script") == 1
    assert "&lt;script&gt;alert('title')&lt;/script&gt;" in dom
    assert '<form id="filters" aria-label="Filter findings">' in dom  # our script ran


BRIEF = """(() => {
  const brief = document.getElementById("brief");
  const r = brief.getBoundingClientRect();
  const first = document.querySelector("article.finding, #concerns table");
  return {top: r.top, bottom: r.bottom, text: brief.innerText,
    steps: brief.querySelectorAll("ol.steps li").length,
    before_lists: first.getBoundingClientRect().top > r.bottom};
})()"""


def test_first_screen_shows_the_brief(browser, page):
    """At 1,400 x 900 the brief (concerns by band, the plan's first steps, the questions)
    is whole on the first screen, before any long list."""
    tab = browser.open(page.as_uri(), 1400, 900)
    brief = tab.evaluate(BRIEF)
    tab.close()
    assert 0 < brief["top"] < 200 and brief["bottom"] <= 900, brief
    assert brief["before_lists"]
    assert "What to do" in brief["text"] and "concerns" in brief["text"]
    assert brief["steps"] >= 1 and "open after" in brief["text"]
    assert "question" in brief["text"]


FILTER_STATE = """(() => {
  const shown = Array.from(document.querySelectorAll("article.finding"))
    .filter((a) => !a.hidden && a.offsetHeight > 0);
  const counts = Array.from(document.querySelectorAll("h3.severity-heading"))
    .filter((h) => !h.hidden).map((h) => Number(h.querySelector(".group-count").textContent));
  return {elements: shown.map((a) => a.dataset.element), total: shown.length,
    heading_sum: counts.reduce((a, b) => a + b, 0),
    count: document.getElementById("filter-count").textContent};
})()"""


def test_clicking_an_element_badge_filters_and_counts_follow(browser, page):
    """A click on an element's badge leaves only that element's findings; the severity
    headings and the filter count say how many are shown; 'all' brings every one back."""
    tab = browser.open(page.as_uri(), 1400, 900)
    before = tab.evaluate(FILTER_STATE)
    target = tab.evaluate(
        "(() => { const b = document.querySelector('a[data-element]'); b.click();"
        " return b.dataset.element; })()"
    )
    after = tab.evaluate(FILTER_STATE)
    tab.evaluate(
        "(() => { const s = document.querySelector('select[name=element]'); s.value = '';"
        " s.dispatchEvent(new Event('change', {bubbles: true})); })()"
    )
    back = tab.evaluate(FILTER_STATE)
    assert tab.console() == []
    tab.close()
    assert 0 < after["total"] < before["total"]
    assert set(after["elements"]) == {target}
    assert after["heading_sum"] == after["total"]
    assert after["count"] == f"{after['total']} of {before['total']} shown"
    assert back == before and before["heading_sum"] == before["total"]


def test_clicking_an_element_in_the_diagram_filters_and_zoom_enlarges_it(browser, page):
    """The data-flow diagram is inline: a click on a shape with findings (or Enter on it)
    leaves only that element's findings; the zoom buttons make the drawing wider than its
    frame, and 'Fit width' brings it back."""
    tab = browser.open(page.as_uri(), 1400, 900)
    before = tab.evaluate(FILTER_STATE)
    shapes = tab.evaluate(
        "Array.from(document.querySelectorAll('#diagram svg [data-element]'))"
        ".map((g) => g.dataset.element)"
    )
    target = tab.evaluate(
        "(() => { const g = document.querySelectorAll('#diagram svg [data-element]')[0];"
        " g.scrollIntoView({block: 'center'});"
        " const s = g.getBoundingClientRect();"
        " document.elementFromPoint(s.x + s.width / 2, s.y + s.height / 2)"
        ".dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}));"
        " return g.dataset.element; })()"
    )
    after = tab.evaluate(FILTER_STATE)
    keyed = tab.evaluate(
        "(() => { const g = document.querySelectorAll('#diagram svg [data-element]').item(1);"
        " g.focus(); g.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true,"
        " cancelable: true})); return [g.dataset.element, document.activeElement === g]; })()"
    )
    by_key = tab.evaluate(FILTER_STATE)
    widths = tab.evaluate(
        "(() => { const f = document.querySelector('#diagram figure');"
        " const svg = f.querySelector('svg'); const w = [f.clientWidth, svg.clientWidth];"
        " document.querySelector('[data-zoom=in]').click(); w.push(svg.clientWidth);"
        " document.querySelector('[data-zoom=fit]').click(); w.push(svg.clientWidth);"
        " return w; })()"
    )
    assert tab.console() == []
    tab.close()
    assert len(shapes) >= 2 and set(shapes) <= set(before["elements"])
    assert set(after["elements"]) == {target} and 0 < after["total"] < before["total"]
    assert keyed[1] and set(by_key["elements"]) == {keyed[0]}
    frame, fitted, zoomed, back = widths
    assert fitted <= frame < zoomed and back == fitted


def pdf_pages(pdf: bytes) -> int:
    """How many pages a PDF has: its page objects (`/Type /Page`, not the `/Pages` tree)."""
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_trust_score_report_prints_as_a_review_document(browser, trust_score_page):
    """The largest example prints to at most 60 A4 pages (249 before the print stylesheet, 81
    before it summarised findings for print): the brief alone on page 1, then the rest."""
    tab = browser.open(trust_score_page.as_uri(), 1400, 900)
    pdf = tab.pdf()
    tab.close()
    assert pdf.startswith(b"%PDF-")
    pages = pdf_pages(pdf)
    assert 10 < pages <= 60, pages


def axe_source() -> str:
    """axe-core, the accessibility engine, as the test extra's axe-core-python ships it."""
    try:
        return (importlib.resources.files("axe_core_python") / "axe.min.js").read_text("utf-8")
    except ModuleNotFoundError:
        missing("axe-core-python (the test extra that ships axe-core) is not installed")
        raise  # not reached: missing() skips or fails


# axe's serious and critical violations (WCAG 2.1 A and AA rules and best practices), each
# with up to three of the elements it found
AXE_RUN = """axe.run(document, {resultTypes: ["violations"]}).then((result) => result.violations
  .filter((v) => v.impact === "serious" || v.impact === "critical")
  .map((v) => v.impact + " " + v.id + ": " + v.help + " at "
    + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")))"""


def test_accessibility_check_finds_no_serious_violation(browser, page):
    """axe-core, run in the loaded report, reports no serious or critical violation:
    contrast of every text and badge, names of controls, landmarks, keyboard access."""
    source = axe_source()
    tab = browser.open(page.as_uri(), 1400, 900)
    tab.evaluate(source + ";0")  # DevTools evaluates it: the page's CSP does not apply
    violations = tab.evaluate(AXE_RUN, wait=PRINT_TIMEOUT)
    tab.close()
    assert violations == []
