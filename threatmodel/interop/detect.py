"""Which tool wrote a file: recognised by the keys each format must have at its top.

`detect` looks at the parsed data, never at the file name. A wrong `--from` is refused
naming the format the file looks like, so `import --from pytm` on an OTM file no longer
writes two elements and no flows.
"""

from __future__ import annotations

from typing import Any, NoReturn

from threatmodel.errors import Position, Problem, ThreatModelError
from threatmodel.loader import key_pos

# (format, keys of which one must be at the top, keys that must all be there), in the order
# they are tried: the more specific signatures first. Our own models have `flows` and
# `boundaries` too, so `system` (which pytm's JSON never has) is tried before those two.
SIGNATURES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("otm", ("otmVersion",), ()),
    ("threat-dragon", ("detail",), ("summary",)),
    ("tmbom", ("trust_zones", "data_flows"), ("scope",)),
    ("cyclonedx", ("bomFormat",), ()),
    ("pytm", ("threatsFile", "mergeResponses", "onDuplicates", "isOrdered"), ("flows",)),
    ("threatmodel", ("system",), ()),
    ("pytm", ("flows",), ("boundaries",)),
    ("threagile", ("technical_assets", "data_assets", "threagile_version"), ()),
)

# top-level keys of a Threagile model: a file with some of them but no title is a part of one
THREAGILE_KEYS = (
    "includes",
    "data_assets",
    "technical_assets",
    "trust_boundaries",
    "shared_runtimes",
    "questions",
    "abuse_cases",
    "security_requirements",
    "tags_available",
    "risk_tracking",
    "individual_risk_categories",
    "custom_risk_categories",
    "management_summary_comment",
    "business_overview",
    "technical_overview",
    "business_criticality",
)

NAMES = {
    "otm": "an Open Threat Model (OTM) file",
    "threat-dragon": "an OWASP Threat Dragon model",
    "tmbom": "a TM-BOM (OWASP Threat Model Library) file",
    "cyclonedx": "a CycloneDX BOM",
    "pytm": "pytm's JSON output",
    "threagile": "a Threagile model",
    "threatmodel": "a threatmodel model",
}


def detect(data: Any) -> tuple[str, str] | None:
    """(format, the key that gave it away) for located data, or None."""
    if not isinstance(data, dict):
        return None
    for fmt, any_of, all_of in SIGNATURES:
        hit = next((k for k in any_of if k in data), None)
        if hit and all(k in data for k in all_of):
            return fmt, hit
    return None


def check(data: Any, asked: str, display: str, supported) -> str:
    """The format to import `data` with: `asked`, or the detected one for 'auto'. Refuses
    (exit 2) a file that looks like another format than the one asked for."""
    found = detect(data)
    top = getattr(data, "pos", Position(file=display, line=1, col=1))
    part = _threagile_part(data)
    if part and asked in ("auto", "threagile"):
        _refuse(
            key_pos(data, part, top),
            f"this is part of a Threagile model (it has '{part}' but is not a whole model): "
            "import the main model file, whose `includes:` name this one",
        )
    if found is None:
        if asked != "auto":
            return asked  # let the importer say what it misses
        keys = ", ".join(f"'{k}'" for k in list(data)[:8]) if isinstance(data, dict) else ""
        _refuse(
            top,
            "cannot tell which tool wrote this file"
            + (f" (its top keys are {keys})" if keys else "")
            + f"; name the format with --from ({', '.join(sorted(supported))})",
        )
    fmt, key = found
    where = key_pos(data, key, top)
    if asked not in ("auto", fmt):
        _refuse(
            where,
            f"this looks like {NAMES[fmt]} (it has '{key}'), not {NAMES.get(asked, asked)}; "
            + (f"use --from {fmt} or --from auto" if fmt in supported else _why_not(fmt)),
        )
    if fmt == "threatmodel":
        _refuse(where, "this is already a threatmodel model: use it directly, no import needed")
    if fmt not in supported:
        _refuse(where, f"this looks like {NAMES[fmt]} (it has '{key}'); {_why_not(fmt)}")
    return fmt


def _threagile_part(data: Any) -> str | None:
    """The Threagile key of a file that is only a part of a model (included by another), or
    None: a whole model has `threagile_version`, or a title and assets or includes."""
    if not isinstance(data, dict) or "otmVersion" in data or "threagile_version" in data:
        return None
    body = ("technical_assets", "data_assets", "includes")
    if "title" in data and any(k in data for k in body):
        return None
    return next((k for k in THREAGILE_KEYS if k in data), None)


def _why_not(fmt: str) -> str:
    if fmt == "cyclonedx":
        return (
            "threatmodel reads no CycloneDX BOM: threat models have no place in CycloneDX 1.6 "
            "or 1.7 (the 2024 TMBOM drafts use component types CycloneDX does not define); "
            "export the model from its tool as OTM or Threat Dragon instead"
        )
    if fmt == "threatmodel":
        return "it is already a threatmodel model: use it directly"
    return "threatmodel cannot import it"


def _refuse(pos: Position, message: str) -> NoReturn:
    raise ThreatModelError([Problem(message=message, pos=pos)])
