"""Shared fixtures: the engine's test catalog and the small model's report, a writer for
throwaway files, the files of ../shared, and catalogs compiled once per test session."""

from __future__ import annotations

import collections
import hashlib
import inspect
import sys
import textwrap
from pathlib import Path

import pytest

import threatmodel
from tests.helpers import FIXTURES, shared_path
from threatmodel import catalog_yaml
from threatmodel.errors import ThreatModelError


@pytest.fixture(scope="session")
def core_catalog():
    """The small engine test catalog layered on the shipped vocabulary only."""
    return threatmodel.load_catalog([FIXTURES / "catalog"], shipped_risks=False)


@pytest.fixture(scope="session")
def small_report(core_catalog):
    """The report of the small fixture model against the engine test catalog."""
    from threatmodel.report import build_report

    model = threatmodel.load_model(FIXTURES / "models" / "small.yaml")
    return build_report(threatmodel.analyze(model, core_catalog))


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
    """`shared_file("schemas/sarif-schema-2.1.0.json")` is that file of ../shared (see
    tests.helpers.shared_path)."""
    return shared_path


# -- catalogs compiled once per session ------------------------------------------------------------

MEMO_SIZE = 64  # distinct catalogs kept; generated ones (property tests) would grow it forever
MEMO_MAX_FILE = 1 << 20  # a bigger file (the limits tests) is loaded afresh, not hashed


class CatalogMemo:
    """`catalog_yaml.load_catalog` remembered by the contents of the files it would read (and
    their names), the limits and the flags: loading the shipped catalogs costs about half a
    second, and most tests load the same few catalogs, directly or through the command line.
    A test that writes its own catalog still gets it loaded, because its contents differ.
    Errors are never remembered."""

    def __init__(self, load):
        self.load = load
        self.signature = inspect.signature(load)
        self.loaded: collections.OrderedDict = collections.OrderedDict()
        self.enabled = True

    def __call__(self, *args, **kwargs):
        key = self.key(*args, **kwargs) if self.enabled else None
        if key is None:
            return self.load(*args, **kwargs)
        if key in self.loaded:
            self.loaded.move_to_end(key)
            return self.loaded[key]
        catalog = self.loaded[key] = self.load(*args, **kwargs)
        while len(self.loaded) > MEMO_SIZE:
            self.loaded.popitem(last=False)
        return catalog

    def key(self, *args, **kwargs) -> tuple | None:
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        options = {name: value for name, value in bound.arguments.items() if name != "paths"}
        try:
            files = catalog_yaml.catalog_files(
                list(bound.arguments["paths"]), options.get("shipped_risks", True)
            )
            contents = []
            for path, display in files:
                if path.stat().st_size > MEMO_MAX_FILE:
                    return None
                contents.append((display, hashlib.sha256(path.read_bytes()).digest()))
        except (ThreatModelError, OSError, ValueError):
            return None  # let the real loader report it
        return (repr(sorted(options.items())), tuple(contents))


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "fresh_catalogs: load every catalog afresh instead of from the session memo"
    )


@pytest.fixture(scope="session", autouse=True)
def catalog_memo():
    """Every `load_catalog` of the session goes through one CatalogMemo: the function in
    catalog_yaml, and every module that imported it by name before the session started."""
    original = catalog_yaml.load_catalog
    memo = CatalogMemo(original)
    with pytest.MonkeyPatch.context() as patch:
        for module in list(sys.modules.values()):
            if getattr(module, "__dict__", {}).get("load_catalog") is original:
                patch.setattr(module, "load_catalog", memo)
        yield memo


@pytest.fixture(autouse=True)
def _fresh_catalogs(request, catalog_memo):
    """Tests marked `fresh_catalogs` load every catalog afresh (a determinism test must load
    twice, not remember once)."""
    if request.node.get_closest_marker("fresh_catalogs") is None:
        yield
        return
    catalog_memo.enabled = False
    try:
        yield
    finally:
        catalog_memo.enabled = True
