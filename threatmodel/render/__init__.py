"""Renderers: pure functions from an analysis result to the text (or bytes) of one output.

Only the CLI writes files. Each format is registered here by name with its output file name
and the module that renders it; modules are imported only when their format is asked for.
"""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Callable

import attrs


@attrs.frozen
class Format:
    """An output format: the file `analyze` writes, where its renderer lives, default or not."""

    file: str
    module: str
    function: str = "render"
    default: bool | Callable[[], bool] = True  # a callable is asked when the run starts

    def is_default(self) -> bool:
        return self.default() if callable(self.default) else self.default


def _dot_installed() -> bool:
    return shutil.which("dot") is not None


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
    "svg": Format("dfd.svg", "threatmodel.render.diagram", "render_svg", default=_dot_installed),
    "data-map": Format(
        "data-map.svg", "threatmodel.render.diagram", "render_data_map", default=_dot_installed
    ),
    "attack-trees": Format(
        "attack-trees.svg",
        "threatmodel.render.diagram",
        "render_attack_trees",
        default=_dot_installed,
    ),
}


def renderer(name: str) -> Callable:
    """The render function of a format: `render(result) -> str | bytes`."""
    spec = FORMATS[name]
    return getattr(importlib.import_module(spec.module), spec.function)


def file_name(name: str) -> str:
    return FORMATS[name].file


def default_formats() -> str:
    return ",".join(name for name, spec in FORMATS.items() if spec.is_default())


# Relative cost of each renderer, to split the work between two processes.
_COST = {
    "html": 5,
    "json": 2,
    "md": 2,
    "sarif": 1.5,
    "csv": 1.5,
    "svg": 2,
    "data-map": 1,
    "attack-trees": 1,
    "dot": 0.5,
}
PARALLEL_FROM = 2000  # findings; below this a second process costs more than it saves
_PENDING: dict = {}


def render_formats(
    result, formats: list[str], template: str | None = None, workers: int = 1
) -> dict[str, str | bytes]:
    """Every requested output of `result`, by file name, in the order of `formats`.

    The report data every report shares is built once and handed to each renderer that takes
    it. The garbage collector is paused meanwhile: rendering allocates millions of short-lived
    objects and no cycles, and full collections over them cost more than the rendering itself.
    With `workers` > 1, a large result is rendered by two processes: a forked child renders
    about half the work from the same memory while this process renders the rest.
    """
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        data = _shared_data(result, formats)
        groups = (
            _split(formats)
            if workers > 1
            and len(result.findings) >= PARALLEL_FROM
            and len(formats) > 1
            and _can_fork()
            else [list(formats), []]
        )
        files: dict[str, str | bytes] = {}
        if groups[1]:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            _PENDING.update(result=result, data=data, template=template)
            try:
                with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
                    child = pool.submit(_render_pending, groups[1])
                    files.update(_render_group(result, data, template, groups[0]))
                    files.update(child.result())
            finally:
                _PENDING.clear()
        else:
            files.update(_render_group(result, data, template, groups[0]))
    finally:
        if was_enabled:
            gc.enable()
    return {file_name(name): files[file_name(name)] for name in formats}


def _shared_data(result, formats: list[str]):
    import inspect

    if any("data" in inspect.signature(renderer(name)).parameters for name in formats):
        from threatmodel.render.data import result_data

        return result_data(result)
    return None


def _render_group(result, data, template, names: list[str]) -> dict[str, str | bytes]:
    import inspect

    files = {}
    for name in names:
        render = renderer(name)
        kwargs: dict = {}
        if "data" in inspect.signature(render).parameters:
            kwargs["data"] = data
        if name == "html" and template:
            kwargs["template"] = template
        files[file_name(name)] = render(result, **kwargs)
    return files


def _render_pending(names: list[str]) -> dict[str, str | bytes]:
    """In the forked child: render `names` from the result the parent left in _PENDING."""
    import gc

    gc.disable()
    return _render_group(_PENDING["result"], _PENDING["data"], _PENDING["template"], names)


def _split(formats: list[str]) -> list[list[str]]:
    """Two groups of formats of about equal cost (greedy, heaviest first, deterministic)."""
    groups: list[list[str]] = [[], []]
    loads = [0.0, 0.0]
    for name in sorted(formats, key=lambda n: (-_COST.get(n, 1), formats.index(n))):
        index = 0 if loads[0] <= loads[1] else 1
        groups[index].append(name)
        loads[index] += _COST.get(name, 1)
    return groups


def _can_fork() -> bool:
    import multiprocessing
    import os

    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1
