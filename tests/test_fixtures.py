"""The suite's own fixtures: files of ../shared skip outside CI and fail in it."""

from __future__ import annotations

import pytest


def test_a_missing_shared_file_skips_outside_ci(shared_file, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"no-such-file\.json is not in"):
        shared_file("no-such-file.json")


def test_a_missing_shared_file_fails_in_ci(shared_file, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true, so this is a failure"):
        shared_file("no-such-file.json")
