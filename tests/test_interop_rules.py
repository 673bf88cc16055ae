"""The rules every import shares: categories, the organisation, includes, detection, comments."""

import datetime
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import threatmodel
from threatmodel.cli import main
from threatmodel.errors import Position, ThreatModelError
from threatmodel.interop import import_model, model_writer
from threatmodel.interop.build import Builder
from threatmodel.interop.categories import decide
from threatmodel.interop.detect import detect
from threatmodel.interop.model_writer import dump_model
from threatmodel.interop.organisation import place
from threatmodel.interop.report import report_lines
from threatmodel.interop.tmbom import _Names
from threatmodel.loader import load_text
from threatmodel.model import Boundary, Element, System

# -- categories --------------------------------------------------------------------------------


def test_a_statement_wins_over_words():
    result = decide(stated=("configuration",), stated_why="usage: devops", texts=("job data",))
    assert (result.values, result.why, result.guessed) == (
        ("configuration",),
        "from usage: devops",
        False,
    )


def test_no_personal_guess_against_public_or_not_personal():
    """Words may still say 'business', never 'identity', when the data is public."""
    result = decide(not_personal="confidentiality: public", texts=("Customer names and prices",))
    assert result.values == ("business",) and result.blocked == ("identity",)
    assert decide(not_personal="isPII: false", texts=("customer names",)).values == ()


def test_guesses_name_their_words_and_common_traps_are_avoided():
    assert decide(texts=("Build job config",)).values == ("configuration",)  # not employment
    assert decide(texts=("Credit card data",)).values == ("financial",)  # not credit
    result = decide(texts=("Customer accounts with passwords",))
    assert result.values == ("credentials", "identity")
    assert result.why == "guessed from the words 'customer', 'passwords'"


def test_a_pii_statement_is_refined_by_the_words():
    result = decide(
        stated=("identity",), stated_why="the tag pii", texts=("national id numbers",), refine=True
    )
    assert result.values == ("identity", "government_id") and result.guessed


# -- the organisation ----------------------------------------------------------------------


def _build(elements, boundaries):
    build = Builder("t.json", "test")
    build.elements = [Element(id=i, kind=k, type=t) for i, k, t in elements]
    build.boundaries = [Boundary(id=i, type=k, members=m) for i, k, m in boundaries]
    return build


def test_third_parties_leave_mixed_boundaries_and_own_ones_go_inside():
    """A boundary holding the operator's server and a third-party API keeps the server; the
    API, the users and the internet zone stay outside the one organisation boundary."""
    build = _build(
        [
            ("user", "actor", "data_subject"),
            ("admin", "actor", "operator_staff"),
            ("web", "process", None),
            ("llm", "external_service", None),
            ("db", "datastore", None),
        ],
        [
            ("internet", "network", ("user",)),
            ("cloud", "cloud_account", ("web", "llm")),
            ("company", "organisation", ("db",)),
        ],
    )
    place(build, {}, {"internet": "'internet' in its name"})
    boundaries = {b.id: b for b in build.boundaries}
    assert boundaries["cloud"].members == ("web",)
    assert boundaries["company"].type == "network"  # the operator's own: not a second org
    assert boundaries["operator"].type == "organisation"
    assert set(boundaries["operator"].members) == {"cloud", "company", "admin"}
    topics = {n.topic for n in build.notes}
    assert "taken out of their boundary to sit outside the organisation" in topics


def test_no_organisation_when_nothing_is_the_operators():
    build = _build([("user", "actor", "data_subject"), ("api", "external_service", None)], [])
    place(build)
    assert build.boundaries == []
    assert any("no organisation boundary" in n.topic for n in build.notes)


# -- Threagile files -------------------------------------------------------------------------

MODEL = """\
threagile_version: 1.0.0
title: Merge test
data_assets:
  Base: &base
    id: base
    description: Customer names and addresses
    usage: business
    quantity: many
    confidentiality: confidential
  Copy:
    <<: *base
    id: copy
    confidentiality: public
technical_assets:
  App:
    id: app
    type: process
    technology: web-server
    data_assets_processed: [base, copy]
"""


