"""JSON results: the published schema, stable key order, determinism and hostile text."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest

import threatmodel
from threatmodel.jsondata import to_plain
from threatmodel.render import json_report
from threatmodel.report import build_report, law_of, safe_url
from threatmodel.tracking import apply_decisions, default_path, load_decisions

REPORTS = Path(__file__).parent / "fixtures" / "reports"
SCHEMA = Path(threatmodel.__file__).parent / "schemas" / "results.schema.json"
TODAY = datetime.date(2024, 6, 1)


def analysed(model: str, catalog: str):
    cat = threatmodel.load_catalog([REPORTS / catalog], shipped_risks=False)
    result = threatmodel.analyze(threatmodel.load_model(REPORTS / model), cat)
    path = default_path(REPORTS / model)
    decisions = load_decisions(path) if path.exists() else None
    return build_report(apply_decisions(result, decisions, TODAY))


@pytest.fixture(scope="module")
def result():
    return analysed("model.yaml", "catalog.yaml")


@pytest.fixture(scope="module")
def hostile():
    return analysed("hostile.yaml", "hostile_catalog.yaml")


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_results_validate_against_the_published_schema(result, hostile, validator):
    """The fixture results, ordinary and hostile, are valid against results.schema.json."""
    for each in (result, hostile):
        validator.validate(json.loads(json_report.render(each)))


def test_schema_rejects_results_that_break_the_contract(result, validator):
    """The schema is strict: a missing key, an unknown key or a bad status fails."""
    data = json.loads(json_report.render(result))
    broken = [
        dict(data, extra=1),
        {k: v for k, v in data.items() if k != "summary"},
        dict(data, findings=[dict(data["findings"][0], status="maybe")]),
    ]
    for each in broken:
        assert list(validator.iter_errors(each)), each.keys()


def test_keys_come_in_the_documented_order(result, validator):
    """Top-level keys follow the schema's order, so diffs of findings.json stay readable."""
    data = json.loads(json_report.render(result))
    assert list(data) == list(validator.schema["properties"])
    finding_keys = list(validator.schema["$defs"]["ReportFinding"]["properties"])
    assert all(list(f) == finding_keys for f in data["findings"])


def test_rendering_is_deterministic(result):
    """Two renders of two separate analyses give byte-identical JSON."""
    assert json_report.render(result) == json_report.render(analysed("model.yaml", "catalog.yaml"))


def test_summary_counts_statuses_and_top_risks(result):
    """The summary counts decisions by status and names the top open risks in a sentence each."""
    summary = to_plain(result)["summary"]
    assert summary["by_status"] == {
        "open": 2,
        "in-progress": 1,
        "mitigated": 0,
        "accepted": 1,
        "false-positive": 0,
        "transferred": 0,
    }
    assert summary["open"] == 3
    assert [t["id"] for t in summary["top"]] == [
        "R-OPA-01@scoring",
        "R-SEC-01@profile-db",
        "R-SYS-01@trust",
    ]
    assert summary["top"][0]["sentence"] == (
        "Automated decisions people cannot contest at Scoring engine: high, likelihood 4 x "
        "impact 4, exposing 5,000,000 people (financial, purchase, score data)."
    )


def test_matrix_counts_findings_per_cell(result):
    """Each likelihood x impact cell counts the confirmed findings scored there."""
    matrix = to_plain(result)["matrix"]
    cells = {(c["likelihood"], c["impact"]): c for row in matrix["rows"] for c in row["cells"]}
    assert len(cells) == 25
    assert (cells[(4, 4)]["count"], cells[(4, 4)]["severity"]) == (1, "high")
    assert cells[(3, 3)]["count"] == 1 and cells[(3, 3)]["open"] == 0  # accepted
    assert sum(c["count"] for c in cells.values()) == len(result.confirmed)


def test_checklist_orders_missing_mitigations_by_risk_removed(result):
    """Mitigations not in place come first, the one removing the most open risk on top."""
    items = to_plain(result)["mitigations"]
    assert [
        (m["id"], m["in_place"], m["risk_removed"], m["risk_already_removed"]) for m in items
    ] == [
        ("MIT-R-APPEAL", False, 8, 0),  # 4x4 -> 4x2 on the open automated decision
        ("MIT-R-ENCRYPT", False, 4, 0),  # 2x4 -> 1x4: likelihood cannot drop below 1
        ("MIT-R-DPIA", False, 2, 0),  # 2x2 -> 1x2
        ("MIT-R-LOG", False, 0, 7),  # missing only on the accepted sale; 3x5 -> 2x4 in place
    ]
    assert items[3]["missing_on"] == ["f-sell"] and items[3]["in_place_on"] == ["profile-db"]


def test_compliance_groups_findings_by_law_and_article(result):
    """Law references group findings by law, articles in natural order."""
    compliance = to_plain(result)["compliance"]
    assert [(law["law"], [a["id"] for a in law["articles"]]) for law in compliance] == [
        ("ccpa", ["ccpa-1798-120"]),
        ("eu-ai-act", ["eu-ai-act-art-5"]),
        ("fcra", ["fcra-611"]),
        ("gdpr", ["gdpr-art-5", "gdpr-art-22", "gdpr-art-32"]),
        ("pipl", ["pipl-art-24"]),
    ]
    gdpr5 = compliance[3]["articles"][0]
    assert [f["id"] for f in gdpr5["findings"]] == ["R-RES-01@f-sell", "R-SYS-01@trust"]


