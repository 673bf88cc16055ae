"""`threatmodel analyze MODEL`: match the catalogs, print a summary, write the reports."""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

import attrs

from threatmodel.commands.common import (
    add_catalog_option,
    add_input_option,
    limits_from,
    load_catalog,
    load_input_model,
    print_warnings,
)


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "analyze",
        help="analyse a model and write reports",
        description="Analyse a model against the catalogs and write reports.",
    )
    parser.add_argument(
        "model",
        nargs="+",
        help="the model YAML file; several files or directories analyse a "
        "portfolio in parallel (a directory's models are its YAML files "
        "with a top-level 'system:' key)",
    )
    add_catalog_option(parser)
    add_input_option(parser)
    parser.add_argument(
        "--format",
        default=None,
        help="comma-separated output formats (default: every default format; "
        "see 'threatmodel analyze --help')",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        help="directory for the reports (default threatmodel-out/<model name>)",
    )
    parser.add_argument(
        "--fail-on",
        metavar="SEVERITY",
        help="exit 1 if an open confirmed finding is at or above SEVERITY",
    )
    parser.add_argument(
        "--decisions",
        metavar="FILE",
        help="review decisions to apply (default: <model>.decisions.yaml beside "
        "the model, when it exists)",
    )
    parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="judge decision expiry as of this date (default: today)",
    )
    parser.add_argument(
        "--template",
        metavar="FILE",
        help="a Jinja2 template for the HTML report (it may extend "
        "'report.html.j2' and override its blocks)",
    )
    parser.add_argument("--top", type=int, default=5, help="findings shown in the summary")
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="models analysed at once in portfolio mode (default: one per core)",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but problems")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from threatmodel.errors import Position, Problem, ThreatModelError
    from threatmodel.render import FORMATS, default_formats

    formats = [f.strip() for f in (args.format or default_formats()).split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ThreatModelError(
            [
                Problem(
                    message=f"unknown format '{f}'; choose from {', '.join(FORMATS)}",
                    pos=Position(file="--format"),
                )
                for f in unknown
            ]
        )
    catalog = load_catalog(args)
    if args.fail_on and args.fail_on not in catalog.severities:
        raise ThreatModelError(
            [
                Problem(
                    message=f"unknown severity '{args.fail_on}'; choose from "
                    f"{', '.join(catalog.severities)}",
                    pos=Position(file="--fail-on"),
                )
            ]
        )
    options = Options(
        formats=tuple(formats),
        today=parse_today(args.today),
        decisions=args.decisions,
        template=args.template,
        from_format=getattr(args, "from_format", None),
        fail_on=args.fail_on,
        limits=getattr(args, "limit", None) or (),
    )
    if len(args.model) == 1 and not Path(args.model[0]).is_dir():
        return _single(args, catalog, options)
    from threatmodel.commands.analyze_portfolio import run_portfolio

    return run_portfolio(args, catalog, options)


@attrs.frozen
class Options:
    """What every model of a run is analysed and written with (plain data, for workers too)."""

    formats: tuple[str, ...]
    today: datetime.date
    decisions: str | None = None
    template: str | None = None
    from_format: str | None = None
    fail_on: str | None = None
    limits: tuple = ()
    workers: int = 2  # processes that render the reports of one model


def analyze_to(catalog, model_path: str, output: Path, options: Options):
    """Load, analyse, apply decisions, render every format and write them; returns
    (result, written paths). Raises ThreatModelError (nothing written) on bad input."""
    from threatmodel.api import analyze
    from threatmodel.output import write_all
    from threatmodel.tracking import apply_decisions

    args = argparse.Namespace(
        model=model_path, from_format=options.from_format, limit=list(options.limits)
    )
    model = load_input_model(args, strict=False)
    decisions = load_decisions_for(model_path, options.decisions, model, limits_from(args))
    result = apply_decisions(analyze(model, catalog), decisions, options.today)
    files = render_all(result, list(options.formats), options.template, options.workers)
    return result, write_all(output, files)


def _single(args: argparse.Namespace, catalog, options: Options) -> int:
    from threatmodel.render import terminal as summary

    model_path = args.model[0]
    output = Path(args.output) if args.output else Path("threatmodel-out") / Path(model_path).stem
    result, written = analyze_to(catalog, model_path, output, options)
    print_warnings(result.warnings)
    if not args.quiet:
        sys.stdout.write(summary.render(result, top=args.top, colour=sys.stdout.isatty()))
        for path in written:
            print(f"wrote {path}")
    return exit_status(result, args.fail_on)


def render_all(
    result, formats: list[str], template: str | None = None, workers: int = 1
) -> dict[str, str | bytes]:
    """Every requested output, rendered before anything is written (see render.render_formats)."""
    from threatmodel.render import render_formats

    return render_formats(result, formats, template, workers)


def exit_status(result, fail_on: str | None) -> int:
    """1 when an open confirmed finding is at or above `fail_on`, else 0."""
    if not fail_on:
        return 0
    catalog = result.catalog
    threshold = catalog.severity_rank(fail_on)
    failing = [
        f for f in result.confirmed if f.open and catalog.severity_rank(f.severity) >= threshold
    ]
    return 1 if failing else 0


def parse_today(text: str | None) -> datetime.date:
    """The date decisions are judged on: --today, or the real date."""
    from threatmodel.errors import Position, Problem, ThreatModelError

    if not text:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ThreatModelError(
            [
                Problem(
                    message=f"'{text}' is not a date written YYYY-MM-DD",
                    pos=Position(file="--today"),
                )
            ]
        ) from None


def load_decisions_for(model_path: str, explicit: str | None, model=None, limits=None):
    """The decisions to apply: the file named on the command line, else the one beside the
    model, else the model's own `decisions:` section, else None. Two places is an error."""
    from threatmodel.errors import Position, Problem, ThreatModelError
    from threatmodel.loader import DEFAULT_LIMITS, LMap
    from threatmodel.tracking import default_path, load_decisions, parse_decisions

    limits = limits or DEFAULT_LIMITS

    section = getattr(model, "decisions", None)
    if explicit:
        if not Path(explicit).is_file():
            raise ThreatModelError(
                [Problem(message="decisions file not found", pos=Position(file=explicit))]
            )
        return load_decisions(explicit, limits=limits)
    path = default_path(model_path)
    if path.is_file():
        if section is not None:
            raise ThreatModelError(
                [
                    Problem(
                        message=f"decisions are both in this model's 'decisions:' section and in {path}; "
                        "keep them in one place",
                        pos=getattr(section, "pos", Position(file=model_path)),
                    )
                ]
            )
        return load_decisions(path, limits=limits)
    if section is None:
        return None
    holder = LMap(Position(file=model.path, line=1, col=1))
    holder["decisions"] = section
    holder.key_pos["decisions"] = holder.val_pos["decisions"] = getattr(section, "pos", holder.pos)
    return parse_decisions(holder, model.path, embedded=True)
