"""`threatmodel validate MODEL`: report every problem in a model (its `decisions:` section or
the decisions file beside it included, as `analyze` reads them), write nothing."""

from __future__ import annotations

import argparse

from threatmodel.commands.common import (
    add_catalog_option,
    add_input_option,
    load_catalog,
    print_warnings,
    sources_from,
)


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "validate",
        help="check a model for problems",
        description="Check a model against the vocabulary and catalogs, and its review decisions "
        "(its decisions: section or the decisions file beside it).",
    )
    parser.add_argument("model", help="the model YAML file")
    parser.add_argument(
        "--decisions",
        metavar="FILE",
        help="review decisions to check (default: <model>.decisions.yaml beside the model, "
        "when it exists, else the model's decisions: section), as analyze reads them",
    )
    add_catalog_option(parser)
    add_input_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from threatmodel.render.escape import terminal
    from threatmodel.run import find_decisions, read_model
    from threatmodel.validate import validate

    catalog = load_catalog(args)
    sources = sources_from(args)
    model = read_model(args.model, sources)
    validate(model, catalog)
    decisions = find_decisions(args.model, model, args.decisions, sources.limits)
    print_warnings(model.warnings)
    if decisions is not None:
        print_warnings(decisions.warnings)
    print(
        f"{terminal(args.model)}: ok ({len(model.elements)} elements, {len(model.flows)} flows, "
        f"{len(model.boundaries)} boundaries, {len(model.data)} data assets)"
    )
    return 0
