"""A SystemModel -> model YAML text in the shape docs/model-format.md describes.

Used by `import` (to write what was imported) and by the OTM round trip. Output is
deterministic: keys in the documented order, lists of plain values in flow style, every string
quoted by PyYAML where YAML 1.1 would read it as something else (`yes`, `on`, `1e3`, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

from threatmodel.collector import no_cycle_collection
from threatmodel.model import SystemModel
from threatmodel.vocabulary import Vocabulary


class _Flow(list):
    """A list written in flow style: `[a, b]`."""


_STR, _MAP, _SEQ = (f"tag:yaml.org,2002:{name}" for name in ("str", "map", "seq"))
_SCALARS = {  # exact type -> (tag, text): what PyYAML's safe representer writes for them
    str: lambda v: (_STR, v),
    bool: lambda v: ("tag:yaml.org,2002:bool", "true" if v else "false"),
    int: lambda v: ("tag:yaml.org,2002:int", str(v)),
    type(None): lambda v: ("tag:yaml.org,2002:null", "null"),
}


class _Dumper(yaml.CSafeDumper):
    """PyYAML's C emitter, fed nodes built directly from the model's plain data.

    The safe representer's generic dispatch (a type lookup, an alias check and a memo per
    value) was half of writing a big imported model; the data here is a tree of dicts, lists
    and scalars, so each becomes its node as that representer would make it, and any other
    value (a float, a date) goes through the representer itself. Tags are resolved as
    PyYAML resolves them, without its generic path for texts no implicit tag can start."""

    def represent(self, data: Any) -> None:
        self.serialize(self._node(data))
        self.represented_objects, self.object_keeper, self.alias_key = {}, [], None

    def _node(self, value: Any) -> yaml.Node:
        kind = type(value)
        scalar = _SCALARS.get(kind)
        if scalar is not None:
            return yaml.ScalarNode(*scalar(value))
        if kind is dict:
            node = self._node
            return yaml.MappingNode(
                _MAP, [(node(k), node(v)) for k, v in value.items()], flow_style=False
            )
        if kind is list or kind is _Flow:
            return yaml.SequenceNode(_SEQ, [self._node(v) for v in value], flow_style=kind is _Flow)
        return self.represent_data(value)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and not (implicit[0] and value[:1] in _RESOLVED_FIRST):
            return _STR  # what PyYAML resolves when no implicit tag starts with this character
        return super().resolve(kind, value, implicit)


# the first characters of the texts an implicit tag may match ('' for the empty text); PyYAML's
# safe dumper has no resolver for any first character and none by path (a test checks)
_RESOLVED_FIRST = frozenset(_Dumper.yaml_implicit_resolvers)


def _value(value: Any) -> Any:
    if isinstance(value, (tuple, list, frozenset, set)):
        items = sorted(value) if isinstance(value, (frozenset, set)) else list(value)
        plain = all(not isinstance(v, (dict, list, tuple)) for v in items)
        return _Flow(items) if plain else [_value(v) for v in items]
    return value


def _put(target: dict, key: str, value: Any) -> None:
    """Set a fixed field only when it says something (empty text and empty lists are left out)."""
    if value in (None, "", (), []):
        return
    target[key] = _value(value)


def _attributes(target: dict, attributes) -> dict:
    for name, value in attributes.items():
        target[name] = _value(value)
    return target


def vocabulary_data(vocabulary: Vocabulary) -> dict:
    """A Vocabulary back in the shape of a `vocabulary:` section."""
    out: dict[str, Any] = {}
    if vocabulary.element_types:
        out["element_types"] = {k: _Flow(v) for k, v in vocabulary.element_types.items()}
    if vocabulary.categories:
        out["data_categories"] = [
            {
                "name": c.name,
                "personal": c.personal,
                "special": c.special,
                **({"meaning": c.meaning} if c.meaning else {}),
            }
            for c in vocabulary.categories.values()
        ]
    for section in ("boundary_kinds", "data_sources", "decision_domains"):
        if getattr(vocabulary, section):
            out[section] = _Flow(getattr(vocabulary, section))
    attributes = []
    for attribute in vocabulary.attributes.values():
        item: dict[str, Any] = {"name": attribute.name, "type": attribute.type}
        _put(item, "values", attribute.values)
        _put(item, "values_from", attribute.values_from)
        if attribute.nullable:
            item["nullable"] = True
        item["applies_to"] = _Flow(sorted(attribute.applies_to))
        _put(item, "meaning", attribute.meaning)
        _put(item, "question", attribute.question)
        attributes.append(item)
    if attributes:
        out["attributes"] = attributes
    return out


def model_data(model: SystemModel) -> dict:
    """The model as plain data in the YAML model's shape."""
    system: dict[str, Any] = {"id": model.system.id}
    _put(system, "name", model.system.name)
    _put(system, "owner", model.system.owner)
    _put(system, "description", model.system.description)
    out: dict[str, Any] = {"system": _attributes(system, model.system.attributes)}
    sections = {
        "data": [
            _attributes(
                _fields(
                    ("id", a.id),
                    ("name", a.name),
                    ("description", a.description),
                    ("categories", a.categories),
                    ("subjects", a.subjects),
                    ("source", a.source),
                ),
                a.attributes,
            )
            for a in model.data
        ],
        "elements": [
            _attributes(
                _fields(
                    ("id", e.id),
                    ("kind", e.kind),
                    ("type", e.type),
                    ("name", e.name),
                    ("description", e.description),
                    ("stores", e.stores),
                    ("inputs", e.inputs),
                ),
                e.attributes,
            )
            for e in model.elements
        ],
        "flows": [
            _attributes(
                _fields(
                    ("id", f.id),
                    ("from", f.source),
                    ("to", f.target),
                    ("data", f.data),
                    ("name", f.name),
                    ("description", f.description),
                ),
                f.attributes,
            )
            for f in model.flows
        ],
        "boundaries": [
            _attributes(
                _fields(
                    ("id", b.id),
                    ("kind", b.type),
                    ("name", b.name),
                    ("description", b.description),
                    ("members", b.members),
                ),
                b.attributes,
            )
            for b in model.boundaries
        ],
        "controls": [
            _fields(("mitigation", c.mitigation), ("targets", c.targets), ("note", c.note))
            for c in model.controls
        ],
    }
    out.update({name: items for name, items in sections.items() if items})
    if isinstance(model.decisions, dict) and model.decisions:
        out["decisions"] = _plain(model.decisions)
    if model.vocabulary is not None:
        vocabulary = vocabulary_data(model.vocabulary)
        if vocabulary:
            out["vocabulary"] = vocabulary
    return out


