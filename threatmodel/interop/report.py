"""What an import reports: every note with the lines it comes from, grouped by topic.

The lines are written as comments at the top of the model, so nothing the source said is
dropped silently: each field that has no equivalent, each guess and each placement names the
line (and, for files with includes, the file) it came from. `import` prints them too, at most
so many of each kind (`most`), with how many more there are.
"""

from __future__ import annotations

from pathlib import Path

from threatmodel.interop.build import UNMAPPED, UNMAPPED_DEFAULT, Note

WIDTH = 96


def report_lines(
    notes: tuple[Note, ...] | list[Note], main_file: str, most: int | None = None
) -> list[str]:
    """One line per topic, then one indented line per detail with the lines it comes from
    (with `most`, at most that many details per topic, then how many more there are)."""
    topics: dict[str, dict[str, list]] = {}
    for note in notes:
        topics.setdefault(note.topic, {}).setdefault(note.detail, []).append(note.pos)
    last = (UNMAPPED, UNMAPPED_DEFAULT)
    ordered = [t for t in topics if t not in last] + [t for t in last if t in topics]
    lines: list[str] = []
    for topic in ordered:
        details = topics[topic]
        if list(details) == [""]:
            lines.append(f"- {topic} ({_where(details[''], main_file)})")
            continue
        lines.append(f"- {topic}:")
        for shown, (detail, places) in enumerate(details.items()):
            if shown == most and len(details) > most + 1:  # (never "and 1 more")
                lines.append(f"    ... and {len(details) - shown:,} more")
                break
            where = _where(places, main_file, most)
            lines.extend(_wrap(f"{detail or '(here)'} ({where})", "    "))
    return lines


def _where(places: list, main_file: str, most: int | None = None) -> str:
    """'line 4', 'lines 4, 9', 'parts.yaml:3', or 'at 1:230, 1:4410' where places share a
    line (a JSON file written on one line) -- each place once, in order (with `most`, at
    most that many, then how many more)."""
    located = [p for p in places if p.line]
    if not located:
        return "whole file"
    with_col = all(p.line == 1 and (p.col or 1) > 1 for p in located) or (
        len(located) > 1  # (one place never shares its line)
        and len({(p.file, p.line) for p in located})
        < len({(p.file, p.line, p.col) for p in located})
    )
    seen: dict[str, None] = {}
    for pos in located:
        text = f"{pos.line}:{pos.col}" if with_col and pos.col else str(pos.line)
        seen[text if pos.file == main_file else f"{Path(pos.file).name}:{text}"] = None
    items = list(seen)
    if most is not None and len(items) > most + 1:  # (never "and 1 more")
        listed = ", ".join(items[:most]) + f" and {len(items) - most:,} more"
    else:
        listed = ", ".join(items)
    if with_col or not all(item.isdigit() for item in items):
        return "at " + listed
    return ("line " if len(items) == 1 else "lines ") + listed


def _wrap(text: str, indent: str) -> list[str]:
    if len(indent) + len(text) < WIDTH:  # fits: what the loop below would give, at once
        return [(indent + text).rstrip()]
    lines, current = [], indent
    for word in text.split(" "):
        if len(current) + len(word) + 1 > WIDTH and current.strip():
            lines.append(current.rstrip())
            current = indent + "  "
        current += word + " "
    lines.append(current.rstrip())
    return lines


def count_unmapped(notes) -> int:
    """How many source fields were listed as having no equivalent."""
    return sum(1 for n in notes if n.topic in (UNMAPPED, UNMAPPED_DEFAULT))
