"""Shared building blocks of the diagrams: escaping, labels, colours, badges, clusters, legends.

Every piece of model or catalog text reaches DOT through `html` (HTML-like labels) or
`tooltip` (escString attributes); nothing else carries user text. Graphviz (2.43 and later)
applies its `\\N`, `\\G`, `\\\\` substitutions to HTML-label text after decoding entities, and
tooltips go through two unescaping passes, so backslashes are doubled once and twice.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import attrs
import graphviz

from threatmodel.render.escape import visible

FONT = "Helvetica,Arial,sans-serif"
INK = "#263238"
MUTED = "#607d8b"
SPECIAL = "#8e24aa"  # special-category personal data (health, biometric, location, ...)
OUTSIDE = "#c62828"  # data leaving the organisation (data map)

# Severity colours (fill, text), defined once for every diagram. Bands a user catalog renames
# take the colour of the shipped band at the same position.
SEVERITY_COLOURS: dict[str, tuple[str, str]] = {
    "critical": ("#7f0000", "#ffffff"),
    "high": ("#d7301f", "#ffffff"),
    "medium": ("#f39c12", "#000000"),
    "low": ("#3a7bd5", "#ffffff"),
}
POSSIBLE_COLOUR = ("#9e9e9e", "#ffffff")
_BY_POSITION = tuple(SEVERITY_COLOURS.values()) + (("#78909c", "#ffffff"),)

KIND_STYLES: dict[str, dict[str, str]] = {
    "actor": {"shape": "box", "fillcolor": "#fff8e1"},
    "process": {"shape": "ellipse", "fillcolor": "#e3f2fd"},
    "datastore": {"shape": "cylinder", "fillcolor": "#e8f5e9"},
    "external_service": {"shape": "box3d", "fillcolor": "#eceff1"},
}
KIND_NAMES = {
    "actor": "actor",
    "process": "process",
    "datastore": "data store",
    "external_service": "external service",
}
COLLAPSED_STYLE = {"shape": "tab", "fillcolor": "#fafafa"}

BOUNDARY_STYLES: dict[str, dict[str, str]] = {
    "organisation": {
        "style": "rounded,filled",
        "color": "#1f5fa8",
        "fillcolor": "#f5f9fe",
        "penwidth": "1.6",
    },
    "jurisdiction": {"style": "dashed,rounded", "color": "#6d4c41", "penwidth": "2.2"},
    "network": {"style": "dotted,rounded", "color": "#546e7a", "penwidth": "1.6"},
    "cloud_account": {"style": "dashed,rounded", "color": "#00838f", "penwidth": "1.4"},
    "physical": {"style": "bold,rounded", "color": "#8d6e63", "penwidth": "1.2"},
}
OTHER_BOUNDARY = {"style": "rounded", "color": "#9e9e9e", "penwidth": "1.2"}


# -- text --------------------------------------------------------------------------------

_XML_INVALID = re.compile("[\ud800-\udfff\ufffe\uffff]")


@attrs.frozen
class Badge:
    """The findings on one or more subjects: open confirmed ones, their worst severity, the rest."""

    count: int = 0
    worst: str | None = None
    possible: int = 0
    lines: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.count and not self.possible


def clean(text: object) -> str:
    """Text without control characters, bidi overrides or characters XML cannot carry."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return _XML_INVALID.sub("\ufffd", visible(text))


# Graphviz refuses any quoted or HTML string longer than 16,384 bytes ("longer than 16384?"),
# so every piece of user text is bounded before it reaches DOT: label text to LABEL_MAX
# characters (labels show far less: names are wrapped and shortened first), a tooltip line to
# TOOLTIP_LINE_MAX and a whole tooltip, escaped, to TOOLTIP_MAX.
LABEL_MAX = 600
TOOLTIP_LINE_MAX = 1_000
TOOLTIP_MAX = 12_000


def html(text: object) -> str:
    """Text for an HTML-like label: entities escaped, newlines as <BR/>, backslashes literal."""
    lines = clean(bounded(str(text), LABEL_MAX)).split("\n")
    escaped = [
        line.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\\", "\\\\")
        for line in lines
    ]
    return "<BR/>".join(escaped)


