"""Work limits: how much analysis a model may ask for (elements, flows, boundary nesting,
findings), beside the loader's limits on what reading a file may cost (`loader.Limits` holds
both). Each crossed limit is one problem at the first thing past it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from threatmodel.errors import Problem, ThreatModelError
from threatmodel.model import Boundary

# Sections whose length a work limit bounds, by the limit's name in `loader.Limits`.
WORK_LIMITS = {"elements": "max_elements", "flows": "max_flows"}


def too_many(section: str, name: str, cap: int) -> str:
    """The message for a section with more items than its work limit allows."""
    return (
        f"{section}: more than {cap:,}, over the limit {name}={cap:,} (it covers a model "
        f"with all its includes; raise it with --limit {name}=N)"
    )


def nested_too_deep(boundaries: Sequence[Boundary], cap: int) -> Boundary | None:
    """The first boundary (in model order) with `cap` or more boundaries around it, or None.

    A boundary's parent is the first boundary listing it as a member (as in `graph.Graph`).
    Iterative, and each boundary's depth is computed once, so a long chain costs linear time;
    a cycle (validation reports it) ends the walk."""
    by_id = {b.id: b for b in boundaries}
    parent: dict[str, str] = {}
    for boundary in boundaries:
        for member in boundary.members:
            if member in by_id:
                parent.setdefault(member, boundary.id)
    depth: dict[str, int] = {}  # how many boundaries are around each boundary
    for boundary in boundaries:
        path, seen, current = [], set(), boundary.id
        while current in by_id and current not in depth and current not in seen:
            path.append(current)
            seen.add(current)
            current = parent.get(current, "")
        around = depth.get(current, -1) if current not in seen else -1
        for boundary_id in reversed(path):
            around += 1
            depth[boundary_id] = around
    return next((b for b in boundaries if depth.get(b.id, 0) >= cap), None)


def over_work_limits(sections: Mapping[str, Sequence[Any]], limits: Any) -> list[Problem]:
    """One problem per work limit that `sections` ('elements', 'flows', 'boundaries': objects
    with a `pos`) cross, at the first item past it; `limits` is a `loader.Limits`."""
    problems = []
    for section, name in WORK_LIMITS.items():
        cap = getattr(limits, name)
        if len(sections[section]) > cap:
            problems.append(
                Problem(message=too_many(section, name, cap), pos=sections[section][cap].pos)
            )
    deepest = nested_too_deep(sections["boundaries"], limits.max_boundary_depth)
    if deepest is not None:
        problems.append(too_deep(deepest, limits.max_boundary_depth))
    return problems


def too_deep(boundary: Boundary, cap: int) -> Problem:
    return Problem(
        message=f"boundary '{boundary.id}' is inside {cap:,} other boundaries, over the limit "
        f"max_boundary_depth={cap:,} (raise it with --limit max_boundary_depth=N)",
        pos=boundary.pos,
    )


def too_many_findings(subject, cap: int) -> ThreatModelError:
    """The refusal of an analysis that has found more than `cap` findings, at the subject
    where it crossed the limit."""
    return ThreatModelError(
        [
            Problem(
                message=f"the analysis found more than {cap:,} findings by '{subject.id}', "
                f"over the limit max_findings={cap:,}; review the model in parts, or raise "
                "the limit with --limit max_findings=N",
                pos=subject.pos,
            )
        ]
    )
