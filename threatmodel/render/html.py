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
from pathlib import Path
from typing import Any

import attrs
import jinja2
from markupsafe import Markup

from threatmodel.errors import Position, Problem, ThreatModelError
from threatmodel.render import Pieces, RenderOptions, dot, svg_inline, template_cache
from threatmodel.render.diagram import flow_numbers
from threatmodel.render.escape import visible
from threatmodel.render.sandbox import (
    BoundedSandbox,
    TemplateRefused,
    bound_filters,
    render_bounded,
    template_line,
)
from threatmodel.render.text import UNCHANGED, value_text
from threatmodel.report import Report

TEMPLATE = "report.html.j2"


def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    """The report as HTML text, from the shipped template or the user's (`options.template`)."""
    page = render_pieces(report, options)
    return page.text() if isinstance(page, Pieces) else page


def render_pieces(report: Report, options: RenderOptions = RenderOptions()) -> Pieces | str:
    """`render` as `analyze` writes it: from the shipped template in pieces, made as they are
    written (the page of 10,000 elements is two million of them); from a user's template
    whole, made within its bounds of time and size (`sandbox.render_bounded`)."""
    template = options.template
    env = environment(Path(template).resolve().parent) if template else shipped_environment()
    name = Path(template).name if template else TEMPLATE
    try:
        page = env.get_template(name) if template else shipped_template()
        if template is None:
            values = context(report, options)
            return Pieces(lambda: page.generate(**values))
        return render_bounded(page.generate(**context(report, options)), options.template_timeout)
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
    except (
        jinja2.UndefinedError,
        jinja2.exceptions.SecurityError,
        TypeError,
        AttributeError,
    ) as exc:
        if template is None:  # the shipped template's own failure is a bug, not bad input
            raise
        line = template_line(exc, str(Path(template).resolve()))
        where = Position(file=str(template), line=line, col=1 if line else 0)
        raise ThreatModelError([Problem(message=f"template failed: {exc}", pos=where)]) from None
    except UnicodeDecodeError as exc:  # Jinja reads templates as UTF-8
        if template is None:
            raise
        raise ThreatModelError(
            [
                Problem(
                    message=f"template is not UTF-8 text: byte 0x{exc.object[exc.start]:02x} "
                    f"at offset {exc.start:,}",
                    pos=Position(file=str(template)),
                )
            ]
        ) from None


@functools.lru_cache(maxsize=1)
def shipped_environment() -> jinja2.Environment:
    """The environment of the shipped template, made once per process."""
    return environment(None)


@functools.lru_cache(maxsize=1)
def shipped_template() -> jinja2.Template:
    """The shipped template, once per process: compiled ahead when the package's module of it
    matches (see `template_cache`), else compiled from its text."""
    env = shipped_environment()
    return template_cache.compiled(env, template_source()) or env.get_template(TEMPLATE)


def template_source() -> str:
    """The shipped template's text."""
    return _asset(TEMPLATE)


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
        "unchanged": UNCHANGED,
        "print_cut": PRINT_CUT,
        "notes": notes(report),
        "repeats": repeats(report),
        "elements": elements(report),
        "groups": [(severity, items) for severity, items in groups if items],
        "not_detailed": len(confirmed) - len(shown),
        "stride_names": _Names(legend.names if legend else {}),
        "diagram": diagram(report, options),
        "flow_numbers": flow_numbers(report.model),
        "css": Markup(css),
        "css_hash": _hash(css),
        "js": Markup(js),
        "js_hash": _hash(js),
    }


BRIEF_STEPS = 5  # steps of the plan the first screen names
PRINT_CUT = 90  # characters of an evidence value printed; the screen shows it whole


def notes(report: Report) -> dict[str, int]:
    """The references the detailed findings cite, numbered in order of first citation: the
    report prints each once and the findings point to its number."""
    numbers: dict[str, int] = {}
    for finding in report.confirmed:
        if finding.id in report.detailed:
            for rid in finding.references:
                numbers.setdefault(rid, len(numbers) + 1)
    return numbers


def repeats(report: Report) -> dict[str, str]:
    """The detailed findings after the first of their risk, in the order the report shows
    them: "advice" when one recommends the same mitigations as that first one, else "risk".
    Print gives what they share once, at the first."""
    first: dict[str, tuple[str, ...]] = {}
    found: dict[str, str] = {}
    for severity in report.summary.by_severity:
        for f in report.confirmed:
            if f.severity != severity or f.id not in report.detailed:
                continue
            advice = tuple(m.mitigation for m in f.recommended)
            if f.risk_id in first:
                found[f.id] = "advice" if first[f.risk_id] == advice else "risk"
            else:
                first[f.risk_id] = advice
    return found


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
    """The diagrams placed in the report: the data-flow diagram (its shapes with findings
    filter the findings), then the data map and the attack trees, each as sanitised inline
    SVG (`svg_inline`), or a note saying why one is missing.

    Without Graphviz's `dot` program the report is still written, with a note in place of
    the pictures. The run's drawings are reused; those it did not make are drawn here, side by
    side, within the same time budget.
    """
    from threatmodel.render import diagram as module

    if not module.dot_installed():
        return {
            "svg": "",
            "note": "Graphviz's dot program is not installed (Debian: apt-get install graphviz).",
            "others": [],
            "more": [],
        }
    made = {d.format: d for d in options.drawings}
    missing = [name for name in module.VIEWS if name not in made]
    try:
        made.update((d.format, d) for d in module.draw(report, missing, options))
    except ThreatModelError as exc:  # dot missing or failing before any layout
        note = "; ".join(p.message for p in exc.problems)
        return {"svg": "", "note": note, "others": module.notes(made.values()), "more": []}
    dfd = made["svg"]
    element_ids = {e.id for e in report.model.elements}
    targets = {
        dot.svg_id("element" if e.id in element_ids else "flow", e.id): (
            e.id,
            visible(f"{e.name}: show its {e.count} finding{'s' if e.count != 1 else ''}"),
        )
        for e in elements(report)
    }
    svg = "" if dfd.problem else svg_inline.inline(dfd.svg, "dfd", targets)
    more = [
        {"id": name, "title": drawn.title[0].upper() + drawn.title[1:], "svg": Markup(picture)}
        for name, drawn in made.items()
        if name != "svg" and not drawn.problem
        for picture in [svg_inline.inline(drawn.svg, name)]
        if picture
    ]
    return {
        "svg": Markup(svg),
        "note": dfd.problem or ("" if svg else "the drawing could not be read back"),
        "others": module.notes(made.values()),
        "more": more,
    }


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
