"""How risks split into scope and when: lint's checks and explanations, and the shipped split."""

from __future__ import annotations

from pathlib import Path

import pytest

import threatmodel
from tests.helpers import FIXTURES
from threatmodel.cli import main
from threatmodel.lint import facts, lint, splits

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

USER = """
catalog: {id: user, title: User catalog, version: 1}
vocabulary:
  attributes:
    - {name: kyc_level, type: enum, values: [none, basic, full], applies_to: [process],
       meaning: depth of customer identity checks,
       question: "How deeply does each process check who its customers are?"}
mitigations:
  - {id: MIT-U-1, title: A control, effect: {likelihood: -1}}
risks:
  - id: U-KYC-01
    title: Customers never identified
    description: Anyone can open an account.
    applies_to: process
    scope: "personal_data"
    when: "kyc_level == 'none'"
    likelihood: 2
    impact: 2
    frameworks: {stride: [S]}
    mitigations: [MIT-U-1]
  - id: U-KYC-02
    title: Customers never identified, unscoped
    description: Anyone can open an account.
    applies_to: process
    when: "personal_data and kyc_level == 'none'"
    likelihood: 2
    impact: 2
    frameworks: {stride: [S]}
    mitigations: [MIT-U-1]
"""


@pytest.fixture(scope="module")
def shipped():
    return threatmodel.load_catalog()


@pytest.fixture(scope="module")
def examples():
    return [threatmodel.load_model(path) for path in EXAMPLES]


def _user_catalog(tmp_path):
    path = tmp_path / "user.yaml"
    path.write_text(USER, encoding="utf-8")
    return threatmodel.load_catalog([path], shipped_risks=False), path


def test_every_shipped_risk_has_a_scope(shipped):
    assert [risk.id for risk in shipped.risks if risk.scope is None] == []


def test_every_shipped_attribute_has_a_question(shipped):
    """Each question is one sentence that ends in a question mark."""
    lacking = [
        name
        for name, attribute in shipped.vocabulary.attributes.items()
        if not attribute.question.endswith("?") or attribute.question.count("?") != 1
    ]
    assert lacking == []


def test_shipped_catalogs_lint_clean_on_the_examples(shipped, examples):
    """No shipped risk lacks a scope or leans on facts the examples leave out."""
    assert [str(p) for p in lint(shipped, examples)] == []


def test_a_risk_without_scope_is_flagged(tmp_path):
    catalog, _ = _user_catalog(tmp_path)
    messages = [p.message for p in lint(catalog) if p.severity == "warning"]
    assert any("'U-KYC-02' has no scope" in m for m in messages)
    assert not any("'U-KYC-01' has no scope" in m for m in messages)


def test_a_when_on_facts_models_leave_out_is_flagged(tmp_path, examples):
    """kyc_level is in no example: the risk would ask on every process and find nothing."""
    catalog, _ = _user_catalog(tmp_path)
    split = splits(catalog, examples)["U-KYC-01"]
    assert split.decided == 0 and split.undecided == split.in_scope > 0
    assert split.missing[0][0] == "kyc_level"
    messages = [p.message for p in lint(catalog, examples)]
    assert any(
        m.startswith("risk 'U-KYC-01': its `when` is undecided") and "kyc_level" in m
        for m in messages
    )


def test_splits_count_scope_and_when_per_subject(shipped, examples):
    """On the examples every risk in scope is decided (they set every attribute asked)."""
    measured = splits(shipped, examples)
    assert all(s.undecided == 0 for s in measured.values())
    assert measured["SRS-SEC-02"].in_scope > 0


def test_silence_in_the_scope_asks_nothing(shipped):
    """A fact that only the scope of a risk names never turns up in a question for it."""
    model = threatmodel.load_model(FIXTURES.parent.parent / "examples" / "credit-bureau.yaml")
    result = threatmodel.analyze(model, shipped)
    for finding in result.undecided:
        risk = shipped.risk(finding.risk_id)
        scope_only = {f.name.rpartition(".")[2] for f in facts(shipped, risk, "scope")} - {
            f.name.rpartition(".")[2] for f in facts(shipped, risk, "when")
        }
        assert not scope_only & {m.fact for m in finding.missing}, finding.id


def test_facts_name_where_each_comes_from(shipped):
    risk = shipped.risk("SRS-SEC-02")
    assert [(f.name, f.source) for f in facts(shipped, risk, "scope")] == [
        ("personal_data", "derived")
    ]
    (when,) = facts(shipped, risk, "when")
    assert (when.name, when.source) == ("encrypted_at_rest", "attribute")
    assert when.detail == "Is each data store encrypted at rest?"


def test_lint_explain_prints_the_split(capsys):
    assert main(["catalog", "lint", "--explain", "SRS-SURV-07"]) == 0
    out = capsys.readouterr().out
    assert "scope: type == 'biometric_matching' and fed_by('camera')" in out
    assert "when:  matching_mode == 'identification'" in out
    assert "matching_mode" in out and "left out, asked: Does each biometric matching" in out
    assert "typical models: in scope on" in out


def test_lint_explain_unknown_risk_is_an_error(capsys):
    assert main(["catalog", "lint", "--explain", "SRS-NOPE-01"]) == 2
    assert "no risk 'SRS-NOPE-01'" in capsys.readouterr().err


def test_lint_measures_on_typical_models_given(tmp_path, capsys):
    """--typical models replace the bundled examples; the starter shapes always count."""
    _, path = _user_catalog(tmp_path)
    code = main(
        ["catalog", "lint", "--no-shipped", "--catalog", str(path), "--typical", str(EXAMPLES[0])]
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "'U-KYC-01': its `when` is undecided" in err
    assert "in the 4 typical models" in err


def test_catalog_show_prints_scope_when_and_overlaps(capsys):
    assert main(["catalog", "show", "SRS-OPA-05"]) == 0
    out = capsys.readouterr().out
    assert "scope:       automated_decision or type in" in out
    assert "when:        automated_decision and decision_effect" in out
    assert "overlaps:    SRS-OPA-03, SRS-OPA-06" in out
    assert "human_review" in out and "left out, asked" in out
