"""Diagrams: data-flow diagram, data-asset map and attack trees, as DOT, SVG, PNG or PDF.

`source(result, options)` builds DOT text (pure Python, always available); `render(result,
options, fmt)` runs graphviz's `dot` program on it. The builders live in dfd.py, data_map.py
and attack_tree.py; they build on the `Diagram` context defined here, so they are looked up
by module name (as the FORMATS registry does) rather than imported at the top. The `render_*` functions at the end are the
registry's entry points: default views, one file each.
"""

from __future__ import annotations

import concurrent.futures
import importlib
import os
import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable
from html import escape
from typing import Any

import attrs

from threatmodel.errors import Position, Problem, ThreatModelError
from threatmodel.findings import Result
from threatmodel.render import RenderOptions, dot
from threatmodel.render.dot import Badge
from threatmodel.report import Report

KINDS = {
    "dfd": "threatmodel.render.dfd",
    "data": "threatmodel.render.data_map",
    "attack-tree": "threatmodel.render.attack_tree",
}
RENDERED = ("svg", "png", "pdf")
FORMATS = RENDERED + ("dot",)
TIMEOUT = 300.0  # seconds; a 2,000-element model takes well under a minute
INSTALL_HINT = (
    "the Graphviz program 'dot' is needed to draw {fmt} but was not found on PATH; "
    "install Graphviz ('sudo apt-get install graphviz' on Debian/Ubuntu, "
    "'sudo dnf install graphviz' on Fedora, 'brew install graphviz' on macOS, "
    "or see https://graphviz.org/download/), or ask for '--format dot' to get the DOT source"
)


@attrs.frozen(kw_only=True)
class Options:
    """What to draw: the diagram kind and the view (filters, collapsing, legend)."""

    kind: str = "dfd"  # dfd | data | attack-tree
    data: str | None = None  # data map: a data-asset id, a category, 'personal' or 'special'
    risk: str | None = None  # attack tree: one risk id (default: every fired risk with a tree)
    boundary: str | None = None  # dfd: only this boundary's elements (and their neighbours)
    min_severity: str | None = None  # dfd: only elements and flows with findings this bad
    collapse: tuple[str, ...] = attrs.field(default=(), converter=tuple)  # boundary ids
    collapse_depth: int | None = None  # boundaries nested this deep (0 = top level) as nodes
    max_nodes: int = 150  # summarise automatically above this many nodes or edges; 0: never
    legend: bool = True


class FindingIndex:
    """The findings of a result by subject id, summarised as badges."""

    def __init__(self, result: Any):
        self.catalog = result.catalog
        self.by_subject: dict[str, list] = defaultdict(list)
        for finding in (*result.findings, *result.undecided):
            self.by_subject[finding.element_id].append(finding)

    def findings(self, ids: Iterable[str]) -> list:
        rank = self.catalog.severity_rank
        found = [f for i in ids for f in self.by_subject.get(i, ())]
        return sorted(found, key=lambda f: (not f.confirmed, -rank(f.severity), f.id))

    def badge(self, ids: Iterable[str]) -> Badge:
        return self.summarise(self.findings(ids))

    def summarise(self, found: list) -> Badge:
        """A badge for some findings (sorted worst first)."""
        counted = [f for f in found if f.confirmed and f.open]
        lines = []
        for f in found:
            note = "" if f.confirmed else " (undecided: the model leaves facts out)"
            if f.confirmed and not f.open:
                note = f" ({f.decision.status})"
            lines.append(f"{f.severity}: {f.id}: {f.title}{note}")
        return Badge(
            count=len(counted),
            worst=counted[0].severity if counted else None,
            possible=sum(1 for f in found if not f.confirmed),
            lines=tuple(lines),
        )

    def qualifies(self, subject_id: str, threshold: int) -> bool:
        rank = self.catalog.severity_rank
        return any(
            f.confirmed and f.open and rank(f.severity) >= threshold
            for f in self.by_subject.get(subject_id, ())
        )


@attrs.frozen
class Sensitivity:
    """Personal data on an element or flow: special categories and the most people affected."""

    personal: bool = False
    special: tuple[str, ...] = ()
    subjects: int | None = None


