"""Attack trees: a risk's goal with its ANY/ALL sub-steps, each step shown blocked where the
model has the control that blocks it.

A step is blocked on an element when its `blocked_by` mitigation is in place there (on the
element, a boundary around it, or model-wide). An ANY node is blocked when all its children
are, an ALL node when one of them is. A risk that fired on several elements is drawn once,
with "blocked on k of n" where the controls differ.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import graphviz

from threatmodel.catalog import AttackNode, Risk
from threatmodel.errors import did_you_mean
from threatmodel.render import dot
from threatmodel.render.diagram import Diagram, Options, option_error
from threatmodel.render.dot import INK, MUTED, Badge, cell, font, html, table

BLOCKED = "#2e7d32"  # green: a control in place cuts this step
PARTLY = "#ef6c00"  # amber: blocked on some elements only
OPEN_FILL = "#fff4f2"
BLOCKED_FILL = "#eef2ee"


def build(diagram: Diagram, options: Options) -> graphviz.Digraph:
    """Attack trees of one risk (`options.risk`) or of every risk with a finding."""
    catalog = diagram.catalog
    findings = defaultdict(list)
    for finding in diagram.result.findings:
        findings[finding.risk_id].append(finding)
    with_tree = [r for r in catalog.risks if r.attack_tree is not None]
    if options.risk:
        risk = catalog.risk(options.risk)
        if risk is None:
            raise option_error(
                "--risk",
                f"no risk '{options.risk}'"
                f"{did_you_mean(options.risk, [r.id for r in catalog.risks])}",
            )
        if risk.attack_tree is None:
            raise option_error(
                "--risk",
                f"risk '{risk.id}' has no attack tree; risks with one: "
                f"{', '.join(r.id for r in with_tree) or 'none'}",
            )
        risks = [risk]
    else:
        risks = [r for r in with_tree if findings.get(r.id)]
    risks, left_out = _within(diagram, risks, findings, options.max_nodes)
    shown = f"{len(risks)} of {dot.count(len(with_tree), 'attack tree')}"
    if left_out:
        note = (
            f"summary view: the {dot.count(len(risks), 'tree')} of the worst findings drawn, "
            f"{len(left_out)} more left out (more than {options.max_nodes} steps): "
            f"{dot.shorten(', '.join(r.id for r in left_out), 300)}; threatmodel diagram "
            "--risk ID draws one"
        )
        diagram.notes.append(note)
        shown += f"; {note}"
    title = (
        font(html(f"Attack trees: {dot.shorten(diagram.model.system.label, 80)}"), 15, bold=True)
        + "<BR/>"
        + font(html(f"{shown}; steps are blocked by controls the model has in place"), 10, MUTED)
    )
    out = dot.new_graph("attack_trees", table([cell(title, balign="LEFT")], cellpadding=2), "TB")
    out.attr("graph", nodesep="0.25", ranksep="0.45")
    controls = Controls(diagram)
    for number, risk in enumerate(risks):
        targets: list[str | None] = [f.element_id for f in findings.get(risk.id, ())] or [None]
        with out.subgraph(name=f"cluster_risk{number}") as sub:
            sub.attr(
                "graph",
                label="",
                style="rounded",
                color="#cfd8dc",
                margin="12",
                id=diagram.ids("risk", risk.id),
                **{"class": "attack-tree"},
            )
            _tree(diagram, sub, risk, findings.get(risk.id, []), targets, controls, number)
    if not risks:
        out.node(
            "none",
            table(
                [
                    cell(
                        font(
                            html("No finding of this model comes from a risk with an attack tree."),
                            11,
                            MUTED,
                        )
                    )
                ]
            ),
            shape="plain",
            style="",
        )
    elif options.legend:
        notes = [
            font(html("ANY: one sub-step suffices; ALL: every sub-step is needed"), 8),
            font(html("grey, dashed: blocked by a control in place"), 8, BLOCKED, bold=True),
            font(html("amber: blocked on some of the elements only"), 8, PARTLY, bold=True),
            font(html("pink: open, nothing in the model blocks it"), 8, "#b71c1c", bold=True),
        ]
        dot.legend(out, [], dot.key_rows(diagram.catalog, notes))
    return out


def _size(node: AttackNode) -> int:
    return 1 + sum(_size(child) for child in node.children)


def _within(diagram: Diagram, risks: list[Risk], findings, limit: int):
    """The risks whose trees fit in `limit` steps (at least one), those of the worst findings
    first, and the risks left out; every risk, in catalog order, when all of them fit."""
    sizes = {r.id: _size(r.attack_tree) for r in risks if r.attack_tree is not None}
    if not limit or sum(sizes.values()) <= limit:
        return risks, []
    rank = diagram.catalog.severity_rank
    order = {r.id: i for i, r in enumerate(risks)}

    def weight(risk: Risk) -> tuple:
        found = findings.get(risk.id, ())
        worst = max((rank(f.severity) for f in found), default=-1)
        return (-worst, -len(found), order[risk.id])

    chosen: list[Risk] = []
    used = 0
    for risk in sorted(risks, key=weight):
        if chosen and used + sizes[risk.id] > limit:
            continue
        chosen.append(risk)
        used += sizes[risk.id]
    left_out = [r for r in risks if r not in chosen]
    return sorted(chosen, key=weight), left_out


class Controls:
    """Mitigations in place per subject, as the engine counts them (model-wide, on a boundary
    around the subject, or on it); `None` stands for the system as a whole."""

    def __init__(self, diagram: Diagram):
        self.by_subject = diagram.result.controls
        self.everywhere = {c.mitigation for c in diagram.model.controls if not c.targets}

    def on(self, subject_id: str | None) -> set[str]:
        if subject_id is None:
            return set(self.everywhere)
        return set(self.by_subject.get(subject_id, ())) or set(self.everywhere)


def blocked(node: AttackNode, in_place: set[str]) -> bool:
    """Whether `node` is cut off by the controls `in_place`."""
    if node.blocked_by and node.blocked_by in in_place:
        return True
    if not node.children:
        return False
    results = [blocked(child, in_place) for child in node.children]
    return all(results) if node.gate != "all" else any(results)


def _walk(node: AttackNode, name: str) -> Iterator[tuple[str, AttackNode, str | None]]:
    """(node name, node, parent name) for the whole tree, depth first, in catalog order."""
    yield name, node, None
    for i, child in enumerate(node.children):
        for child_name, grandchild, parent in _walk(child, f"{name}_{i}"):
            yield child_name, grandchild, parent if parent is not None else name


def _tree(
    diagram: Diagram,
    graph: graphviz.Digraph,
    risk: Risk,
    findings: list,
    targets: list[str | None],
    controls: Controls,
    number: int,
) -> None:
    in_place = {t: controls.on(t) for t in targets}
    rank = diagram.catalog.severity_rank
    badge = diagram.index.summarise(
        sorted(findings, key=lambda f: (not f.confirmed, -rank(f.severity), f.id))
    )
    labels = {t: diagram.graph.by_id[t].label if t in diagram.graph.by_id else "" for t in targets}
    assert risk.attack_tree is not None  # build() draws only risks with a tree
    for name, node, parent in _walk(risk.attack_tree, f"r{number}"):
        cut = [t for t in targets if blocked(node, in_place[t])]
        state = "blocked" if len(cut) == len(targets) else "partly" if cut else "open"
        rows = []
        if parent is None:
            rows.append(
                font(html(f"{risk.id}: {dot.shorten(risk.title, 60)}"), 9, MUTED, bold=True)
            )
        gate = "ALL of these" if node.gate == "all" else "ANY of these"
        anonymous = node.children and node.label in ("", "any of", "all of")  # the loader's name
        text = gate if anonymous else node.label
        lines = "<BR/>".join(html(x) for x in dot.wrap(text, 30, 4))
        rows.append(
            font(lines, 12 if parent is None else 10, bold=parent is None or bool(node.children))
        )
        if node.children and not anonymous:
            rows.append(font(gate, 8, MUTED, bold=True))
        status = _status(diagram, node, cut, targets, in_place)
        if status:
            colour = BLOCKED if state == "blocked" else PARTLY if state == "partly" else "#b71c1c"
            rows.append(font(html(status), 8, colour, bold=True))
        style = {
            "shape": "box",
            "style": "filled,rounded",
            "fillcolor": "white",
            "color": INK,
            "penwidth": "1.2",
        }
        if parent is None:
            style.update(penwidth="2.2", fillcolor="#fafafa")
        if state == "blocked":
            style.update(
                style="filled,rounded,dashed",
                fillcolor=BLOCKED_FILL,
                color=BLOCKED,
                fontcolor=MUTED,
            )
        elif state == "partly":
            style.update(color=PARTLY, penwidth="1.8")
        elif not node.children and parent is not None:
            style.update(fillcolor=OPEN_FILL, color="#b71c1c")
        where = [f"{labels[t]}: {'blocked' if t in cut else 'open'}" for t in targets if t]
        tip = [text, *where[:30]] + ([f"... and {len(where) - 30} more"] if len(where) > 30 else [])
        if parent is None:
            tip += dot.finding_lines(badge)
        if node.blocked_by:
            mitigation = diagram.catalog.mitigations.get(node.blocked_by)
            tip.append(
                f"blocked by {node.blocked_by}"
                + (f": {mitigation.title}" if mitigation else " (not in the catalog)")
            )
        label = table(
            [dot.badged("<BR/>".join(rows), badge if parent is None else Badge(), diagram.catalog)]
        )
        graph.node(
            name,
            label,
            tooltip=dot.tooltip(tip),
            id=diagram.ids("step", f"{risk.id}-{name}"),
            **{"class": dot.css("attack-step", state, "goal" if parent is None else "")},
            **style,
        )
        if parent is not None:
            graph.edge(
                parent,
                name,
                arrowhead="none",
                style="dashed" if state == "blocked" else "solid",
                color=MUTED if state == "blocked" else INK,
                penwidth="1.0" if state == "blocked" else "1.6",
            )


def _status(
    diagram: Diagram, node: AttackNode, cut: list, targets: list, in_place: dict[Any, set[str]]
) -> str:
    """'blocked by MIT-X (in place)', 'blocked on 2 of 5 elements', 'MIT-X not in place', ''."""
    total = len([t for t in targets if t is not None]) or 1
    if node.blocked_by:
        having = [t for t in targets if node.blocked_by in in_place[t]]
        if len(having) == len(targets):
            return f"blocked by {node.blocked_by} (in place)"
        if having:
            return f"{node.blocked_by} in place on {len(having)} of {total}"
        return f"{node.blocked_by} would block this: not in place"
    if node.children and cut:
        return (
            "all paths blocked" if len(cut) == len(targets) else f"blocked on {len(cut)} of {total}"
        )
    return ""
