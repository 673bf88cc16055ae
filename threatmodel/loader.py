"""YAML text -> plain Python data that remembers where every key and value came from.

Built directly on the (C, when available) YAML event stream with an explicit stack, so the
load is one pass, never recursive, and bounded: duplicate keys, recursive aliases, alias
bombs, deep nesting, huge scalars and oversized files are refused with a position. Only
the YAML core types are constructed (str, int, float, bool, null, dates); any other tag is
an error, so nothing in a file can name Python code.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import attrs
import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import ScalarNode

from threatmodel.collector import no_cycle_collection
from threatmodel.errors import Collector, Position, ThreatModelError, place

try:  # the C parser is several times faster; fall back to pure Python where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}
_QUOTES = frozenset(("'", '"'))
_TAGS: dict[str, str] = {}  # the implicit tag of a short plain scalar, by its text
# the value of a short plain scalar read as null, a boolean (not a YAML 1.1 word, which is
# warned about each time) or a number, by its text: immutable values, shared
_CONSTANTS: dict[str, Any] = {}
_UNSEEN = object()
_CONSTANT_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float"))
# the first characters of the plain scalars an implicit resolver may read as another type than
# text (null, bool, int, float, timestamp, merge); PyYAML keys none by `None` (any character)
_RESOLVED_FIRST = frozenset(_RESOLVER.yaml_implicit_resolvers)


@attrs.frozen(kw_only=True)
class Limits:
    """Bounds on what one input file may cost to read, and on the work a model may ask for
    (see docs/security.md)."""

    max_bytes: int = 20 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 2_000_000
    max_scalar_chars: int = 100_000
    # the work: a model with all its includes, and what its analysis may find
    max_elements: int = 20_000
    max_flows: int = 50_000
    max_boundary_depth: int = 32
    max_findings: int = 100_000


DEFAULT_LIMITS = Limits()


class LMap(dict):
    """A mapping that knows its own position and the positions of its keys and values."""

    __slots__ = ("key_pos", "pos", "val_pos")

    def __init__(self, pos: Position):
        super().__init__()
        self.pos = pos
        self.key_pos: dict[str, Position] = {}
        self.val_pos: dict[str, Position] = {}


class LList(list):
    """A sequence that knows its own position and the positions of its items."""

    __slots__ = ("item_pos", "pos")

    def __init__(self, pos: Position):
        super().__init__()
        self.pos = pos
        self.item_pos: list[Position] = []


def located(value: Any, pos: Position) -> Any:
    """Plain data (dicts, lists, scalars) as the loader gives it: each dict an LMap and each
    list an LList, placed at `pos`, as are their keys and items (a key or item with no place
    of its own is where its container is: `value_pos`, `key_pos`)."""
    if isinstance(value, dict):
        mapping = LMap(pos)
        for key, item in value.items():
            mapping[key] = located(item, pos) if isinstance(item, (dict, list)) else item
        return mapping
    if isinstance(value, list):
        items = LList(pos)
        items.extend(
            located(item, pos) if isinstance(item, (dict, list)) else item for item in value
        )
        return items
    return value


def value_pos(container: Any, key: Any, default: Position) -> Position:
    """Where the value at `key` (a mapping key or a list index) of `container` starts."""
    if isinstance(container, LMap):
        return container.val_pos.get(key, default)
    if isinstance(container, LList) and isinstance(key, int) and key < len(container.item_pos):
        return container.item_pos[key]
    return default


def key_pos(container: Any, key: Any, default: Position) -> Position:
    """Where the key `key` of a mapping is written."""
    if isinstance(container, LMap):
        return container.key_pos.get(key, default)
    return default


def read_text(path: Path, display: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """Read a file as UTF-8 (a byte-order mark is allowed), within the size limit."""
    where = Position(file=display)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:  # a regular file says its size: refuse it without reading
            raise ThreatModelError(
                [
                    _problem(
                        where,
                        f"file is {size:,} bytes, over the limit of {limits.max_bytes:,} bytes",
                    )
                ]
            )
        with path.open("rb") as handle:  # a pipe or device may not: read one byte past the limit
            chunks, total = [], 0
            while total <= limits.max_bytes:
                chunk = handle.read(min(1 << 20, limits.max_bytes + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            data = b"".join(chunks)
    except OSError as exc:
        raise ThreatModelError([_problem(where, f"cannot read file: {exc.strerror}")]) from None
    if len(data) > limits.max_bytes:
        raise ThreatModelError(
            [_problem(where, f"file is over the limit of {limits.max_bytes:,} bytes")]
        )
    return decode(data, display)


def decode(data: bytes, display: str) -> str:
    """Decode UTF-8 (with or without a byte-order mark), naming the first bad byte."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and b"\x00" in data[:2]):
        raise ThreatModelError(
            [
                _problem(
                    Position(file=display, line=1, col=1),
                    "file is UTF-16, not UTF-8; save it as UTF-8",
                )
            ]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        msg = f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        raise ThreatModelError(
            [_problem(Position(file=display, line=line, col=col), msg)]
        ) from None


def load_file(
    path: Path | str,
    display: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    *,
    sections: Mapping[str, tuple[int, str]] | None = None,
) -> tuple[Any, list]:
    """Load one YAML file; returns (data, warnings) or raises ThreatModelError (`sections`:
    see `load_text`)."""
    path = Path(path)
    display = display or str(path)
    return load_text(read_text(path, display, limits), display, limits, sections=sections)


def load_text(
    text: str,
    display: str,
    limits: Limits = DEFAULT_LIMITS,
    *,
    merge_keys: bool = False,
    sections: Mapping[str, tuple[int, str]] | None = None,
    located: bool = True,
) -> tuple[Any, list]:
    """Load YAML text; returns (data, warnings) or raises ThreatModelError.

    `merge_keys` accepts YAML merge keys (`<<: *base`), as other tools' files use them;
    what they copy counts against the same node budget as an alias. Our own models and
    catalogs leave it off: every key of an element is written where the element is.
    `sections` caps the items of top-level lists, {key: (most items, message)}: the read
    stops at the first item past the cap with that message, so a file asking for too much
    work is refused before the rest of it is read. Without `located`, every key and scalar
    value is placed at the file's first line (for a check that only needs to know whether the
    text loads, and loads it again with positions to say why not: reading takes a fifth less).
    """
    if len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        raise ThreatModelError(
            [
                _problem(
                    Position(file=display), f"text is over the limit of {limits.max_bytes:,} bytes"
                )
            ]
        )
    return _load(text, text, display, limits, merge_keys, sections or {}, located)


def load_stream(stream: IO[str], display: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """The data of the YAML text read from `stream` as it comes (a pipe, say), loaded as
    `load_text(..., located=False)` loads it, or a ThreatModelError: for a check that only
    needs to know whether a text loads while it is still being written, and loads it again
    with `load_text` to say why not. The caller keeps the text within `limits.max_bytes`."""
    data, _ = _load(stream, None, display, limits, False, {}, False)
    return data


def loads_as(stream: IO[str], expected: Any, display: str, limits: Limits = DEFAULT_LIMITS) -> bool:
    """Whether the YAML text read from `stream` as it comes is one document that `load_text`
    loads, within `limits`, as exactly `expected` (dicts and lists of scalars, in order).

    It reads the parser's events against `expected` and builds nothing (each scalar is read
    as `load_text` reads it): a text written from `expected` is checked in half the time of
    loading it. Anything else (an alias, a tag, a limit crossed, a value of another type or
    in another place) is a no; the caller then loads the text to say why."""
    builder = _Builder(display, limits, located=False)
    read, where, problems = builder._scalar, builder.first_line, builder.out.problems
    max_depth, max_nodes, max_chars = limits.max_depth, limits.max_nodes, limits.max_scalar_chars
    stack: list[tuple[Iterator[Any], type]] = [(iter((expected,)), list)]
    total = documents = 0
    parser = _Loader(stream)
    next_event: Callable[[], Any] = parser.get_event
    try:
        while (event := next_event()) is not None:
            kind = type(event)
            if kind is ScalarEvent:
                want = next(stack[-1][0], _EMPTY)
                total += 1
                if event.anchor is not None or total > max_nodes:
                    return False
                text = event.value
                if (  # text read as text (the commonest case by far), as `_scalar` reads it
                    type(want) is str
                    and event.tag is None
                    and len(text) <= max_chars
                    and (not event.implicit[0] or (text and text[0] not in _RESOLVED_FIRST))
                ):
                    if text != want:
                        return False
                    continue
                value = read(event, where)
                if problems or type(value) is not type(want) or value != want:
                    return False
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                want = next(stack[-1][0], _EMPTY)
                total += 1
                shape: type = dict if kind is MappingStartEvent else list
                if (
                    event.anchor is not None
                    or (event.tag is not None and not event.implicit)
                    or not isinstance(want, shape)
                    or len(stack) > max_depth
                    or total > max_nodes
                ):
                    return False
                opened: Any = want
                if shape is dict and not all(type(key) is str for key in opened):
                    return False  # a key that is not text: `load_text` refuses the mapping
                inside = itertools.chain.from_iterable(opened.items()) if shape is dict else opened
                stack.append((iter(inside), shape))
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                left, shape = stack.pop()
                if (shape is dict) != (kind is MappingEndEvent) or next(left, _EMPTY) is not _EMPTY:
                    return False
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    return False
            elif kind is AliasEvent:
                return False
    except yaml.YAMLError:
        return False
    finally:
        parser.dispose()
    return len(stack) == 1 and next(stack[0][0], _EMPTY) is _EMPTY


def _load(
    source: str | IO[str],
    text: str | None,
    display: str,
    limits: Limits,
    merge_keys: bool,
    sections: Mapping[str, tuple[int, str]],
    located: bool,
) -> tuple[Any, list]:
    """`load_text` after its size check; `source` is the text or a stream of it (then `text`,
    which only places and explains some errors, is None)."""
    builder = _Builder(display, limits, merge_keys, sections, located)
    parser = _Loader(source)
    try:
        feed, next_event = builder.feed, parser.get_event
        with no_cycle_collection():  # a tree of new containers, none in a cycle
            while (event := next_event()) is not None:
                feed(event)
                if builder.failed:
                    break
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "maximum nesting depth" in str(exc.problem):  # libyaml's own cap (PyYAML >= 6.0.4)
            builder.out.error(
                _pos(display, mark),
                f"nesting is deeper than the limit of {limits.max_depth} levels",
            )
        else:
            builder.out.error(_pos(display, mark), _yaml_message(exc, text or "", mark))
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        where = Position(file=display)
        if text is not None:
            offset = exc.position
            line = text.count("\n", 0, offset) + 1
            col = offset - (text.rfind("\n", 0, offset) + 1) + 1
            where = Position(file=display, line=line, col=col)
        builder.out.error(
            where,
            f"invalid YAML: control character U+{exc.character:04X} is not allowed (remove it)",
        )
    except yaml.YAMLError as exc:
        builder.out.error(Position(file=display), f"invalid YAML: {exc}")
    finally:
        parser.dispose()
    builder.out.raise_if_errors()
    if builder.result is _EMPTY:
        raise ThreatModelError(
            [
                _problem(
                    Position(file=display, line=1, col=1), "file is empty; expected a YAML mapping"
                )
            ]
        )
    return builder.result, builder.out.warnings


_EMPTY: Any = object()


class _Builder:
    """Turns parser events into LMap/LList/scalars with an explicit stack."""

    def __init__(
        self,
        display: str,
        limits: Limits,
        merge_keys: bool = False,
        sections: Mapping[str, tuple[int, str]] | None = None,
        located: bool = True,
    ):
        self.display = display
        self.first_line = first_line = place(display, 1, 1)
        self.place = place if located else lambda file, line, col: first_line
        self.limits = limits
        self.merge_keys = merge_keys
        self.sections = sections or {}
        self.out = Collector()
        self.stack: list[list] = []  # [container, pending_key, anchor, merge sources]
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.sizes: list[int] = []  # expanded node count of each open container
        self.total = 0
        self.documents = 0
        self.result: Any = _EMPTY
        self.failed = False
        self.last_text = ""
        self.keys: dict[str, str] = {}  # each key's text, one object however often written
        self.line = (-1, 0)  # the last mark's line, and the number it is read as (shared)

    def fail(self, pos: Position, message: str) -> None:
        self.out.error(pos, message)
        self.failed = True

    def feed(self, event: Any) -> None:  # a yaml.Event, told apart by its exact type
        kind = type(event)  # by exact type, the commonest first: this runs once per event
        if kind is ScalarEvent:
            mark = event.start_mark
            shift = 2 if event.style in _QUOTES else 1  # point at the text, not the quote
            row, line = self.line
            if mark.line != row:  # a key and its value on one line share the number
                row, line = self.line = mark.line, mark.line + 1
            pos = self.place(self.display, line, mark.column + shift)
            value = self._scalar(event, pos)
            if self.failed:
                return
            self.last_text = event.value
            if event.anchor:
                self.anchors[event.anchor] = (value, 1)
            self._attach(value, pos, 1)
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            container, _, anchor, merges = self.stack.pop()
            size = self.sizes.pop()
            if merges:
                _merge(container, merges)
            if anchor:
                self.open_anchors.discard(anchor)
                self.anchors[anchor] = (container, size)
            self._attach(container, container.pos, size, counted=True)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            pos = _pos(self.display, event.start_mark)
            self._check_tag(event, pos)
            if len(self.stack) >= self.limits.max_depth:
                self.fail(
                    pos, f"nesting is deeper than the limit of {self.limits.max_depth} levels"
                )
                return
            container = LMap(pos) if kind is MappingStartEvent else LList(pos)
            self.total += 1
            if event.anchor:
                self.open_anchors.add(event.anchor)
            self.stack.append([container, _NO_KEY, event.anchor, None])
            self.sizes.append(1)
        elif kind is AliasEvent:
            pos = _pos(self.display, event.start_mark)
            if event.anchor in self.open_anchors:
                self.fail(
                    pos,
                    f"alias '*{event.anchor}' refers to a collection that contains it "
                    "(recursive structures are not allowed)",
                )
                return
            if event.anchor not in self.anchors:
                self.fail(pos, f"unknown alias '*{event.anchor}'")
                return
            value, size = self.anchors[event.anchor]
            self._attach(value, pos, size)
        elif kind is DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                self.fail(
                    _pos(self.display, event.start_mark),
                    "only one YAML document per file is allowed (found '---' again)",
                )

    def _check_tag(self, event, pos: Position) -> None:
        if (
            event.tag
            and not event.implicit
            and event.tag not in ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
        ):
            self.fail(pos, f"unsupported YAML tag '{event.tag}'")

    def _scalar(self, event: yaml.ScalarEvent, pos: Position) -> Any:
        text = event.value
        if len(text) > self.limits.max_scalar_chars:
            self.out.error(
                pos,
                f"value is {len(text):,} characters long, over the limit of "
                f"{self.limits.max_scalar_chars:,}",
            )
            return None
        plain = event.implicit[0]
        tag = event.tag
        if tag is None:
            if not plain or (text and text[0] not in _RESOLVED_FIRST):
                return text  # quoted, or no implicit type starts so: text (the commonest case)
            value = _CONSTANTS.get(text, _UNSEEN)
            if value is not _UNSEEN:
                return value  # a short plain null, boolean or number read before
            tag = _TAGS.get(text)
            if tag is None:
                tag = _RESOLVER.resolve(ScalarNode, text, event.implicit)
                if len(text) <= 32 and len(_TAGS) < 4096:  # keys and words repeat
                    _TAGS[text] = tag
        elif tag == "!":
            tag = "tag:yaml.org,2002:str"
        if tag == "tag:yaml.org,2002:merge":
            if self.merge_keys:
                return _MERGE
            self.out.error(pos, "merge keys ('<<') are not supported; write the keys out")
            return "<<"
        if tag not in _SCALAR_TAGS:
            self.out.error(pos, f"unsupported YAML tag '{tag}'")
            return None
        if tag == "tag:yaml.org,2002:str":
            return text
        # the C parser's marks are yaml._yaml.Mark, which the stubs' ScalarNode does not name
        # but which serves it the same (the constructors only quote a mark in their errors)
        node = ScalarNode(tag, text, event.start_mark, event.end_mark, event.style)  # type: ignore[arg-type]
        if tag == "tag:yaml.org,2002:int" and len(text) > 100:
            digits = sum(c.isdigit() for c in text)
            self.out.error(
                pos,
                f"invalid value {text[:57]!r}...: a number with {digits:,} digits".replace(
                    "'...", "...'"
                ),
            )
            return None
        try:
            value = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            self.out.error(pos, f"invalid value {text!r}: {exc}")
            return None
        if tag == "tag:yaml.org,2002:bool" and text.lower() in _YAML11_BOOLS and plain:
            self.out.warn(
                pos,
                f"'{text}' was read as the boolean {str(value).lower()}; "
                f"write {str(value).lower()} or quote it as '{text}'",
            )
        elif (
            event.tag is None
            and tag in _CONSTANT_TAGS
            and len(text) <= 32
            and len(_CONSTANTS) < 4096  # `true`, `false`, `null` and small numbers repeat
        ):
            _CONSTANTS[text] = value
        if isinstance(value, datetime.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value

    def _attach(self, value: Any, pos: Position, size: int, counted: bool = False) -> None:
        """Add a finished value to its parent; `size` counts what it expands to (aliases too)."""
        if not counted:  # a container's nodes were counted one by one as they arrived
            self.total += size
        if self.total > self.limits.max_nodes:
            self.fail(
                pos,
                f"the document expands to more than {self.limits.max_nodes:,} values "
                "(too many aliases?)",
            )
            return
        if not self.stack:
            self.result = "<<" if value is _MERGE else value
            return
        frame = self.stack[-1]
        self.sizes[-1] += size
        container = frame[0]
        if value is _MERGE and not (isinstance(container, LMap) and frame[1] is _NO_KEY):
            self.out.error(pos, "'<<' (a merge key) can only be a key in a mapping")
            value = "<<"
        if isinstance(container, LList):
            if self.sections and len(self.stack) == 2 and self._over_cap(container, pos):
                return
            container.append(value)
            container.item_pos.append(pos)
            return
        if frame[1] is _NO_KEY:  # this value is a key
            if value is _MERGE:
                frame[1] = (_MERGE, pos)
                return
            if isinstance(value, (LList, LMap)):
                self.out.error(
                    pos,
                    f"a key must be text, not "
                    f"{'a list' if isinstance(value, LList) else 'a mapping'}",
                )
                value = _DUPLICATE  # skip the value as well
            elif value is None and len(self.last_text) > self.limits.max_scalar_chars:
                value = _DUPLICATE  # refused as too long already; skip its value as well
            elif not isinstance(value, str):
                self.out.error(
                    pos,
                    f"key '{self.last_text}' was read as "
                    f"{'null' if value is None else type(value).__name__} "
                    f"{'' if value is None else repr(value)}; keys must be text: "
                    f"quote it as '{self.last_text}'".replace(" ;", ";"),
                )
                value = f"<{self.last_text}>"
            if value is not _DUPLICATE:
                value = self.keys.setdefault(value, value)  # one object per distinct key
                if value in container:
                    first = container.key_pos[value]
                    self.out.error(
                        pos, f"duplicate key '{value}' (first defined at line {first.line})"
                    )
                    value = _DUPLICATE
            frame[1] = (value, pos)
            return
        key, kpos = frame[1]
        frame[1] = _NO_KEY
        if key is _DUPLICATE:
            return
        if key is _MERGE:
            sources = value if isinstance(value, LList) else [value]
            if all(isinstance(source, LMap) for source in sources):
                frame[3] = (frame[3] or []) + list(sources)
            else:
                self.out.error(
                    pos, "a merge key ('<<') takes a mapping or a list of mappings (*alias)"
                )
            return
        container[key] = value
        container.key_pos[key] = kpos
        container.val_pos[key] = pos

    def _over_cap(self, items: LList, pos: Position) -> bool:
        """Whether one more item in this top-level list passes its cap (then reported)."""
        pending = self.stack[0][1]
        if not isinstance(pending, tuple) or pending[0] not in self.sections:
            return False
        cap, message = self.sections[pending[0]]
        if len(items) < cap:
            return False
        self.fail(pos, message)
        return True


_NO_KEY = object()
_DUPLICATE = object()
_MERGE = object()


def _merge(container: LMap, sources: list[LMap]) -> None:
    """YAML merge: keys of `sources` the mapping does not set itself, the first source winning;
    merged keys keep the positions where they were written."""
    for source in sources:
        for key, value in source.items():
            if key not in container:
                container[key] = value
                container.key_pos[key] = source.key_pos[key]
                container.val_pos[key] = source.val_pos[key]


def _pos(display: str, mark) -> Position:
    if mark is None:
        return Position(file=display)
    return place(display, mark.line + 1, mark.column + 1)


def _problem(pos: Position, message: str):
    from threatmodel.errors import Problem

    return Problem(message=message, pos=pos)


def _yaml_message(exc: yaml.MarkedYAMLError, source: str, mark) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    text = "; ".join(parts) or "invalid YAML"
    lines = source.splitlines()
    if mark is not None and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
        text += (
            " (indent with spaces)" if "tab" in text else " (a tab character: indent with spaces)"
        )
    return f"invalid YAML: {text}"
