"""Findings as CSV for spreadsheets: one row per finding, formula injection neutralised.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula, so model and catalog text could otherwise run commands
or leak data when the file is opened. Such cells get a leading apostrophe, which the
spreadsheet shows as text. The file is UTF-8 with a byte-order mark, which Excel needs to
read non-ASCII text; rows end in CRLF as RFC 4180 says.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterator, Mapping
from typing import Any

from threatmodel.render import Pieces, RenderOptions
from threatmodel.render.escape import visible
from threatmodel.render.text import value_text
from threatmodel.report import Report, ReportFinding
from threatmodel.report.model import ReferenceInfo

COLUMNS = (
    "id",
    "risk_id",
    "concern",
    "title",
    "severity",
    "score",
    "likelihood",
    "impact",
    "review_status",
    "element_id",
    "element_kind",
    "element_name",
    "file",
    "line",
    "people",
    "data_assets",
    "categories",
    "special_categories",
    "evidence",
    "recommended",
    "in_place",
    "stride",
    "linddun",
    "pram",
    "pram_problems",
    "solove",
    "laws",
    "references",
    "decision_owner",
    "decision_date",
    "decision_expires",
    "decision_ticket",
    "justification",
)
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    """The findings as CSV text, header first, in report order."""
    return render_pieces(report, options).text()


def render_pieces(report: Report, options: RenderOptions = RenderOptions()) -> Pieces:
    """`render` in pieces of `ROWS` rows, as `analyze` writes it."""
    return Pieces(lambda: _blocks(report))


def _blocks(report: Report) -> Iterator[str]:
    yield "\ufeff"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for index, finding in enumerate(report.findings, 1):
        writer.writerow([cell(value) for value in row(finding, report.references)])
        if index % ROWS == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


ROWS = 1000  # rows of the CSV text in one piece


def row(f: ReportFinding, references: Mapping[str, ReferenceInfo]) -> list[Any]:
    decision = f.decision
    frameworks = f.frameworks
    return [
        f.id,
        f.risk_id,
        f.concern,
        f.title,
        f.severity,
        f.score,
        f.likelihood,
        f.impact,
        f.review_status,
        f.element.id,
        f.element.kind,
        f.element.name,
        f.element.file,
        f.element.line,
        f.harm.subjects,
        _join(f.harm.data_assets),
        _join(f.harm.categories),
        _join(f.harm.special_categories),
        "; ".join(f"{e.name} = {value_text(e.value)}" for e in f.evidence),
        "; ".join(f"{m.mitigation}: {m.title}" for m in f.recommended),
        "; ".join(f"{c.mitigation}: {c.title}" for c in f.controls),
        _join(frameworks.get("stride", ())),
        _join(frameworks.get("linddun", ())),
        _join(frameworks.get("pram", ())),
        _join(frameworks.get("pram_problems", ())),
        _join(frameworks.get("solove", ())),
        "; ".join(references[r].title for r in f.references if references[r].kind == "law"),
        "; ".join(f.references),
        decision.owner if decision else "",
        (decision.date if decision else "") or "",
        (decision.expires if decision else "") or "",
        decision.ticket if decision else "",
        decision.justification if decision else "",
    ]


def cell(value: Any) -> str:
    """A value as inert spreadsheet text: numbers as written, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _text(str(value))


@functools.lru_cache(maxsize=65536)
def _text(value: str) -> str:
    text = visible(value)  # control characters made visible, as everywhere else
    if text.startswith(TRIGGERS) or text.lstrip(" ").startswith(TRIGGERS[:4]):
        return "'" + text
    return text


def _join(values, sep: str = ", ") -> str:
    return sep.join(str(v) for v in values)
