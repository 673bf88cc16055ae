"""The located YAML loader: values, positions, and refusal of malformed or hostile input."""

from __future__ import annotations

import datetime

import attrs
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import problems_of
from threatmodel.errors import Position, ThreatModelError, place
from threatmodel.loader import Limits, load_text, value_pos


def load(text: str, limits: Limits | None = None):
    return load_text(text, "m.yaml", limits or Limits())


class TestValues:
    def test_core_types_are_constructed(self):
        """Ints with underscores, floats, bools, nulls and dates load as Python values."""
        data, warnings = load("a: 1_000_000\nb: 2.5\nc: true\nd: null\ne: 2026-01-31\nf: 'x'\n")
        assert data == {
            "a": 1_000_000,
            "b": 2.5,
            "c": True,
            "d": None,
            "e": datetime.date(2026, 1, 31),
            "f": "x",
        }
        assert warnings == []

    def test_positions_of_values_and_list_items(self):
        """Every mapping value and list item keeps its 1-based line and column."""
        data, _ = load("top:\n  items: [alpha, 'beta']\n")
        items = data["top"]["items"]
        assert (value_pos(data["top"], "items", None).line, items.item_pos[0].col) == (2, 11)
        assert (items.item_pos[1].line, items.item_pos[1].col) == (2, 19)  # inside the quotes

    def test_yaml11_boolean_words_warn(self):
        """A bare yes/no/on/off value is read as a boolean and warned about with its position."""
        _, warnings = load("encrypted: yes\n")
        assert [str(w) for w in warnings] == [
            "m.yaml:1:12: warning: 'yes' was read as the boolean true; write true or quote it as 'yes'"
        ]

    def test_plain_words_read_again_give_the_same_values_and_warnings(self):
        """Short plain nulls, booleans and numbers are remembered by their text once read;
        a quoted twin stays text, and a YAML 1.1 word is warned about every time."""
        text = "a: [true, 'true', 12, '12', 0x1F, 017, null, ~, 1.5, .inf, yes, on]\n"
        for _ in range(2):  # a second file reads them from what the first taught
            data, warnings = load(text + "b: [true, 12, 0x1F, yes, NULL, '~']\n")
            assert data == {
                "a": [True, "true", 12, "12", 31, 15, None, None, 1.5, float("inf"), True, True],
                "b": [True, 12, 31, True, None, "~"],
            }
            assert [(w.pos.line, w.pos.col) for w in warnings] == [(1, 60), (1, 65), (2, 21)]

    def test_aliases_to_scalars_and_lists_work(self):
        """Anchors and aliases are allowed when they do not recurse."""
        data, _ = load("a: &x [1, 2]\nb: *x\n")
        assert data["b"] == [1, 2]


