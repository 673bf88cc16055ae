"""Shared fixtures: the engine's test catalog and model, and a writer for throwaway files."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

import threatmodel

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def core_catalog():
    """The small engine test catalog layered on the shipped vocabulary only."""
    return threatmodel.load_catalog([FIXTURES / "catalog"], shipped_risks=False)


@pytest.fixture
def write(tmp_path):
    """Write dedented text to a file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


def problems_of(excinfo) -> list[str]:
    """The problems of a ThreatModelError as 'line:col: message' strings (file name dropped)."""
    return [f"{p.line}:{p.col}: {p.message}" for p in excinfo.value.problems]


SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def shared_path(relative: str) -> Path:
    """A file under ../shared (relative to the project root), e.g. the interop corpus.

    Missing: the test is skipped, except in CI (CI=true), where a missing file is a failure.
    """
    path = SHARED / relative
    if not path.is_file():
        message = f"{path} is missing (the shared corpus lives in ../shared beside the project)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def shared_file():
    """`shared_file('interop-corpus/otm/EXAMPLE.json')` -> its Path (see shared_path)."""
    return shared_path