def tooltip(lines: Iterable[object]) -> graphviz.quoting.NoHtml:
    """An escString attribute showing `lines` verbatim as a tooltip (SVG `xlink:title`).

    Each line is cut at TOOLTIP_LINE_MAX characters and the tooltip at TOOLTIP_MAX escaped
    characters, both ending in an ellipsis where cut."""
    parts: list[str] = []
    size = 0
    for line in lines:
        for piece in clean(bounded(str(line), TOOLTIP_LINE_MAX)).split("\n"):
            piece = piece.replace("&", "&amp;").replace('"', "&quot;").replace("\\", "\\\\\\\\")
            size += len(piece) + 5
            if size > TOOLTIP_MAX:
                parts.append("\u2026")
                return graphviz.nohtml("&#10;".join(parts))
            parts.append(piece)
    return graphviz.nohtml("&#10;".join(parts))


def bounded(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, ending in an ellipsis when cut (linear time)."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def width(text: str) -> int:
    """Display width: East Asian wide and full-width characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` display columns, ending in an ellipsis when cut."""
    text = " ".join(text.split())
    if width(text) <= limit:
        return text
    out, used = [], 0
    for char in text:
        used += width(char)
        if used > limit - 1:
            break
        out.append(char)
    return "".join(out).rstrip() + "\u2026"


def wrap(text: str, limit: int = 26, max_lines: int = 3) -> list[str]:
    """Lines of at most `limit` columns (words kept whole when they fit), at most `max_lines`.

    Bounded work whatever the text's length: only as many characters as can fill the lines
    (one more, to know whether it was cut) are wrapped, after whitespace is folded in a prefix
    of the text (a longer text gets an ellipsis)."""
    needed = (limit + 1) * max_lines + 1
    if len(text) > 16 * needed:
        text = text[: 16 * needed] + " \u2026"
    paragraphs = (" ".join(p.split()) for p in text.split("\n"))
    text = "\n".join(p for p in paragraphs if p)[:needed]
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            while width(word) > limit:  # long words and CJK runs are broken by width
                head = shorten(word, limit + 1)[:-1] or word[0]
                if current:
                    lines.append(current)
                    current = ""
                lines.append(head)
                word = word[len(head) :]
            candidate = f"{current} {word}" if current else word
            if width(candidate) <= limit:
                current = candidate
            else:
                lines.append(current)
                current = word
        lines.append(current)
    lines = [line for line in lines if line] or [""]
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [shorten(lines[max_lines - 1] + " \u2026", limit)]
    return lines


def count(number: int, noun: str, plural: str | None = None) -> str:
    """'1 flow', '3 flows', '2 boundaries', '4 processes'."""
    if number == 1:
        return f"1 {noun}"
    if plural is None:
        plural = (
            noun[:-1] + "ies"
            if noun.endswith("y")
            else noun + "es"
            if noun.endswith("s")
            else noun + "s"
        )
    return f"{number} {plural}"


def people(count: int) -> str:
    """A number of people, short: 950, 50k, 2M, 1.4B."""
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if count >= size:
            value = count / size
            text = f"{value:.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")
            return text + suffix
    return str(count)


def sensitivity_row(special: Iterable[str], subjects: int | None, size: float = 8) -> str | None:
    """Label content for personal-data sensitivity: special categories and people affected."""
    parts = []
    special = list(special)
    if special:
        parts.append(
            font(html("special: " + shorten(", ".join(special), 30)), size, SPECIAL, bold=True)
        )
    if subjects:
        parts.append(
            font(html(f"{people(subjects)} people"), size, INK, bold=subjects >= 1_000_000)
        )
    return " \u00b7 ".join(parts) or None


def font(
    content: str,
    size: float | None = None,
    colour: str | None = None,
    bold: bool = False,
    italic: bool = False,
) -> str:
    """Wrap already-escaped label content in FONT/B/I tags."""
    if bold:
        content = f"<B>{content}</B>"
    if italic:
        content = f"<I>{content}</I>"
    attributes = (f' POINT-SIZE="{size:g}"' if size else "") + (
        f' COLOR="{colour}"' if colour else ""
    )
    return f"<FONT{attributes}>{content}</FONT>" if attributes else content


def table(rows: Iterable[str], cellpadding: int = 1, **attributes: str) -> str:
    """An HTML-like label: a borderless table of the given rows (each a string of <TD>s)."""
    extra = "".join(f' {k.upper()}="{v}"' for k, v in attributes.items())
    body = "".join(f"<TR>{row}</TR>" for row in rows)
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="{cellpadding}"'
        f"{extra}>{body}</TABLE>>"
    )


def cell(content: str, colspan: int = 1, align: str = "LEFT", **attributes: str) -> str:
    extra = "".join(f' {k.upper()}="{v}"' for k, v in attributes.items())
    span = f' COLSPAN="{colspan}"' if colspan > 1 else ""
    return f'<TD ALIGN="{align}"{span}{extra}>{content}</TD>'


