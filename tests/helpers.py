"""Plain helpers the test modules import (`from tests.helpers import ...`); fixtures live in
conftest.py."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SHARED = ROOT.parent / "shared"  # ../shared beside the project: read, never copied into it


def shared_path(relative: str, *, optional: bool = False) -> Path:
    """The file `relative` of ../shared, e.g. "interop-corpus/otm/EXAMPLE.json". Missing, the
    test is skipped, or fails when CI=true: CI must run every test. An `optional` file (one
    the shared corpus does not hold yet, such as Threat Dragon's own schema) only skips."""
    path = SHARED / relative
    if not path.is_file():
        missing(f"{relative} is not in {SHARED} (the shared files beside the project)", optional)
    return path


def missing(message: str, optional: bool = False) -> None:
    """Skip the test for want of something the suite needs (a shared file, a test extra), or
    fail it when CI=true: CI must run every test. An `optional` need only skips."""
    if not optional and os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"{message}; CI=true, so this is a failure, not a skip")
    pytest.skip(message)


def problems_of(excinfo) -> list[str]:
    """The problems of a ThreatModelError as 'line:col: message' strings (file name dropped)."""
    return [f"{p.line}:{p.col}: {p.message}" for p in excinfo.value.problems]


def copy_project(dest: Path) -> Path:
    """Copy the project's files as a fresh clone has them (tracked, and new ones not ignored;
    no .venv, out/ or caches) to `dest`, and return it."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout of the project, to know its files")
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listing.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the work tree is still listed
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest
