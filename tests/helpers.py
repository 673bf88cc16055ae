"""Plain helpers the test modules import (`from tests.helpers import ...`); fixtures live in
conftest.py."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def problems_of(excinfo) -> list[str]:
    """The problems of a ThreatModelError as 'line:col: message' strings (file name dropped)."""
    return [f"{p.line}:{p.col}: {p.message}" for p in excinfo.value.problems]