class Diagram:
    """What every diagram of one result needs: the model graph, findings by subject, svg ids."""

    def __init__(self, result: Result):
        self.result = result
        self.model = result.model
        self.catalog = result.catalog
        self.graph = result.graph
        self.index = FindingIndex(result)
        self.ids = dot.Ids()
        self.boundaries = {b.id: b for b in self.model.boundaries}
        self.boundary_order = [b.id for b in self.model.boundaries]
        self.flow_numbers = flow_numbers(self.model)
        self.notes: list[str] = []  # what a summarised view groups or leaves out, for the report

    def parent(self, subject_id: str) -> str | None:
        boundary = self.graph.parent.get(subject_id)
        return boundary.id if boundary is not None else None

    def path(self, subject_id: str) -> list[str]:
        """The boundaries around a subject, outermost first."""
        return [b.id for b in reversed(self.graph.chain(subject_id))]

    def sensitivity(self, subject: Any) -> Sensitivity:
        assets = self.graph.assets(subject) or ()
        personal = [a for a in assets if self.graph.personal(a) is True]
        categories = self.graph.vocabulary.categories
        special = sorted(
            {c for a in personal for c in a.categories if c in categories and categories[c].special}
        )
        counts = [a.subjects for a in personal if a.subjects is not None]
        return Sensitivity(bool(personal), tuple(special), max(counts) if counts else None)

    def cluster(self, boundary_id: str) -> dict[str, str]:
        """DOT attributes of a boundary's cluster: style by kind, label, badge, tooltip."""
        boundary = self.boundaries[boundary_id]
        badge = self.index.badge([boundary_id])
        attributes = dict(dot.BOUNDARY_STYLES.get(boundary.type, dot.OTHER_BOUNDARY))
        attributes.update(
            label=dot.boundary_title(boundary, badge, self.catalog),
            id=self.ids("boundary", boundary_id),
            margin="10",
            tooltip=dot.tooltip(
                [
                    f"{boundary.label} ({boundary.type} boundary '{boundary.id}')",
                    *dot.finding_lines(badge),
                ]
            ),
            **{"class": dot.css("boundary", boundary.type)},
        )
        return attributes


def flow_numbers(model: Any) -> dict[str, str]:
    """F1, F2, ... for the model's flows in the order it lists them: how the diagram, the
    report's flow table and its findings name a flow."""
    return {flow.id: f"F{n}" for n, flow in enumerate(model.flows, 1)}


def option_error(option: str, message: str) -> ThreatModelError:
    """Bad input on the command line: reported as '<option>: message', exit status 2."""
    return ThreatModelError([Problem(message=message, pos=Position(file=option))])


# -- collapsed views of large models ---------------------------------------------------------


def representative(path: list[str], collapse: set[str], depth: int | None) -> str | None:
    """The outermost boundary on `path` (outermost first) that is collapsed, if any."""
    for level, boundary_id in enumerate(path):
        if boundary_id in collapse or (depth is not None and level >= depth):
            return boundary_id
    return None


def kind_group(diagram: Diagram, element: Any, by_type: bool) -> tuple[str | None, str, str]:
    """The group an element outside every collapsed boundary joins when a view is still too
    big (both diagrams' rule): the boundary it is in, its kind and (`by_type`) its type."""
    return diagram.parent(element.id), str(element.kind), (element.type or "") if by_type else ""


def auto_depth(paths: dict[str, list[str]], collapse: set[str], flows, limit: int) -> int | None:
    """The deepest collapse depth that leaves at most `limit` nodes and `limit` edges (flows
    between the same two collapsed boundaries count once); 0 when none does."""
    deepest = max((len(p) for p in paths.values()), default=0)
    for depth in range(deepest - 1, -1, -1):
        node = {e: representative(p, collapse, depth) or e for e, p in paths.items()}
        edges = {
            (node[f.source], node[f.target])
            if node[f.source] != f.source or node[f.target] != f.target
            else f.id
            for f in flows
            if f.source in node and f.target in node and node[f.source] != node[f.target]
        }
        if len(set(node.values())) <= limit and len(edges) <= limit:
            return depth
    return 0 if deepest else None


