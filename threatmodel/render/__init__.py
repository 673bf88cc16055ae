"""Renderers: pure functions from the report model to the text (or bytes) of one output.

Every output format is a `Renderer`: `render(report, options) -> str | bytes | Pieces` (a
big text in pieces, made as they are written). It reads the report (and, for diagrams, the
analysed model the report carries) and computes nothing of its own; only the application
service (`threatmodel.run`) writes files. Formats are registered here by name with the file
`analyze` writes and the module that renders them; a module is imported only when its
format is asked for.
"""

from __future__ import annotations

import functools
import importlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from threatmodel.errors import ThreatModelError

if TYPE_CHECKING:
    from threatmodel import forked
    from threatmodel.render.diagram import Drawing
    from threatmodel.report import Report


@attrs.frozen(kw_only=True)
class RenderOptions:
    """What a run asks of its renderers beyond the report itself."""

    template: str | None = None  # a user's Jinja2 template for the HTML report
    diagram_timeout: float = 300.0  # seconds graphviz may take for one diagram
    template_timeout: float | None = None  # seconds `template` may take (None: sandbox.SECONDS)
    # the run's default diagrams, drawn once before the reports that show or mention them
    drawings: tuple[Drawing, ...] = ()
    # processes that may render at once: from 2, a forked child and this process take the
    # reports in turns (`_rendered`; where the platform can fork)
    processes: int = 1


class Pieces:
    """A rendered text made piece by piece as it is read (each reading makes it anew):
    `analyze` writes each piece as it comes, so a big output (findings.json of 10,000
    elements: 126 MB) is never held whole; `text` joins them."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[], Iterable[str]]):
        self._make = make  # makes the pieces, in order

    def __iter__(self) -> Iterator[str]:
        return iter(self._make())

    def text(self) -> str:
        return "".join(self._make())


class Encoded(bytes):
    """A rendered text as its UTF-8 bytes (how a child sends back a text in `Pieces`)."""

    __slots__ = ()


Rendered = str | bytes | Pieces


class Keep(Protocol):
    """Where a run puts each output as soon as it is rendered (`output.Staging`)."""

    def open(self) -> None:
        """Make ready for outputs, from this process and from a child forked after this."""

    def stage(self, name: str, content: Rendered) -> str:
        """Take the output of file `name`; returns a handle for `adopt` (its staged file)."""

    def adopt(self, name: str, handle: str) -> None:
        """Take over an output a child staged."""


class Renderer(Protocol):
    """An output format's render function."""

    def __call__(self, report: Report, options: RenderOptions = ...) -> Rendered: ...


@attrs.frozen
class Format:
    """An output format: the file `analyze` writes, where its renderer lives, default or not."""

    file: str
    module: str
    function: str = "render"
    default: bool | Callable[[], bool] = True  # a callable is asked when the run starts
    description: str = ""

    def is_default(self) -> bool:
        return self.default() if callable(self.default) else self.default


def _dot_installed() -> bool:
    import shutil

    return shutil.which("dot") is not None


FORMATS: dict[str, Format] = {
    "json": Format(
        "findings.json",
        "threatmodel.render.json_report",
        "render_pieces",
        description="every finding, for tools",
    ),
    "md": Format(
        "report.md",
        "threatmodel.render.markdown",
        description="the brief, plan, concerns and questions as a pull-request comment",
    ),
    "md-full": Format(
        "report-full.md",
        "threatmodel.render.markdown",
        "render_full",
        default=False,
        description="the whole report in Markdown",
    ),
    "dpia": Format(
        "dpia.md",
        "threatmodel.render.dpia",
        default=False,
        description="a draft data protection impact assessment (GDPR Art 35(7))",
    ),
    "html": Format(
        "report.html", "threatmodel.render.html", "render_pieces", description="the design review"
    ),
    "sarif": Format(
        "findings.sarif", "threatmodel.render.sarif", "render_pieces", description="code scanning"
    ),
    "csv": Format(
        "findings.csv", "threatmodel.render.csv_report", "render_pieces", description="spreadsheets"
    ),
    # Diagrams (threatmodel.render.diagram; PNG and PDF via `threatmodel diagram`). SVGs need
    # graphviz's `dot` program: they are default formats only where it is installed, so
    # `analyze` still writes every other report without it; asking for one explicitly then
    # fails with install instructions.
    "dot": Format(
        "dfd.dot",
        "threatmodel.render.diagram",
        "render_dot",
        description="the data-flow diagram as Graphviz source",
    ),
    "svg": Format(
        "dfd.svg",
        "threatmodel.render.diagram",
        "render_svg",
        default=_dot_installed,
        description="the data-flow diagram",
    ),
    "data-map": Format(
        "data-map.svg",
        "threatmodel.render.diagram",
        "render_data_map",
        default=_dot_installed,
        description="where personal data goes",
    ),
    "attack-trees": Format(
        "attack-trees.svg",
        "threatmodel.render.diagram",
        "render_attack_trees",
        default=_dot_installed,
        description="attack trees of the risks found",
    ),
}


def renderer(name: str) -> Renderer:
    """The render function of a format."""
    spec = FORMATS[name]
    function: Renderer = getattr(importlib.import_module(spec.module), spec.function)
    return function


def file_name(name: str) -> str:
    return FORMATS[name].file


def default_formats() -> tuple[str, ...]:
    return tuple(name for name, spec in FORMATS.items() if spec.is_default())


DIAGRAMS = ("svg", "data-map", "attack-trees")  # drawn by `dot`, each within the time budget


