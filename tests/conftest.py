"""Shared fixtures: the engine's test catalog, a writer for throwaway files and the files
of ../shared."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

import threatmodel
from tests.helpers import FIXTURES

SHARED = Path(__file__).resolve().parents[2] / "shared"  # ../shared beside the project


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


@pytest.fixture(scope="session")
def shared_file():
    """`shared_file("schemas/sarif-schema-2.1.0.json")` is that file of ../shared (the files
    kept beside the project, never copied into it). Missing, the test is skipped, or fails
    when CI=true: CI must run every test."""

    def find(relative: str) -> Path:
        path = SHARED / relative
        if not path.is_file():
            message = f"{relative} is not in {SHARED} (the shared files beside the project)"
            if os.environ.get("CI", "").lower() in ("true", "1"):
                pytest.fail(f"{message}; CI=true, so this is a failure, not a skip")
            pytest.skip(message)
        return path

    return find
