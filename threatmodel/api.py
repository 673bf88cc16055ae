"""The library's entry points: load a model and catalogs, analyse, validate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from threatmodel.catalog import Catalog
from threatmodel.catalog_yaml import load_catalog
from threatmodel.engine import analyze
from threatmodel.errors import ThreatModelError
from threatmodel.loader import DEFAULT_LIMITS, Limits
from threatmodel.model import SystemModel
from threatmodel.model_yaml import read_model_data, read_model_file
from threatmodel.validate import validate


def load_model(
    path: Path | str, limits: Limits = DEFAULT_LIMITS, *, strict: bool = True
) -> SystemModel:
    """Read a YAML model (and its includes). Cross-checks happen in `analyze` / `check_model`.

    With `strict=False`, problems in the model's structure stay in `model.problems` (reported
    by `analyze`/`check_model` together with the cross-checks) instead of raising here.
    """
    return _strict(read_model_file(path, limits), strict)


def load_model_data(
    data: Any, filename: str = "<model>", base_dir: Path | None = None, *, strict: bool = True
) -> SystemModel:
    """Build a model from a plain dict in the YAML model's shape."""
    return _strict(read_model_data(data, filename, base_dir), strict)


def _strict(model: SystemModel, strict: bool) -> SystemModel:
    if strict and model.problems:
        raise ThreatModelError(model.problems)
    return model


def check_model(model: SystemModel, catalog: Catalog) -> None:
    """Raise ThreatModelError listing every problem of the model against the catalog."""
    validate(model, catalog)


__all__ = ["analyze", "check_model", "load_catalog", "load_model", "load_model_data"]
