"""Reading other tools' files: YAML merge keys for imports, and JSON within the YAML limits."""

import os

import pytest

from tests.helpers import problems_of
from threatmodel import forked
from threatmodel.errors import ThreatModelError
from threatmodel.interop import source
from threatmodel.interop.source import read_json_text, read_source
from threatmodel.loader import Limits, load_text

MERGED = """\
base: &base {owner: ops, confidentiality: internal, tags: [a]}
first:
  <<: *base
  confidentiality: public
second:
  - &extra {origin: partner}
  - <<: [*base, *extra]
    owner: team
"""


def test_merge_keys_copy_the_keys_the_mapping_does_not_set_with_their_positions():
    """Explicit keys win over merged ones, the first of several sources wins, and a merged
    key keeps the line where it was written."""
    data, _ = load_text(MERGED, "m.yaml", merge_keys=True)
    assert data["first"] == {"confidentiality": "public", "owner": "ops", "tags": ["a"]}
    assert data["second"][1] == {
        "owner": "team",
        "confidentiality": "internal",
        "tags": ["a"],
        "origin": "partner",
    }
    assert data["first"].key_pos["owner"].line == 1
    assert data["first"].val_pos["confidentiality"].line == 4


def test_our_own_models_still_refuse_merge_keys():
    """Without merge_keys (models, catalogs, decisions) a merge key is an error, as before."""
    with pytest.raises(ThreatModelError) as caught:
        load_text(MERGED, "m.yaml")
    assert problems_of(caught)[0] == "3:3: merge keys ('<<') are not supported; write the keys out"


def test_imported_yaml_files_may_use_merge_keys(tmp_path):
    """read_source, which every importer uses, accepts merge keys."""
    path = tmp_path / "t.yaml"
    path.write_text(MERGED)
    data, _ = read_source(path)
    assert data["first"]["owner"] == "ops"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a: {<<: 1}\n", "1:9: a merge key ('<<') takes a mapping or a list of mappings (*alias)"),
        ("a: <<\n", "1:4: '<<' (a merge key) can only be a key in a mapping"),
        (
            "a: &a {b: {<<: *a}}\n",
            "1:16: alias '*a' refers to a collection that contains it "
            "(recursive structures are not allowed)",
        ),
    ],
)
def test_bad_merge_keys_are_positioned_errors(text, expected):
    with pytest.raises(ThreatModelError) as caught:
        load_text(text, "m.yaml", merge_keys=True)
    assert problems_of(caught) == [expected]


def test_merge_keys_count_against_the_node_budget():
    """A merge bomb (each level merging the one before twice) stops at max_nodes."""
    lines = ["l0: &l0 {a: 1, b: 2, c: 3, d: 4}"]
    for n in range(1, 30):
        lines.append(f"l{n}: &l{n} {{x{n}: {{<<: *l{n - 1}}}, y{n}: {{<<: *l{n - 1}}}}}")
    with pytest.raises(ThreatModelError, match="expands to more than 1,000 values"):
        load_text("\n".join(lines) + "\n", "m.yaml", Limits(max_nodes=1000), merge_keys=True)


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            '{"a": ' + "9" * 5000 + "}",
            "1:7: invalid value '" + "9" * 57 + "...': a number with 5,000 digits",
        ),
        ("[" * 100_000 + "]" * 100_000, "1:65: nesting is deeper than the limit of 64 levels"),
        (
            '{\n  "a": "x\\ud800y"}',
            "2:9: invalid JSON: '\\ud800' is half of a surrogate pair, "
            "not a character (write the character itself, or both halves)",
        ),
        (
            '{\n  "\\udc00": 1}',
            "2:4: invalid JSON: '\\udc00' is half of a surrogate pair, "
            "not a character (write the character itself, or both halves)",
        ),
        ('{"a": NaN}', "1:7: invalid JSON: NaN is not a JSON value"),
        (
            '{"a": "' + "x" * 100_001 + '"}',
            "1:7: value is 100,001 characters long, over the limit of 100,000",
        ),
    ],
    ids=[
        "5000-digit-integer",
        "nested-100000-deep",
        "lone-surrogate",
        "lone-surrogate-key",
        "nan",
        "long-string",
    ],
)
def test_json_stays_within_the_yaml_limits(text, expected):
    """What YAML refuses, JSON refuses too: one positioned message, never a crash."""
    with pytest.raises(ThreatModelError) as caught:
        read_json_text(text, "t.json")
    assert problems_of(caught) == [expected]


