"""The library's entry points: load a model and catalogs, analyse, validate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from threatmodel.catalog import Catalog
from threatmodel.catalog_yaml import load_catalog
from threatmodel.engine import analyze
from threatmodel.loader import DEFAULT_LIMITS, Limits
from threatmodel.model import SystemModel
from threatmodel.model_yaml import read_model_data, read_model_file
from threatmodel.validate import validate


def load_model(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> SystemModel:
    """Read a YAML model (and its includes). Cross-checks happen in `analyze` / `check_model`."""
    return read_model_file(path, limits)


def load_model_data(data: Any, filename: str = "<model>", base_dir: Path | None = None) -> SystemModel:
    """Build a model from a plain dict in the YAML model's shape."""
    return read_model_data(data, filename, base_dir)


def check_model(model: SystemModel, catalog: Catalog) -> None:
    """Raise ThreatModelError listing every problem of the model against the catalog."""
    validate(model, catalog)


__all__ = ["analyze", "check_model", "load_catalog", "load_model", "load_model_data"]
