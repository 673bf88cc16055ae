"""Surveillance-risk threat modelling: YAML system models matched against YAML risk catalogs."""

from threatmodel.api import analyze, load_catalog, load_model, load_model_data
from threatmodel.errors import Problem, ThreatModelError

__version__ = "0.1.0"

__all__ = [
    "Problem",
    "ThreatModelError",
    "analyze",
    "load_catalog",
    "load_model",
    "load_model_data",
    "__version__",
]
