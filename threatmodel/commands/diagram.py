"""`threatmodel diagram MODEL`: draw the data-flow diagram, a data map or attack trees."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from threatmodel.commands.common import (
    add_catalog_option,
    add_jobs_option,
    jobs_from,
    load_catalog,
    print_warnings,
    sources_from,
    timeout_problem,
)

KINDS = ("dfd", "data", "attack-tree")
FORMATS = ("svg", "png", "pdf", "dot")
EXAMPLES = """examples:
  threatmodel diagram model.yaml                          data-flow diagram, SVG
  threatmodel diagram model.yaml --format png -o dfd.png
  threatmodel diagram model.yaml --data social_graph      where the social graph ends up
  threatmodel diagram model.yaml --risk SRS-INT-01        one risk's attack tree
  threatmodel diagram big.yaml --boundary platform --min-severity high
  threatmodel diagram big.yaml --collapse-depth 1         top-level boundaries open only
"""


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "diagram",
        help="draw a data-flow diagram, data map or attack trees",
        description="Draw a diagram of a model with its findings. SVG, PNG and PDF need the "
        "'dot' program of Graphviz; DOT source does not.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model", help="the model YAML file")
    add_catalog_option(parser)
    add_jobs_option(parser)
    parser.add_argument(
        "--kind",
        choices=KINDS,
        help="dfd (data-flow diagram), data (data map) or attack-tree "
        "(default: data with --data, attack-tree with --risk, else dfd)",
    )
    parser.add_argument(
        "--data",
        metavar="ID",
        help="data map of a data asset id, a data category, 'personal' (the default) or 'special'",
    )
    parser.add_argument(
        "--risk",
        metavar="ID",
        help="the attack tree of one risk (default: every risk with a finding)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: from the -o file's extension, else svg)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="the file to write, '-' for stdout "
        "(default threatmodel-out/<model name>/<diagram>.<format>)",
    )
    view = parser.add_argument_group("views of large models")
    view.add_argument(
        "--boundary",
        metavar="ID",
        help="only the elements inside this boundary, and their neighbours",
    )
    view.add_argument(
        "--min-severity",
        metavar="SEVERITY",
        help="only elements and flows with an open finding this bad or worse",
    )
    view.add_argument(
        "--collapse",
        metavar="ID",
        action="append",
        default=[],
        help="draw this boundary as a single node (repeatable)",
    )
    view.add_argument(
        "--collapse-depth",
        metavar="N",
        type=int,
        help="draw boundaries nested N deep as single nodes (0: top level)",
    )
    view.add_argument(
        "--max-nodes",
        metavar="N",
        type=int,
        default=150,
        help="above N elements or flows, draw a summary: the data-flow diagram and the "
        "data map collapse boundaries from the innermost outward (the data map then groups "
        "elements by kind and type) until at most N of each are left; attack trees keep the "
        "worst risks' trees within N steps (default 150; 0: never)",
    )
    parser.add_argument("--no-legend", action="store_true", help="leave the legend out")
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=float,
        default=300.0,
        help="give up on graphviz after this long (default 300; exit 2)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from threatmodel import run as service
    from threatmodel.console import document
    from threatmodel.output import write_atomic
    from threatmodel.render.diagram import Options, option_error, render
    from threatmodel.render.escape import terminal

    kind = args.kind or ("data" if args.data else "attack-tree" if args.risk else "dfd")
    _check_options(args, kind, option_error)
    fmt = args.format or _format_of(args.output)
    options = Options(
        kind=kind,
        data=args.data,
        risk=args.risk,
        boundary=args.boundary,
        min_severity=args.min_severity,
        collapse=tuple(args.collapse),
        collapse_depth=args.collapse_depth,
        max_nodes=args.max_nodes,
        legend=not args.no_legend,
    )
    if args.output == "-" and fmt in ("png", "pdf") and sys.stdout.isatty():
        raise option_error(
            "-o", f"will not write {fmt.upper()} to a terminal; give a file name or redirect stdout"
        )
    catalog = load_catalog(args)
    result = service.analyse(args.model, catalog, sources_from(args), processes=jobs_from(args))
    content = render(result, options, fmt, timeout=args.timeout)
    print_warnings(result.warnings)
    if args.output == "-":
        document(content)
        return 0
    path = (
        Path(args.output)
        if args.output
        else Path("threatmodel-out") / Path(args.model).stem / default_name(options, fmt)
    )
    write_atomic(path, content)
    print(f"wrote {terminal(path)}")
    return 0


def default_name(options, fmt: str) -> str:
    """dfd.svg, data-map[-ID].svg or attack-tree[s|-RISK].svg, safe as a file name."""
    from threatmodel.output import safe_name

    if options.kind == "data":
        stem = f"data-map-{options.data}" if options.data else "data-map"
    elif options.kind == "attack-tree":
        stem = f"attack-tree-{options.risk}" if options.risk else "attack-trees"
    else:
        stem = "dfd" if not options.boundary else f"dfd-{options.boundary}"
    return safe_name(f"{stem}.{fmt}")


def _format_of(output: str | None) -> str:
    suffix = Path(output).suffix.lower().lstrip(".") if output and output != "-" else ""
    return suffix if suffix in FORMATS else "svg"


def _check_options(args: argparse.Namespace, kind: str, option_error) -> None:
    """Options that do not fit the diagram kind, and numbers out of range, are input errors."""
    problems = []
    if args.data and kind != "data":
        problems.append(("--data", "--data draws a data map: use it with --kind data"))
    if args.risk and kind != "attack-tree":
        problems.append(("--risk", "--risk draws an attack tree: use it with --kind attack-tree"))
    view = [
        name
        for name, value in (
            ("--boundary", args.boundary),
            ("--min-severity", args.min_severity),
            ("--collapse", args.collapse),
            ("--collapse-depth", args.collapse_depth),
        )
        if value not in (None, [], "")
    ]
    if view and kind != "dfd":
        problems.append((view[0], f"{view[0]} applies to the data-flow diagram (--kind dfd)"))
    for name, value in (("--collapse-depth", args.collapse_depth), ("--max-nodes", args.max_nodes)):
        if value is not None and value < 0:
            problems.append((name, f"{name} must be 0 or more, not {value}"))
    if problem := timeout_problem("--timeout", args.timeout):
        problems.append(("--timeout", problem))
    if problems:
        from threatmodel.errors import ThreatModelError

        raise ThreatModelError(
            [p for name, message in problems for p in option_error(name, message).problems]
        )