# -- building and rendering -----------------------------------------------------------------


@attrs.frozen
class Sketch:
    """A diagram's DOT source, and what its view groups or leaves out (empty: everything)."""

    source: str
    notes: tuple[str, ...] = ()


def sketch(result: Result, options: Options = Options()) -> Sketch:
    """The DOT source of the diagram `options` asks for, with the notes of its view."""
    if options.kind not in KINDS:
        raise option_error(
            "--kind", f"unknown diagram kind '{options.kind}'; choose from {', '.join(KINDS)}"
        )
    builder = importlib.import_module(KINDS[options.kind]).build
    context = Diagram(result)
    return Sketch(builder(context, options).source, tuple(context.notes))


def source(result: Result, options: Options = Options()) -> str:
    """The DOT source of the diagram `options` asks for."""
    return sketch(result, options).source


def render(
    result: Result, options: Options = Options(), fmt: str = "svg", timeout: float = TIMEOUT
) -> str | bytes:
    """The diagram as DOT or SVG text, or PNG or PDF bytes."""
    if fmt not in FORMATS:
        raise option_error(
            "--format", f"unknown diagram format '{fmt}'; choose from {', '.join(FORMATS)}"
        )
    text = source(result, options)
    if fmt == "dot":
        return text
    output = run_dot(text, fmt, timeout)
    return output.decode("utf-8") if fmt == "svg" else output


VIEW_HINT = (
    "draw a smaller view (--max-nodes, --collapse-depth, --boundary or --min-severity) or "
    "raise --timeout"
)
RUN_HINT = (
    "raise --diagram-timeout, or draw it with 'threatmodel diagram' and a smaller view "
    "(--max-nodes, --boundary, --data)"
)


