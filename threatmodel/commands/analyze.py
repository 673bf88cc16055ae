"""`threatmodel analyze MODEL`: match the catalogs, print a summary, write the reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from threatmodel.commands.common import (
    add_catalog_option,
    add_input_option,
    add_jobs_option,
    jobs_from,
    load_catalog,
    parse_today,
    print_warnings,
    sources_from,
    timeout_problem,
)


def add_parser(sub) -> None:
    from threatmodel.render import FORMATS

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
        help="comma-separated output formats, from: "
        + "; ".join(f"{name} ({spec.file}: {spec.description})" for name, spec in FORMATS.items())
        + ". Default: all of them (the SVG diagrams only where Graphviz's dot is installed)",
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
    parser.add_argument(
        "--template-timeout",
        metavar="SECONDS",
        type=float,
        default=None,
        help="time a --template may take to render (default 8); past it the run stops with "
        "exit 2 and writes nothing",
    )
    parser.add_argument(
        "--diagram-timeout",
        metavar="SECONDS",
        type=float,
        default=300.0,
        help="time Graphviz may take to lay out each diagram (default 300); a diagram not "
        "drawn in time is replaced by a note in its file, the reports and here, and the run "
        "goes on",
    )
    parser.add_argument("--top", type=int, default=5, help="findings shown in the summary")
    add_jobs_option(
        parser,
        "in portfolio mode, models analysed at once; for one model, a big model's subjects "
        "matched and its reports rendered side by side",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but problems")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from threatmodel.errors import Position, Problem, ThreatModelError
    from threatmodel.render import FORMATS, RenderOptions, default_formats
    from threatmodel.run import Options

    chosen = args.format.split(",") if args.format else default_formats()
    formats = tuple(f.strip() for f in chosen if f.strip())
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
    for option, seconds in (
        ("--diagram-timeout", args.diagram_timeout),
        ("--template-timeout", args.template_timeout),
    ):
        if problem := timeout_problem(option, seconds):
            raise ThreatModelError([Problem(message=problem, pos=Position(file=option))])
    single = len(args.model) == 1 and not Path(args.model[0]).is_dir()
    options = Options(
        sources=sources_from(args),
        formats=formats,
        today=parse_today(args.today),
        decisions=args.decisions,
        fail_on=args.fail_on,
        render=RenderOptions(
            template=args.template,
            diagram_timeout=args.diagram_timeout,
            template_timeout=args.template_timeout,
            processes=jobs_from(args) if single else 1,  # else: models at once
        ),
    )
    if single:
        return _single(args, catalog, options)
    from threatmodel.commands.analyze_portfolio import run_portfolio

    return run_portfolio(args, catalog, options)


def _single(args: argparse.Namespace, catalog, options) -> int:
    from threatmodel.render import terminal as summary
    from threatmodel.render.escape import terminal
    from threatmodel.run import analyse_to, failing

    model_path = args.model[0]
    from threatmodel.output import safe_name

    default = Path("threatmodel-out") / safe_name(Path(model_path).stem)  # `...yaml`: not `..`
    output = Path(args.output) if args.output else default
    report, written = analyse_to(catalog, model_path, output, options)
    print_warnings(report.warnings)
    if not args.quiet:
        sys.stdout.write(summary.render(report, top=args.top, colour=sys.stdout.isatty()))
        for path in written:
            print(f"wrote {terminal(path)}")
    return 1 if failing(report, args.fail_on) else 0
