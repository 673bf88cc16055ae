"""The data-flow diagram: elements by kind inside nested trust-boundary clusters, flows labelled
with their data, sensitivity and findings at a glance; filtered and collapsed views for
large models.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import attrs
import graphviz

from threatmodel.errors import did_you_mean
from threatmodel.render import dot
from threatmodel.render.diagram import (
    Diagram,
    Options,
    Sensitivity,
    auto_depth,
    kind_group,
    option_error,
    representative,
)
from threatmodel.render.dot import INK, MUTED, SPECIAL, font, html, table

LARGE = 150  # nodes above which layout effort is bounded


def build(diagram: Diagram, options: Options) -> graphviz.Digraph:
    """The data-flow diagram of a model as a graphviz digraph."""
    view = select(diagram, options)
    model = diagram.model
    system_badge = diagram.index.badge([model.system.id])
    title = (
        font(html(f"Data-flow diagram: {dot.shorten(model.system.label, 80)}"), 15, bold=True)
        + "<BR/>"
        + font(html(view.summary), 10, MUTED)
    )
    graph = dot.new_graph(
        "dfd",
        table([dot.badged(title, system_badge, diagram.catalog, 10, align="LEFT")], cellpadding=2),
        "TB",
    )
    graph.attr("graph", tooltip=dot.tooltip([model.system.label, *dot.finding_lines(system_badge)]))
    placed: dict[str | None, list] = defaultdict(list)
    for element in model.elements:
        if element.id in view.visible and element.id not in view.represented:
            placed[diagram.parent(element.id)].append(_element_node(diagram, element, view))
    for node_id in view.collapsed_nodes:
        if node_id in view.groups:
            placed[view.groups[node_id][0]].append(_group_node(diagram, node_id, view))
        else:
            placed[diagram.parent(node_id)].append(_collapsed_node(diagram, node_id, view))
    dot.nest(graph, placed, diagram.parent, diagram.cluster, diagram.boundary_order)
    if view.large:
        # On big graphs dot spends nearly all its time in the network simplex that places
        # nodes across ranks (97 of 103 s for 1,000 synthetic elements). Capping its
        # iterations at 0.05 x the nodes of its auxiliary graph makes that 20 s, for a layout
        # about 3 % wider; ranking (nslimit1) keeps a looser cap.
        graph.attr("graph", nslimit="0.05", nslimit1="2")
    for edge in view.edges:
        _edge(diagram, graph, edge, view)
    if options.legend:
        _legend(graph, diagram, view)
    return graph


def _legend(graph: graphviz.Digraph, diagram: Diagram, view: View) -> None:
    nodes = [(name, dot.element_style(kind, False, None)) for kind, name in dot.KIND_NAMES.items()]
    if set(view.collapsed_nodes) - view.groups.keys():
        nodes.append(("collapsed boundary", dict(dot.COLLAPSED_STYLE, style="filled")))
    if view.groups:
        nodes.append(("grouped elements", dict(dot.COLLAPSED_STYLE, style="filled")))
    notes = [
        font(html("\u2501\u2501\u25b6 thick: flow leaves its organisation"), 8),
        font(html("\u2550\u2550\u25b6 double: flow crosses a jurisdiction"), 8),
        font(html("special-category data"), 8, SPECIAL, bold=True)
        + font(html(": purple border and text"), 8),
        font(html("people: border 2x from 100k, 3x from 10M"), 8),
    ]
    for kind in sorted({b.type for b in diagram.model.boundaries}):
        style = dot.BOUNDARY_STYLES.get(kind, dot.OTHER_BOUNDARY)
        notes.append(
            font(html(f"\u00ab{kind}\u00bb"), 8, style["color"], italic=True)
            + font(html(f": {style['style'].split(',')[0]} border"), 8)
        )
    dot.legend(graph, nodes, dot.key_rows(diagram.catalog, notes))


# -- what is visible --------------------------------------------------------------------------


@attrs.frozen
class Edge:
    """One drawn edge: a flow, or several flows merged between collapsed boundaries."""

    source: str  # node name
    target: str
    flows: tuple[Any, ...]


@attrs.frozen
class View:
    """The elements, collapsed boundaries and edges of one view of the model."""

    visible: frozenset[str]
    context: frozenset[str]  # neighbours shown for orientation only (boundary view)
    represented: dict[str, str]  # element id -> collapsed boundary id
    collapsed_nodes: tuple[str, ...]
    node_names: dict[str, str]  # element, collapsed boundary or group id -> DOT node name
    edges: tuple[Edge, ...]
    summary: str
    # collapsed groups of elements (see `_grouped`) -> (their boundary, kind, type)
    groups: dict[str, tuple[str | None, str, str]] = attrs.Factory(dict)

    @property
    def large(self) -> bool:
        """Above LARGE nodes, layout effort is bounded and flows without findings go unlabelled."""
        return len(self.visible) - len(self.represented) + len(self.collapsed_nodes) > LARGE


def select(diagram: Diagram, options: Options) -> View:
    """Apply the boundary and severity filters, then collapse boundaries as asked (or needed)."""
    model = diagram.model
    elements = [e.id for e in model.elements]
    visible, context = set(elements), set()
    notes = []
    if options.boundary:
        if options.boundary not in diagram.boundaries:
            raise option_error(
                "--boundary",
                f"no boundary '{options.boundary}'"
                f"{did_you_mean(options.boundary, diagram.boundaries)}",
            )
        inside = {e for e in elements if options.boundary in diagram.path(e)}
        context = {
            f.target if f.source in inside else f.source
            for f in model.flows
            if (f.source in inside) != (f.target in inside)
        }
        visible = inside | context
        notes.append(
            f"boundary {diagram.boundaries[options.boundary].label}"
            + (f" and {len(context)} neighbours" if context else "")
        )
    if options.min_severity:
        if options.min_severity not in diagram.catalog.severities:
            raise option_error(
                "--min-severity",
                f"unknown severity '{options.min_severity}'; "
                f"choose from {', '.join(diagram.catalog.severities)}",
            )
        threshold = diagram.catalog.severity_rank(options.min_severity)
        focus = {e for e in visible if diagram.index.qualifies(e, threshold)}
        focus |= {
            end
            for f in model.flows
            if diagram.index.qualifies(f.id, threshold)
            for end in (f.source, f.target)
            if f.source in visible and f.target in visible
        }
        visible, context = focus, context & focus
        notes.append(f"findings {options.min_severity} or worse")
    unknown = [b for b in options.collapse if b not in diagram.boundaries]
    if unknown:
        raise option_error(
            "--collapse",
            "; ".join(f"no boundary '{b}'{did_you_mean(b, diagram.boundaries)}" for b in unknown),
        )
    collapse = set(options.collapse)
    paths = {e: diagram.path(e) for e in visible}
    if options.boundary:  # depths count from inside the boundary looked at, which stays open
        for e in visible - context:
            paths[e] = paths[e][paths[e].index(options.boundary) + 1 :]
    depth = options.collapse_depth
    visible_flows = [f for f in model.flows if f.source in visible and f.target in visible]
    if (
        depth is None
        and options.max_nodes
        and (len(visible) > options.max_nodes or len(visible_flows) > options.max_nodes)
    ):
        depth = auto_depth(paths, collapse, visible_flows, options.max_nodes)
        if depth is not None:
            notes.append(
                f"boundaries nested {depth} deep collapsed "
                f"(more than {options.max_nodes} elements or flows)"
            )
            diagram.notes.append(
                f"summary view: {notes[-1]}; threatmodel diagram --boundary ID draws one "
                "boundary in full"
            )
    elif depth is not None:
        notes.append(f"boundaries nested {depth} deep collapsed")
    if options.collapse:
        notes.append(f"{dot.count(len(collapse), 'boundary')} collapsed")
    represented = {}
    for e in visible:
        rep = representative(paths[e], collapse, depth)
        if rep is not None:
            represented[e] = rep
    collapsed_nodes = tuple(b for b in diagram.boundary_order if b in set(represented.values()))
    names = {e.id: f"e{i}" for i, e in enumerate(model.elements)}
    names.update({b: f"b{i}" for i, b in enumerate(diagram.boundary_order)})
    edges = _edges(model.flows, visible, represented, names)
    groups: dict[str, tuple[str | None, str, str]] = {}
    shown = len(visible) - len(represented) + len(collapsed_nodes)
    automatic = options.collapse_depth is None and not options.collapse and options.max_nodes
    if automatic and (shown > options.max_nodes or len(edges) > options.max_nodes):
        loose = visible - context - represented.keys()
        for by_type in (True, False):  # by kind and type; if that is still too much, by kind
            grouped, groups = _grouped(diagram, loose, by_type)
            together = {**represented, **grouped}
            named = {**names, **{g: f"g{i}" for i, g in enumerate(groups)}}
            edges = _edges(model.flows, visible, together, named)
            shown = len(visible) - len(together) + len(collapsed_nodes) + len(groups)
            if shown <= options.max_nodes and len(edges) <= options.max_nodes:
                break
        if groups:
            represented, names = together, named
            collapsed_nodes += tuple(groups)
            notes.append(
                f"elements grouped by kind{' and type' if by_type else ''} (more than "
                f"{options.max_nodes} elements or flows)"
            )
            diagram.notes.append(
                f"summary view: {notes[-1]}; threatmodel diagram --max-nodes 0 draws every element"
            )
    counts = (
        f"{dot.count(len(model.elements), 'element')}, {dot.count(len(model.flows), 'flow')}, "
        f"{dot.count(len(model.boundaries), 'boundary')}"
    )
    if len(visible) - len(represented) + len(collapsed_nodes) > LARGE:
        notes.append("flows without findings unlabelled (see their tooltips)")
    summary = counts + ("; showing " + "; ".join(notes) if notes else "")
    return View(
        frozenset(visible),
        frozenset(context),
        represented,
        collapsed_nodes,
        names,
        tuple(edges),
        summary,
        groups,
    )


def _grouped(
    diagram: Diagram, loose: set[str], by_type: bool
) -> tuple[dict[str, str], dict[str, tuple[str | None, str, str]]]:
    """The elements of `loose` (in no collapsed boundary) grouped by the boundary they are in,
    their kind and (`by_type`) their type, for a view that collapsing boundaries cannot make
    small enough (a model with few or no boundaries). Returns element id -> group id, and each
    group's (boundary, kind, type or '') in model order; an element alone in its group stays
    as it is."""
    members: dict[tuple[str | None, str, str], list[str]] = defaultdict(list)
    for element in diagram.model.elements:  # model order: deterministic
        if element.id in loose:
            members[kind_group(diagram, element, by_type)].append(element.id)
    grouped: dict[str, str] = {}
    groups: dict[str, tuple[str | None, str, str]] = {}
    for key, ids in members.items():
        if len(ids) < 2:
            continue
        group_id = "/".join(("group", key[0] or "", key[1], key[2]))  # '/': in no id
        groups[group_id] = key
        grouped.update(dict.fromkeys(ids, group_id))
    return grouped, groups


def _edges(flows, visible, represented, names) -> list[Edge]:
    """One edge per flow; flows to or from collapsed boundaries merged per pair of nodes."""
    slots: list[tuple[str, str, list]] = []
    merged: dict[tuple[str, str], list] = {}
    for flow in flows:
        if flow.source not in visible or flow.target not in visible:
            continue
        source = names[represented.get(flow.source, flow.source)]
        target = names[represented.get(flow.target, flow.target)]
        if flow.source in represented or flow.target in represented:
            if source == target and flow.source in represented:
                continue  # inside one collapsed boundary
            if (source, target) not in merged:
                merged[(source, target)] = []
                slots.append((source, target, merged[(source, target)]))
            merged[(source, target)].append(flow)
        else:
            slots.append((source, target, [flow]))
    return [Edge(source, target, tuple(group)) for source, target, group in slots]


# -- nodes and edges --------------------------------------------------------------------------


def _element_node(diagram: Diagram, element: Any, view: View):
    sens = diagram.sensitivity(element)
    badge = diagram.index.badge([element.id])
    kind_name = dot.KIND_NAMES.get(element.kind, element.kind)
    type_text = (element.type or kind_name).replace("_", " ")
    name_lines = "<BR/>".join(html(line) for line in dot.wrap(element.label, 24))
    lines = [font(name_lines, 11, bold=True), font(html(type_text), 8, MUTED, italic=True)]
    sensitivity = dot.sensitivity_row(sens.special, sens.subjects)
    if sensitivity:
        lines.append(sensitivity)
    style = dot.element_style(element.kind, bool(sens.special), sens.subjects)
    css = ["element", element.kind, f"severity-{badge.worst}" if badge.worst else ""]
    if element.id in view.context:
        style.update(
            style="filled,dashed" if element.kind != "actor" else "filled,dashed,rounded",
            fillcolor="#ffffff",
            color=MUTED,
        )
        css.append("context")
    tip = [
        f"{element.label} ({kind_name}{', ' + element.type if element.type else ''}; "
        f"id {element.id})"
    ]
    tip += _data_lines(diagram, element, sens)
    tip += dot.finding_lines(badge)
    attributes = dict(
        style,
        id=diagram.ids("element", element.id),
        tooltip=dot.tooltip(tip),
        **{"class": dot.css(*css)},
    )
    name = view.node_names[element.id]
    label = table([dot.badged("<BR/>".join(lines), badge, diagram.catalog)])
    return lambda g: g.node(name, label, **attributes)


def _data_lines(diagram: Diagram, subject: Any, sens: Sensitivity) -> list[str]:
    assets = diagram.graph.assets(subject) or ()
    lines = [f"data: {', '.join(a.label for a in assets)}"] if assets else []
    if sens.special:
        lines.append(f"special categories: {', '.join(sens.special)}")
    if sens.subjects:
        lines.append(f"people: {sens.subjects:,}")
    return lines


def _members(diagram: Diagram, node_id: str, view: View) -> list:
    """The elements a collapsed boundary or group stands for, in model order."""
    return [e for e in diagram.model.elements if view.represented.get(e.id) == node_id]


def _aggregate(diagram: Diagram, members: list, inner: set[str]) -> tuple[dot.Badge, Sensitivity]:
    """The badge of the findings of `members` (with those of the `inner` boundaries and of
    the flows between members, which are not drawn), and their sensitivity."""
    member_ids = {e.id for e in members}
    flows = [f.id for f in diagram.model.flows if f.source in member_ids and f.target in member_ids]
    badge = diagram.index.badge([e.id for e in members] + sorted(inner) + flows)
    sens_parts = [diagram.sensitivity(e) for e in members]
    sens = Sensitivity(
        any(s.personal for s in sens_parts),
        tuple(sorted({c for s in sens_parts for c in s.special})),
        max((s.subjects for s in sens_parts if s.subjects), default=None),
    )
    return badge, sens


def _group_node(diagram: Diagram, group_id: str, view: View):
    """A group of elements of one kind and type (see `_grouped`) as one node."""
    parent, kind, kind_type = view.groups[group_id]
    members = _members(diagram, group_id, view)
    badge, sens = _aggregate(diagram, members, set())
    kind_name = dot.KIND_NAMES.get(kind, kind)
    counted = dot.count(len(members), kind_name)
    title = kind_type.replace("_", " ") if kind_type else counted
    style = dict(dot.COLLAPSED_STYLE, color=SPECIAL if sens.special else MUTED, penwidth="2.0")
    lines = [
        font(html(f"\u00ab{kind_name if kind_type else 'grouped'}\u00bb"), 8, MUTED, italic=True),
        font("<BR/>".join(html(x) for x in dot.wrap(title, 24)), 11, bold=True),
    ]
    if kind_type:
        lines.append(font(html(f"grouped: {counted}"), 8, MUTED))
    sensitivity = dot.sensitivity_row(sens.special, sens.subjects)
    if sensitivity:
        lines.append(sensitivity)
    tip = [
        f"{title}: {counted} grouped" if kind_type else f"{counted} grouped",
        dot.shorten(", ".join(e.label for e in members), 400),
        *dot.finding_lines(badge),
    ]
    attributes = dict(
        style,
        id=diagram.ids("group", "-".join(x for x in (kind, kind_type, parent) if x)),
        tooltip=dot.tooltip(tip),
        **{
            "class": dot.css("collapsed", "group", f"severity-{badge.worst}" if badge.worst else "")
        },
    )
    name = view.node_names[group_id]
    label = table([dot.badged("<BR/>".join(lines), badge, diagram.catalog)])
    return lambda g: g.node(name, label, **attributes)


def _collapsed_node(diagram: Diagram, boundary_id: str, view: View):
    boundary = diagram.boundaries[boundary_id]
    members = _members(diagram, boundary_id, view)
    inner = {b for e in members for b in diagram.path(e.id)} - set(diagram.path(boundary_id))
    badge, sens = _aggregate(diagram, members, inner)
    colour = dot.BOUNDARY_STYLES.get(boundary.type, dot.OTHER_BOUNDARY)["color"]
    style = dict(dot.COLLAPSED_STYLE, color=SPECIAL if sens.special else colour, penwidth="2.0")
    kinds: dict[str, int] = defaultdict(int)
    for e in members:
        kinds[dot.KIND_NAMES.get(e.kind, e.kind)] += 1
    counts = ", ".join(dot.count(n, k) for k, n in kinds.items())
    code = boundary.attributes.get("code")
    lines = [
        font(
            html(f"\u00ab{boundary.type}{' ' + str(code) if code else ''}\u00bb"),
            8,
            colour,
            italic=True,
        ),
        font("<BR/>".join(html(x) for x in dot.wrap(boundary.label, 24)), 11, bold=True),
        font(html(f"collapsed: {counts}"), 8, MUTED),
    ]
    sensitivity = dot.sensitivity_row(sens.special, sens.subjects)
    if sensitivity:
        lines.append(sensitivity)
    tip = [
        f"{boundary.label} ({boundary.type} boundary '{boundary.id}', collapsed)",
        f"{dot.count(len(members), 'element')}: "
        f"{dot.shorten(', '.join(e.label for e in members), 400)}",
        *dot.finding_lines(badge),
    ]
    attributes = dict(
        style,
        id=diagram.ids("collapsed", boundary_id),
        tooltip=dot.tooltip(tip),
        **{
            "class": dot.css(
                "collapsed", boundary.type, f"severity-{badge.worst}" if badge.worst else ""
            )
        },
    )
    name = view.node_names[boundary_id]
    label = table([dot.badged("<BR/>".join(lines), badge, diagram.catalog)])
    return lambda g: g.node(name, label, **attributes)


def _edge(diagram: Diagram, graph: graphviz.Digraph, edge: Edge, view: View) -> None:
    flows = edge.flows
    assets = list(dict.fromkeys(d for f in flows for d in f.data))
    data = [diagram.graph.data[d] for d in assets if d in diagram.graph.data]
    sens_parts = [diagram.sensitivity(f) for f in flows]
    special = sorted({c for s in sens_parts for c in s.special})
    subjects = max((s.subjects for s in sens_parts if s.subjects), default=None)
    badge = diagram.index.badge([f.id for f in flows])
    names = [a.label for a in data] or [f.label for f in flows]
    shown = ", ".join(dot.shorten(n, 22) for n in names[:3])
    if len(names) > 3:
        shown += f" +{len(names) - 3}"
    numbers = [diagram.flow_numbers[f.id] for f in flows]
    number = ", ".join(numbers[:3]) + (f" +{len(numbers) - 3}" if len(numbers) > 3 else "")
    text = font(html(number + " "), 9, INK, bold=True)
    text += font(html(shown), 9, SPECIAL if special else INK, bold=bool(special))
    if len(flows) > 1:
        text += font(html(f" ({len(flows)} flows)"), 8, MUTED)
    leaves, jurisdictions = _crossings(diagram, flows)
    crossings = (["leaves organisation"] if leaves else []) + jurisdictions
    if crossings:
        text += "<BR/>" + font(html(" \u00b7 ".join(crossings)), 7.5, "#b71c1c", bold=True)
    if subjects and subjects >= 1_000_000:
        text += "<BR/>" + font(html(f"{dot.people(subjects)} people"), 7.5, INK)
    rows = [dot.badged(text, badge, diagram.catalog, 8, align="LEFT")]
    attributes = {"penwidth": "1.2", "color": MUTED}
    css = ["flow"]
    if leaves:
        attributes["penwidth"] = "2.6"
        css.append("crosses-organisation")
    if jurisdictions:
        attributes["color"] = f"{INK}:invis:{INK}"
        css.append("crosses-jurisdiction")
    if badge.worst:
        css.append(f"severity-{badge.worst}")
    first = flows[0]
    tip = [
        f"{diagram.flow_numbers[f.id]} {f.label} ({f.id}): "
        f"{diagram.graph.elements[f.source].label} \u2192 "
        f"{diagram.graph.elements[f.target].label}"
        for f in flows[:20]
    ]
    if len(flows) > 20:
        tip.append(f"... and {len(flows) - 20} more flows")
    if data:
        tip.append(
            "data: " + ", ".join(f"{a.label} [{', '.join(a.categories)}]" for a in data[:30])
        )
    if special:
        tip.append(f"special categories: {', '.join(special)}")
    if subjects:
        tip.append(f"people: {subjects:,}")
    tip += crossings
    tip += dot.finding_lines(badge)
    # each label is a node for dot to place: on a large view only flows with findings get one
    label = None if view.large and badge.empty else table(rows)
    graph.edge(
        edge.source,
        edge.target,
        label=label,
        tooltip=dot.tooltip(tip),
        labeltooltip=dot.tooltip(tip) if label else None,
        id=diagram.ids("flow", first.id if len(flows) == 1 else f"{first.id}-merged"),
        **{"class": dot.css(*css)},
        **attributes,
    )


def _crossings(diagram: Diagram, flows) -> tuple[bool, list[str]]:
    """Whether any flow leaves its organisation, and 'CN \u2192 EU' for jurisdictions crossed."""
    graph = diagram.graph
    organisation, jurisdictions = False, []
    for flow in flows:
        organisation = organisation or graph.crosses(flow, "organisation")[0] is True
        if graph.crosses(flow, "jurisdiction")[0] is True:
            a = graph.innermost(flow.source, "jurisdiction")
            b = graph.innermost(flow.target, "jurisdiction")
            jurisdictions.append(f"{_code(a)} \u2192 {_code(b)}")
    return organisation, list(dict.fromkeys(jurisdictions))


def _code(boundary: Any) -> str:
    return dot.shorten(str(boundary.attributes.get("code") or boundary.label), 16)