def test_threagile_merge_keys_copy_and_override(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(MODEL)
    data = {d.id: d for d in import_model("auto", path).model.data}
    assert data["copy"].attributes["confidentiality"] == "public"
    assert data["copy"].categories == ()  # public: 'customer' gives no identity
    assert data["base"].categories == ("identity",)
    assert data["copy"].field_pos["usage"].line == 7  # the merged key's own line


@pytest.mark.parametrize(
    "includes, files, words",
    [
        (["../outside.yaml"], {}, "is outside the model's directory"),
        (["/etc/passwd"], {}, "is outside the model's directory"),
        (["missing.yaml"], {}, "file 'missing.yaml' not found"),
        (["a.yaml"], {"a.yaml": "data_assets:\n  Base: {id: other}\n"}, "'Base' is defined twice"),
        (["a.yaml"], {"a.yaml": "title: Another title\n"}, "'title' differs from the one in"),
    ],
)
def test_bad_threagile_includes_are_positioned_errors(tmp_path, includes, files, words):
    (tmp_path / "outside.yaml").write_text("data_assets: {}\n")
    model = tmp_path / "model"
    model.mkdir()
    for name, text in files.items():
        (model / name).write_text(text)
    path = model / "m.yaml"
    path.write_text(MODEL + "includes: " + json.dumps(includes) + "\n")
    with pytest.raises(ThreatModelError) as caught:
        import_model("auto", path)
    assert any(words in p.message and p.line for p in caught.value.problems)


def test_threagile_includes_share_one_file_budget(tmp_path):
    """Many includes cannot add up past one file's byte limit."""
    from threatmodel.loader import Limits

    parts = []
    for n in range(5):
        (tmp_path / f"p{n}.yaml").write_text(f"questions:\n  q{n}: {'x' * 300}\n")
        parts.append(f"p{n}.yaml")
    path = tmp_path / "m.yaml"
    path.write_text(MODEL + "includes: " + json.dumps(parts) + "\n")
    with pytest.raises(ThreatModelError, match="the limits cover a model with all its includes"):
        import_model("auto", path, Limits(max_bytes=1500))


def test_threagile_includes_share_one_file_value_budget(tmp_path):
    """Values count across the main file and its includes (the main file's counted when the
    first include is read): a model one value over the limit with all of them is refused."""
    from threatmodel.loader import Limits, load_text
    from threatmodel.model_yaml import count_values

    tags = ", ".join(f"t{i}" for i in range(100))
    texts = {"p0.yaml": f"tags_available: [{tags}]\n", "p1.yaml": f"tags_available: [{tags}]\n"}
    texts["m.yaml"] = MODEL + 'includes: ["p0.yaml", "p1.yaml"]\n'
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
    total = sum(count_values(load_text(t, "t", merge_keys=True)[0]) for t in texts.values())
    path = tmp_path / "m.yaml"
    assert import_model("auto", path, Limits(max_nodes=total)).model.elements
    with pytest.raises(ThreatModelError, match="the limits cover a model with all its includes"):
        import_model("auto", path, Limits(max_nodes=total - 1))


# -- detection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, fmt",
    [
        ({"otmVersion": "0.2.0", "project": {}}, "otm"),
        ({"summary": {}, "detail": {}}, "threat-dragon"),
        ({"flows": [], "boundaries": [], "threatsFile": "x"}, "pytm"),
        ({"title": "x", "technical_assets": {}}, "threagile"),
        ({"scope": {}, "trust_zones": [], "data_flows": []}, "tmbom"),
        ({"bomFormat": "CycloneDX"}, "cyclonedx"),
        ({"system": {"id": "s"}}, "threatmodel"),
        ({"system": {"id": "s"}, "flows": [], "boundaries": []}, "threatmodel"),
        ({"flows": [], "boundaries": []}, "pytm"),
        ({"something": 1}, None),
    ],
)
def test_formats_are_recognised_by_their_keys(data, fmt):
    found = detect(data)
    assert (found[0] if found else None) == fmt


def test_our_own_model_is_not_imported(tmp_path, capsys):
    path = tmp_path / "m.yaml"
    path.write_text("system: {id: s}\n")
    assert main(["import", str(path)]) == 2
    assert "already a threatmodel model" in capsys.readouterr().err


