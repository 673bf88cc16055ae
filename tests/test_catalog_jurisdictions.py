"""Laws by jurisdiction: every law reference names whose law it is and when it was checked,
and reports cite only the laws of the model's jurisdictions."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

import threatmodel
from threatmodel.catalog import Reference
from threatmodel.errors import ThreatModelError
from threatmodel.render import sarif
from threatmodel.report import build_report, jurisdictions_of

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def catalog():
    return threatmodel.load_catalog()


def _report(catalog, example: str):
    model = threatmodel.load_model(ROOT / "examples" / f"{example}.yaml")
    return build_report(threatmodel.analyze(model, catalog))


def _cited(report) -> set[str]:
    return {r for f in report.findings for r in f.references}


def test_every_shipped_reference_is_checked_and_every_law_names_its_jurisdiction(catalog):
    for ref in catalog.references.values():
        assert ref.checked is not None and ref.checked.source, ref.id
        assert ref.checked.date <= datetime.date(2026, 12, 31), ref.id
        if ref.kind == "law":
            assert ref.jurisdiction, ref.id


@pytest.mark.parametrize(
    ("own", "model", "applies"),
    [
        ("EU", ["EU"], True),
        ("EU", ["DE"], True),  # a member state is bound by EU law
        ("EU", ["US"], False),
        ("US", ["US-CA"], True),  # federal law binds a state
        ("US-CA", ["US"], False),  # a state's law does not bind the whole country
        ("US-CA", ["US-CA", "CN"], True),
        ("CN", ["SG"], False),
        ("GB", ["UK"], True),  # the common name for the United Kingdom's ISO code
        ("CN", [], True),  # a model that names no jurisdiction may be under any law
        ("", ["US"], True),  # an incident or study applies everywhere
    ],
)
def test_a_reference_applies_in_its_own_jurisdiction_and_its_parts(own, model, applies):
    ref = Reference(id="r", kind="law", title="t", jurisdiction=own)
    assert ref.applies_in(model) is applies


def test_the_us_credit_bureau_cites_no_chinese_law(catalog):
    report = _report(catalog, "credit-bureau")
    assert "US" in jurisdictions_of(report.result.model)
    cited = _cited(report)
    assert any(r.startswith("fcra-") for r in cited)
    assert not any(r.startswith(("pipl-", "sg-pdpa-", "gdpr-", "uk-")) for r in cited)
    laws = {law.law for law in report.compliance}
    assert "fcra" in laws and "pipl" not in laws and "gdpr" not in laws


def test_the_trust_score_platform_cites_pipl_and_pdpa_and_no_fcra(catalog):
    report = _report(catalog, "trust-score-platform")
    assert set(jurisdictions_of(report.result.model)) == {"CN", "SG"}
    cited = _cited(report)
    assert any(r.startswith("pipl-") for r in cited)
    assert any(r.startswith("sg-pdpa-") for r in cited)
    assert not any(r.startswith(("fcra-", "ccpa-", "gdpr-")) for r in cited)
    for law in report.compliance:
        for article in law.articles:
            assert catalog.references[article.id].jurisdiction in {"CN", "SG"}
    rules = sarif.sarif_log(report)["runs"][0]["tool"]["driver"]["rules"]
    help_text = " ".join(rule["help"]["text"] for rule in rules)
    assert "PIPL" in help_text and "FCRA" not in help_text


def test_a_bad_jurisdiction_or_checked_date_is_reported_with_its_place(write):
    path = write(
        "cat.yaml",
        """
        references:
          - id: odd-law
            kind: law
            title: Odd law
            jurisdiction: Europe
            checked: {date: last week, source: somewhere}
        """,
    )
    with pytest.raises(ThreatModelError) as excinfo:
        threatmodel.load_catalog([path])
    text = str(excinfo.value)
    assert "cat.yaml:5:" in text and "jurisdiction must be" in text
    assert "cat.yaml:6:" in text and "must be a date" in text
