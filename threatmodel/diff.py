"""Two results -> what changed: findings new, resolved or re-scored; elements and flows added
or removed. Works on the canonical report data (`render.data.result_data`), so an old
`findings.json` and a fresh analysis compare the same way. Rendered as text, Markdown (for a
pull request) and JSON.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from threatmodel.errors import Position, Problem, ThreatModelError
from threatmodel.render.escape import markdown as _md
from threatmodel.render.escape import markdown_code as code
from threatmodel.render.escape import terminal

REQUIRED = ("schema_version", "system", "findings")


@attrs.frozen(kw_only=True)
class Change:
    """A finding present in both results whose severity, status or review status changed."""

    id: str
    title: str
    old: dict[str, Any]
    new: dict[str, Any]


@attrs.frozen(kw_only=True)
class ModelDiff:
    """What changed between two results, each list in a stable order."""

    old_name: str
    new_name: str
    new: tuple[dict[str, Any], ...] = ()
    resolved: tuple[dict[str, Any], ...] = ()
    changed: tuple[Change, ...] = ()
    elements_added: tuple[str, ...] = ()
    elements_removed: tuple[str, ...] = ()
    flows_added: tuple[str, ...] = ()
    flows_removed: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.new
            or self.resolved
            or self.changed
            or self.elements_added
            or self.elements_removed
            or self.flows_added
            or self.flows_removed
        )

    def new_at_or_above(self, severity: str) -> list[dict[str, Any]]:
        """Open confirmed findings at or above `severity` that are new, or newly confirmed,
        newly open (a decision removed or expired) or newly worse."""
        rank = {name: i for i, name in enumerate(self.severities)}
        limit = rank.get(severity, len(rank))
        worse = [
            c.new
            for c in self.changed
            if c.old["status"] != "confirmed"
            or not c.old["open"]
            or rank.get(c.new["severity"], 99) < rank.get(c.old["severity"], 99)
        ]
        return [
            f
            for f in list(self.new) + worse
            if f["status"] == "confirmed" and f["open"] and rank.get(f["severity"], 99) <= limit
        ]


def diff(old: dict[str, Any], new: dict[str, Any]) -> ModelDiff:
    """Compare two results in their plain-data form (`result_data` or a findings.json)."""
    old_findings = {f["id"]: f for f in old["findings"]}
    new_findings = {f["id"]: f for f in new["findings"]}
    severities = tuple(new.get("summary", {}).get("by_severity", {})) or tuple(
        old.get("summary", {}).get("by_severity", {})
    )
    rank = {name: i for i, name in enumerate(severities)}

    def order(f: dict[str, Any]) -> tuple:
        return (f["status"] != "confirmed", rank.get(f["severity"], 99), f["id"])

    changed = []
    for fid in sorted(old_findings.keys() & new_findings.keys()):
        before, after = old_findings[fid], new_findings[fid]
        if any(before.get(k) != after.get(k) for k in ("severity", "status", "review_status")):
            changed.append(
                Change(id=fid, title=after["title"], old=_brief(before), new=_brief(after))
            )
    changed.sort(key=lambda c: (rank.get(c.new["severity"], 99), c.id))
    old_model, new_model = old.get("model", {}), new.get("model", {})
    return ModelDiff(
        old_name=old["system"].get("name", ""),
        new_name=new["system"].get("name", ""),
        new=tuple(
            sorted((_brief(f) for i, f in new_findings.items() if i not in old_findings), key=order)
        ),
        resolved=tuple(
            sorted((_brief(f) for i, f in old_findings.items() if i not in new_findings), key=order)
        ),
        changed=tuple(changed),
        elements_added=_added(old_model, new_model, "elements"),
        elements_removed=_added(new_model, old_model, "elements"),
        flows_added=_added(old_model, new_model, "flows"),
        flows_removed=_added(new_model, old_model, "flows"),
        severities=severities,
    )


def _brief(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f["id"],
        "title": f["title"],
        "status": f["status"],
        "severity": f["severity"],
        "score": f.get("score"),
        "review_status": f.get("review_status", "open"),
        "open": f.get("open", True),
        "element": f["element"]["id"],
    }


def _added(before: dict[str, Any], after: dict[str, Any], key: str) -> tuple[str, ...]:
    had = {item["id"] for item in before.get(key, ())}
    return tuple(sorted(item["id"] for item in after.get(key, ()) if item["id"] not in had))


def read_results_json(text: str, display: str) -> dict[str, Any]:
    """A findings.json written by `analyze`; problems are positioned errors."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ThreatModelError(
            [
                Problem(
                    message=f"invalid JSON: {exc.msg}",
                    pos=Position(file=display, line=exc.lineno, col=exc.colno),
                )
            ]
        ) from None
    where = Position(file=display, line=1, col=1)
    if not isinstance(data, dict) or any(k not in data for k in REQUIRED):
        raise ThreatModelError(
            [
                Problem(
                    message=f"not a threatmodel findings.json (it needs {', '.join(REQUIRED)})",
                    pos=where,
                )
            ]
        )
    if not isinstance(data["findings"], list) or not all(
        isinstance(f, dict) and {"id", "title", "status", "severity", "element"} <= f.keys()
        for f in data["findings"]
    ):
        raise ThreatModelError(
            [
                Problem(
                    message="'findings' must be a list of findings with id, "
                    "title, status, severity and element",
                    pos=where,
                )
            ]
        )
    return data


