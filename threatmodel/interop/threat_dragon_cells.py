"""Reading Threat Dragon cells: names, boxes, line ends and points, and the geometry that
turns boxes into boundary members and curves into the flows that cross them."""

from __future__ import annotations

from typing import Any

from threatmodel.loader import LMap


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