def _plain(value: Any) -> Any:
    """Located data (LMap / LList) as plain dicts and lists, for the dumper."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _fields(*pairs) -> dict:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key == "subjects" and value is not None:
            out[key] = value
        else:
            _put(out, key, value)
    return out


def dump_model(
    model: SystemModel,
    header: list[str] | tuple[str, ...] = (),
    comments: dict[tuple[str, str, str], str] | None = None,
) -> str:
    """Model YAML text; `header` lines become comments at the top, and `comments` maps
    (section, object id, field) to a comment written at the end of that field."""
    return with_header(header, dump_body(model, comments))


def dump_body(model: SystemModel, comments: dict[tuple[str, str, str], str] | None = None) -> str:
    """`dump_model` without the header."""
    return "".join(dump_sections(model, comments))


def dump_sections(
    model: SystemModel,
    comments: dict[tuple[str, str, str], str] | None = None,
    data: dict | None = None,
) -> Iterator[str]:
    """`dump_body` in parts: each top-level section (`system`, `data`, `elements`...) with
    the empty line that sets it apart from the one before, a long list of items in parts of
    `PART_ITEMS`. What the dumper writes for a mapping of block style is its keys' texts one
    after another, and for a list of items under a key what it writes for the items alone.
    `data` is `model_data(model)`, when the caller has it already."""
    comments = comments or {}
    with no_cycle_collection():  # the data, its nodes and lines: new objects, none in a cycle
        for index, (name, value) in enumerate((data or model_data(model)).items()):
            gap = "\n" if index else ""
            if not isinstance(value, list):
                yield gap + _dumped({name: value}, model, comments)
                continue
            objects = _SECTION_ITEMS[name](model) if name in _SECTION_ITEMS else value
            ids = [getattr(item, "id", None) for item in objects]  # controls have none
            for first in range(0, len(value), PART_ITEMS):
                stop = min(first + PART_ITEMS, len(value))
                text = _items_text(value, first, stop, name, model, comments, ids)
                yield (gap + f"{name}:\n" + text) if not first else text


def _items_text(
    items: list, start: int, stop: int, section: str, model: SystemModel, comments: dict, ids
) -> str:
    """The text of `items[start:stop]` of the list under `section`, as `_dumped` writes them:
    each item whose keys and values are all simple (`_simple_item`) is written here, each
    run of the others by PyYAML. The text is the same; written here, in a tenth of the time."""
    pieces: list[str] = []
    run = start  # the first item of the run PyYAML writes
    for index in range(start, stop):
        written = _simple_item(items[index], comments, section, ids[index])
        if written is None:
            continue
        if run < index:
            pieces.append(_dumped(items[run:index], model, comments, section, run))
        pieces.append(written)
        run = index + 1
    if run < stop:
        pieces.append(_dumped(items[run:stop], model, comments, section, run))
    return "".join(pieces)


WIDTH = 100  # the line width PyYAML is told: a text or a flow list breaks past it


def _simple_item(item: dict, comments: dict, section: str, object_id: str | None) -> str | None:
    """`item` as PyYAML (libyaml's emitter) writes it as an item of a block list: `- key:
    value` lines, fields at column 2, each field's comment at its end. None when a key or a
    value is not simple: a key that is a plain word read as text; a value that is one line of
    printable ASCII, true, false, null, an integer, or a flow list of those."""
    lines: list[str] = []
    lead = "- "
    for key, value in item.items():
        if _KEYS.get(key) is not True and (key in _KEYS or not _simple_key(key)):
            return None
        if type(value) is _Flow:
            line = _flow_line(f"{lead}{key}: [", value)
        else:
            scalar = _scalar(value, _BLOCK)
            prefix = f"{lead}{key}: "
            line = None if scalar is None else prefix + _fold(scalar, len(prefix), 4)[0]
        if line is None:
            return None
        comment = comments.get((section, object_id, key))
        if comment:
            line += f"  # {_comment(' '.join(comment.split()))}"
        lines.append(line)
        lead = "  "
    return "\n".join(lines) + "\n" if lines else None


def _simple_key(key: Any) -> bool:
    """Whether `key` is a word PyYAML writes plain and that reads back as text (remembered)."""
    simple = type(key) is str and _KEY.fullmatch(key) is not None and _reads_as_text(key)
    if len(_KEYS) < _REMEMBERED and type(key) is str and len(key) <= _SHORT:
        _KEYS[key] = simple
    return simple


def _scalar(value: Any, written: dict) -> str | None:
    """The text libyaml writes for the scalar `value` (before it breaks long lines) in a
    block mapping (`written` is `_BLOCK`) or a flow list (`_FLOW`), remembered there for
    short texts; None when it is not one line of printable ASCII or a plain constant."""
    kind = type(value)
    if kind is str:
        found = written.get(value)
        if found is None:
            found = _quoted_or_plain(value, written is _FLOW)
            if len(written) < _REMEMBERED and len(value) <= _SHORT:
                written[value] = found
        return found or None
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    return None


def _quoted_or_plain(text: str, flow: bool) -> str:
    """One line of printable ASCII without a space at either end, plain where libyaml's
    analysis allows it there and YAML reads it back as text, else in single quotes; ''
    for any other text (written by PyYAML)."""
    if _ASCII_LINE.fullmatch(text) is None:
        return ""
    if (_NOT_PLAIN_IN_FLOW if flow else _NOT_PLAIN_IN_BLOCK).search(text) is None and (
        _reads_as_text(text)
    ):
        return text
    return "'" + text.replace("'", "''") + "'"


def _reads_as_text(text: str) -> bool:
    """Whether YAML reads the plain `text` as text (no implicit tag matches it)."""
    resolvers = _Dumper.yaml_implicit_resolvers.get(text[:1])
    return not resolvers or not any(regexp.match(text) for _, regexp in resolvers)


def _fold(text: str, column: int, indent: int) -> tuple[str, int]:
    """The written `text` from `column` as libyaml writes it, and the column after it: a
    single space between two words becomes a line break, then `indent` spaces, where the
    line is already past WIDTH."""
    if column + len(text) <= WIDTH or " " not in text:
        return text, column + len(text)
    out: list[str] = []
    for word, space in _WORDS.findall(text):
        out.append(word)
        column += len(word)
        if space == " " and column > WIDTH:
            out.append("\n" + " " * indent)
            column = indent
        elif space:
            out.append(space)
            column += len(space)
    return "".join(out), column


def _flow_line(prefix: str, values: list) -> str | None:
    """`prefix` (which ends with '[') and the flow list `values` as libyaml writes them: an
    item goes on a new line (indented four) where the line is already past WIDTH, and a long
    item breaks as a text does (indented six)."""
    out, column = [prefix], len(prefix)
    for index, value in enumerate(values):
        scalar = _scalar(value, _FLOW)
        if scalar is None:
            return None
        if index:
            out.append(",")
            column += 1
        if column > WIDTH:
            out.append("\n    ")
            column = 4
        elif index:
            out.append(" ")
            column += 1
        written, column = _fold(scalar, column, 6)
        out.append(written)
    out.append("]")
    return "".join(out)


# One line of printable ASCII with no space at either end; what stops libyaml writing it
# plain in a block mapping (an indicator first, `: ` or a final `:`, ` #`, a document
# marker) or in a flow list (also `,?[]{}:` anywhere). Any other text goes to PyYAML.
_ASCII_LINE = re.compile(r"[!-~](?:[ -~]*[!-~])?")
_NOT_PLAIN_IN_BLOCK = re.compile(
    r"^[#,\[\]{}&*!|>'\"%@`]|^[?:-](?: |$)|^(?:---|\.\.\.)|:(?: |$)| #"
)
_NOT_PLAIN_IN_FLOW = re.compile(
    r"^[#,\[\]{}&*!|>'\"%@`?:]|^-(?: |$)|^(?:---|\.\.\.)|[,?\[\]{}:]| #"
)
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")  # (a key over 128 characters is not plain)
_REMEMBERED = 65536  # texts and keys whose written form is remembered, at most...
_SHORT = 64  # ...and only short ones (those that repeat: kinds, categories, names of fields)
_KEYS: dict[Any, bool] = {}  # whether a key is simple
_BLOCK: dict[str, str] = {}  # a text as written in a block mapping ('' if not simple)
_FLOW: dict[str, str] = {}  # a text as written in a flow list
_WORDS = re.compile(r"([^ ]+)( *)")


def _dumped(data: Any, model: SystemModel, comments: dict, section: str = "", first: int = 0):
    """The text of whole sections, or of items `first`... of the list under `section`."""
    text = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
        indent=2,
    )
    return _SECTION.sub("\n\n", _commented(text, model, comments, section, first))


