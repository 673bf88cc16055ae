"""Interoperability: models from OTM, Threagile and pytm in; OTM out.

Each importer reads another tool's file (never its code) into our SystemModel, keeping source
positions and a list of notes on what could not be mapped. `import_model(fmt, path)` picks the
importer; `FORMATS` names them for the command line.
"""

from __future__ import annotations

import importlib
from pathlib import Path

FORMATS = {
    "otm": ("threatmodel.interop.otm", "import_otm", "Open Threat Model, JSON or YAML"),
    "threagile": ("threatmodel.interop.threagile", "import_threagile", "Threagile YAML model"),
    "pytm": ("threatmodel.interop.pytm", "import_pytm", "the JSON that pytm's --json writes"),
}


def import_model(fmt: str, path: Path | str):
    """Read `path` in format `fmt`; returns an ImportResult or raises ThreatModelError.

    The objects are built with their own rules deferred: a foreign file can break them (a flow
    from an element to itself), and validation reports that at the file's position."""
    from threatmodel.checks import deferred

    module, function, _ = FORMATS[fmt]
    with deferred():
        return getattr(importlib.import_module(module), function)(path)


__all__ = ["FORMATS", "import_model"]
