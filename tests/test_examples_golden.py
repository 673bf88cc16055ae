"""Each example model gives exactly the findings reviewed for it (ids and severities).

The golden files in examples/expected/ list `<severity> <finding id>` per confirmed finding,
worst first. After a deliberate catalog or example change, review the new list and
regenerate with: UPDATE_GOLDEN=1 python -m pytest tests/test_examples_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import threatmodel

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def findings_text(path: Path) -> str:
    result = threatmodel.analyze(threatmodel.load_model(path), threatmodel.load_catalog())
    return "".join(f"{f.severity} {f.id}\n" for f in result.confirmed)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_findings_match_the_reviewed_list(example):
    """The confirmed findings and their severities are those in examples/expected/."""
    golden = ROOT / "examples" / "expected" / f"{example.stem}.txt"
    actual = findings_text(example)
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(actual, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == actual


def test_every_example_has_a_golden_file():
    """No example goes unchecked, and no golden file outlives its example."""
    assert sorted(p.stem for p in (ROOT / "examples" / "expected").glob("*.txt")) == [
        p.stem for p in EXAMPLES
    ]
