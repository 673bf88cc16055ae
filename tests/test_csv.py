"""CSV of findings: columns, formula injection neutralised, control characters, determinism."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest

import threatmodel
from threatmodel.render import csv_report
from threatmodel.report import build_report
from threatmodel.tracking import apply_decisions, default_path, load_decisions

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def analysed(model: str, catalog: str):
    cat = threatmodel.load_catalog([REPORTS / catalog], shipped_risks=False)
    result = threatmodel.analyze(threatmodel.load_model(REPORTS / model), cat)
    path = default_path(REPORTS / model)
    return build_report(
        apply_decisions(
            result, load_decisions(path) if path.exists() else None, datetime.date(2024, 6, 1)
        )
    )


def rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def test_one_row_per_finding_with_decision_columns():
    """Each finding is a row in report order, with its score, harms and review decision."""
    table = rows(csv_report.render(analysed("model.yaml", "catalog.yaml")))
    assert [r["id"] for r in table] == [
        "R-OPA-01@scoring",
        "R-RES-01@f-sell",
        "R-SEC-01@profile-db",
        "R-SYS-01@trust",
        "R-SEC-01@archive",
    ]
    sold = table[1]
    assert (sold["severity"], sold["score"], sold["review_status"]) == ("medium", "9", "accepted")
    assert (sold["decision_owner"], sold["decision_expires"], sold["decision_ticket"]) == (
        "dpo@example.org",
        "2030-01-31",
        "PRIV-12",
    )
    assert table[0]["pram_problems"] == "Discrimination, Loss of Self-Determination"
    assert table[0]["laws"].startswith("GDPR Art. 22: automated individual decisions; ")
    assert table[4]["missing"] == "encrypted_at_rest"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1,2)", "'@SUM(1,2)"),
        ("\t=1", "'\t=1"),
        ("  =1", "'  =1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (5, "5"),
        (None, ""),
        ("\x1b[31m", "\\x1b[31m"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_made_inert(value, expected):
    """A cell starting with =, +, -, @ (or whitespace before one) gets a leading apostrophe."""
    assert csv_report.cell(value) == expected


def test_hostile_model_yields_no_live_formula_and_no_raw_control_character():
    """No cell of the hostile report starts with a formula character or holds a control code."""
    text = csv_report.render(analysed("hostile.yaml", "hostile_catalog.yaml"))
    table = list(csv.reader(io.StringIO(text[1:], newline="")))
    cells = [c for r in table[1:] for c in r]
    assert not [c for c in cells if c.lstrip(" \t\r\n").startswith(("=", "+", "-", "@"))]
    assert not any(ord(ch) < 0x20 and ch not in "\r\n" for ch in text)
    title = table[1][2]
    assert title == "<script>alert('title')</script> | pipe | `code` =1+1"
    header = table[0]
    assert table[1][header.index("recommended")].startswith("MIT-H-1: =HYPERLINK(")
    owner = [r[header.index("decision_owner")] for r in table[1:]]
    assert "'=owner <x>" in owner


def test_rendering_is_deterministic():
    """Two analyses of the same input give byte-identical CSV."""
    assert csv_report.render(analysed("model.yaml", "catalog.yaml")) == csv_report.render(
        analysed("model.yaml", "catalog.yaml")
    )
