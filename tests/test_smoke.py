"""End-to-end smoke test of the engine on the fixture model and catalog."""

from pathlib import Path

import threatmodel

FIXTURES = Path(__file__).parent / "fixtures"


def test_fixture_model_produces_expected_findings():
    """The fixture model yields the confirmed findings its design implies."""
    catalog = threatmodel.load_catalog([FIXTURES / "catalog"], shipped_risks=False)
    model = threatmodel.load_model(FIXTURES / "models" / "small.yaml")
    result = threatmodel.analyze(model, catalog)
    assert {f.id for f in result.confirmed} == {
        "T-CREEP-02@scoring",
        "T-INT-01@f-report",
        "T-RES-01@f-buy",
        "T-CREEP-01@profile-db",
        "T-SEC-01@profile-db",
        "T-SYS-01@small",
    }
