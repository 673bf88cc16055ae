"""Results as JSON: stable key order, no timestamps, so two runs give identical bytes.

Laid out one finding per line (the C encoder does each line), which keeps a large result
fast to write and easy to diff. Validates against `threatmodel/schemas/results.schema.json`.
"""

from __future__ import annotations

from typing import Any

from threatmodel.findings import Result
from threatmodel.render.data import dumps_json, result_data


def render(result: Result, data: dict[str, Any] | None = None) -> str:
    """The result as JSON text ending in a newline; `data` is the shared report data if built."""
    return dumps_json(data if data is not None else result_data(result)) + "\n"
