"""Renderers: pure functions from an analysis result to the text (or bytes) of one output.

Only the CLI writes files. Each format is registered here by name with its output file name
and the module that renders it; modules are imported only when their format is asked for.
"""

from __future__ import annotations

import importlib
from typing import Callable

import attrs


@attrs.frozen
class Format:
    """An output format: the file `analyze` writes, where its renderer lives, default or not."""

    file: str
    module: str
    function: str = "render"
    default: bool = True


FORMATS: dict[str, Format] = {
    "json": Format("findings.json", "threatmodel.render.json_report"),
    "md": Format("report.md", "threatmodel.render.markdown"),
    "html": Format("report.html", "threatmodel.render.html"),
    "sarif": Format("findings.sarif", "threatmodel.render.sarif"),
    "csv": Format("findings.csv", "threatmodel.render.csv_report"),
}


def renderer(name: str) -> Callable:
    """The render function of a format: `render(result) -> str | bytes`."""
    spec = FORMATS[name]
    return getattr(importlib.import_module(spec.module), spec.function)


def file_name(name: str) -> str:
    return FORMATS[name].file


def default_formats() -> str:
    return ",".join(name for name, spec in FORMATS.items() if spec.default)