PART_ITEMS = 1000  # items of a list dumped at once by `dump_sections`


def with_header(header: list[str] | tuple[str, ...], body: str) -> str:
    """`body` (from `dump_body`) with the `header` lines as comments above it (a line
    break inside one starts a new comment line; what a comment cannot hold is escaped)."""
    header_lines = [("# " + _comment(h)).rstrip() for text in header for h in text.split("\n")]
    top = [*header_lines, ""] if header_lines else []
    return "\n".join([*top, body.removesuffix("\n")]) + "\n"


# what a comment line cannot hold: line breaks, control characters and bidi controls, and
# what YAML allows nowhere in a file (lone surrogates, U+FFFE, U+FFFF)
_NOT_IN_COMMENT = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def _comment(text: str) -> str:
    """`text` safe on one comment line, what it cannot hold shown as \\xNN (as the terminal
    shows it): a note quoting the source cannot make the model unreadable."""
    return _NOT_IN_COMMENT.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


_SECTION_ITEMS = {  # the model's objects each list section writes, in order
    "data": lambda m: m.data,
    "elements": lambda m: m.elements,
    "flows": lambda m: m.flows,
    "boundaries": lambda m: m.boundaries,
}
# What the dumper writes at column 0: a section's key, or `- ` (an item of a section). A value
# continues on lines indented further, except after a U+2028 or U+2029 (a line break to YAML,
# not to these patterns), which libyaml may write at column 0 inside a quoted text.
_SECTION = re.compile(r"\n(?=[A-Za-z_])")  # before a section
# a field whose value is a block scalar (`key: |-`): the indicator right after its key
_BLOCK_SCALAR = re.compile(r"(?:- |  )[A-Za-z_][A-Za-z0-9_]*: [|>][-+0-9]*$", re.M)
# a line that starts a field: a section's key or an item (`- field: ...`) at column 0, or a
# field of an item or of the system at column 2 (any key there: a value goes on at column 4,
# and a list under a key at column 2 as `  - `); the name is group 2 when it is a field that
# may carry a comment (an attribute named `x-y` or a quoted key only ends the one before)
_STARTS = re.compile(
    r"^(?:(- |  )([A-Za-z_][A-Za-z0-9_]*):(?: |$)|  [^ \n\u2028\u2029-]|[A-Za-z_-])", re.M
)


