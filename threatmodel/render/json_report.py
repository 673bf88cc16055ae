"""Results as JSON: stable key order, no timestamps, so two runs give identical bytes."""

from __future__ import annotations

import json

from threatmodel.findings import Result
from threatmodel.render.data import result_data


def render(result: Result) -> str:
    """The result as pretty-printed JSON text ending in a newline."""
    return json.dumps(result_data(result), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