class TestRefusals:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("a: 1\na: 2\n", "2:1: duplicate key 'a' (first defined at line 1)"),
            (
                "a:\n\t- b\n",
                "2:1: invalid YAML: while scanning for the next token; found character "
                "that cannot start any token (a tab character: indent with spaces)",
            ),
            (
                "x: !!python/object/apply:os.system ['ls']\n",
                "1:4: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'",
            ),
            (
                "a: &a [*a]\n",
                "1:8: alias '*a' refers to a collection that contains it "
                "(recursive structures are not allowed)",
            ),
            ("on: 1\n", "1:1: key 'on' was read as bool True; keys must be text: quote it as 'on'"),
            ("<<: {a: 1}\n", "1:1: merge keys ('<<') are not supported; write the keys out"),
            (
                "a: 1\n---\nb: 2\n",
                "2:1: only one YAML document per file is allowed (found '---' again)",
            ),
            (
                "a: [1, 2\n",
                "2:1: invalid YAML: while parsing a flow sequence; did not find "
                "expected ',' or ']'",
            ),
        ],
    )
    def test_malformed_input_has_one_positioned_message(self, text, expected):
        """Each malformed document gives exactly the expected file:line:col message."""
        with pytest.raises(ThreatModelError) as excinfo:
            load(text)
        assert problems_of(excinfo) == [expected]

    def test_empty_file(self):
        """An empty file is refused with a message at 1:1."""
        with pytest.raises(ThreatModelError) as excinfo:
            load("")
        assert problems_of(excinfo) == ["1:1: file is empty; expected a YAML mapping"]

    def test_alias_bomb_is_refused_quickly(self):
        """A billion-laughs document stops at the node budget instead of expanding."""
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for i in range(1, 9):
            lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
        with pytest.raises(ThreatModelError) as excinfo:
            load("\n".join(lines) + "\n", Limits(max_nodes=100_000))
        assert "expands to more than 100,000 values" in problems_of(excinfo)[0]

    def test_deep_nesting_is_refused_without_crashing(self):
        """Nesting far beyond the limit is refused (no recursion, no C stack overflow)."""
        with pytest.raises(ThreatModelError) as excinfo:
            load("[" * 200_000 + "]" * 200_000)
        [problem] = problems_of(excinfo)
        # where it stops depends on the libyaml inside PyYAML: ours at level 65, or (PyYAML
        # 6.0.4 and later) libyaml's own cap a little past level 1000, scanning ahead of us
        assert problem in (
            "1:65: nesting is deeper than the limit of 64 levels",
            "1:1001: nesting is deeper than the limit of 64 levels",
        )

    def test_long_scalar_is_refused(self):
        """A value over the size limit is refused with its position."""
        with pytest.raises(ThreatModelError) as excinfo:
            load("a: " + "x" * 50 + "\n", Limits(max_scalar_chars=10))
        assert problems_of(excinfo) == ["1:4: value is 50 characters long, over the limit of 10"]

    def test_oversized_text_is_refused(self):
        """Text over the byte limit is refused before parsing."""
        with pytest.raises(ThreatModelError) as excinfo:
            load("a: 1\n" * 100, Limits(max_bytes=100))
        assert "over the limit of 100 bytes" in str(excinfo.value)

    def test_invalid_utf8_names_the_byte(self, tmp_path):
        """A file that is not UTF-8 is refused with the position of the first bad byte."""
        from threatmodel.loader import load_file

        path = tmp_path / "latin1.yaml"
        path.write_bytes("name: caf\xe9\n".encode("latin-1"))
        with pytest.raises(ThreatModelError) as excinfo:
            load_file(path)
        assert problems_of(excinfo) == [
            "1:10: file is not valid UTF-8 (byte 0xe9); save it as UTF-8"
        ]

    def test_byte_order_mark_is_accepted(self, tmp_path):
        """A UTF-8 byte-order mark does not disturb loading."""
        from threatmodel.loader import load_file

        path = tmp_path / "bom.yaml"
        path.write_bytes(b"\xef\xbb\xbfa: 1\n")
        assert load_file(path)[0] == {"a": 1}


# plain words that YAML 1.1 may read as another type than text, and ordinary words
TOKENS = (
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "n",
    "true",
    "False",
    "~",
    "null",
    "Null",
    "",
    "0",
    "-1",
    "+7",
    "0x1F",
    "0o17",
    "017",
    "1_000",
    "1.5",
    "-.5",
    "1e3",
    "6.02e+23",
    ".inf",
    "-.Inf",
    ".nan",
    "2026-12-07",
    "2026-12-07 10:00:00",
    "<",
    "=",
    "!",
    "&",
    "*x",
    "e1",
    "Process 3",
    "text",
    "t",
    "nope",
    "ok",
    "o",
    "N/A",
    "1.2.3",
    "-x",
    "+",
    "x_1",
    "0b101",
    "12:30",
)


class TestAgreesWithPyYAML:
    """What the located loader builds equals PyYAML's own safe load, for every type YAML can
    give a plain or quoted value (only the positions are ours)."""

    @given(
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False)
            | st.dates()
            | st.sampled_from(TOKENS)
            | st.text(max_size=8),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.sampled_from(TOKENS) | st.text(max_size=6), inner, max_size=4)
            ),
            max_leaves=12,
        ),
        st.sampled_from((None, False, True)),
        st.sampled_from((None, "'", '"')),
    )
    def test_dumped_data_loads_as_pyyaml_loads_it(self, data, flow, style):
        text = yaml.safe_dump({"v": data}, default_flow_style=flow, default_style=style)
        assert load(text)[0] == yaml.safe_load(text)

    @pytest.mark.parametrize("token", [t for t in TOKENS if t not in ("<", "=", "!", "&", "*x")])
    def test_plain_words_load_as_pyyaml_loads_them(self, token):
        """... except that a time without a zone is read as UTC."""
        text = f"v: {token}\nw: [{token}]\n" if token else "v:\nw: []\n"
        expected = yaml.safe_load(text)
        if isinstance(expected["v"], datetime.datetime):
            expected["v"] = expected["v"].replace(tzinfo=datetime.timezone.utc)
            expected["w"] = [expected["v"]]
        assert load(text)[0] == expected
        assert load(text)[0]["v"].__class__ is expected["v"].__class__


