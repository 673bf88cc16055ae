"""Graphviz's SVG made safe to place inside the HTML report.

Only drawing elements and presentation attributes pass (an allowlist): no scripts, event
handlers, links, styles, foreign objects or external references, whatever the SVG holds.
Graphviz's tooltips (`<a xlink:title>`) become `<title>` children, which browsers show on
hover; its internal node names (`<title>node1</title>`) are dropped. Ids get a prefix so
that they cannot collide with the report's own anchors. Elements with findings get
`data-element`, a tab stop and a name, so that the report's script can filter to them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from xml.etree import ElementTree

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"
ELEMENTS = frozenset({"svg", "g", "path", "polygon", "polyline", "ellipse", "text", "title"})
ATTRIBUTES = frozenset(
    {
        "class", "transform", "points", "d", "cx", "cy", "rx", "ry", "x", "y",
        "fill", "stroke", "stroke-width", "stroke-dasharray", "fill-opacity",
        "stroke-opacity", "font-family", "font-size", "font-weight", "font-style",
        "text-anchor", "text-decoration",
    }
)  # fmt: skip
# a value that could name something outside the picture (url(...), javascript:, &...)
UNSAFE_VALUE = re.compile(r"url\s*\(|[:\\&<>\"]|expression", re.IGNORECASE)
NUMBER = re.compile(r"[0-9.]+")


def inline(svg: str, prefix: str, targets: Mapping[str, tuple[str, str]] = {}) -> str:
    """`svg` (Graphviz output) as markup for an HTML page; "" when it is not well-formed SVG.

    `prefix` starts every id; `targets` maps a Graphviz id to (model id, accessible name)
    for the shapes a click should filter the findings to."""
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError:
        return ""
    if root.tag != SVG_NS + "svg":
        return ""
    view_box = root.get("viewBox", "")
    if not all(NUMBER.fullmatch(n.lstrip("-")) for n in view_box.split()) or not view_box:
        return ""
    out: list[str] = []
    head = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{escape(view_box)}"'
    out.append(f'{head} class="{escape(prefix)}" role="group" focusable="false">')
    for child in root:
        _write(child, prefix, targets, out)
    out.append("</svg>")
    return "".join(out)


def _write(
    node: ElementTree.Element, prefix: str, targets: Mapping[str, tuple[str, str]], out: list
) -> None:
    tag = node.tag[len(SVG_NS) :] if node.tag.startswith(SVG_NS) else ""
    if tag == "a":  # a Graphviz tooltip: a group with a <title>
        out.append("<g>")
        tip = node.get(XLINK_TITLE)
        if tip:
            out.append(f"<title>{escape(tip, quote=False)}</title>")
        _children(node, prefix, targets, out)
        out.append("</g>")
        return
    if tag not in ELEMENTS or tag == "svg":
        return
    if tag == "title":  # Graphviz's own names for nodes and clusters: not for readers
        return
    attributes = [
        f' {name}="{escape(value)}"'
        for name, value in node.attrib.items()
        if name in ATTRIBUTES and not UNSAFE_VALUE.search(value)
    ]
    ident = node.get("id")
    if ident is not None and tag == "g":
        attributes.append(f' id="{escape(prefix)}-{escape(ident)}"')
        target = targets.get(ident)
        if target:
            model_id, name = target
            attributes.append(
                f' data-element="{escape(model_id)}" tabindex="0" role="button"'
                f' aria-label="{escape(name)}"'
            )
    out.append(f"<{tag}{''.join(attributes)}>")
    if node.text and tag == "text":
        out.append(escape(node.text, quote=False))
    _children(node, prefix, targets, out)
    out.append(f"</{tag}>")


def _children(
    node: ElementTree.Element, prefix: str, targets: Mapping[str, tuple[str, str]], out: list
) -> None:
    for child in node:
        _write(child, prefix, targets, out)
