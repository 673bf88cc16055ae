"""Loading catalogs: errors with positions, layering, overriding and disabling risks, lint."""

from __future__ import annotations

import pytest

import threatmodel
from tests.helpers import FIXTURES, ROOT, problems_of
from threatmodel.catalog import builtin_catalog_dir
from threatmodel.errors import ThreatModelError
from threatmodel.lint import lint

HEADER = """
catalog: {id: user, title: User catalog, version: 1}
mitigations:
  - {id: MIT-U-1, title: A control, effect: {likelihood: -1}}
"""


def load_user(write, text: str):
    path = write("user.yaml", HEADER + text)
    return threatmodel.load_catalog([FIXTURES / "catalog", path], shipped_risks=False)


def errors(write, text: str) -> list[str]:
    with pytest.raises(ThreatModelError) as excinfo:
        load_user(write, text)
    return problems_of(excinfo)


RISK = """risks:
  - id: U-SEC-01
    title: A risk
    description: Something bad.
    applies_to: datastore
    when: "personal_data and not encrypted_at_rest"
    likelihood: 3
    impact: 3
    mitigations: [MIT-U-1]
"""


class TestErrors:
    def test_valid_user_risk_loads(self, write):
        """A well-formed user risk loads next to the fixture catalog."""
        catalog = load_user(write, RISK)
        assert catalog.risk("U-SEC-01").condition.names == ("personal_data", "encrypted_at_rest")

    @pytest.mark.parametrize(
        "change, expected",
        [
            (
                ("not encrypted_at_rest", "not encrypted_at_rst"),
                "9:34: risk 'U-SEC-01': unknown name 'encrypted_at_rst' (did you mean 'encrypted_at_rest'?)",
            ),
            (
                ("personal_data and", "personal_data andd"),
                "9:26: risk 'U-SEC-01': unexpected 'andd' (missing 'and'/'or'?)",
            ),
            (
                ("personal_data and not encrypted_at_rest", "personal_data.__class__"),
                "9:26: risk 'U-SEC-01': names starting with '_' are not allowed ('__class__')",
            ),
            (
                ("personal_data and not encrypted_at_rest", "__import__('os').system('id')"),
                "9:12: risk 'U-SEC-01': names starting with '_' are not allowed ('__import__')",
            ),
            (
                ("personal_data and not encrypted_at_rest", "exec('x')"),
                "9:12: risk 'U-SEC-01': unknown function 'exec'; the functions are count, crosses, "
                "reaches, fed_by",
            ),
            (
                ("not encrypted_at_rest", "not encrypted_in_transit"),
                "9:34: risk 'U-SEC-01': unknown name 'encrypted_in_transit' (did you mean "
                "'encrypted_at_rest'?)",
            ),
            (
                ("likelihood: 3", "likelihood: 9"),
                "10:17: risk 'U-SEC-01': 'likelihood' is 9; it must be between 1 and 5",
            ),
            (
                ("applies_to: datastore", "applies_to: datastor"),
                "8:17: risk 'U-SEC-01': unknown kind 'datastor' (did you mean 'datastore'?)",
            ),
            (
                ("mitigations: [MIT-U-1]", "mitigations: [MIT-U-2]"),
                "12:19: risk 'U-SEC-01': unknown mitigation 'MIT-U-2' (did you mean 'MIT-U-1'?)",
            ),
            (
                (
                    "mitigations: [MIT-U-1]",
                    "mitigations: [MIT-U-1]\n    frameworks: {linddun: [DD.9]}",
                ),
                "13:28: risk 'U-SEC-01': 'DD.9' is not a LINDDUN threat trees (2023 node ids) id "
                "(did you mean 'DD.4'?)",
            ),
            (
                ("mitigations: [MIT-U-1]", "mitigations: [MIT-U-1]\n    references: [equifax]"),
                "13:18: risk 'U-SEC-01': unknown reference 'equifax'",
            ),
            (
                ("mitigations: [MIT-U-1]", "mitigations: [MIT-U-1]\n    severity: high"),
                "13:5: risk 'U-SEC-01': unknown key 'severity'",
            ),
            (
                ("id: U-SEC-01", "id: u-sec-01"),
                "5:9: risk id 'u-sec-01' must be upper case words joined by '-', e.g. SRS-SEC-02 or ACME-PAY-1",
            ),
        ],
    )
    def test_catalog_problem_positions(self, write, change, expected):
        """Each catalog mistake is one message at its exact file:line:col."""
        assert errors(write, RISK.replace(*change)) == [expected]

    def test_type_literal_that_can_never_match(self, write):
        """Comparing type with a word that is not a type of that kind can never match: an error."""
        text = RISK.replace("personal_data and not encrypted_at_rest", "type == 'scoring'")
        assert errors(write, text) == [
            "9:17: risk 'U-SEC-01': 'scoring' is never a value of 'type'"
        ]

    def test_attribute_of_other_kind_in_condition(self, write):
        """A name that does not apply to every kind the risk applies to is an error."""
        text = RISK.replace("applies_to: datastore", "applies_to: [datastore, dataflow]")
        assert errors(write, text) == ["9:34: risk 'U-SEC-01': unknown name 'encrypted_at_rest'"]

    def test_duplicate_risk_id_in_one_file(self, write):
        """The same risk id twice in a file is an error at the second."""
        text = RISK + RISK.replace("risks:\n", "")
        assert errors(write, text) == [
            "13:5: duplicate risk id 'U-SEC-01' in "
            + str(write("x", "")).replace("/x", "/user.yaml")
        ]

    def test_modifier_condition_errors(self, write):
        """Modifier conditions are compiled and checked like risk conditions."""
        text = (
            RISK + "    modifiers:\n      - {when: \"subjects >= 'many'\", impact: +1, why: big}\n"
        )
        assert errors(write, text) == [
            "14:26: risk 'U-SEC-01' modifier: '>=' compares numbers, not a number, text"
        ]