def svg_id(prefix: str, ident: str) -> str:
    """The SVG id of a model object: `prefix-ident` in safe characters (Ids numbers repeats)."""
    return f"{prefix}-{re.sub(r'[^A-Za-z0-9_.-]', '_', ident)}"[:100]


class Ids:
    """Unique SVG ids made of safe characters, derived from model ids."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, prefix: str, ident: str) -> str:
        base = svg_id(prefix, ident)
        candidate, n = base, 1
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        self.used.add(candidate)
        return candidate


def css(*words: str) -> str:
    return " ".join(re.sub(r"[^A-Za-z0-9_-]", "_", w) for w in words if w)


def element_style(kind: str, special: bool, subjects: int | None) -> dict[str, str]:
    """Shape and fill by kind; purple border for special categories, thicker for more people."""
    style = dict(KIND_STYLES.get(kind, {"shape": "box", "fillcolor": "white"}))
    subjects = subjects or 0
    style["penwidth"] = "3.2" if subjects >= 10_000_000 else "2.0" if subjects >= 100_000 else "1.1"
    style["color"] = SPECIAL if special else INK
    if kind == "actor":
        style["style"] = "filled,rounded"
    return style


# -- findings as badges ----------------------------------------------------------------------


def severity_colour(catalog: Any, severity: str) -> tuple[str, str]:
    """(fill, text) colour of a severity band."""
    if severity in SEVERITY_COLOURS:
        return SEVERITY_COLOURS[severity]
    names = list(catalog.severities)
    index = names.index(severity) if severity in names else len(_BY_POSITION) - 1
    return _BY_POSITION[min(index, len(_BY_POSITION) - 1)]


def badge_cells(badge: Badge, catalog: Any, size: float = 10) -> str:
    """<TD>s showing the count of open confirmed findings (worst colour) and possible ones."""
    cells = ""
    if badge.count:
        fill, text = severity_colour(catalog, badge.worst or "")
        cells += cell(
            font(f"&nbsp;{badge.count}&nbsp;", size, text, bold=True),
            align="CENTER",
            bgcolor=fill,
            cellpadding="1",
        )
    if badge.possible:
        fill, text = POSSIBLE_COLOUR
        cells += cell(
            font(f"&nbsp;{badge.possible}?&nbsp;", size, text, bold=True),
            align="CENTER",
            bgcolor=fill,
            cellpadding="1",
        )
    return cells


def badged(block: str, badge: Badge, catalog: Any, size: float = 9, align: str = "CENTER") -> str:
    """A label row: `block` (lines joined by <BR/>) with its badge at the top right.

    The badge sits in a column of its own above empty rows: graphviz shares spare height
    evenly between rows, so the badge stays small instead of stretching to the block's height.
    """
    text = cell(block, align=align, balign=align)
    if badge.empty:
        return text
    cells = badge_cells(badge, catalog, size)
    span = f' COLSPAN="{bool(badge.count) + bool(badge.possible)}"'
    rows = f"<TR>{cells}</TR>" + f"<TR><TD{span}></TD></TR>" * 4
    return text + (
        '<TD VALIGN="TOP"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" '
        f'CELLPADDING="0">{rows}</TABLE></TD>'
    )


def finding_lines(badge: Badge, limit: int = 25) -> list[str]:
    """Tooltip lines for a badge: the findings, worst first, cut at `limit`."""
    if badge.empty and not badge.lines:
        return []
    lines = [f"findings ({badge.count} open, {badge.possible} possible):"]
    lines += [f"  {line}" for line in badge.lines[:limit]]
    if len(badge.lines) > limit:
        lines.append(f"  ... and {len(badge.lines) - limit} more")
    return lines


# -- graphs and clusters ---------------------------------------------------------------------


def new_graph(name: str, title: str, rankdir: str = "LR") -> graphviz.Digraph:
    """A digraph with the house style; `title` is an HTML-like label (already escaped)."""
    graph = graphviz.Digraph(name)
    graph.attr(
        "graph",
        rankdir=rankdir,
        newrank="true",
        fontname=FONT,
        fontsize="11",
        label=title,
        labelloc="t",
        labeljust="l",
        nodesep="0.3",
        ranksep="0.55",
        pad="0.25",
        bgcolor="white",
        fontcolor=INK,
    )
    graph.attr(
        "node",
        fontname=FONT,
        fontsize="11",
        style="filled",
        color=INK,
        fillcolor="white",
        fontcolor=INK,
        margin="0.1,0.05",
    )
    graph.attr("edge", fontname=FONT, fontsize="9", color=MUTED, fontcolor=INK, arrowsize="0.7")
    return graph


def boundary_title(boundary: Any, badge: Badge, catalog: Any) -> str:
    """A cluster label: «kind CODE» name, and a findings badge."""
    style = BOUNDARY_STYLES.get(boundary.type, OTHER_BOUNDARY)
    code = boundary.attributes.get("code")
    kind = boundary.type + (f" {code}" if code else "")
    head = font(html(f"\u00ab{kind}\u00bb"), 9, style["color"], italic=True)
    name = font(html(shorten(boundary.label, 48)), 11, bold=True)
    return table([badged(f"{head} {name}", badge, catalog, 8, align="LEFT")])


def nest(
    graph: graphviz.Digraph,
    placed: dict[str | None, list[Callable]],
    parent: Callable[[str], str | None],
    cluster: Callable[[str], dict[str, str]],
    order: list[str],
) -> None:
    """Emit nodes inside nested clusters.

    `placed` maps a boundary id (None: top level) to callbacks that add nodes to a (sub)graph;
    `parent(b)` is the boundary around b; `cluster(b)` gives its attributes; `order` fixes
    the order of sibling clusters (model order), so output is deterministic.
    """
    children: dict[str | None, list[str]] = defaultdict(list)
    needed: set[str] = set()
    for boundary_id in placed:
        current = boundary_id
        while current is not None and current not in needed:
            needed.add(current)
            current = parent(current)
    position = {b: i for i, b in enumerate(order)}
    for boundary_id in sorted(needed, key=lambda b: position.get(b, len(position))):
        children[parent(boundary_id)].append(boundary_id)

    # Built innermost first and without recursion, so no nesting depth can overflow the stack:
    # each cluster is finished (its nodes, then its child clusters) before its parent takes it.
    walk: list[str | None] = []
    stack: list[str | None] = [None]
    while stack:
        boundary_id = stack.pop()
        walk.append(boundary_id)
        stack.extend(children.get(boundary_id, ()))
    built: dict[str, graphviz.Digraph] = {}
    for boundary_id in reversed(walk):
        target = graph
        if boundary_id is not None:
            target = graph.__class__(name=f"cluster_{position.get(boundary_id, 0)}", strict=None)
            target.attr("graph", **cluster(boundary_id))
        for add in placed.get(boundary_id, ()):
            add(target)
        for child in children.get(boundary_id, ()):
            target.subgraph(built.pop(child))
        if boundary_id is not None:
            built[boundary_id] = target


def legend(
    graph: graphviz.Digraph, nodes: list[tuple[str, dict[str, str]]], rows: list[str]
) -> None:
    """A "Legend" cluster: a key table, and beside it a column of sample nodes."""
    with graph.subgraph(name="cluster_legend") as sub:
        sub.attr(
            "graph",
            label=table([cell(font("Legend", 10, bold=True))]),
            style="rounded",
            color="#b0bec5",
            penwidth="1",
            fillcolor="white",
            id="legend",
            margin="8",
            **{"class": "legend"},
        )
        sub.node(
            "legend_key",
            table(rows or [cell("")], cellpadding=2),
            shape="plain",
            style="",
            id="legend-key",
            **{"class": "legend-key"},
        )
        for i, (text, attributes) in enumerate(nodes):
            sub.node(
                f"legend_n{i}",
                table([cell(font(html(text), 9), align="CENTER")]),
                fontsize="9",
                id=f"legend-{i}",
                **attributes,
                **{"class": "legend-sample"},
            )
            sub.edge("legend_key", f"legend_n{i}", style="invis")  # the next rank: a column


def key_rows(catalog: Any, notes: list[str]) -> list[str]:
    """Legend rows: what badges mean, a swatch per severity band, then `notes` (label content)."""
    swatches = ""
    for name in catalog.severities:
        fill, text = severity_colour(catalog, name)
        swatches += cell(font(html(name), 8, text, bold=True), align="CENTER", bgcolor=fill)
    fill, text = POSSIBLE_COLOUR
    swatches += cell(font("n?", 8, text, bold=True), align="CENTER", bgcolor=fill)
    span = len(catalog.severities) + 1
    head = [
        cell(font(html("badge: open findings, coloured by the worst"), 8), colspan=span),
        swatches,
        cell(font(html("n?: possible findings (need information)"), 8), colspan=span),
    ]
    return head + [cell(note, colspan=span) for note in notes]
