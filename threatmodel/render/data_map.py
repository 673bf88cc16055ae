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
from threatmodel.render.diagram import Diagram, Options, option_error
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
    out = dot.new_graph("data_map", table([cell(title, balign="LEFT")], cellpadding=2), "LR")
    placed: dict[str | None, list] = defaultdict(list)
    names = {e.id: f"e{i}" for i, e in enumerate(model.elements)}
    for element in model.elements:
        if element.id in roles:
            node = _node(
                diagram, element, roles[element.id], element.id in outside, names, home_name
            )
            placed[diagram.parent(element.id)].append(node)
    dot.nest(out, placed, diagram.parent, diagram.cluster, diagram.boundary_order)
    for flow in flows:
        _edge(diagram, out, flow, selection, names, flow.target in outside)
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
