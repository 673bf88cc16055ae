"""The parsed cache of the shipped catalogs: fresh, the same as parsing, and ignored when it
does not match."""

from __future__ import annotations

from typing import Any

import pytest

from threatmodel import catalog_cache
from threatmodel.catalog import builtin_catalog_dir
from threatmodel.catalog_yaml import load_catalog
from threatmodel.loader import LList, LMap, load_text, read_text

SHIPPED = sorted(builtin_catalog_dir().glob("*.yaml"))


def test_the_cache_is_fresh():
    assert not catalog_cache.stale(), (
        "catalogs/compiled.json is stale: run `make catalogs` (python -m "
        "threatmodel.catalog_cache) after changing a shipped catalog or the YAML loader"
    )


def located(value: Any) -> Any:
    """A loaded tree with every position spelt out, to compare two trees whole."""
    if isinstance(value, LMap):
        return (
            "map",
            str(value.pos),
            [
                (k, str(value.key_pos[k]), str(value.val_pos[k]), located(v))
                for k, v in value.items()
            ],
        )
    if isinstance(value, LList):
        return (
            "list",
            str(value.pos),
            [(str(p), located(v)) for p, v in zip(value.item_pos, value, strict=True)],
        )
    return (type(value).__name__, value)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_cached_file_is_what_parsing_it_gives(path):
    """Every value, its type and where it and its key are written, as the YAML loader reads
    them (here under another display name: positions take the name they are asked for)."""
    text = read_text(path, path.name)
    cached = catalog_cache.tree(path.name, text, f"x/{path.name}")
    assert cached is not None
    assert located(cached) == located(load_text(text, f"x/{path.name}")[0])


def test_a_changed_text_is_parsed_not_cached():
    path = SHIPPED[0]
    text = read_text(path, path.name)
    assert catalog_cache.tree(path.name, text + "\n# an edit\n", path.name) is None
    assert catalog_cache.tree("not-shipped.yaml", text, path.name) is None


@pytest.fixture
def cache_in(monkeypatch, tmp_path):
    """The cache read from `tmp_path/compiled.json` (written by the test)."""
    monkeypatch.setattr(catalog_cache, "builtin_catalog_dir", lambda: tmp_path)
    catalog_cache._entries.cache_clear()
    yield tmp_path / catalog_cache.NAME
    catalog_cache._entries.cache_clear()


def test_a_whole_cache_is_used(cache_in):
    cache_in.write_text((builtin_catalog_dir() / catalog_cache.NAME).read_text("utf-8"), "utf-8")
    assert sorted(catalog_cache._entries()) == [p.name for p in SHIPPED]


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text.replace('"l":[', '"l":[1,', 1),  # an entry changed: its sum is not
        lambda text: text.replace('"stamp": "', '"stamp": "0', 1),  # another loader's
        lambda text: text.replace('"format": 1', '"format": 2', 1),
        lambda text: text[: len(text) // 2],  # cut short
        lambda text: "{not json\n" + text,
        lambda text: "",
    ],
)
def test_a_damaged_or_foreign_cache_is_not_used(cache_in, damage):
    text = (builtin_catalog_dir() / catalog_cache.NAME).read_text("utf-8")
    cache_in.write_text(damage(text), "utf-8")
    assert catalog_cache._entries() == {}


def test_the_catalog_is_the_same_with_and_without_the_cache(monkeypatch):
    cached = load_catalog()
    monkeypatch.setattr(catalog_cache, "tree", lambda *args: None)
    parsed = load_catalog()
    assert cached.risks == parsed.risks
    assert [str(r.pos) for r in cached.risks] == [str(r.pos) for r in parsed.risks]
    assert (cached.mitigations, cached.references, cached.frameworks, cached.vocabulary) == (
        parsed.mitigations,
        parsed.references,
        parsed.frameworks,
        parsed.vocabulary,
    )
