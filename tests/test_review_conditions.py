"""The condition corrections of the catalog review (December 2026, s 3.3) that its probe model
does not exercise, each on the risk cases' realistic base platform: the benign design it
named stays quiet and the design it said the catalog missed is found."""

from __future__ import annotations

from pathlib import Path

import pytest

import threatmodel
from tests.test_risk_cases import BASE, apply_patch

NATIONAL_IDS = {"id": "national-ids", "categories": ["government_id"], "subjects": 50_000}


@pytest.fixture(scope="module")
def catalog():
    return threatmodel.load_catalog()


def _status(catalog, patch: dict, finding_id: str) -> str | None:
    """'confirmed', 'undecided' or None for one finding of base.yaml with a patch."""
    data = apply_patch(BASE, patch)
    result = threatmodel.analyze(threatmodel.load_model_data(data, "<review>"), catalog)
    if finding_id in {f.id for f in result.findings}:
        return "confirmed"
    return "undecided" if finding_id in {f.id for f in result.undecided} else None


CASES = [
    # RES-02: an operations console reading the store under another wording of its purpose
    # is a question (is it compatible?), not a confirmed reuse
    (
        "SRS-RES-02@f-ops",
        {
            "add": {
                "elements": [{"id": "ops", "kind": "process", "type": "console"}],
                "flows": [
                    {
                        "id": "f-ops",
                        "from": "profile-db",
                        "to": "ops",
                        "data": ["applications"],
                        "purpose": "operations",
                    }
                ],
            }
        },
        "undecided",
    ),
    # SEC-04: a store with no access control at all
    ("SRS-SEC-04@profile-db", {"set": {"profile-db": {"access_control": "none"}}}, "confirmed"),
    # SEC-04: a staff console of any name, typed `console`
    (
        "SRS-SEC-04@ops",
        {
            "add": {
                "elements": [
                    {
                        "id": "ops",
                        "kind": "process",
                        "type": "console",
                        "access_control": "shared_account",
                    }
                ],
                "flows": [
                    {"id": "f-ops", "from": "profile-db", "to": "ops", "data": ["applications"]}
                ],
            }
        },
        "confirmed",
    ),
    # RESTR-02: a store of repayment history says nothing about negative marks
    ("SRS-RESTR-02@profile-db", {"unset": {"profile-db": ["entry_expiry_days"]}}, None),
    # CREEP-07: the national id sent to a lender modelled as an actor
    (
        "SRS-CREEP-07@f-ids",
        {
            "add": {
                "data": [NATIONAL_IDS],
                "flows": [
                    {"id": "f-ids", "from": "score-api", "to": "lender", "data": ["national-ids"]}
                ],
            },
            "set": {"f-ids": {"de_identified": False}},
        },
        "confirmed",
    ),
    # DISC-04: a score that advises a person (decision support) is asked about too
    (
        "SRS-DISC-04@scoring",
        {"set": {"scoring": {"automated_decision": False, "bias_audited": False}}},
        "confirmed",
    ),
    # INT-08: the feedback loop runs through human-signed decisions as well
    (
        "SRS-INT-08@scoring",
        {"set": {"scoring": {"automated_decision": False, "bias_audited": False}}},
        "confirmed",
    ),
    # RES-03: a transfer under SCCs is not a transfer without a mechanism ...
    (
        "SRS-RES-03@f-repayments",
        {"set": {"f-repayments": {"transfer_mechanism": "scc", "transfer_assessed": False}}},
        None,
    ),
    # ... but SRS-RES-34 raises the destination's laws (Schrems II) where nobody assessed them
    (
        "SRS-RES-34@f-repayments",
        {"set": {"f-repayments": {"transfer_mechanism": "scc", "transfer_assessed": False}}},
        "confirmed",
    ),
]


@pytest.mark.parametrize("finding_id,patch,expected", CASES, ids=[c[0] for c in CASES])
def test_review_condition(catalog, finding_id, patch, expected):
    assert _status(catalog, patch, finding_id) == expected


def test_the_example_ops_console_is_not_purpose_reuse(catalog):
    """Review s 3.3: `SRS-RES-02@f-console` fired on the trust-score example's ops console."""
    model = threatmodel.load_model(
        Path(__file__).parent.parent / "examples" / "trust-score-platform.yaml"
    )
    result = threatmodel.analyze(model, catalog)
    assert "SRS-RES-02@f-console" not in {f.id for f in result.findings + result.undecided}
    assert "SRS-RES-02@f-segments-sale" in {f.id for f in result.findings}