class TestLayers:
    def test_user_risk_overrides_by_id(self, write):
        """A user risk with an existing id replaces it."""
        text = RISK.replace("U-SEC-01", "T-SEC-01").replace("title: A risk", "title: Replaced")
        catalog = load_user(write, text)
        assert catalog.risk("T-SEC-01").title == "Replaced"
        assert len([r for r in catalog.risks if r.id == "T-SEC-01"]) == 1

    def test_disable_removes_a_risk(self, write):
        """`disable:` switches off a risk of an earlier layer; unknown ids warn."""
        catalog = load_user(write, "disable: [T-SEC-01, T-NOPE-01]\n")
        assert catalog.risk("T-SEC-01") is None
        assert [str(w).split(": ", 1)[1] for w in catalog.warnings] == [
            "warning: disable: no risk 'T-NOPE-01' to disable (did you mean 'T-RES-01'?)"
        ]

    def test_user_vocabulary_extends_conditions(self, write):
        """A user catalog may declare an attribute and use it in its risks."""
        text = """vocabulary:
  attributes:
    - {name: kyc_level, type: enum, values: [none, basic, full], applies_to: [process]}
risks:
  - id: U-KYC-01
    title: No KYC
    description: Weak identity checks.
    applies_to: process
    when: "kyc_level == 'none'"
    likelihood: 2
    impact: 2
    mitigations: [MIT-U-1]
"""
        assert load_user(write, text).risk("U-KYC-01").condition.names == ("kyc_level",)


def test_lint_reports_uncited_entries(write):
    """Lint flags mitigations no risk cites and risks without descriptions."""
    catalog = load_user(write, "")
    messages = [p.message for p in lint(catalog)]
    assert "mitigation 'MIT-U-1' is not cited by any risk" in messages
    assert "risk 'T-SEC-01' has no description" in messages


def test_shipped_catalog_dir_holds_exactly_the_packaged_files():
    """Every file in catalogs/ is YAML or the parsed cache of the YAML, and matches the
    package_data of setup.cfg."""
    names = sorted(p.name for p in builtin_catalog_dir().iterdir())
    assert names and all(n.endswith(".yaml") or n == "compiled.json" for n in names)
    setup = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    assert "threatmodel.catalogs = *.yaml, compiled.json" in setup


def test_messages_inside_conditions_use_the_text_read_once(tmp_path, monkeypatch):
    """A message inside a multi-line condition is placed with the text read (within the
    limits) when the catalog was loaded: replacing the file on disk afterwards moves nothing,
    because the file is never read again."""
    import threatmodel.catalog_yaml as catalog_yaml

    source = FIXTURES.parent / "bad_inputs" / "catalog" / "condition_block_scalar.yaml"
    path = tmp_path / "c.yaml"
    path.write_text(source.read_text())
    expected = [
        "13:15: risk 'X-SEC-01': unknown name 'encrypted_at_rst' (did you mean "
        "'encrypted_at_rest'?)"
    ]
    read = catalog_yaml.load_text

    def read_then_replace(text, display, limits):
        found = read(text, display, limits)
        if display == str(path):  # the file changes (or is swapped for a huge one) right after
            path.write_text("#\n" * 40 + text.replace("encrypted_at_rst", "x" * 100))
        return found

    monkeypatch.setattr(catalog_yaml, "load_text", read_then_replace)
    with pytest.raises(ThreatModelError) as excinfo:
        threatmodel.load_catalog([path], shipped_risks=False)
    assert problems_of(excinfo) == expected
