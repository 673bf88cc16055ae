"""Building a SystemModel from another tool's data: ids, positions, notes on what was not mapped.

Importers read the foreign file and call a `Builder`; it keeps every object's position in the
source file (so `analyze --from` reports problems at the foreign file's lines), makes ids fit
our id rules without collisions, and collects two kinds of messages: errors (the file is
broken: raised together as a ThreatModelError) and notes (something has no equivalent or was
inferred: reported, never fatal).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

import attrs

from threatmodel.errors import Collector, Position, Problem
from threatmodel.fields import Fields
from threatmodel.ids import is_id
from threatmodel.interop.mapping import CONFIDENTIALITY
from threatmodel.loader import LList, LMap, key_pos, value_pos
from threatmodel.model import Boundary, Control, DataAsset, DataFlow, Element, System, SystemModel
from threatmodel.vocabulary import Attribute, Vocabulary

CONFIDENTIALITY_ATTRIBUTE = Attribute(
    name="confidentiality",
    type="enum",
    values=CONFIDENTIALITY,
    applies_to=frozenset({"data", "actor", "process", "datastore", "external_service"}),
    meaning="confidentiality class carried over from the imported model",
)


@attrs.frozen(kw_only=True)
class Note:
    """Something in the source that has no equivalent here, or that was inferred."""

    pos: Position
    topic: str
    detail: str = ""


@attrs.frozen(kw_only=True)
class ImportResult:
    """A model built from another tool's file, the notes on what did not carry over, and the
    comments to write beside fields of the model ((section, id, field) -> text)."""

    model: SystemModel
    notes: tuple[Note, ...]
    source_format: str
    comments: dict = attrs.field(factory=dict)

    def summary(self) -> list[Problem]:
        """The notes grouped by topic, one warning per topic, at its first position."""
        return group_notes(self.notes)


def group_notes(notes) -> list[Problem]:
    groups: OrderedDict[str, list[Note]] = OrderedDict()
    for note in notes:
        groups.setdefault(note.topic, []).append(note)
    problems = []
    for topic, items in groups.items():
        counts: OrderedDict[str, int] = OrderedDict()
        for n in items:
            if n.detail:
                counts[n.detail] = counts.get(n.detail, 0) + 1
        details = [d if c == 1 else f"{d} ({c}x)" for d, c in counts.items()]
        text = topic
        if details:
            more = f", and {len(details) - 12} more" if len(details) > 12 else ""
            shown = ", ".join(details[:12]) + more
            text += f": {shown}"
        elif len(items) > 1:
            text += f" ({len(items)} places)"
        label = "not mapped" if topic.startswith(UNMAPPED) else "import"
        problems.append(Problem(message=f"{label}: {text}", pos=items[0].pos, severity="warning"))
    return problems


class Ids:
    """Maps foreign ids to ids that keep the id rule (`ids.is_id`), unique within one namespace."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.by_source: dict[str, str] = {}

    def claim(self, raw: str, fallback: str) -> str:
        base = slug(raw) or fallback
        candidate, n = base, 2
        while candidate in self.taken:
            candidate = f"{base[:120]}-{n}"
            n += 1
        self.taken.add(candidate)
        if raw not in self.by_source:
            self.by_source[raw] = candidate
        return candidate

    def get(self, raw: str) -> str | None:
        return self.by_source.get(raw)


def slug(text: str) -> str:
    """`text` made into an id: invalid characters become '-', at most 128 characters."""
    text = str(text).strip()
    if is_id(text):
        return text
    cleaned = re.sub(r"[^A-Za-z0-9_.:-]+", "-", text).strip("-_.:")
    return cleaned[:128].rstrip("-_.:")


