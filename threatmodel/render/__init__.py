"""Renderers: pure functions from an analysis result to the text of one output format."""

from __future__ import annotations

import importlib
from typing import Callable

# format name -> (file name, module, function); imported only when asked for.
FORMATS: dict[str, tuple[str, str, str]] = {
    "json": ("findings.json", "threatmodel.render.json_report", "render"),
    "md": ("report.md", "threatmodel.render.markdown", "render"),
}


def renderer(name: str) -> Callable:
    """The render function of a format."""
    _, module, function = FORMATS[name]
    return getattr(importlib.import_module(module), function)


def file_name(name: str) -> str:
    return FORMATS[name][0]
