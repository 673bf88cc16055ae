"""`threatmodel diff OLD NEW`: what changed between two models (or two findings.json files).

Each side is a model YAML file (analysed here, with the decisions file beside it) or a
findings.json written by `analyze`. The answer is text, Markdown for a pull request, or JSON.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from threatmodel.commands.common import (
    add_catalog_option,
    add_jobs_option,
    jobs_from,
    load_catalog,
    parse_today,
    print_warnings,
    sources_from,
)

RENDERERS = {"text": "render_text", "md": "render_markdown", "json": "render_json"}


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "diff",
        help="compare two models or two findings.json files",
        description="Say which findings are new, resolved or changed in severity, and which "
        "elements and flows were added or removed.",
    )
    parser.add_argument("old", help="the old model YAML, or its findings.json")
    parser.add_argument("new", help="the new model YAML, or its findings.json")
    add_catalog_option(parser)
    add_jobs_option(parser)
    parser.add_argument(
        "--format",
        choices=tuple(RENDERERS),
        default="text",
        help="text (default), md (to paste in a pull request) or json",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    parser.add_argument(
        "--fail-on",
        metavar="SEVERITY",
        help="exit 1 if a new (or newly worse) open confirmed finding is at or above SEVERITY",
    )
    parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="judge decision expiry as of this date (default: today)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from threatmodel import diff as differ
    from threatmodel import run as service
    from threatmodel.console import document
    from threatmodel.errors import Position, Problem, ThreatModelError
    from threatmodel.loader import read_text
    from threatmodel.output import write_atomic
    from threatmodel.render import diff as renderers
    from threatmodel.report import build_report

    today = parse_today(args.today)
    sources = sources_from(args)
    catalog = None
    sides = []
    for path in (args.old, args.new):
        if _is_json(path):
            text = read_text(Path(path), path, sources.limits)
            sides.append(differ.side_of_json(text, path, sources.limits))
            continue
        if catalog is None:
            catalog = load_catalog(args)
        result = service.analyse(path, catalog, sources, today=today, processes=jobs_from(args))
        print_warnings(result.warnings)
        sides.append(differ.side_of_report(build_report(result)))
    changes = differ.diff(*sides)
    if args.fail_on and args.fail_on not in changes.severities:
        raise ThreatModelError(
            [
                Problem(
                    message=f"unknown severity '{args.fail_on}'; choose from "
                    f"{', '.join(changes.severities)}",
                    pos=Position(file="--fail-on"),
                )
            ]
        )
    text = getattr(renderers, RENDERERS[args.format])(changes)
    if args.output:
        write_atomic(Path(args.output), text)
    elif args.format == "text":
        sys.stdout.write(text)  # lines for people: through the terminal guard
    else:
        document(text)
    return 1 if args.fail_on and changes.new_at_or_above(args.fail_on) else 0


def _is_json(path: str) -> bool:
    if path.lower().endswith(".json"):
        return True
    try:
        with open(path, "rb") as handle:
            return handle.read(64).lstrip().startswith(b'{"')
    except OSError:
        return False
