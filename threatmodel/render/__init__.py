"""Renderers: pure functions from an analysis result to the text (or bytes) of one output.

Only the CLI writes files. Each format is registered here by name with its output file name
and the module that renders it; modules are imported only when their format is asked for.
"""

from __future__ import annotations

import importlib
import shutil
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
    # Diagrams (threatmodel.render.diagram; PNG and PDF via `threatmodel diagram`). SVGs need
    # graphviz's `dot` program: they are default formats only where it is installed, so
    # `analyze` still writes every other report without it; asking for one explicitly then
    # fails with install instructions.
    "dot": Format("dfd.dot", "threatmodel.render.diagram", "render_dot"),
    "svg": Format("dfd.svg", "threatmodel.render.diagram", "render_svg",
                  default=shutil.which("dot") is not None),
    "data-map": Format("data-map.svg", "threatmodel.render.diagram", "render_data_map",
                       default=shutil.which("dot") is not None),
    "attack-trees": Format("attack-trees.svg", "threatmodel.render.diagram",
                           "render_attack_trees", default=shutil.which("dot") is not None),
}


def renderer(name: str) -> Callable:
    """The render function of a format: `render(result) -> str | bytes`."""
    spec = FORMATS[name]
    return getattr(importlib.import_module(spec.module), spec.function)


def file_name(name: str) -> str:
    return FORMATS[name].file


def default_formats() -> str:
    return ",".join(name for name, spec in FORMATS.items() if spec.default)
