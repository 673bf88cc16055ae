"""Reading Threat Dragon cells: names, boxes, line ends and points, and the geometry that
turns boxes into boundary members and curves into the flows that cross them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import attrs

from threatmodel.loader import LMap

Point = tuple[float, float]
Bounds = tuple[float, float, float, float]  # x and y least, then x and y most
NAMED = 20  # flows named in a boundary line's note; the rest are counted
CROSSING_WORK = 500_000  # tests (of bounds, and of segment pairs) for all lines of a diagram
PLACING_WORK = 10_000_000  # box-in-box tests to place a diagram's boxes and elements (~2 s)


def text_at(value: Any, *path: str) -> str:
    """The text at `path` inside nested mappings, or ''."""
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


def name(raw: LMap, props: LMap) -> str:
    """The name in `data`, else the drawn text or label."""
    found = (
        text_at(props, "name")
        or text_at(raw, "attrs", "text", "text")
        or text_at(raw, "attrs", "label", "text")
    )
    labels = raw.get("labels")
    if not found and isinstance(labels, list) and labels:
        found = text_at(labels[0], "attrs", "label", "text") or text_at(
            labels[0], "attrs", "text", "text"
        )
        found = found or text_at(labels[0], "attrs", "labelText", "text")
    return " ".join(found.split())


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def box(raw: LMap) -> tuple[float, float, float, float] | None:
    """A node's or box's x, y, width and height, or None."""
    x, y = (_number(_get(raw, "position", k)) for k in ("x", "y"))
    w, h = (_number(_get(raw, "size", k)) for k in ("width", "height"))
    if None in (x, y, w, h):
        return None
    return x, y, w, h  # type: ignore[return-value]


def _get(raw: Any, key: str, inner: str) -> Any:
    value = raw.get(key) if isinstance(raw, dict) else None
    return value.get(inner) if isinstance(value, dict) else None


def ends(raw: LMap) -> tuple[str, str] | None:
    """A flow's source and target cell ids (v2 `cell`, v1 `id`), or None."""
    ends = []
    for key in ("source", "target"):
        end = raw.get(key)
        ref = end.get("cell", end.get("id")) if isinstance(end, dict) else None
        if not isinstance(ref, str):
            return None
        ends.append(ref)
    return ends[0], ends[1]


def points(raw: LMap) -> list[tuple[float, float]]:
    """A line's points: its source and target when they are points, and its vertices."""
    points = []
    vertices = found if isinstance(found := raw.get("vertices"), list) else []
    for item in [raw.get("source"), *vertices, raw.get("target")]:
        x, y = (_number(item.get(k)) if isinstance(item, dict) else None for k in ("x", "y"))
        if x is not None and y is not None:
            points.append((x, y))
    return points


def centre(box) -> tuple[float, float]:
    x, y, w, h = box
    return x + w / 2, y + h / 2


def area(box) -> float:
    return box[2] * box[3]


def contains(outer, inner, by_centre: bool = False) -> bool:
    """Whether `inner` lies inside `outer` (whole, or only its centre)."""
    ox, oy, ow, oh = outer
    if by_centre:
        cx, cy = centre(inner)
        return ox <= cx <= ox + ow and oy <= cy <= oy + oh
    ix, iy, iw, ih = inner
    return ox <= ix and oy <= iy and ix + iw <= ox + ow and iy + ih <= oy + oh and outer != inner


@attrs.define
class Crossings:
    """Which flows cross a diagram's boundary lines. Each flow's line (from its source's
    centre, through its vertices, to its target's centre) and bounds are worked out once; a
    boundary line is tested only against flows whose bounds meet its own. The work for a
    whole diagram is bounded (`CROSSING_WORK`): a diagram with thousands of lines and flows
    is read in time, its later lines noted without their crossings."""

    lines: list[tuple[str, list[Point], Bounds]]
    left: int = CROSSING_WORK
    why: str = ""

    @classmethod
    def of(cls, cells: Sequence[Any], kinds: Collection[str]) -> Crossings:
        if not any(c.kind == "curve" for c in cells):
            return cls([])
        centres = {c.raw.get("id"): centre(c.box) for c in cells if c.kind in kinds and c.box}
        lines = []
        for flow in cells:
            if flow.kind != "flow" or flow.ends is None:
                continue
            a, z = (centres.get(end) for end in flow.ends)
            if a and z:
                line = [a, *flow.points, z]
                lines.append((flow.name or str(flow.raw.get("id")), line, bounds(line)))
        curves = sum(1 for c in cells if c.kind == "curve")
        return cls(lines, why=f"{curves} boundary lines and {len(lines)} flows are too many")

    def of_line(self, points: list[Point]) -> list[str] | None:
        """The names of the flows crossing a line, or None when the work is used up."""
        if len(points) < 2:
            return []
        around = bounds(points)
        found = []
        for name, line, reach in self.lines:
            self.left -= 1
            if self.left < 0:
                return None
            if not meet(around, reach):
                continue
            self.left -= (len(line) - 1) * (len(points) - 1)
            if self.left < 0:
                return None
            if crosses(line, points):
                found.append(name)
        return found


class TooMuchWork(Exception):
    """Placing a diagram's cells in its boxes would take more than `PLACING_WORK` tests."""


class Placing:
    """The smallest box around a box or a cell's centre. Boxes are tried smallest first (ties
    in the diagram's order), so the first that holds it is the one, and a diagram whose cells
    sit in small boxes costs little. The tests are bounded: past `PLACING_WORK` (thousands of
    boxes, elements outside them all) it raises TooMuchWork instead of running for minutes."""

    def __init__(self, boxes: list[Any]):
        self.boxes = boxes
        self.order = sorted(range(len(boxes)), key=lambda i: (area(boxes[i]), i))
        self.left = PLACING_WORK

    def smallest_around(self, inner: Any, by_centre: bool = False, besides: int = -1) -> int | None:
        """The index of the smallest box holding `inner` (other than box `besides`)."""
        for i in self.order:
            if i == besides:
                continue
            self.left -= 1
            if self.left < 0:
                raise TooMuchWork(
                    f"this diagram's {len(self.boxes)} boundary boxes are too many to place its "
                    f"cells in: that would take over {PLACING_WORK:,} tests; split the diagram"
                )
            if contains(self.boxes[i], inner, by_centre):
                return i
        return None


def bounds(points: Sequence[Point]) -> Bounds:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def meet(a: Bounds, b: Bounds) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def crosses(line: list, other: list) -> bool:
    """Whether two polylines intersect."""
    return any(
        _segments_cross(line[i], line[i + 1], other[j], other[j + 1])
        for i in range(len(line) - 1)
        for j in range(len(other) - 1)
    )


def _segments_cross(p1, p2, q1, q2) -> bool:
    def turn(a, b, c):
        value = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return (value > 0) - (value < 0)

    return turn(p1, p2, q1) != turn(p1, p2, q2) and turn(q1, q2, p1) != turn(q1, q2, p2)
