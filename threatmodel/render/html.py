"""The HTML report: one self-contained, printable file for the design review.

The page is rendered by Jinja2 from `templates/report.html.j2` with autoescaping on, in a
sandboxed environment (a user's own template cannot reach Python internals), with strict
undefined values (a misspelt name in a template is an error, not a silent blank). Styles,
the optional filtering script and the data-flow diagram are inlined; a Content-Security-Policy
allows only those exact inline blocks (by hash) and `data:` images, so the report makes no
network request and an injected script could not run even if escaping failed.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.resources
import re
from pathlib import Path
from typing import Any

import attrs
import jinja2
from markupsafe import Markup

from threatmodel.errors import Position, Problem, ThreatModelError
from threatmodel.render import RenderOptions
from threatmodel.render.escape import visible
from threatmodel.render.sandbox import (
    BoundedSandbox,
    TemplateRefused,
    bound_filters,
    render_bounded,
    template_line,
)
from threatmodel.render.text import value_text
from threatmodel.report import Report

TEMPLATE = "report.html.j2"


def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    """The report as HTML text, from the shipped template or the user's (`options.template`)."""
    template = options.template
    env = environment(Path(template).resolve().parent) if template else shipped_environment()
    name = Path(template).name if template else TEMPLATE
    try:
        page = env.get_template(name)
        if template is None:
            return page.render(**context(report, options))
        return render_bounded(page.generate(**context(report, options)))
    except jinja2.TemplateSyntaxError as exc:
        raise ThreatModelError(
            [
                Problem(
                    message=f"template error: {exc.message}",
                    pos=Position(
                        file=str(exc.filename or template or name),
                        line=exc.lineno or 0,
                        col=1 if exc.lineno else 0,
                    ),
                )
            ]
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise ThreatModelError(
            [
                Problem(
                    message=f"template not found: {exc.name}",
                    pos=Position(file=str(template or name)),
                )
            ]
        ) from None
    except TemplateRefused as exc:
        line = template_line(exc, str(Path(template or name).resolve()))
        where = Position(file=str(template), line=line, col=1 if line else 0)
        raise ThreatModelError([Problem(message=f"template refused: {exc}", pos=where)]) from None
    except (jinja2.UndefinedError, jinja2.exceptions.SecurityError, TypeError) as exc:
        if template is None:
            raise
        raise ThreatModelError(
            [Problem(message=f"template failed: {exc}", pos=Position(file=str(template)))]
        ) from None


@functools.lru_cache(maxsize=1)
def shipped_environment() -> jinja2.Environment:
    """The environment of the shipped template, compiled once per process."""
    return environment(None)


def environment(user_dir: Path | None = None) -> jinja2.Environment:
    """An autoescaping Jinja2 environment over the shipped templates; with a user's template
    directory, a sandboxed one (their template is code we did not write)."""
    loaders: list[jinja2.BaseLoader] = []
    if user_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(user_dir)))
    loaders.append(jinja2.PackageLoader("threatmodel.render", "templates"))
    kind = BoundedSandbox if user_dir is not None else jinja2.Environment
    env = kind(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_visible,
    )
    env.filters.update(num=_num, value=value_text, change=_change, count=_count)
    if user_dir is not None:
        bound_filters(env)
    return env


def context(report: Report, options: RenderOptions = RenderOptions()) -> dict[str, Any]:
    """What the template sees: the report (as `data`) plus inlined assets and their CSP hashes."""
    css, js = _asset("report.css"), _asset("report.js")
    confirmed = report.confirmed
    shown = report.detailed
    groups = [
        (severity, [f for f in confirmed if f.severity == severity and f.id in shown])
        for severity in report.summary.by_severity
    ]
    legend = report.frameworks.get("stride")
    return {
        "data": report,
        "people": max((d.subjects or 0 for d in report.model.data), default=0),
        "brief_steps": BRIEF_STEPS,
        "notes": notes(report),
        "elements": elements(report),
        "groups": [(severity, items) for severity, items in groups if items],
        "not_detailed": len(confirmed) - len(shown),
        "stride_names": _Names(legend.names if legend else {}),
        "diagram": diagram(report, options),
        "css": Markup(css),
        "css_hash": _hash(css),
        "js": Markup(js),
        "js_hash": _hash(js),
    }


BRIEF_STEPS = 5  # steps of the plan the first screen names


