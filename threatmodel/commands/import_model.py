"""`threatmodel import --from otm|threagile|pytm FILE -o MODEL.yaml`: another tool's model in.

(The module is not called `import`: that is a Python keyword. The command is.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from threatmodel.commands.common import add_catalog_option, load_catalog, print_warnings


def add_parser(sub) -> None:
    from threatmodel.interop import FORMATS

    parser = sub.add_parser(
        "import",
        help="convert an OTM, Threagile or pytm model into a threatmodel model",
        description="Convert another tool's model into a threatmodel YAML model. What could "
        "not be mapped is printed and written as comments at the top of the model.",
    )
    parser.add_argument(
        "--from",
        dest="from_format",
        required=True,
        choices=sorted(FORMATS),
        help="; ".join(f"{k}: {v[2]}" for k, v in sorted(FORMATS.items())),
    )
    parser.add_argument("source", metavar="FILE", help="the other tool's model file")
    parser.add_argument(
        "-o", "--output", metavar="MODEL.yaml", help="where to write the model (default: print it)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing output file")
    add_catalog_option(parser)
    parser.set_defaults(run=run)


def header(source: str, fmt: str, notes) -> list[str]:
    """The comment lines written above an imported model."""
    from threatmodel.interop import FORMATS
    from threatmodel.interop.build import group_notes

    lines = [
        f"Imported from {Path(source).name} ({FORMATS[fmt][2]}) by `threatmodel import`.",
        "Check the inferred kinds, types and data categories, and fill in what the other",
        "tool could not say (for example `subjects`, how many people the data is about).",
        "See docs/interop.md for the mapping.",
    ]
    grouped = group_notes(notes)
    if grouped:
        lines += ["", "Not mapped or inferred:"]
        for problem in grouped:
            where = f"line {problem.line}: " if problem.line else ""
            lines.append(f"- {where}{problem.message.removeprefix('not mapped: ')}")
    return lines


def run(args: argparse.Namespace) -> int:
    from threatmodel.api import check_model
    from threatmodel.errors import Position, Problem, ThreatModelError
    from threatmodel.interop import import_model
    from threatmodel.interop.model_writer import dump_model
    from threatmodel.output import write_atomic

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
    result = import_model(args.from_format, args.source)
    check_model(result.model, load_catalog(args))
    text = dump_model(result.model, header(args.source, args.from_format, result.notes))
    print_warnings(result.model.warnings)
    model = result.model
    counts = (
        f"{len(model.elements)} elements, {len(model.flows)} flows, "
        f"{len(model.boundaries)} boundaries, {len(model.data)} data assets"
    )
    if output is None:
        sys.stdout.write(text)
        print(f"imported {counts}", file=sys.stderr)
        return 0
    write_atomic(output, text)
    print(f"wrote {output} ({counts}; {len(result.summary())} kinds of note)")
    return 0