def test_questions_ask_for_the_missing_facts(result):
    """Undecided risks become one question per missing fact, naming where it is missing."""
    questions = to_plain(result)["questions"]
    assert [(q["id"], [w["id"] for w in q["where"]], q["severity"]) for q in questions] == [
        ("encrypted_at_rest", ["archive"], "high")
    ]
    assert questions[0]["risks"][0]["findings"] == ["R-SEC-01@archive"]


def test_appendix_lists_elements_and_data_assets(result):
    """The appendix carries every element with its boundary and every data asset."""
    model = to_plain(result)["model"]
    assert [e["id"] for e in model["elements"]] == [
        "shopper",
        "scoring",
        "profile-db",
        "archive",
        "broker",
    ]
    assert model["elements"][1]["boundary"] == "platform"
    assert [(d["id"], d["retention"]) for d in model["data"]] == [
        ("purchases", "3650 days"),
        ("scores", "unknown"),
        ("health", "unknown"),
    ]


def test_hostile_text_survives_as_data_and_control_characters_are_escaped(hostile):
    """Hostile names round-trip exactly; no raw control character reaches the JSON text."""
    text = json_report.render(hostile)
    assert not any(ord(c) < 0x20 and c != "\n" for c in text)
    data = json.loads(text)
    assert data["system"]["name"] == "<script>alert('system')</script> Evil | Corp `x`"
    finding = next(f for f in data["findings"] if f["risk_id"] == "H-SEC-01")
    assert finding["description"].startswith("<img src=x onerror=alert('desc')>")
    assert "\x00\x07\x1b[2J" in finding["description"]


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.org/a b", "https://example.org/a%20b"),
        ("https://example.org/x)(y", "https://example.org/x%29%28y"),
        ("javascript:alert(1)", ""),
        ("data:text/html,<b>", ""),
        ("http:/nohost", ""),
        ("https://example.org/\x1b", ""),
        ("mailto:dpo@example.org", "mailto:dpo@example.org"),
    ],
)
def test_safe_url_allows_only_inert_web_links(url, expected):
    """Only http(s) and mailto links survive, percent-encoded for HTML and Markdown."""
    assert safe_url(url) == expected


@pytest.mark.parametrize(
    "rid, law",
    [
        ("gdpr-art-22", "gdpr"),
        ("eu-ai-act-art-5", "eu-ai-act"),
        ("ccpa-1798-120", "ccpa"),
        ("fcra-611", "fcra"),
        ("pipl-art-24", "pipl"),
        ("lgpd-art-20", "lgpd"),
        ("foo-bar-art-3", "foo-bar"),
        ("uk-gdpr-art-22", "uk-gdpr"),
    ],
)
def test_law_of_reference_ids(rid, law):
    """A law reference id is grouped under the law its prefix names."""
    assert law_of(rid) == law


def test_encoding_without_the_plain_tree_writes_what_the_plain_tree_gives(
    result, hostile, monkeypatch
):
    """`encode` (the C encoder meeting the objects themselves) writes the bytes `dumps` writes
    of `to_plain`: the report of an example, and values of every kind `to_plain` knows, at
    every depth, shared or not."""
    import enum
    import types

    import attrs

    from threatmodel import jsondata
    from threatmodel.jsondata import dumps, encode

    class Colour(str, enum.Enum):
        RED = "red"

    class Level(enum.IntEnum):
        HIGH = 3

    @attrs.frozen
    class Leaf:
        when: datetime.date
        tags: frozenset
        colour: Colour
        level: Level
        path: Path

    @attrs.frozen
    class Node:
        leaves: tuple
        by_id: dict
        view: types.MappingProxyType
        empty: tuple = ()

    leaf = Leaf(
        datetime.date(2026, 12, 7), frozenset({"b", "a"}), Colour.RED, Level.HIGH, Path("x")
    )
    node = Node(
        leaves=(leaf, leaf, [leaf, {"k": leaf}]),
        by_id={"a": leaf, 2: [(), {}, set()], "n": None, "f": 1.5},
        view=types.MappingProxyType({"v": (leaf,), 3: "three"}),
    )
    values = (node, [node, {"n": node}], {"deep": [[[node]]]}, leaf, (), "text", 7, result, hostile)
    expected = [dumps(to_plain(value)) for value in values]

    def no_plain_tree(value):
        raise AssertionError("encode fell back to the plain tree")

    monkeypatch.setattr(jsondata, "to_plain", no_plain_tree)
    assert [encode(value) for value in values] == expected


def test_a_float_that_is_not_finite_is_written_as_to_plain_writes_it():
    from threatmodel.jsondata import dumps, encode

    value = {"scores": [1.0, float("inf"), float("nan")], "deeper": {"x": [{"y": float("-inf")}]}}
    assert encode(value) == dumps(to_plain(value))
    assert '"inf"' in encode(value)


def test_an_iterator_is_laid_out_as_the_list_of_its_items_as_they_come():
    """`iter_dumps` writes an iterator above its depth as the list of its items (SARIF's
    results are made one at a time that way), an empty one as `[]`; its pieces join to the
    text `dumps` gives for lists, and no item is made before the pieces before it are read."""
    from threatmodel.jsondata import dumps, iter_dumps

    made = []

    def items(n):
        for i in range(n):
            made.append(i)
            yield {"i": i, "deeper": [i, {"x": i}]}

    for n in (0, 1, 3):
        value = {"runs": [{"results": items(n), "after": []}]}
        expected = dumps({"runs": [{"results": list(items(n)), "after": []}]}, depth=4)
        made.clear()
        pieces = iter_dumps(value, depth=4)
        text = ""
        for piece in pieces:
            text += piece
            assert len(made) <= text.count('"i"') + 1  # at most one item ahead of the text
        assert text == expected
