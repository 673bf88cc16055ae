"""The generated catalog reference and the framework coverage it reports."""

from __future__ import annotations

from pathlib import Path

import threatmodel
from threatmodel.coverage import coverage
from threatmodel.render.catalog_docs import render

ROOT = Path(__file__).resolve().parents[1]


def test_committed_reference_matches_the_catalogs():
    """docs/catalogs.md is what `threatmodel catalog docs` prints for the shipped catalogs."""
    expected = render(threatmodel.load_catalog())
    assert (ROOT / "docs" / "catalogs.md").read_text(encoding="utf-8") == expected, (
        "regenerate with: threatmodel catalog docs > docs/catalogs.md"
    )


def test_every_category_of_the_privacy_frameworks_is_covered():
    """Every LINDDUN category, PRAM problematic data action and Solove harm has at least two
    risks (issue 13)."""
    counts = coverage(threatmodel.load_catalog())
    for name in ("linddun", "pram", "solove"):
        assert counts[name] and not [k for k, n in counts[name].items() if n < 2], name
    assert all(counts["stride"][letter] > 0 for letter in "STRIDE")


def test_reference_describes_every_risk():
    """Each shipped risk has its own section with its description."""
    catalog = threatmodel.load_catalog()
    text = render(catalog)
    for risk in catalog.risks:
        assert f"### {risk.id}: " in text
