"""`threatmodel import [--from FORMAT] FILE -o MODEL.yaml`: another tool's model in.

(The module is not called `import`: that is a Python keyword. The command is.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from threatmodel.commands.common import add_catalog_option, limits_from, load_catalog


def add_parser(sub) -> None:
    from threatmodel.interop import AUTO, FORMATS

    parser = sub.add_parser(
        "import",
        help="convert an OTM, Threagile, pytm or Threat Dragon model into a threatmodel model",
        description="Convert another tool's model into a threatmodel YAML model. What could "
        "not be mapped, and every guess, is printed and written as comments in the model.",
    )
    parser.add_argument(
        "--from",
        dest="from_format",
        default=AUTO,
        choices=[AUTO, *sorted(FORMATS)],
        help="the other tool's format (default: auto, recognised from the file); "
        + "; ".join(f"{k}: {v[1]}" for k, v in sorted(FORMATS.items())),
    )
    parser.add_argument("source", metavar="FILE", help="the other tool's model file")
    parser.add_argument(
        "-o", "--output", metavar="MODEL.yaml", help="where to write the model (default: print it)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing output file")
    add_catalog_option(parser)
    parser.set_defaults(run=run)


def header(source: str, fmt: str, report: list[str]) -> list[str]:
    """The comment lines written above an imported model, with the notes' `report_lines`."""
    from threatmodel.interop import FORMATS

    lines = [
        f"Imported from {Path(source).name} ({FORMATS[fmt][1]}) by `threatmodel import`.",
        "A comment beside a field says where its value came from; check every 'guessed' one,",
        "and fill in what the other tool could not say (for example `subjects`, how many",
        "people a data asset is about). See docs/interop.md for the mapping.",
    ]
    if report:
        lines += ["", f"Notes on the import, with the lines of {Path(source).name} they come from:"]
        lines += report
    return lines


def check_written(text: str, shown: str, limits, catalog) -> None:
    """Raise ThreatModelError if `validate` would refuse the model `text` under the same limits
    and catalogs, with the places in that text (`shown` names it): an import never writes a
    model that does not load (too big for the limits once written out, or not read back as
    it was written)."""
    from threatmodel.api import check_model
    from threatmodel.errors import ThreatModelError
    from threatmodel.loader import load_text
    from threatmodel.model_yaml import read_model_data

    try:  # read without positions first: an accepted model (the rule) needs none
        data, _ = load_text(text, shown, limits, located=False)
        check_model(read_model_data(data, shown, limits=limits), catalog)
    except ThreatModelError:  # read again with them, for the places in the messages
        data, _ = load_text(text, shown, limits)
        check_model(read_model_data(data, shown, limits=limits), catalog)


def run(args: argparse.Namespace) -> int:
    from threatmodel import forked
    from threatmodel.api import check_model
    from threatmodel.console import document
    from threatmodel.errors import Position, Problem, ThreatModelError
    from threatmodel.interop import import_model
    from threatmodel.interop.model_writer import dump_body, with_header
    from threatmodel.interop.report import count_unmapped, report_lines
    from threatmodel.output import write_atomic
    from threatmodel.render.escape import terminal

    output = Path(args.output) if args.output else None
    if output is not None and output.exists() and not args.force:
        raise ThreatModelError(
            [
                Problem(
                    message="output file exists; use --force to replace it",
                    pos=Position(file=str(output)),
                )
            ]
        )
    limits = limits_from(args)
    result = import_model(args.from_format, args.source, limits)
    model = result.model
    catalog = load_catalog(args)

    def checked_notes() -> list[str]:
        check_model(model, catalog)
        return report_lines(result.notes, args.source)

    # the checks and notes in a child (where one can be forked) while this process writes
    notes, body = forked.beside(
        checked_notes, lambda: dump_body(model, result.comments), passes=(ThreatModelError,)
    )
    text = with_header(header(args.source, result.source_format, notes), body)
    check_written(text, f"{output or 'the imported model'} (not written)", limits, catalog)
    counts = (
        f"{len(model.elements)} elements, {len(model.flows)} flows, "
        f"{len(model.boundaries)} boundaries, {len(model.data)} data assets"
    )
    if notes:
        print(
            f"{args.source}: notes on the import (also written at the top of the model):",
            file=sys.stderr,
        )
        for line in notes:
            print(terminal(line), file=sys.stderr)
    unmapped = count_unmapped(result.notes)
    summary = f"{counts}; {unmapped} source fields not mapped"
    if output is None:
        document(text)
        print(f"imported {summary}", file=sys.stderr)
        return 0
    write_atomic(output, text)
    print(f"wrote {output} ({summary})")
    return 0