def test_json_value_count_is_bounded():
    """More values than max_nodes is refused at the value that crosses the limit."""
    text = "[" + ", ".join(["1"] * 50) + "]"
    with pytest.raises(ThreatModelError) as caught:
        read_json_text(text, "t.json", Limits(max_nodes=20))
    assert problems_of(caught) == ["1:59: the document has more than 20 values"]


def test_json_surrogate_pairs_and_long_numbers_that_fit_are_read():
    data = read_json_text('{"a": "\\ud83d\\ude00", "b": 1' + "0" * 99 + "}", "t.json")
    assert data["a"] == "\U0001f600" and data["b"] == 10**99


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[" * 100 + "]" * 100, "1:65: nesting is deeper than the limit of 64 levels"),
        (
            '{"a": [{"b": "' + "x" * 101 + '"}]}',
            "1:14: value is 101 characters long, over the limit of 100",
        ),
        ('[{"' + "k" * 101 + '": 1}]', "1:3: value is 101 characters long, over the limit of 100"),
    ],
    ids=["nested-100-deep", "long-value-inside", "long-key"],
)
def test_json_that_json_reads_is_still_refused_past_the_limits(text, expected):
    """Within Python's own nesting, json reads these; the check of its values finds the limit
    crossed, and the message and place are those of the token scan."""
    with pytest.raises(ThreatModelError) as caught:
        read_json_text(text, "t.json", Limits(max_scalar_chars=100))
    assert problems_of(caught) == [expected]


def test_json_positions_are_worked_out_when_first_asked_for_and_survive_edits():
    """An accepted file's positions cost nothing until read; an importer may add keys and
    items (Threagile includes do) before or after reading them."""
    text = '{\n  "a": [1,\n    {"b": "x"}],\n  "c": "y"\n}'
    data = read_json_text(text, "t.json")
    assert data._doc.starts is None  # no per-value work for positions nobody asked for
    data["d"] = "new"
    data["a"].append(2)
    assert str(data.key_pos["c"]) == "t.json:4:4"
    assert str(data.val_pos["c"]) == "t.json:4:9"
    assert "d" not in data.key_pos
    assert [str(p) for p in data["a"].item_pos] == ["t.json:2:9", "t.json:3:5"]
    assert str(data["a"][1].val_pos["b"]) == "t.json:3:12"
    assert str(data.pos) == "t.json:1:1" and str(data["a"].pos) == "t.json:2:8"
    data.key_pos["d"] = data.pos
    assert data.key_pos["d"] == data.pos


@pytest.mark.skipif(not forked.AVAILABLE, reason="the platform cannot fork")
def test_a_big_json_texts_positions_scanned_in_a_child_are_the_same(monkeypatch):
    """From SCAN_BESIDE characters on, where values start is found in a forked child while
    the text is parsed: the positions are those found here."""

    items = ",\n".join(
        f'  {{"id": "e{i}", "name": "é \\u00e9 {i}", "n": [{i}, true]}}' for i in range(300)
    )
    text = '{"items": [\n' + items + "\n]}"
    here = read_json_text(text, "t.json")
    here_places = [
        (str(i.pos), str(i.val_pos["name"]), str(i["n"].item_pos[1])) for i in here["items"]
    ]
    assert here._doc.starts is not None
    monkeypatch.setattr(source, "SCAN_BESIDE", 0)
    monkeypatch.setattr(forked, "_room", list)  # whatever memory the test machine has left
    pids = []
    scan = source._Document.scan
    monkeypatch.setattr(
        source._Document, "scan", lambda self: (pids.append(os.getpid()), scan(self))[1]
    )
    beside = read_json_text(text, "t.json")
    assert beside._doc.starts is not None and pids == []  # scanned, and not in this process
    assert [
        (str(i.pos), str(i.val_pos["name"]), str(i["n"].item_pos[1])) for i in beside["items"]
    ] == here_places