def run_dot(text: str, fmt: str, timeout: float = TIMEOUT, hint: str = VIEW_HINT) -> bytes:
    """Lay out DOT text with graphviz's `dot` and return the output (made deterministic)."""
    program = shutil.which("dot")
    if program is None:
        raise ThreatModelError(
            [Problem(message=INSTALL_HINT.format(fmt=fmt.upper()), pos=Position(file="dot"))]
        )
    try:
        done = subprocess.run(
            [program, f"-T{fmt}"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ThreatModelError(
            [
                Problem(
                    message=f"graphviz 'dot' did not finish within {timeout:g} s; {hint}",
                    pos=Position(file="dot"),
                )
            ]
        ) from None
    except OSError as exc:
        raise ThreatModelError(
            [Problem(message=f"could not run {program}: {exc.strerror}", pos=Position(file="dot"))]
        ) from None
    if done.returncode != 0:  # our DOT is always valid: a failure is a bug (ours or graphviz's)
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise RuntimeError(
            f"graphviz 'dot' failed with exit status {done.returncode}: " + " | ".join(detail)
        )
    return deterministic(done.stdout, fmt)


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \((D:[^)]*)\)")


def deterministic(output: bytes, fmt: str) -> bytes:
    """Remove the time of rendering: cairo stamps PDFs with the current date.

    The date is replaced by a fixed one of the same length, so the PDF's byte offsets stay valid.
    """
    if fmt != "pdf":
        return output

    def fixed(match: re.Match) -> bytes:
        old = match.group(2)
        new = b"D:19700101000000Z"[: len(old)]
        return b"/" + match.group(1) + b" (" + new + b")" + b" " * (len(old) - len(new))

    return _PDF_DATE.sub(fixed, output)


def dot_installed() -> bool:
    """Whether rendered formats (SVG, PNG, PDF) can be produced here."""
    return shutil.which("dot") is not None


# -- the FORMATS registry's entry points: default views, drawn under a time budget ------------

# The registry's diagram formats and the views they draw; the HTML report shows the "svg" one.
VIEWS = {
    "svg": Options(),
    "data-map": Options(kind="data"),
    "attack-trees": Options(kind="attack-tree"),
}
TITLES = {"svg": "data-flow diagram", "data-map": "data map", "attack-trees": "attack trees"}


@attrs.frozen
class Drawing:
    """One default diagram of a run: its SVG, or why there is none, and what its view leaves
    out. `problem` set: the file holds a placeholder that says so."""

    format: str  # the registry's name: svg, data-map or attack-trees
    svg: str
    notes: tuple[str, ...] = ()
    problem: str = ""

    @property
    def title(self) -> str:
        return TITLES[self.format]


def draw(
    report: Report, formats: Iterable[str], options: RenderOptions = RenderOptions()
) -> tuple[Drawing, ...]:
    """The default diagrams `formats` need, each laid out by `dot` within
    `options.diagram_timeout` seconds; the layouts run side by side, one per core.

    A diagram that cannot be drawn (too slow, graphviz missing or failing) becomes a Drawing
    with its `problem` and a placeholder SVG saying so, instead of failing the run."""
    wanted = [name for name in VIEWS if name in formats]
    if wanted and not dot_installed():  # asked for explicitly: say how to install it
        run_dot("", "svg")
    sketches = [(name, sketch(report.result, VIEWS[name])) for name in wanted]

    def lay_out(item: tuple[str, Sketch]) -> Drawing:
        name, drawn = item
        try:
            svg = run_dot(drawn.source, "svg", options.diagram_timeout, RUN_HINT)
            svg_text = svg.decode("utf-8")
        except (ThreatModelError, RuntimeError) as exc:
            problems = exc.problems if isinstance(exc, ThreatModelError) else [exc]
            problem = "; ".join(getattr(p, "message", str(p)) for p in problems)
            return Drawing(name, placeholder(TITLES[name], problem), drawn.notes, problem)
        return Drawing(name, svg_text, drawn.notes)

    if len(sketches) <= 1:
        return tuple(map(lay_out, sketches))
    workers = min(len(sketches), os.cpu_count() or 1)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:  # dot runs outside the GIL
        return tuple(pool.map(lay_out, sketches))


def notes(drawings: Iterable[Drawing]) -> list[str]:
    """For the reports: each diagram not drawn, and what each summarised view leaves out."""
    from threatmodel.render import file_name

    lines = []
    for drawn in drawings:
        if drawn.problem:
            lines.append(f"{file_name(drawn.format)}: {drawn.title} not drawn: {drawn.problem}")
        lines += [f"{file_name(drawn.format)}: {note}" for note in drawn.notes]
    return lines


def drawing(report: Report, name: str, options: RenderOptions = RenderOptions()) -> Drawing:
    """The drawing of one default diagram: the run's, or drawn now when the run has none."""
    for drawn in options.drawings:
        if drawn.format == name:
            return drawn
    return draw(report, [name], options)[0]


def placeholder(title: str, problem: str) -> str:
    """A small SVG standing for a diagram that could not be drawn, saying why (made without
    graphviz), so that no earlier picture is left looking current."""
    lines = [f"{title[0].upper()}{title[1:]}: not drawn.", *dot.wrap(dot.clean(problem), 90, 6)]
    bold = ' font-weight="bold"'
    rows = "".join(
        f'<text x="16" y="{28 + 20 * i}"{bold if i == 0 else ""}>{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    height = 28 + 20 * len(lines)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="720" height="{height}" '
        f'viewBox="0 0 720 {height}" font-family="Helvetica,Arial,sans-serif" font-size="13">'
        f'<rect width="720" height="{height}" fill="#fff8e1" stroke="#ef6c00"/>{rows}</svg>\n'
    )


def render_dot(report: Report, options: RenderOptions = RenderOptions()) -> str:
    """The data-flow diagram as DOT source (needs no graphviz program)."""
    return source(report.result, Options())


def render_svg(report: Report, options: RenderOptions = RenderOptions()) -> str:
    """The data-flow diagram as SVG."""
    return drawing(report, "svg", options).svg


def render_data_map(report: Report, options: RenderOptions = RenderOptions()) -> str:
    """Where the personal data goes, as SVG."""
    return drawing(report, "data-map", options).svg


def render_attack_trees(report: Report, options: RenderOptions = RenderOptions()) -> str:
    """The attack trees of every risk with a finding, as SVG."""
    return drawing(report, "attack-trees", options).svg