def test_our_own_model_with_flows_and_boundaries_is_not_taken_for_pytm(capsys):
    """Before: the example was read as pytm's JSON (it has `flows` and `boundaries`) and
    refused with hundreds of "'sink' names unknown element None"."""
    example = Path(__file__).parents[1] / "examples" / "trust-score-platform.yaml"
    assert main(["import", str(example)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "already a threatmodel model" in err[0], err


def test_bad_json_is_exit_2_with_a_position_and_nothing_written(tmp_path, capsys):
    path = tmp_path / "td.json"
    path.write_text('{"summary": {"title": "x"},\n "detail": {"diagrams": [}}')
    out = tmp_path / "out.yaml"
    assert main(["import", str(path), "-o", str(out)]) == 2
    assert f"{path}:2:" in capsys.readouterr().err
    assert not out.exists()


def test_a_threat_dragon_file_cannot_make_the_import_read_other_files(tmp_path):
    """Our export's `detail.threatmodel` is read without `include` (no file is opened)."""
    path = tmp_path / "td.json"
    path.write_text(
        json.dumps(
            {
                "summary": {"title": "x"},
                "detail": {
                    "diagrams": [],
                    "threatmodel": {"system": {"id": "x"}, "include": ["a.yaml"]},
                },
            }
        )
    )
    with pytest.raises(ThreatModelError, match="'include' is not read here"):
        import_model("auto", path)


# -- staff consoles ----------------------------------------------------------------------------

PYTM_FIXTURE = Path(__file__).parent / "fixtures" / "interop" / "border-watchlist.pytm.json"


def _threagile(names):
    assets = {
        name: {"id": element_id, "type": "process", "technology": "web-application"}
        for element_id, name in names
    }
    return yaml.safe_dump({"title": "Consoles", "technical_assets": assets})


def _otm(names):
    zone = {"id": "z", "name": "Internal", "risk": {"trustRating": 50}}
    components = [
        {"id": element_id, "name": name, "type": "web-application", "parent": {"trustZone": "z"}}
        for element_id, name in names
    ]
    components.append(  # no type: the kind comes from the name ('admin' alone says actor)
        {"id": "ops-console", "name": "Ops console", "parent": {"trustZone": "z"}}
    )
    document = {"otmVersion": "0.2.0", "project": {"id": "p", "name": "Consoles"}}
    return json.dumps(document | {"trustZones": [zone], "components": components})


def _pytm(names):
    tm = json.loads(PYTM_FIXTURE.read_text())
    del tm["elements"]  # the elements are read from actors and assets then
    process = next(a for a in tm["assets"] if a["__class__"] == "Process")
    blank = {"description": "", "inputs": [], "outputs": []}
    tm["assets"] += [process | blank | {"name": name} for _, name in names]
    return json.dumps(tm)


def _threat_dragon(names):
    cells = [
        {"shape": "process", "id": element_id, "data": {"name": name, "type": "tm.Process"}}
        for element_id, name in names
    ]
    cells[0]["data"]["isWebApplication"] = True  # how it is built, not what it is for
    diagram = {"id": 0, "title": "d", "diagramType": "STRIDE", "version": "2.2.0", "cells": cells}
    return json.dumps(
        {"version": "2.2.0", "summary": {"title": "Consoles"}, "detail": {"diagrams": [diagram]}}
    )


@pytest.mark.parametrize(
    "name, write, consoles",
    [
        ("t.yaml", _threagile, [("admin-panel", "Admin panel")]),
        ("o.json", _otm, [("admin-console", "Admin console")]),
        ("tm.json", _pytm, [("console", "console"), ("back-office", "back office")]),
        ("td.json", _threat_dragon, [("a", "admin panel"), ("o", "ops console")]),
    ],
)
def test_consoles_and_admin_panels_become_console_processes(tmp_path, name, write, consoles):
    """No format has a technology or flag for a staff console, so its name decides, before
    the technology's generic `api`; "Consolidation service" beside it stays an api."""
    path = tmp_path / name
    path.write_text(write([*consoles, ("consolidation", "Consolidation service")]))
    result = import_model("auto", path)
    types = {e.name or e.id: (e.kind, e.type) for e in result.model.elements}
    for element_id, element_name in consoles:
        assert types.get(element_name, types.get(element_id)) == ("process", "console")
    if name == "o.json":
        assert types["Ops console"] == ("process", "console")
    assert types["Consolidation service"] == ("process", "api")
    notes = " ".join(p.message for p in result.summary())
    assert "console" in notes  # a guess from words is reported, never silent


# -- what an import writes ---------------------------------------------------------------------


def test_comments_land_on_their_fields_and_the_yaml_reads_back_the_same():
    model = threatmodel.load_model_data(
        {
            "system": {"id": "s", "description": "line one\nline two"},
            "data": [{"id": "d", "categories": ["identity"], "description": "a|b\nc"}],
            "elements": [{"id": "e", "kind": "process", "inputs": [f"d{i}" for i in range(1)]}],
        },
        strict=False,
    )
    comments = {
        ("data", "d", "categories"): "guessed from the word 'name'; check",
        ("data", "d", "description"): "from the source",
        ("system", "s", "description"): "multi-line",
        ("elements", "e", "kind"): "from class Process",
    }
    text = dump_model(model, ["header"], comments)
    assert "categories: [identity]  # guessed from the word 'name'; check" in text
    assert "kind: process  # from class Process" in text
    body = yaml.safe_load(text)
    assert body["data"][0]["description"] == "a|b\nc"
    assert body["system"]["description"] == "line one\nline two"


def test_a_comment_stays_on_its_field_before_a_key_of_another_shape():
    """An attribute named `x-y` (or a key the dumper quotes) starts a field too: the comment
    on the field before it stays there."""
    model = threatmodel.load_model_data(
        {
            "system": {"id": "s"},
            "vocabulary": {
                "attributes": [
                    {"name": "x-y", "type": "int", "applies_to": ["process"]},
                    {"name": "yes", "type": "int", "applies_to": ["process"]},
                ]
            },
            "elements": [{"id": "e", "kind": "process", "type": "api", "x-y": 1, "yes": 2}],
        },
        strict=False,
    )
    text = dump_model(model, [], {("elements", "e", "type"): "c", ("elements", "e", "x-y"): "d"})
    assert "  type: api  # c\n  x-y: 1\n" in text


@pytest.mark.parametrize(
    "value",
    [
        "x\n\u2028y\u2029z",  # libyaml writes the U+2028 at column 0 of a quoted text
        "|" + "x" * 40 + ":|\n: \u00e9\u2028:>|",  # a quoted text's first line ends as `key: |`
        ":\u2029': |\na  ",
    ],
)
def test_awkward_values_read_back_as_they_were_with_each_comment_on_its_field(value):
    """A U+2028 or U+2029 is no section or item, and a quoted text whose line ends like a
    block scalar's first line is not one: the value reads back as it was, and each comment
    stays on its own field (found by a fuzz run: 3,000 values, old and new writer)."""
    model = threatmodel.load_model_data(
        {
            "system": {"id": "s"},
            "elements": [
                {"id": "a", "kind": "process", "description": value},
                {"id": "b", "kind": "process"},
            ],
        },
        strict=False,
    )
    comments = {
        ("elements", "a", "description"): "from the source",
        ("elements", "b", "kind"): "guessed",
    }
    text = dump_model(model, [], comments)
    data, _ = load_text(text, "t")
    assert data["elements"][0]["description"] == value
    assert "kind: process  # guessed" in text
    assert text.count("# from the source") == 1 and "from the source" not in str(data)


_AWKWARD = [
    "",
    " ",
    "~",
    "null",
    "Null",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "true",
    "1",
    "-1",
    "+1",
    "0x1F",
    "0o17",
    "1_000",
    "1e3",
    ".5",
    ".inf",
    "-.Inf",
    ".NaN",
    "2026-12-07",
    "2026-12-07 10:00:00",
    "12:30",
    "1:20:30",
    "<<",
    "=",
    "!tag",
    "&anchor",
    "*alias",
    "- item",
    "? key",
    ": value",
    "a: b",
    "a #b",
    "#c",
    "[x]",
    "{x}",
    "'quoted'",
    '"double"',
    "|",
    ">",
    "%YAML",
    "@at",
    "`tick",
    "line one\nline two",
    "trailing ",
    " leading",
    "tab\there",
    "caf\u00e9",
    "\u202eevil",
    "\u0085next",
    "x" * 150,
    "word " * 40,
]


class _GenericDumper(yaml.CSafeDumper):
    """How the writer used to write: PyYAML's safe representer, flow lists by a representer."""


_GenericDumper.add_representer(
    model_writer._Flow,
    lambda dumper, v: dumper.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True),
)


@pytest.mark.parametrize("text", _AWKWARD)
def test_the_writer_writes_each_value_as_pyyaml_s_representer_does(text):
    """The nodes built directly for speed give the text PyYAML's own safe representer gives,
    and it reads back as the value it was."""
    data = {
        "system": {"id": "s", "name": text, "flag": True, "none": None, "n": -12, "f": 1.5},
        "elements": [{"id": "e", "tags": model_writer._Flow([text, 3, False]), "x": [text, []]}],
        "when": [datetime.date(2026, 12, 7), {}],
    }
    options = {"sort_keys": False, "allow_unicode": True, "default_flow_style": False}
    options.update(width=100, indent=2)
    written = yaml.dump(data, Dumper=model_writer._Dumper, **options)
    assert written == yaml.dump(data, Dumper=_GenericDumper, **options)
    assert yaml.safe_load(written) == data


_ITEM_OPTIONS = {"sort_keys": False, "allow_unicode": True, "default_flow_style": False}
_ITEM_OPTIONS.update(width=100, indent=2, Dumper=model_writer._Dumper)


def _item(text: str, more: list) -> dict:
    return {
        "id": "e",
        "description": text,
        "tags": model_writer._Flow([text, 3, *more]),
        "name": " ".join([text] * 12),  # past the width: broken as PyYAML breaks it
        "n": None,
    }


def test_an_item_written_without_pyyaml_is_written_as_pyyaml_writes_it():
    """Items of one line of printable ASCII are written without PyYAML, plain or quoted as
    libyaml would, long texts and flow lists broken where it breaks them; the text is the
    same, and any other item is left to PyYAML (None)."""
    fast = 0
    for text in _AWKWARD:
        item = _item(text, [f"{text}-{i}" for i in range(30)])
        written = model_writer._simple_item(item, {}, "elements", "e")
        if written is not None:
            fast += 1
            assert written == yaml.dump([item], **_ITEM_OPTIONS)
    assert fast >= 40  # all but the texts of more than one line or not all ASCII


@given(
    st.text(st.sampled_from("ab :#-?,[]{}'\"!&*|>%@`.~019yNtFo_+=/<()"), min_size=1, max_size=140),
    st.lists(st.text(st.sampled_from("ab :,-'#?1y"), min_size=1, max_size=30), max_size=20),
)
def test_any_ascii_item_is_written_as_pyyaml_writes_it(text, more):
    item = _item(text, more)
    written = model_writer._simple_item(item, {}, "elements", "e")
    assert written in (None, yaml.dump([item], **_ITEM_OPTIONS))
    if text.strip() == text and "\n" not in text and all(m.strip() == m for m in more):
        assert written is not None  # one line of printable ASCII each: never left to PyYAML


def test_the_writer_s_shortcut_for_tags_holds_for_this_pyyaml():
    """The writer skips PyYAML's tag resolution for texts no implicit tag can start; that holds
    only while no resolver matches any first character and none works by path."""
    assert None not in model_writer._Dumper.yaml_implicit_resolvers
    assert not model_writer._Dumper.yaml_path_resolvers


def test_report_lines_name_every_place_once():
    notes = []
    build = Builder("m.yaml", "test")
    for line in (4, 9, 9):
        build.note(Position(file="m.yaml", line=line, col=3), "topic", "field")
    build.note(Position(file="part.yaml", line=2, col=1), "topic", "other")
    notes = build.notes
    assert report_lines(notes, "m.yaml") == [
        "- topic:",
        "    field (lines 4, 9)",
        "    other (at part.yaml:2)",
    ]


def test_report_lines_can_show_at_most_so_many_details_and_places():
    build = Builder("m.yaml", "test")
    for line in range(1, 31):
        build.note(Position(file="m.yaml", line=line, col=1), "topic", "field")
    for name in ("a", "b", "c", "d", "e"):
        build.note(Position(file="m.yaml", line=40, col=1), "other", name)
    assert report_lines(build.notes, "m.yaml", most=3) == [
        "- topic:",
        "    field (lines 1, 2, 3 and 27 more)",
        "- other:",
        "    a (line 40)",
        "    b (line 40)",
        "    c (line 40)",
        "    ... and 2 more",
    ]
    assert report_lines(build.notes[:-1], "m.yaml", most=3)[-1] == "    d (line 40)"  # not "1 more"
    whole = report_lines(build.notes, "m.yaml")  # without `most`, everything
    assert "30)" in whole[2] and whole[-5:] == [f"    {name} (line 40)" for name in "abcde"]


def test_an_import_prints_a_bounded_report_and_writes_the_whole_one(tmp_path, capsys):
    """Thousands of notes (a big model's unmapped fields) fill the top of the model, not the
    terminal: there, each kind shows at most NOTES_SHOWN details and places."""
    from threatmodel.commands.import_model import NOTES_SHOWN

    source = tmp_path / "many.json"
    components = [
        {
            "id": f"c{i}",
            "name": f"C{i}",
            "type": "web-service",
            f"odd{i}": 1,
            "parent": {"trustZone": "tz"},
        }
        for i in range(NOTES_SHOWN + 5)
    ]
    source.write_text(
        json.dumps(
            {
                "otmVersion": "0.2.0",
                "project": {"name": "P", "id": "p"},
                "trustZones": [{"id": "tz", "name": "TZ"}],
                "components": components,
            },
            indent=1,
        )
    )
    out = tmp_path / "m.yaml"
    assert main(["import", str(source), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"at most {NOTES_SHOWN} of each kind here; all of them at the top of the model" in err
    assert "component: odd0 (line" in err and f"component: odd{NOTES_SHOWN} " not in err
    assert "    ... and 5 more" in err
    written = out.read_text()
    assert all(f"#     component: odd{i} (line" in written for i in range(NOTES_SHOWN + 5))


def test_tmbom_symbolic_names_are_valid_and_unique():
    name = _Names()
    assert name("element", "Web_Server.1") == "web-server-1"
    assert name("zone", "web-server-1") == "web-server-1-2"
    assert name("element", "Web_Server.1") == "web-server-1"


def test_system_only_model_exports_everywhere(tmp_path):
    """The smallest model still gives valid documents (no elements, no boundaries)."""
    from threatmodel.interop.threat_dragon_export import export_threat_dragon
    from threatmodel.interop.tmbom import export_tmbom

    model = threatmodel.model.SystemModel(system=System(id="empty"))
    assert export_threat_dragon(model)["detail"]["diagrams"][0]["cells"] == []
    assert export_tmbom(model)["scope"]["title"] == "empty"


def test_a_model_written_in_parts_is_the_model_written_at_once(monkeypatch):
    """Long lists are dumped a few items at a time (so that the read-back can start on the
    first while the rest are written): the parts, joined, are the text of one dump, comments
    on the items of every part included."""
    model = threatmodel.load_model_data(
        {
            "system": {"id": "s", "description": "a\nb"},
            "data": [{"id": f"d{i}", "categories": ["identity"]} for i in range(5)],
            "elements": [
                {"id": f"e{i}", "kind": "process", "description": f"x\n{i}" * (i % 3)}
                for i in range(7)
            ],
        },
        strict=False,
    )
    comments = {("elements", f"e{i}", "kind"): f"guess {i}" for i in range(7)}
    comments[("data", "d4", "categories")] = "from a word"
    whole = model_writer.dump_body(model, comments)
    one_dump = yaml.dump(  # the whole model in one dump, commented as one text
        model_writer.model_data(model),
        Dumper=model_writer._Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
        indent=2,
    )
    assert whole == model_writer._SECTION.sub(
        "\n\n", model_writer._commented(one_dump, model, comments)
    )
    monkeypatch.setattr(model_writer, "PART_ITEMS", 2)
    parts = list(model_writer.dump_sections(model, comments))
    assert len(parts) == 1 + 3 + 4 and "".join(parts) == whole
    assert all(f"kind: process  # guess {i}\n" in whole for i in range(7))
    assert "categories: [identity]  # from a word\n" in whole
    assert [line for line in whole.split("\n") if line[:1].isalpha()] == [
        "system:",
        "data:",
        "elements:",
    ]  # each section's key once, at the head of its first part
    assert whole.count("\n\ndata:\n") == whole.count("\n\nelements:\n") == 1


def _tables():
    from threatmodel.interop import mapping, organisation

    tables = [mapping.BOUNDARY_WORDS, mapping.CATEGORY_WORDS, mapping.SOURCE_WORDS]
    tables += [mapping.KIND_WORDS, organisation.THIRD_PARTY_ZONE_WORDS]
    return tables + list(mapping.TYPE_WORDS.values())


def _phrase_words() -> list[str]:
    return sorted({w for table in _tables() for row, _ in table for p in row for w in p.split()})


@given(st.lists(st.sampled_from(_phrase_words() + ["x", "Customer", "eMail", "credit-card"])))
def test_the_word_index_finds_what_reading_every_phrase_in_order_finds(chosen):
    """`first_match` and `categories_for` look phrases up by the text's words; they find what
    trying each row's phrases in order finds (`_has`, row after row)."""
    from threatmodel.interop import mapping

    text = " ".join(chosen)
    for table in _tables():
        expected = next(
            (
                (value, hit)
                for phrases, value in table
                if (hit := mapping._has(mapping.words(text), phrases))
            ),
            (None, None),
        )
        assert mapping.first_match(table, text) == expected
    normal = mapping.words(text)  # every row's first hit, in order (`categories_for`)
    each_row = [mapping._has(normal, phrases) for phrases, _ in mapping.CATEGORY_WORDS]
    hits = {row: hit for row, hit in enumerate(each_row) if hit}
    assert mapping._hits(normal, mapping.CATEGORY_WORDS) == hits