def render_formats(
    report: Report, formats: tuple[str, ...] | list[str], options: RenderOptions = RenderOptions()
) -> dict[str, str | bytes]:
    """Every requested output of `report`, by file name, in the order of `formats` (each
    a text or bytes: outputs rendered in `Pieces` are joined)."""
    files = render_all(report, formats, options)[0]
    return {name: whole(content) for name, content in files.items()}


def whole(content: Rendered) -> str | bytes:
    """A rendered output as one text (or its bytes)."""
    if isinstance(content, Pieces):
        return content.text()
    return content.decode("utf-8") if isinstance(content, Encoded) else content


def render_all(
    report: Report,
    formats: tuple[str, ...] | list[str],
    options: RenderOptions = RenderOptions(),
    keep: Keep | None = None,
) -> tuple[dict[str, Rendered], tuple[str, ...]]:
    """Every requested output of `report`, by file name (each a text, bytes, or big ones in
    `Pieces`, as `output.write_all` takes them; `whole` makes one text or bytes of any), and
    a note for each diagram that could not be drawn (its file is a placeholder saying why;
    the reports say so too). With `keep`, each output is
    staged there as soon as it is rendered, by whichever process rendered it, and none is
    returned: a run writes each one then (`output.Staging`), so it never holds them all.

    The diagrams are drawn first (the layouts side by side, each within its time budget), so
    that the HTML report reuses the data-flow diagram and the reports can note the others."""
    drawings: tuple[Drawing, ...] = ()
    if any(name in DIAGRAMS for name in formats):
        from threatmodel.render import diagram

        wanted = [name for name in formats if name in DIAGRAMS]
        if "html" in formats and diagram.dot_installed():
            wanted.append("svg")
        drawings = diagram.draw(report, wanted, options)
        options = attrs.evolve(options, drawings=drawings)
    files = _rendered(report, formats, options, keep)
    notes = tuple(
        f"{file_name(d.format)}: {d.title} not drawn, the file says why: {d.problem}"
        if d.format in formats
        else f"report.html: {d.title} not drawn: {d.problem}"
        for d in drawings
        if d.problem
    )
    return files, notes


# the order formats are taken in, costliest first (the dense 1,000-element model: HTML 0.9 s,
# JSON 0.4 s, SARIF 0.3 s, CSV 0.2 s; the 10,000-element one: JSON 5.8 s, HTML 5.2 s, SARIF
# 2.9 s, CSV 2.4 s; the formats not named here cost little), but JSON first: this process
# takes it before the child is forked. JSON reads every object of the report, and a child
# that reads an object writes its reference count, so copies the memory page it shares with
# this process: the JSON of the 10,000-element model took 7.6 s in the child, 5.8 s here.
_ORDER = {"json": 5, "html": 4, "sarif": 2, "csv": 1}


def _rendered(
    report: Report, formats: tuple[str, ...] | list[str], options: RenderOptions, keep: Keep | None
) -> dict[str, Rendered]:
    """Each format's output by file name, in the order of `formats` (or handed to `keep`).
    With two processes or more and two costly formats, a forked child renders beside this
    process: each takes the next format (`_ORDER`) when it is free (`forked.Turns`), so
    neither waits for a share fixed in advance; with `keep`, the child stages its outputs
    itself and sends back only their handles. The bytes, and the errors, are the same
    either way."""
    names = list(dict.fromkeys(formats))
    files: dict[str, Rendered] = {}
    out = keep.stage if keep else files.__setitem__
    turns = _turns(names, options)
    if turns is None:
        _render_each(report, names, options, out)
        return files
    from threatmodel import forked

    work = functools.partial(_render_all_of, report, turns, options, keep)
    with turns:
        if keep:
            keep.open()  # before the fork: the child stages into what this process holds
        first = next(iter(turns))  # this process's, taken before the child can take it
        with forked.Forked(work, passes=(ThreatModelError,)) as child:
            done = _render_each(report, itertools.chain((first,), turns), options, out)
            from_child = child.result()  # bad input (a user's template) is raised as it was
    if from_child is None:  # the child failed otherwise: render what it took here, bugs and all
        _render_each(report, [name for name in names if name not in done], options, out)
    elif keep:
        for file, handle in from_child.items():
            keep.adopt(file, handle)
    else:
        files.update(from_child)
    return files if keep else {file_name(name): files[file_name(name)] for name in names}


def _turns(names: list[str], options: RenderOptions) -> forked.Turns | None:
    """The formats to take in turns with a child, costliest first; None where this process
    renders them all (one process asked for, fewer than two costly formats, no child that
    can be forked, no descriptor to spare)."""
    if options.processes < 2 or sum(name in _ORDER for name in names) < 2:
        return None
    from threatmodel import forked

    return forked.turns(sorted(names, key=lambda name: -_ORDER.get(name, 0)))


def _render_each(
    report: Report, names: Iterable[str], options: RenderOptions, out: Callable[[str, Any], Any]
) -> list[str]:
    """Render each format and hand its output to `out`; returns the formats rendered."""
    done = []
    for name in names:
        out(file_name(name), renderer(name)(report, options))
        done.append(name)
    return done


def _render_all_of(
    report: Report, names: Iterable[str], options: RenderOptions, keep: Keep | None
) -> dict[str, Any]:
    """What a child sends back: each format's output by file name (a text in `Pieces` as its
    UTF-8 bytes, `Encoded`, which a pipe carries and `output` writes as they are), or with
    `keep` the handle of the output it staged there."""
    sent: dict[str, Any] = {}

    def send(name: str, content: Rendered) -> None:
        if keep:
            sent[name] = keep.stage(name, content)
        elif isinstance(content, Pieces):
            sent[name] = Encoded(b"".join(piece.encode("utf-8") for piece in content))
        else:
            sent[name] = content

    _render_each(report, names, options, send)
    return sent
