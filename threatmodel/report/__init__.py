"""The report model (what every report says, as typed data) and how it is built from a result."""

from threatmodel.report.build import build_report, jurisdictions_of, law_of, safe_url
from threatmodel.report.model import DETAIL_LIMIT, SCHEMA_VERSION, Report, ReportFinding

__all__ = [
    "DETAIL_LIMIT",
    "SCHEMA_VERSION",
    "Report",
    "ReportFinding",
    "build_report",
    "jurisdictions_of",
    "law_of",
    "safe_url",
]