class Builder:
    """Collects model objects with positions, errors and notes; `finish` returns the result."""

    def __init__(self, display: str, source_format: str):
        self.display = display
        self._top = Position(file=display, line=1, col=1)  # where the whole file is
        self.format = source_format
        self.out = Collector()
        self.notes: list[Note] = []
        self.ids = Ids()  # elements, flows, boundaries and the system share one namespace
        self.data_ids = Ids()  # data assets have their own
        self.system: System | None = None
        self.data: list[DataAsset] = []
        self.elements: list[Element] = []
        self.flows: list[DataFlow] = []
        self.boundaries: list[Boundary] = []
        self.controls: list[Control] = []
        self.attributes: dict[str, Attribute] = {}
        self.comments: dict[tuple[str, str, str], str] = {}
        self.decisions: Any = None  # review decisions the source states, as a located mapping

    # -- messages
    def error(self, pos: Position, message: str) -> None:
        self.out.error(pos, message)

    def note(self, pos: Position, topic: str, detail: str = "") -> None:
        self.notes.append(Note(pos=pos, topic=topic, detail=detail))

    def top(self) -> Position:
        return self._top

    # -- typed access to the source: the one typed reader (`fields.Fields`), with the rules
    # relaxed for foreign files (numbers read as text, null list entries skipped); a container
    # that is not a mapping reads as an empty one. A value that is already what is asked for
    # (the commonest case, by far) is returned as Fields would return it, without making one
    # (a big import reads over 600,000 values)
    def _fields(self, container: Any, what: str) -> Fields:
        return Fields(
            container, self.out, what, foreign=True, pos=self._where(container), remember=False
        )

    def mapping(self, container: Any, key: Any, what: str, required: bool = False) -> LMap | None:
        value = _get(container, key)
        if isinstance(value, dict):
            return value  # type: ignore[return-value]  # located data: an LMap
        return self._fields(container, what).mapping(key, required=required)

    def sequence(self, container: Any, key: Any, what: str) -> LList | list:
        value = _get(container, key)
        if isinstance(value, list) and value:
            return value
        return self._fields(container, what).sequence(key) or []

    def text(self, container: Any, key: Any, what: str, required: bool = False) -> str:
        value = _get(container, key)
        if isinstance(value, str) and value:
            return value
        return self._fields(container, what).text(key, required=required)

    def texts(self, container: Any, key: Any, what: str) -> list[tuple[str, Position]]:
        """A list of strings (or a single one; null entries skipped), each with its position."""
        return self._fields(container, what).id_entries(key)

    def entries(self, container: Any, key: Any, what: str) -> list[tuple[str, Position | int]]:
        """`texts`, each with its position or, in the commonest case by far (a list of
        non-empty strings, or one), its index in the list (-1: the single one), for
        `entry_at` to find its position with where one is wanted."""
        value = _get(container, key)
        if isinstance(value, list) and all(type(item) is str and item for item in value):
            return list(zip(value, range(len(value)), strict=True))
        if type(value) is str and value:
            return [(value, -1)]
        return list(self.texts(container, key, what))

    def entry_at(self, container: Any, key: Any, place: Position | int) -> Position:
        """Where an entry of the list at `key` is, from what `entries` gave with it."""
        if isinstance(place, Position):
            return place
        if place < 0:
            return self.at(container, key)
        return value_pos(_get(container, key), place, self.at(container, key))

    def flag(self, container: Any, key: Any, what: str) -> bool | None:
        value = _get(container, key)
        if isinstance(value, bool):
            return value
        return self._fields(container, what).flag(key)

    def at(self, container: Any, key: Any) -> Position:
        found = value_pos(container, key, _UNPLACED)
        return self._where(container) if found is _UNPLACED else found

    def key_at(self, container: Any, key: Any) -> Position:
        found = key_pos(container, key, _UNPLACED)
        return self._where(container) if found is _UNPLACED else found

    def _where(self, container: Any) -> Position:
        """Where `container` is (the file's top for a value that has no position)."""
        return getattr(container, "pos", None) or self.top()

    # -- ids
    def claim(self, raw: str, where: Position, what: str, data: bool = False) -> str:
        table = self.data_ids if data else self.ids
        if raw in table.by_source:
            self.error(where, f"duplicate {what} id '{raw}'")
        new = table.claim(raw, what.replace(" ", "-"))
        if new != raw:
            self.note(
                where,
                "ids changed to fit threatmodel's id rules "
                "(letters, digits, '_', '-', '.', ':'; unique)",
                f"{raw!r} -> '{new}'",  # repr: a foreign id may hold any character
            )
        return new

    def use_confidentiality(self) -> None:
        self.attributes[CONFIDENTIALITY_ATTRIBUTE.name] = CONFIDENTIALITY_ATTRIBUTE

    def declare(self, name: str) -> str:
        """Declare one of the imported attributes (interop.attributes) in the model's
        vocabulary; returns its name."""
        from threatmodel.interop.attributes import IMPORTED

        self.attributes.setdefault(name, IMPORTED[name])
        return name

    def comment(self, section: str, object_id: str, field: str, text: str) -> None:
        """A comment to write beside `field` of the object `object_id` in `section`."""
        self.comments[(section, object_id, field)] = text

    def unmapped(self, item: Any, mapped, what: str, default=None) -> None:
        """Note every key of `item` outside `mapped` that holds a value, at its line; keys
        whose value `default(key, value)` calls the tool's default go under their own topic."""
        if not isinstance(item, dict):
            return
        for key, value in item.items():
            if key in mapped or value in (None, "", [], {}):
                continue
            topic = UNMAPPED_DEFAULT if default is not None and default(key, value) else UNMAPPED
            self.note(self.key_at(item, key), topic, f"{what}: {key}")

    # -- result
    def finish(self, system: System, files: tuple[str, ...] | None = None) -> ImportResult:
        self.out.raise_if_errors()
        vocabulary = Vocabulary(attributes=dict(self.attributes)) if self.attributes else None
        notes = tuple(self.notes)
        model = SystemModel(
            system=system,
            data=tuple(self.data),
            elements=tuple(self.elements),
            flows=tuple(self.flows),
            boundaries=tuple(self.boundaries),
            controls=tuple(self.controls),
            vocabulary=vocabulary,
            files=files or (self.display,),
            warnings=tuple(group_notes(notes)),
            decisions=self.decisions,
        )
        return ImportResult(
            model=model, notes=notes, source_format=self.format, comments=dict(self.comments)
        )


UNMAPPED = "source fields with no equivalent here"
UNMAPPED_DEFAULT = "source fields with no equivalent here, left at their tool's default"


def _get(container: Any, key: Any) -> Any:
    """The value at `key` of a mapping (None for anything else), as `Fields` reads it."""
    return container.get(key) if isinstance(container, dict) else None


_UNPLACED = Position(file="")  # no position found (compared by identity)