def _commented(
    body: str, model: SystemModel, comments: dict, section: str = "", first: int = 0
) -> str:
    """`body` with each comment appended to the last line of its field (`body` is whole
    sections, or items `first`... of the list under `section`, without its key).

    The dumper writes every section as a block sequence of mappings (`- id: ...` at column 0,
    fields at column 2) and the system as a mapping with fields at column 2; continuation
    lines of a value are indented further, so a field ends where the next line at column 0
    or 2 begins. A block scalar's comment goes on its first line (a later one is text).
    Only the lines that start a field are visited (found by one regular expression).
    """
    if not comments:
        return body
    pieces: list[str] = []
    done = 0  # what of `body` is in `pieces`
    index, items = first - 1, _SECTION_ITEMS.get(section, lambda m: ())(model)
    open_field: tuple[int, int, str] | None = None  # (its start, its first line's end, comment)

    def close(end: int) -> None:  # `end`: where the field's last line ends
        nonlocal done
        if open_field is None:
            return
        start, first_end, text = open_field
        at = first_end if _BLOCK_SCALAR.match(body, start) else end
        pieces.append(body[done:at])
        pieces.append(f"  # {text}")
        done = at

    for match in _STARTS.finditer(body):
        start = match.start()
        close(max(start - 1, 0))
        open_field = None
        if body[start] not in " -":  # a section
            end = body.find("\n", start)
            section = body[start : len(body) if end < 0 else end].split(":", 1)[0]
            index, items = -1, _SECTION_ITEMS.get(section, lambda m: ())(model)
            continue
        if body.startswith("- ", start):
            index += 1
        name = match.group(2)
        if name is None:
            continue
        if section == "system":
            object_id = model.system.id
        elif 0 <= index < len(items):
            object_id = items[index].id
        else:
            continue
        text = comments.get((section, object_id, name))
        if text:
            end = body.find("\n", start)
            open_field = (start, len(body) if end < 0 else end, _comment(" ".join(text.split())))
    close(len(body) - 1 if body.endswith("\n") else len(body))
    pieces.append(body[done:])
    return "".join(pieces)
