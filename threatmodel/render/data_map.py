"""The data-asset map: where one data asset, category, or all personal data is collected,
stored, used and sent, following flows, with recipients outside the organisation marked.

Personal data a process derives from the selected data (flows out of a process that uses
it, carrying personal assets whose `source` is `derived`) is followed too and drawn dashed:
"where does the social graph end up?" includes the score computed from it. Aggregates are
not personal data and are not followed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import attrs
import graphviz

from threatmodel.errors import did_you_mean
from threatmodel.render import dot
from threatmodel.render.diagram import (
    Diagram,
    Options,
    auto_depth,
    kind_group,
    option_error,
    representative,
)
from threatmodel.render.dot import INK, MUTED, OUTSIDE, SPECIAL, cell, font, html, table

ROLE_NAMES = {
    "origin": "collected here",
    "stores": "stores",
    "uses": "uses",
    "receives": "receives",
    "derived": "gets derived data",
}


@attrs.frozen
class Selection:
    """The data asked for, what is derived from it, and the home organisation."""

    title: str
    assets: frozenset[str]
    derived: frozenset[str]
    home: Any  # the organisation boundary running the system, or None


def select(diagram: Diagram, wanted: str | None) -> Selection:
    """Resolve `--data`: an asset id, a category, 'personal' (default) or 'special'."""
    graph, model = diagram.graph, diagram.model
    wanted = wanted or "personal"
    categories = graph.vocabulary.categories
    if wanted in graph.data:
        assets, title = {wanted}, graph.data[wanted].label
    elif wanted in ("personal", "special"):
        special = wanted == "special"
        assets = {a.id for a in model.data if graph.personal(a, special) is True}
        title = "special-category data" if special else "personal data"
    elif wanted in categories:
        assets = {a.id for a in model.data if wanted in a.categories}
        title = f"{wanted.replace('_', ' ')} data"
    else:
        choices = list(graph.data) + list(categories) + ["personal", "special"]
        raise option_error(
            "--data", f"no data asset or category '{wanted}'{did_you_mean(wanted, choices)}"
        )
    return Selection(title, frozenset(assets), _derived(diagram, assets), _home(diagram))


def _derived(diagram: Diagram, assets: set[str]) -> frozenset[str]:
    """Assets processes derive from the selected ones, followed until nothing new appears."""
    graph = diagram.graph
    tracked, derived = set(assets), set()
    changed = True
    while changed:
        changed = False
        for element in diagram.model.elements:
            if element.kind != "process":
                continue
            used = set(element.inputs) | {
                d for f in graph.incoming.get(element.id, ()) for d in f.data
            }
            if not used & tracked:
                continue
            for flow in graph.outgoing.get(element.id, ()):
                for d in flow.data:
                    asset = graph.data.get(d)
                    if (
                        asset is not None
                        and asset.source == "derived"
                        and d not in tracked
                        and graph.personal(asset) is True
                    ):
                        tracked.add(d)
                        derived.add(d)
                        changed = True
    return frozenset(derived)


def _home(diagram: Diagram) -> Any:
    """The organisation running the system: the organisation boundary with most elements."""
    counts: Counter = Counter()
    for element in diagram.model.elements:
        for boundary_id in diagram.path(element.id):
            if diagram.boundaries[boundary_id].type == "organisation":
                counts[boundary_id] += 1
    if not counts:
        return None
    best = max(counts.values())
    return next(diagram.boundaries[b] for b in diagram.boundary_order if counts.get(b) == best)


def build(diagram: Diagram, options: Options) -> graphviz.Digraph:
    """The data map as a graphviz digraph."""
    selection = select(diagram, options.data)
    model = diagram.model
    tracked = selection.assets | selection.derived
    flows = [f for f in model.flows if set(f.data) & tracked]
    roles: dict[str, set[str]] = defaultdict(set)
    for element in model.elements:
        if set(element.stores) & selection.assets:
            roles[element.id].add("stores")
        if set(element.inputs) & selection.assets:
            roles[element.id].add("uses")
    for flow in flows:
        direct = bool(set(flow.data) & selection.assets)
        roles[flow.target].add("receives" if direct else "derived")
        roles[flow.source].add("sends")
    for element_roles in roles.values():
        holds = element_roles & {"stores", "uses", "receives"}
        if "sends" in element_roles and not holds and "derived" not in element_roles:
            element_roles.add("origin")
    outside = {
        f.target
        for f in flows
        if selection.home is not None and not _inside(diagram, f.target, selection.home)
    }
    home_name = selection.home.label if selection.home is not None else "the organisation"
    title = (
        font(
            html(
                f"Where {dot.shorten(selection.title, 60)} goes: "
                f"{dot.shorten(model.system.label, 60)}"
            ),
            15,
            bold=True,
        )
        + "<BR/>"
        + font(html(_summary(selection, roles, outside, home_name, len(flows))), 10, MUTED)
    )
    groups = _groups(diagram, roles, flows, options.max_nodes)
    if groups is not None:
        note = (
            f"summary view: {dot.count(len(roles), 'element')} drawn as "
            f"{dot.count(len(set(groups.values())), 'group')} (their boundaries, or kind and "
            f"type, or kind), flows merged between groups (more than {options.max_nodes} elements or "
            "flows); --data ASSET or CATEGORY draws a part in full"
        )
        diagram.notes.append(note)
        title += "<BR/>" + font(html(note), 10, MUTED)
    out = dot.new_graph("data_map", table([cell(title, balign="LEFT")], cellpadding=2), "LR")
    placed: dict[str | None, list] = defaultdict(list)
    names = {e.id: f"e{i}" for i, e in enumerate(model.elements)}
    if groups is None:
        for element in model.elements:
            if element.id in roles:
                node = _node(
                    diagram, element, roles[element.id], element.id in outside, names, home_name
                )
                placed[diagram.parent(element.id)].append(node)
        dot.nest(out, placed, diagram.parent, diagram.cluster, diagram.boundary_order)
        for flow in flows:
            _edge(diagram, out, flow, selection, names, flow.target in outside)
    else:
        _summary_view(diagram, out, groups, roles, flows, outside, selection, home_name)
    if options.legend:
        notes = [
            font(html("solid: the data itself; dashed: data derived from it"), 8),
            font(html(f"double red border: recipient outside {home_name}"), 8, OUTSIDE, bold=True),
            font(html("special-category data: purple"), 8, SPECIAL, bold=True),
        ]
        dot.legend(out, [], dot.key_rows(diagram.catalog, notes))
    return out


def _inside(diagram: Diagram, element_id: str, home: Any) -> bool:
    return home is not None and home.id in diagram.path(element_id)


def _summary(selection: Selection, roles, outside, home_name: str, flows: int) -> str:
    if not selection.assets:
        return "no data asset of the model matches"
    if selection.home is None:
        home_name = "an organisation (the model has no organisation boundary)"
    stores = sum(1 for r in roles.values() if "stores" in r)
    return (
        f"{dot.count(len(selection.assets), 'data asset')}, {dot.count(flows, 'flow')}, "
        f"{dot.count(stores, 'store')}; {dot.count(len(outside), 'recipient')} outside "
        f"{home_name}"
        + (
            f"; {dot.count(len(selection.derived), 'derived asset')} followed"
            if selection.derived
            else ""
        )
    )


def _node(diagram: Diagram, element: Any, roles: set[str], outside: bool, names, home: str):
    sens = diagram.sensitivity(element)
    badge = diagram.index.badge([element.id])
    shown = [ROLE_NAMES[r] for r in ROLE_NAMES if r in roles]
    lines = [
        font("<BR/>".join(html(x) for x in dot.wrap(element.label, 24)), 11, bold=True),
        font(
            html((element.type or dot.KIND_NAMES[element.kind]).replace("_", " ")),
            8,
            MUTED,
            italic=True,
        ),
        font(html(", ".join(shown)), 8, INK, bold=True),
    ]
    if outside:
        lines.append(font(html(f"outside {dot.shorten(home, 30)}"), 8, OUTSIDE, bold=True))
    style = dot.element_style(element.kind, bool(sens.special), sens.subjects)
    if outside:
        style.update(color=OUTSIDE, peripheries="2", penwidth="2.0")
    tip = [
        f"{element.label} ({element.kind}; id {element.id}): {', '.join(shown)}",
        *dot.finding_lines(badge),
    ]
    attributes = dict(
        style,
        id=diagram.ids("element", element.id),
        tooltip=dot.tooltip(tip),
        **{"class": dot.css("element", element.kind, *sorted(roles), "outside" if outside else "")},
    )
    name = names[element.id]
    label = table([dot.badged("<BR/>".join(lines), badge, diagram.catalog)])
    return lambda g: g.node(name, label, **attributes)


def _edge(
    diagram: Diagram, out: graphviz.Digraph, flow: Any, selection: Selection, names, outside: bool
) -> None:
    direct = [d for d in flow.data if d in selection.assets]
    derived = [d for d in flow.data if d in selection.derived]
    labels = [diagram.graph.data[d].label for d in direct + derived]
    text = ", ".join(dot.shorten(x, 22) for x in labels[:3]) + (
        f" +{len(labels) - 3}" if len(labels) > 3 else ""
    )
    sens = diagram.sensitivity(flow)
    badge = diagram.index.badge([flow.id])
    label = table(
        [
            dot.badged(
                font(html(text), 9, SPECIAL if sens.special else INK, bold=bool(sens.special)),
                badge,
                diagram.catalog,
                8,
            )
        ]
    )
    tip = [f"{flow.label} ({flow.id}): {', '.join(labels)}", *dot.finding_lines(badge)]
    out.edge(
        names[flow.source],
        names[flow.target],
        label=label,
        tooltip=dot.tooltip(tip),
        labeltooltip=dot.tooltip(tip),
        id=diagram.ids("flow", flow.id),
        style="solid" if direct else "dashed",
        color=OUTSIDE if outside else MUTED,
        penwidth="2.0" if outside else "1.2",
        **{
            "class": dot.css(
                "flow", "direct" if direct else "derived", "outside" if outside else ""
            )
        },
    )


# -- the summary view of a large map ----------------------------------------------------------


@attrs.frozen
class Group:
    """Elements drawn as one node: a collapsed boundary, or elements of one kind and type."""

    parent: str | None  # the boundary the node sits in
    boundary: str | None = None
    kind: str = ""
    type: str = ""


def _groups(diagram: Diagram, roles, flows, limit: int) -> dict[str, Group] | None:
    """Element id -> its group when the map has more than `limit` elements or flows.

    Boundaries are collapsed from the innermost outward, as far as needed (as the data-flow
    diagram does); elements left outside every collapsed boundary are grouped by kind and
    type when there are still too many nodes, and by kind alone when that leaves more than
    `limit` flows between groups. None when the map is small enough."""
    if not limit or (len(roles) <= limit and len(flows) <= limit):
        return None
    paths = {e: diagram.path(e) for e in roles}
    depth = auto_depth(paths, set(), flows, limit)
    groups: dict[str, Group] = {}
    loose: list[str] = []
    for element_id, path in paths.items():
        boundary = representative(path, set(), depth)
        if boundary is not None:
            groups[element_id] = Group(diagram.parent(boundary), boundary=boundary)
        else:
            loose.append(element_id)
    if len(set(groups.values())) + len(loose) > limit:
        for by_type in (True, False):  # by kind and type; if too many flows are left, by kind
            for element_id in loose:
                parent, kind, type_ = kind_group(
                    diagram, diagram.graph.elements[element_id], by_type
                )
                groups[element_id] = Group(parent, kind=kind, type=type_)
            merged = {(groups[f.source], groups[f.target]) for f in flows}
            if sum(1 for source, target in merged if source != target) <= limit:
                break
    else:
        for element_id in loose:  # few enough: each drawn as a group of one
            groups[element_id] = Group(diagram.parent(element_id), boundary=None, type=element_id)
    return groups


def _summary_view(diagram: Diagram, out, groups, roles, flows, outside, selection, home: str):
    members: dict[Group, list[str]] = defaultdict(list)
    for element in diagram.model.elements:  # model order: deterministic
        if element.id in groups:
            members[groups[element.id]].append(element.id)
    names = {group: f"g{i}" for i, group in enumerate(members)}
    placed: dict[str | None, list] = defaultdict(list)
    for group, ids in members.items():
        placed[group.parent].append(
            _group_node(diagram, group, ids, roles, outside, names[group], home)
        )
    dot.nest(out, placed, diagram.parent, diagram.cluster, diagram.boundary_order)
    merged: dict[tuple[Group, Group], list] = {}
    for flow in flows:
        ends = (groups[flow.source], groups[flow.target])
        if ends[0] != ends[1]:
            merged.setdefault(ends, []).append(flow)
    for (source, target), group_flows in merged.items():
        _group_edge(diagram, out, names[source], names[target], group_flows, selection, outside)


def _group_node(diagram: Diagram, group: Group, ids, roles, outside, name: str, home: str):
    elements = [diagram.graph.elements[i] for i in ids]
    if len(elements) == 1 and group.boundary is None and not group.kind:
        return _node(diagram, elements[0], roles[ids[0]], ids[0] in outside, {ids[0]: name}, home)
    badge = diagram.index.badge(ids)
    sens = [diagram.sensitivity(e) for e in elements]
    special = sorted({c for s in sens for c in s.special})
    subjects = max((s.subjects for s in sens if s.subjects), default=None)
    role_counts = Counter(r for i in ids for r in roles[i] if r in ROLE_NAMES)
    shown = ", ".join(f"{role_counts[r]} {ROLE_NAMES[r]}" for r in ROLE_NAMES if role_counts[r])
    away = sum(1 for i in ids if i in outside)
    if group.boundary is not None:
        boundary = diagram.boundaries[group.boundary]
        head = f"\u00ab{boundary.type}\u00bb"
        title = boundary.label
        colour = dot.BOUNDARY_STYLES.get(boundary.type, dot.OTHER_BOUNDARY)["color"]
    else:  # one kind and type, or (`type` empty) all of one kind
        head = (
            f"\u00ab{dot.KIND_NAMES.get(group.kind, group.kind) if group.type else 'grouped'}\u00bb"
        )
        title = group.type.replace("_", " ") or dot.KIND_NAMES.get(group.kind, group.kind)
        colour = MUTED
    lines = [
        font(html(head), 8, colour, italic=True),
        font("<BR/>".join(html(x) for x in dot.wrap(title, 24)), 11, bold=True),
        font(html(dot.count(len(ids), "element") + ": " + shown), 8, INK, bold=True),
    ]
    if away:
        lines.append(font(html(f"{away} outside {dot.shorten(home, 30)}"), 8, OUTSIDE, bold=True))
    sensitivity = dot.sensitivity_row(special, subjects)
    if sensitivity:
        lines.append(sensitivity)
    style = dict(dot.COLLAPSED_STYLE, color=SPECIAL if special else colour, penwidth="2.0")
    if away:
        style.update(color=OUTSIDE, peripheries="2")
    tip = [
        f"{title}: {dot.count(len(ids), 'element')} grouped",
        dot.shorten(", ".join(e.label for e in elements), 600),
        *dot.finding_lines(badge),
    ]
    attributes = dict(
        style,
        id=diagram.ids("group", group.boundary or f"{group.kind}-{group.type}-{group.parent}"),
        tooltip=dot.tooltip(tip),
        **{"class": dot.css("group", "outside" if away else "")},
    )
    label = table([dot.badged("<BR/>".join(lines), badge, diagram.catalog)])
    return lambda g: g.node(name, label, **attributes)


def _group_edge(diagram: Diagram, out, source: str, target: str, flows, selection, outside):
    tracked = selection.assets | selection.derived
    assets = list(dict.fromkeys(d for f in flows for d in f.data if d in tracked))
    direct = any(d in selection.assets for d in assets)
    data = [diagram.graph.data[d] for d in assets]
    categories = sorted({c for a in data for c in a.categories})
    text = ", ".join(c.replace("_", " ") for c in categories[:3]) + (
        f" +{len(categories) - 3}" if len(categories) > 3 else ""
    )
    text += f" ({dot.count(len(assets), 'asset')}, {dot.count(len(flows), 'flow')})"
    special = sorted({c for f in flows for c in diagram.sensitivity(f).special})
    away = any(f.target in outside for f in flows)
    badge = diagram.index.badge([f.id for f in flows])
    label = table(
        [
            dot.badged(
                font(html(text), 9, SPECIAL if special else INK, bold=bool(special)),
                badge,
                diagram.catalog,
                8,
            )
        ]
    )
    tip = [
        f"{dot.count(len(flows), 'flow')}: {dot.shorten(', '.join(f.id for f in flows), 400)}",
        "data: " + dot.shorten(", ".join(a.label for a in data), 600),
        f"categories: {', '.join(categories)}",
        *dot.finding_lines(badge),
    ]
    out.edge(
        source,
        target,
        label=label,
        tooltip=dot.tooltip(tip),
        labeltooltip=dot.tooltip(tip),
        style="solid" if direct else "dashed",
        color=OUTSIDE if away else MUTED,
        penwidth="2.0" if away else "1.2",
        **{"class": dot.css("flow", "merged", "outside" if away else "")},
    )