def notes(report: Report) -> dict[str, int]:
    """The references the detailed findings cite, numbered in order of first citation: the
    report prints each once and the findings point to its number."""
    numbers: dict[str, int] = {}
    for finding in report.confirmed:
        if finding.id in report.detailed:
            for rid in finding.references:
                numbers.setdefault(rid, len(numbers) + 1)
    return numbers


@attrs.frozen
class ElementCount:
    """An element (or flow) with findings: the badge that filters the findings to it."""

    id: str
    name: str
    severity: str
    count: int


def elements(report: Report) -> list[ElementCount]:
    """The elements with detailed findings, worst first, as in the diagram's badges."""
    found: dict[str, list] = {}
    for f in report.confirmed:
        if f.id in report.detailed:
            found.setdefault(f.element.id, []).append(f)
    return [
        ElementCount(key, items[0].element.name, items[0].severity, len(items))
        for key, items in found.items()
    ]


def diagram(report: Report, options: RenderOptions = RenderOptions()) -> dict[str, Any]:
    """The data-flow diagram as an SVG data URI, or a note saying why it is missing.

    Without Graphviz's `dot` program the report is still written, with a note in place of the
    picture. An `<img>` of an SVG data URI cannot run scripts or load anything, whatever the
    SVG contains.
    """
    from threatmodel.render import diagram as module

    if not module.dot_installed():
        return {
            "svg_uri": "",
            "caption": "",
            "note": "Graphviz's dot program is not installed (Debian: apt-get install graphviz).",
            "others": [],
        }
    others = module.notes(options.drawings)
    try:
        drawn = module.drawing(report, "svg", options)
    except ThreatModelError as exc:  # dot missing
        note = "; ".join(p.message for p in exc.problems)
        return {"svg_uri": "", "caption": "", "note": note, "others": others}
    if drawn.problem:  # too slow for the time budget: the other diagrams' notes still show
        others = module.notes(d for d in options.drawings if d.format != "svg")
        return {"svg_uri": "", "caption": "", "note": drawn.problem, "others": others}
    raw = drawn.svg.encode("utf-8")
    width, height = _display_size(raw)
    return {
        "svg_uri": "data:image/svg+xml;base64," + base64.b64encode(raw).decode("ascii"),
        "caption": "Elements, data flows and trust boundaries; colours mark the worst "
        "finding on each element.",
        "note": "",
        "others": others,
        "width": width,
        "height": height,
    }


MAX_DIAGRAM_WIDTH = 1800  # CSS px: wider diagrams are scaled down to this, then scroll


def _display_size(svg: bytes) -> tuple[int, int]:
    """The diagram's size in CSS pixels from the SVG's width and height (graphviz writes pt),
    scaled down to at most MAX_DIAGRAM_WIDTH; (0, 0) when the SVG does not say."""
    head = re.search(rb"<svg\b[^>]*>", svg[:4096])
    sizes = [
        re.search(rb'\b%s="([0-9.]+)(pt|px)?"' % name, head.group()) if head else None
        for name in (b"width", b"height")
    ]
    if not all(sizes):
        return 0, 0
    width, height = (
        float(m.group(1)) * (4 / 3 if m.group(2) == b"pt" else 1) for m in filter(None, sizes)
    )
    scale = min(1.0, MAX_DIAGRAM_WIDTH / width) if width else 1.0
    return round(width * scale), round(height * scale)


class _Names(dict):
    """A dict that answers '' for a missing key (strict templates would fail on it)."""

    def __missing__(self, key: str) -> str:
        return ""


def _asset(name: str) -> str:
    return (importlib.resources.files("threatmodel.render") / "templates" / name).read_text(
        encoding="utf-8"
    )


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _visible(value: Any) -> Any:
    """Control characters and bidi overrides shown as \\xNN (they are invalid or deceptive in HTML)."""
    return value if isinstance(value, Markup) or not isinstance(value, str) else _terminal(value)


@functools.lru_cache(maxsize=65536)
def _terminal(text: str) -> str:
    return visible(text)


def _num(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _count(number: int, singular: str, plural: str = "") -> str:
    return f"{_num(number)} {singular if number == 1 else plural or singular + 's'}"


def _change(item: Any) -> str:
    parts = [
        f"{name} {getattr(item, name):+d}"
        for name in ("likelihood", "impact")
        if getattr(item, name)
    ]
    return ", ".join(parts) or "no score change"
