"""The one typed reader (`fields.Fields`): one set of rules for models, catalogs, decisions and
imports; the importers' `Builder` reads through it with the one named option `foreign`."""

from __future__ import annotations

import pytest

import threatmodel
from tests.helpers import problems_of
from threatmodel.errors import Collector, ThreatModelError
from threatmodel.fields import Fields
from threatmodel.interop.build import Builder
from threatmodel.loader import load_text


def _read(yaml_text: str, method: str, key: str = "v", *, foreign: bool = False, **options):
    data, _ = load_text(yaml_text, "t.yaml")
    out = Collector()
    fields = Fields(data, out, "thing", foreign=foreign)
    value = getattr(fields, method)(key, **options)
    return value, [f"{p.line}:{p.col}: {p.message}" for p in out.problems], fields.failed


@pytest.mark.parametrize("foreign", [False, True])
@pytest.mark.parametrize(
    "text, required, value, problems",
    [
        ("v: hello\n", True, "hello", []),
        ("v: 2024\n", False, "2024", []),
        ("v: 1.5\n", True, "1.5", []),
        ("{}\n", False, "", []),
        ("v: ~\n", True, "", ["1:1: thing: 'v' is required"]),
        ("v: ''\n", True, "", ["1:1: thing: 'v' is required"]),
        ("v: true\n", False, "", ["1:4: thing: 'v' must be text, not a boolean"]),
        ("v: 2024-01-01\n", False, "", ["1:4: thing: 'v' must be text, not a date"]),
        ("v: [a]\n", False, "", ["1:4: thing: 'v' must be text, not a list"]),
    ],
)
def test_free_text_reads_alike_in_every_file(foreign, text, required, value, problems):
    """Free text: a string or a number's text; null and '' are missing; other types reported."""
    got, found, failed = _read(text, "text", foreign=foreign, required=required)
    assert (got, found) == (value, problems)
    assert ("v" in failed) == bool(problems)


@pytest.mark.parametrize(
    "text, own, foreign",
    [
        ("v: db\n", ("db", []), ("db", [])),
        ("v: 010\n", ("", ["1:4: thing: 'v' must be text, not a number"]), ("8", [])),
        ("v: 7\n", ("", ["1:4: thing: 'v' must be text, not a number"]), ("7", [])),
        ("v: ''\n", ("", ["1:1: thing: 'v' is required"]), ("", ["1:1: thing: 'v' is required"])),
    ],
)
def test_identifiers_refuse_numbers_except_in_foreign_files(text, own, foreign):
    """YAML may have changed a number ('010' is 8), so our own files must quote an id that
    looks like one; a foreign file's numeric ids (JSON) are read as their text."""
    assert _read(text, "word", required=True)[:2] == own
    assert _read(text, "word", required=True, foreign=True)[:2] == foreign


@pytest.mark.parametrize(
    "text, own, foreign",
    [
        ("v: [a, b]\n", ["a", "b"], ["a", "b"]),
        ("v: a\n", ["a"], ["a"]),  # a single one without brackets
        ("v: [a, ~, b]\n", ["a", "b", "1:8: thing: 'v' entries must be text, not null"], ["a", "b"]),
        ("v: [a, '', b]\n", ["a", "b", "1:9: thing: 'v' entries must not be empty"], ["a", "b"]),
        ("v: [1, 2.5]\n", ["1:5: thing: 'v' entries must be text, not a number",
                           "1:8: thing: 'v' entries must be text, not a decimal number"], ["1", "2.5"]),
        ("v: {a: 1}\n", ["1:4: thing: 'v' must be a list, not a mapping"],
         ["1:4: thing: 'v' must be a list, not a mapping"]),
    ],
)  # fmt: skip
def test_lists_of_ids_read_alike_except_missing_entries_and_numbers(text, own, foreign):
    """The same list rule; `foreign` skips missing entries and reads numbers as text."""
    for is_foreign, want in ((False, own), (True, foreign)):
        entries, problems, _ = _read(text, "id_entries", foreign=is_foreign)
        assert [t for t, _ in entries] + problems == want


def test_builder_reads_through_the_same_reader():
    """Builder.text/texts/flag/mapping/sequence give what Fields(foreign=True) gives, with the
    same messages, and a container that is not a mapping reads as empty."""
    data, _ = load_text(
        "a: 7\nb: ''\nc: [x, ~, 3]\nd: yes_really\ne: {k: 1}\nf: [1]\ng: true\n", "t.yaml"
    )
    build = Builder("t.yaml", "test")
    assert build.text(data, "a", "thing") == "7"
    assert build.text(data, "b", "thing", required=True) == ""
    assert [t for t, _ in build.texts(data, "c", "thing")] == ["x", "3"]
    assert build.texts(data, "d", "thing")[0][0] == "yes_really"  # one entry, no brackets
    assert build.mapping(data, "e", "thing") == {"k": 1}
    assert build.sequence(data, "f", "thing") == [1]
    assert build.flag(data, "g", "thing") is True
    assert build.flag(data, "a", "thing") is None
    assert build.text(None, "a", "thing") == "" and build.sequence("x", "a", "thing") == []
    assert build.at(data, "e") == data.val_pos["e"] and build.key_at(data, "e") == data.key_pos["e"]
    assert [f"{p.line}:{p.col}: {p.message}" for p in build.out.problems] == [
        "1:1: thing: 'b' is required",
        "1:4: thing: 'a' must be true or false, not a number",
    ]


def test_empty_text_is_missing_in_our_own_files(write, core_catalog):
    """`id: ''` and `kind: ''` used to pass as valid; they are missing values now."""
    path = write(
        "m.yaml", "system: {id: s}\nelements:\n  - {id: '', kind: actor}\n  - {id: a, kind: ''}\n"
    )
    with pytest.raises(ThreatModelError) as excinfo:
        threatmodel.load_model(path)
    assert problems_of(excinfo) == [
        "3:5: element: 'id' is required",
        "4:5: element 'a': 'kind' is required",
    ]


def test_vocabulary_flags_say_what_they_got(write):
    """A flag that is not true or false names the type it found, as every flag does."""
    path = write(
        "c.yaml",
        "vocabulary:\n  data_categories:\n    - {name: odd, personal: 'yes'}\n",
    )
    with pytest.raises(ThreatModelError) as excinfo:
        threatmodel.load_catalog([path], shipped_risks=False)
    assert problems_of(excinfo) == [
        "3:30: data category: 'personal' must be true or false, not text"
    ]