# -- rendering -------------------------------------------------------------------------------


def as_data(d: ModelDiff) -> dict[str, Any]:
    return {
        "old": d.old_name,
        "new": d.new_name,
        "findings": {
            "new": list(d.new),
            "resolved": list(d.resolved),
            "changed": [
                {"id": c.id, "title": c.title, "old": c.old, "new": c.new} for c in d.changed
            ],
        },
        "elements": {"added": list(d.elements_added), "removed": list(d.elements_removed)},
        "flows": {"added": list(d.flows_added), "removed": list(d.flows_removed)},
    }


def render_json(d: ModelDiff) -> str:
    return json.dumps(as_data(d), indent=2, ensure_ascii=False) + "\n"


def _label(f: dict[str, Any]) -> str:
    return f["severity"] if f["status"] == "confirmed" else "possible"


def render_text(d: ModelDiff) -> str:
    if d.empty:
        return "no changes in findings, elements or flows\n"
    lines = []
    for title, items in (("new findings", d.new), ("resolved findings", d.resolved)):
        if items:
            lines.append(f"{title} ({len(items)}):")
            lines += [
                f"  {'+' if title.startswith('new') else '-'} {_label(f):9} "
                f"{terminal(f['id'])}: {terminal(f['title'])}"
                for f in items
            ]
    if d.changed:
        lines.append(f"changed findings ({len(d.changed)}):")
        lines += [f"  ~ {terminal(c.id)}: {_transition(c)}" for c in d.changed]
    for title, items in (
        ("elements added", d.elements_added),
        ("elements removed", d.elements_removed),
        ("flows added", d.flows_added),
        ("flows removed", d.flows_removed),
    ):
        if items:
            lines.append(f"{title}: " + ", ".join(terminal(i) for i in items))
    return "\n".join(lines) + "\n"


def _transition(c: Change) -> str:
    parts = []
    for key in ("status", "severity", "review_status"):
        if c.old[key] != c.new[key]:
            parts.append(f"{key.replace('_', ' ')} {c.old[key]} -> {c.new[key]}")
    return "; ".join(parts)


def render_markdown(d: ModelDiff) -> str:
    md = _md
    lines = [f"### Threat model changes: {md(d.new_name)}", ""]
    if d.empty:
        return "\n".join(lines + ["No changes in findings, elements or flows.", ""])
    counts = f"**{len(d.new)} new**, **{len(d.resolved)} resolved**, {len(d.changed)} changed"
    lines += [counts + " findings.", ""]
    if d.new or d.resolved:
        lines += ["| | Severity | Finding | Element |", "|---|---|---|---|"]
        lines += [
            f"| {'new' if f in d.new else 'resolved'} | {_label(f)} | {code(f['id'])} "
            f"{md(f['title'])} | {code(f['element'])} |"
            for f in d.new + d.resolved
        ]
        lines.append("")
    if d.changed:
        lines += ["| Changed | Finding | From | To |", "|---|---|---|---|"]
        for c in d.changed:
            lines.append(f"| {code(c.id)} | {md(c.title)} | {_state(c.old)} | {_state(c.new)} |")
        lines.append("")
    for title, items in (
        ("Elements added", d.elements_added),
        ("Elements removed", d.elements_removed),
        ("Flows added", d.flows_added),
        ("Flows removed", d.flows_removed),
    ):
        if items:
            lines.append(f"- **{title}:** " + ", ".join(code(i) for i in items))
    return "\n".join(lines).rstrip() + "\n"


def _state(f: dict[str, Any]) -> str:
    review = f" ({_md(f['review_status'])})" if f["review_status"] != "open" else ""
    return f"{_label(f)}{review}"
