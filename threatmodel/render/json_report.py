"""The report as JSON (findings.json): stable key order, no timestamps, so two runs give
identical bytes. Laid out one finding per line (the C encoder does each line), which keeps a
large result fast to write and easy to diff. Its schema, `threatmodel/schemas/results.schema.json`,
is generated from the report model."""

from __future__ import annotations

import itertools

from threatmodel.jsondata import iter_encode
from threatmodel.render import Pieces, RenderOptions
from threatmodel.report import Report


def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    """The report as JSON text ending in a newline."""
    return render_pieces(report, options).text()


def render_pieces(report: Report, options: RenderOptions = RenderOptions()) -> Pieces:
    """`render` in pieces (one per finding), as `analyze` writes it."""
    return Pieces(lambda: itertools.chain(iter_encode(report), ("\n",)))
