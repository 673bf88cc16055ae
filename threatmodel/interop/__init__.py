"""Interoperability: models from OTM, Threagile, pytm and Threat Dragon in; OTM, Threat
Dragon and TM-BOM out.

Each importer reads another tool's file (never its code) into our SystemModel, keeping source
positions and a list of notes on what could not be mapped. `import_model(fmt, path)` reads
the file once, checks that it is in the format asked for (or finds it, for 'auto') and hands
the data to that format's importer; `FORMATS` names them for the command line.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from threatmodel.loader import DEFAULT_LIMITS, Limits

# format -> (module with `from_source(data, path, limits)`, what it reads)
FORMATS = {
    "otm": ("threatmodel.interop.otm", "Open Threat Model, JSON or YAML"),
    "threagile": ("threatmodel.interop.threagile", "Threagile YAML model (with its includes)"),
    "pytm": ("threatmodel.interop.pytm", "the JSON that pytm's --json writes"),
    "threat-dragon": ("threatmodel.interop.threat_dragon", "OWASP Threat Dragon JSON (v2 or v1)"),
}
AUTO = "auto"


def import_model(fmt: str, path: Path | str, limits: Limits = DEFAULT_LIMITS):
    """Read `path` in format `fmt` ('auto' to recognise it); returns an ImportResult or raises
    ThreatModelError (a broken file, or one in another format than `fmt`).

    The objects are built with their own rules deferred: a foreign file can break them (a flow
    from an element to itself), and validation reports that at the file's position. The work
    limits (elements, flows, boundary nesting) hold as for a model."""
    from threatmodel.checks import deferred
    from threatmodel.collector import no_cycle_collection
    from threatmodel.errors import Position, Problem, ThreatModelError
    from threatmodel.interop.detect import check
    from threatmodel.interop.source import read_source
    from threatmodel.work import over_work_limits

    if Path(path).suffix.lower() in (".py", ".pyw"):  # a pytm model is code; never run here
        raise ThreatModelError(
            [
                Problem(
                    message="this is Python source (a pytm model?); threatmodel reads files and "
                    "never runs code: write pytm's JSON with `python3 "
                    f"{Path(path).name} --json {Path(path).stem}.json` and import that",
                    pos=Position(file=str(path), line=1, col=1),
                )
            ]
        )
    data, _ = read_source(path, limits)
    fmt = check(data, fmt, str(path), FORMATS)
    module = importlib.import_module(FORMATS[fmt][0])
    with deferred(), no_cycle_collection():  # a tree of new objects, none in a cycle
        result = module.from_source(data, path, limits)
    model = result.model
    sections = {"elements": model.elements, "flows": model.flows, "boundaries": model.boundaries}
    too_much = over_work_limits(sections, limits)
    if too_much:  # as a model past them is refused, at the source file's places
        raise ThreatModelError(too_much)
    return result


__all__ = ["AUTO", "FORMATS", "import_model"]
