"""The suite's own fixtures: files of ../shared skip outside CI and fail in it, and the
session's catalog memo loads each distinct catalog once and nothing stale."""

from __future__ import annotations

import pytest

import threatmodel
from threatmodel.errors import ThreatModelError
from threatmodel.loader import Limits

CATALOG = """
catalog: {id: t, title: T, version: 1}
mitigations:
  - {id: MIT-T-1, title: One, effect: {likelihood: -1}}
risks:
  - {id: T-1, title: "%s", applies_to: datastore, likelihood: 2, impact: 2, mitigations: [MIT-T-1]}
"""


def test_a_missing_shared_file_skips_outside_ci(shared_file, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"no-such-file\.json is not in"):
        shared_file("no-such-file.json")


def test_a_missing_shared_file_fails_in_ci(shared_file, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true, so this is a failure"):
        shared_file("no-such-file.json")


def test_the_memo_returns_one_catalog_per_content(tmp_path, catalog_memo):
    """The same files give the same compiled catalog; an edited file, other limits or other
    flags give a fresh load; a broken file is refused every time."""
    path = tmp_path / "c.yaml"
    path.write_text(CATALOG % "first", encoding="utf-8")
    first = threatmodel.load_catalog([path], shipped_risks=False)
    assert threatmodel.load_catalog([path], shipped_risks=False) is first
    assert threatmodel.load_catalog([path], Limits(max_depth=30), shipped_risks=False) is not first
    assert threatmodel.load_catalog([path]) is not first
    path.write_text(CATALOG % "second", encoding="utf-8")
    assert threatmodel.load_catalog([path], shipped_risks=False).risks[0].title == "second"
    path.write_text(CATALOG % "first" + "risks: []\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ThreatModelError, match="duplicate key"):
            threatmodel.load_catalog([path], shipped_risks=False)


@pytest.mark.fresh_catalogs
def test_fresh_catalogs_loads_again(core_catalog):
    from tests.helpers import FIXTURES

    assert threatmodel.load_catalog([FIXTURES / "catalog"], shipped_risks=False) is not core_catalog
    assert threatmodel.load_catalog([FIXTURES / "catalog"], shipped_risks=False) == core_catalog