def test_a_placed_position_is_a_position():
    """`place` makes the same frozen Position as the class does, only faster."""
    made = place("m.yaml", 3, 7)
    assert made == Position(file="m.yaml", line=3, col=7)
    assert hash(made) == hash(Position(file="m.yaml", line=3, col=7))
    assert (type(made), str(made), repr(made)) == (
        Position,
        "m.yaml:3:7",
        "Position(file='m.yaml', line=3, col=7)",
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.line = 4  # type: ignore[misc]


# -- loads_as: whether a text loads as given data, read from its events ------------------------

_DATA = {
    "system": {"id": "s", "name": "yes", "n": 3, "on": True, "none": None},
    "elements": [{"id": "e", "tags": ["a", "1", 1, False]}, {"id": "f", "x": [[], {}]}],
}


def _loads_as(text: str, data=_DATA, **limits) -> bool:
    import io

    from threatmodel.loader import loads_as

    return loads_as(io.StringIO(text), data, "t", Limits(**limits))


def test_a_text_written_from_data_loads_as_it():
    text = yaml.safe_dump(_DATA, sort_keys=False)
    assert _loads_as(text)
    assert load_text(text, "t")[0] == _DATA  # (as load_text says)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("id: e", "id: x"),  # another value
        ("n: 3", "n: '3'"),  # the same text read as another type
        ("'on': true", "on: true"),  # a key YAML reads as a boolean
        ("none: null", "none: ''"),
        ("  n: 3\n", ""),  # a key left out
        ("  n: 3\n", "  n: 3\n  m: 4\n"),  # a key added
        ("- id: f", "- id: f\n  y: 1"),
        ("- id: e", "- &a id: e"),  # an anchor
        ("x:", "x: !!seq"),  # a tag
        ("elements:", "elements: []\nmore:"),
        ("- id: f\n", "- id: f\n  x: *nothing\n"),  # not YAML: an unknown alias
    ],
)
def test_a_text_that_loads_as_anything_else_does_not(old, new):
    text = yaml.safe_dump(_DATA, sort_keys=False)
    assert old in text
    assert not _loads_as(text.replace(old, new, 1))


def test_a_second_document_or_a_cut_text_does_not_load_as_the_data():
    text = yaml.safe_dump(_DATA, sort_keys=False)
    assert not _loads_as(text + "---\n" + text)
    assert not _loads_as(text[: len(text) // 2])
    assert not _loads_as("")


@pytest.mark.parametrize("limit", ["max_scalar_chars", "max_nodes", "max_depth"])
def test_a_text_past_a_limit_does_not_load_as_its_data(limit):
    """At the least value of each limit that `load_text` reads the text within, and one below."""
    text = yaml.safe_dump(_DATA, sort_keys=False)
    least = next(n for n in range(1, 100) if _loads_within(text, **{limit: n}))
    assert _loads_as(text, **{limit: least})
    assert not _loads_as(text, **{limit: least - 1})


def _loads_within(text: str, **limits) -> bool:
    try:
        load_text(text, "t", Limits(**limits))
    except ThreatModelError:
        return False
    return True


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=12,
    )
)
def test_loads_as_says_yes_exactly_when_load_text_gives_the_data(data):
    text = yaml.safe_dump({"top": data}, sort_keys=False, allow_unicode=True)
    try:
        loaded = load_text(text, "t")[0] == {"top": data}
    except ThreatModelError:
        loaded = False
    assert _loads_as(text, {"top": data}) == loaded


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ("1: a\n", {1: "a"}),
        ("null: a\n", {None: "a"}),
        ("true: a\n", {True: "a"}),
        ("1.5: a\n", {1.5: "a"}),
        ("2020-01-01: a\n", {datetime.date(2020, 1, 1): "a"}),
    ],
)
def test_a_key_that_is_not_text_never_loads_as_data(text, data):
    """(Found by review.) `load_text` refuses a key read as anything but text."""
    assert not _loads_as(text, data)
    with pytest.raises(ThreatModelError):
        load_text(text, "t")
