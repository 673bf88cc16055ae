"""Surveillance-risk threat modelling: YAML system models matched against YAML risk catalogs.

The public API (`load_model`, `load_model_data`, `load_catalog`, `analyze`, `check_model`,
`Problem`, `ThreatModelError`) is imported on first use, so `threatmodel --help` starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = {
    "analyze": "threatmodel.api",
    "check_model": "threatmodel.api",
    "load_catalog": "threatmodel.api",
    "load_model": "threatmodel.api",
    "load_model_data": "threatmodel.api",
    "Problem": "threatmodel.errors",
    "ThreatModelError": "threatmodel.errors",
}

__all__ = [
    "Problem",
    "ThreatModelError",
    "__version__",
    "analyze",
    "check_model",
    "load_catalog",
    "load_model",
    "load_model_data",
]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'threatmodel' has no attribute '{name}'")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
