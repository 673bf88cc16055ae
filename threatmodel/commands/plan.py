"""`threatmodel plan MODEL`: the fewest mitigations that bring every open concern below a target."""

from __future__ import annotations

import argparse
import sys

from threatmodel.commands.common import (
    add_catalog_option,
    add_input_option,
    add_jobs_option,
    jobs_from,
    load_catalog,
    parse_today,
    print_warnings,
    sources_from,
)

FORMATS = ("text", "md", "json")


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "plan",
        help="the fewest mitigations that bring every concern below a severity",
        description="Choose, greedily by the risk each removes, the catalog mitigations that "
        "bring every open concern below --target, each on named elements, with what stays "
        "open once it is in place. Concerns no mitigation can bring down are named, with "
        "what would have to change.",
    )
    parser.add_argument("model", help="the model YAML file")
    add_catalog_option(parser)
    add_jobs_option(parser)
    add_input_option(parser)
    parser.add_argument(
        "--target", default="high", help="bring every open concern below this severity (high)"
    )
    parser.add_argument("--max", type=int, metavar="N", help="at most N steps")
    parser.add_argument("--format", choices=FORMATS, default="text", help="text, md or json")
    parser.add_argument(
        "--decisions",
        metavar="FILE",
        help="review decisions to apply (default: <model>.decisions.yaml beside the model)",
    )
    parser.add_argument("--today", metavar="YYYY-MM-DD", help="judge decision expiry as of this")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from threatmodel import run as service
    from threatmodel.console import document
    from threatmodel.errors import Position, Problem, ThreatModelError
    from threatmodel.planner import make_plan
    from threatmodel.render import plan as renderers

    catalog = load_catalog(args)
    problems = []
    if args.target not in catalog.severities:
        problems.append(
            Problem(
                message=f"unknown severity '{args.target}'; choose from "
                f"{', '.join(catalog.severities)}",
                pos=Position(file="--target"),
            )
        )
    if args.max is not None and args.max < 1:
        problems.append(
            Problem(message=f"--max must be 1 or more, not {args.max}", pos=Position(file="--max"))
        )
    if problems:
        raise ThreatModelError(problems)
    result = service.analyse(
        args.model,
        catalog,
        sources_from(args),
        decisions=args.decisions,
        today=parse_today(args.today),
        processes=jobs_from(args),
    )
    print_warnings(result.warnings)
    plan = make_plan(result, args.target, args.max)
    names = {s.id: s.label for s in result.model.subjects()}
    if args.format == "json":
        document(renderers.render_json(plan))
    elif args.format == "md":
        document(renderers.render_markdown(plan, names))
    else:
        sys.stdout.write(renderers.render_text(plan, names))
    return 0
