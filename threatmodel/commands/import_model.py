"""`threatmodel import [--from FORMAT] FILE -o MODEL.yaml`: another tool's model in.

(The module is not called `import`: that is a Python keyword. The command is.)
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from threatmodel.commands.common import add_catalog_option, limits_from, load_catalog


def add_parser(sub) -> None:
    from threatmodel.interop import AUTO, FORMATS

    parser = sub.add_parser(
        "import",
        help="convert an OTM, Threagile, pytm or Threat Dragon model into a threatmodel model",
        description="Convert another tool's model into a threatmodel YAML model. What could "
        "not be mapped, and every guess, is written as comments in the model and listed on the "
        f"terminal (at most {NOTES_SHOWN} of each kind).",
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


NOTES_SHOWN = 20  # details of each topic of the notes printed (the model's top has them all)


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
    from threatmodel.errors import ThreatModelError
    from threatmodel.loader import load_text

    try:  # read without positions first: an accepted model (the rule) needs none
        _check_data(load_text(text, shown, limits, located=False)[0], shown, limits, catalog)
    except ThreatModelError:  # read again with them, for the places in the messages
        _check_data(load_text(text, shown, limits)[0], shown, limits, catalog)


def _check_data(data, shown: str, limits, catalog) -> None:
    from threatmodel.api import check_model
    from threatmodel.model_yaml import read_model_data

    check_model(read_model_data(data, shown, limits=limits), catalog)


def written(result, source: str, shown: str, limits, catalog) -> tuple[str, list[str]]:
    """The imported model's text and the notes at its top, checked as `check_written` checks
    it; a ThreatModelError names the places in `source` where the model is refused there,
    else those in the text (`shown`).

    The check is in two halves, done at once where a child can be forked. The child reads
    the text as this process writes it, a part at a time (`dump_sections`), and says whether
    it loads as exactly the data it was written from (`loads_as`: the text without its
    header, comment lines holding nothing YAML refuses). This process meanwhile reads that
    data as a model and checks it, as `validate` would. Only when either half says no is the
    model checked the slow way (`check_model`, then `check_written`), to say where and why."""
    import io

    from threatmodel import forked
    from threatmodel.api import check_model
    from threatmodel.interop.model_writer import dump_sections, model_data, with_header
    from threatmodel.interop.report import report_lines
    from threatmodel.loader import loads_as

    data = model_data(result.model)  # before the fork: the child has it too

    def read_back(stream) -> bool:
        return loads_as(stream, data, shown, limits)

    reading = forked.Fed(read_back) if forked.usable() else None
    with reading or contextlib.nullcontext():
        parts = []
        for part in dump_sections(result.model, result.comments, data):
            parts.append(part)
            if reading is not None:
                reading.send(part)
        body = "".join(parts)
        checked = _model_checked(data, shown, limits, catalog)
        notes = report_lines(result.notes, source)
        text = with_header(header(source, result.source_format, notes), body)
        loads = reading.result() if reading is not None else None
        if loads is None:  # no child, or none that could answer: read the text back here
            loads = checked and loads_as(io.StringIO(body), data, shown, limits)
    if not (checked and loads) or len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        check_model(result.model, catalog)
        check_written(text, shown, limits, catalog)
    return text, notes


def _model_checked(data: dict, shown: str, limits, catalog) -> bool:
    """Whether the model `data` says is accepted (`_check_data`, every place the text's top)."""
    from threatmodel.errors import Position, ThreatModelError
    from threatmodel.loader import located

    try:
        _check_data(located(data, Position(file=shown, line=1, col=1)), shown, limits, catalog)
    except ThreatModelError:
        return False
    return True


def run(args: argparse.Namespace) -> int:
    from threatmodel.console import document
    from threatmodel.errors import Position, Problem, ThreatModelError
    from threatmodel.interop import import_model
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
    text, notes = written(
        result, args.source, f"{output or 'the imported model'} (not written)", limits, catalog
    )
    counts = (
        f"{len(model.elements)} elements, {len(model.flows)} flows, "
        f"{len(model.boundaries)} boundaries, {len(model.data)} data assets"
    )
    if notes:
        shown = report_lines(result.notes, args.source, most=NOTES_SHOWN)
        where = (
            "also written at the top of the model"
            if shown == notes
            else f"at most {NOTES_SHOWN} of each kind here; all of them at the top of the model"
        )
        print(f"{args.source}: notes on the import ({where}):", file=sys.stderr)
        print("\n".join(map(terminal, shown)), file=sys.stderr)
    unmapped = count_unmapped(result.notes)
    summary = f"{counts}; {unmapped} source fields not mapped"
    if output is None:
        document(text)
        print(f"imported {summary}", file=sys.stderr)
        return 0
    write_atomic(output, text)
    print(f"wrote {output} ({summary})")
    return 0
