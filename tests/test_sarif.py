"""SARIF 2.1.0: valid against the OASIS schema, one rule per risk, stable fingerprints,
suppressed decisions, positions in the model file, escaping and determinism."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest

import threatmodel
from threatmodel.render import sarif
from threatmodel.report import build_report
from threatmodel.tracking import apply_decisions, default_path, load_decisions

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def analysed(model: Path, catalog: str, today=datetime.date(2024, 6, 1)):
    cat = threatmodel.load_catalog([REPORTS / catalog], shipped_risks=False)
    result = threatmodel.analyze(threatmodel.load_model(model), cat)
    path = default_path(model)
    return build_report(
        apply_decisions(result, load_decisions(path) if path.exists() else None, today)
    )


@pytest.fixture(scope="module")
def log():
    return json.loads(sarif.render(analysed(REPORTS / "model.yaml", "catalog.yaml")))


@pytest.fixture(scope="module")
def validator(shared_file):
    schema = json.loads(shared_file("schemas/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def test_log_validates_against_the_sarif_schema(log, validator):
    """The fixture's log, and the hostile model's, are valid SARIF 2.1.0."""
    validator.validate(log)
    hostile = json.loads(sarif.render(analysed(REPORTS / "hostile.yaml", "hostile_catalog.yaml")))
    validator.validate(hostile)


def test_one_rule_per_risk_with_descriptions_help_and_severity(log):
    """Every catalog risk is a rule with text, help, tags and a security-severity."""
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["R-OPA-01", "R-RES-01", "R-SEC-01", "R-SYS-01"]
    sec = rules[2]
    assert sec["shortDescription"]["text"] == "Personal data stored unencrypted"
    assert sec["fullDescription"]["text"] == "A copy of the store exposes everyone in it."
    assert "Encrypt the store at rest (MIT-R-ENCRYPT)" in sec["help"]["text"]
    assert "[Equifax breach \\(2017\\)](https://www.ftc.gov/equifax)" in sec["help"]["markdown"]
    assert sec["properties"]["security-severity"] == "8.0"  # 3 x 4 = 12: high
    assert "external/cwe/cwe-311" in sec["properties"]["tags"]
    assert sec["defaultConfiguration"]["level"] == "error"


def test_results_point_at_the_element_line_and_carry_levels(log):
    """Each result names its rule, the model file and the element's line; levels follow bands."""
    results = {r["properties"]["findingId"]: r for r in log["runs"][0]["results"]}
    sec = results["R-SEC-01@profile-db"]
    location = sec["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("tests/fixtures/reports/model.yaml")
    assert location["region"] == {"startLine": 16, "startColumn": 5}
    assert sec["locations"][0]["logicalLocations"][0]["name"] == "profile-db"
    assert (sec["kind"], sec["level"]) == ("fail", "warning")  # 2 x 4 = 8: medium
    assert results["R-OPA-01@scoring"]["level"] == "error"
    assert "R-SEC-01@archive" not in results  # undecided: a question, not a result


def test_closed_findings_are_suppressed_open_ones_are_not(log):
    """An accepted finding carries an external suppression with its justification."""
    results = {r["properties"]["findingId"]: r for r in log["runs"][0]["results"]}
    assert results["R-RES-01@f-sell"]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "accepted: Contract forbids onward sale; audit in Q3. (dpo@example.org)",
        }
    ]
    assert "suppressions" not in results["R-SYS-01@trust"]  # in-progress is still open
    expired = json.loads(
        sarif.render(analysed(REPORTS / "model.yaml", "catalog.yaml", datetime.date(2031, 1, 1)))
    )
    assert all("suppressions" not in r for r in expired["runs"][0]["results"])


def test_fingerprints_survive_reformatting_the_model(tmp_path, log):
    """Reordering and reformatting the YAML moves lines but keeps every fingerprint."""
    text = (REPORTS / "model.yaml").read_text(encoding="utf-8")
    head, elements = text.split("elements:\n", 1)
    elements, rest = elements.split("flows:\n", 1)
    moved = (
        "\n\n# a comment that shifts lines\n" + head + "flows:\n" + rest + "elements:\n" + elements
    )
    (tmp_path / "model.yaml").write_text(moved, encoding="utf-8")
    again = json.loads(sarif.render(analysed(tmp_path / "model.yaml", "catalog.yaml")))

    def prints(each):
        return {
            r["properties"]["findingId"]: (
                r["fingerprints"],
                r["partialFingerprints"],
                r["locations"][0]["physicalLocation"]["region"],
            )
            for r in each["runs"][0]["results"]
        }

    before, after = prints(log), prints(again)
    assert before.keys() == after.keys()
    assert all(before[k][:2] == after[k][:2] for k in before)
    assert any(before[k][2] != after[k][2] for k in before)  # the lines did move


def test_hostile_text_cannot_make_links_or_break_json():
    """Brackets in messages are escaped; hostile text round-trips through the JSON."""
    text = sarif.render(analysed(REPORTS / "hostile.yaml", "hostile_catalog.yaml"))
    log = json.loads(text)
    assert not any(ord(c) < 0x20 and c != "\n" for c in text)
    messages = [r["message"]["text"] for r in log["runs"][0]["results"]]
    db = next(m for m in messages if m.startswith("<script>alert('title')"))
    assert "\\[link\\](javascript:alert(1))" in db
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["help"]["markdown"].count("<") == rule["help"]["markdown"].count("\\<") > 0


def test_rendering_is_deterministic(log):
    """Two analyses of the same input give byte-identical SARIF."""
    first = sarif.render(analysed(REPORTS / "model.yaml", "catalog.yaml"))
    assert first == sarif.render(analysed(REPORTS / "model.yaml", "catalog.yaml"))
    assert json.loads(first) == log
