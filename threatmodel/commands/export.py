"""`threatmodel export --to otm MODEL -o FILE`: our model and its findings as Open Threat Model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from threatmodel.commands.common import (
    add_catalog_option,
    add_input_option,
    load_catalog,
    print_warnings,
    sources_from,
)

TARGETS = ("otm",)


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "export",
        help="write the model and its findings as Open Threat Model (OTM)",
        description="Analyse the model and write it, with its findings as threats and the "
        "catalog's mitigations, as an OTM document for IriusRisk, Threat Dragon and "
        "other OTM tools. JSON, or YAML when FILE ends in .yaml or .yml.",
    )
    parser.add_argument("--to", dest="target", required=True, choices=TARGETS)
    parser.add_argument("model", help="the model YAML file")
    parser.add_argument("-o", "--output", metavar="FILE", help="the OTM file (default: print it)")
    parser.add_argument(
        "--no-findings",
        action="store_true",
        help="export the model only, without threats and mitigations",
    )
    parser.add_argument(
        "--include-possible",
        action="store_true",
        help="also export findings that need information (state 'exposed')",
    )
    parser.add_argument(
        "--decisions",
        metavar="FILE",
        help="review decisions to apply (default: <model>.decisions.yaml beside "
        "the model, when it exists)",
    )
    add_catalog_option(parser)
    add_input_option(parser)
    parser.set_defaults(run=run)


def render(document: dict, yaml_output: bool) -> str:
    """The OTM document as text: indented JSON, or YAML; deterministic either way."""
    if yaml_output:
        import yaml

        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    from threatmodel import run as service
    from threatmodel.interop.otm_export import export_otm, unplaced_findings
    from threatmodel.output import write_atomic
    from threatmodel.render.escape import terminal
    from threatmodel.validate import validate

    catalog = load_catalog(args)
    sources = sources_from(args)
    result = None
    if args.no_findings:
        model = service.read_model(args.model, sources)
        validate(model, catalog)
    else:
        result = service.analyse(args.model, catalog, sources, decisions=args.decisions)
        model = result.model
    document = export_otm(model, result, include_possible=args.include_possible)
    output = Path(args.output) if args.output else None
    text = render(document, output is not None and output.suffix.lower() in (".yaml", ".yml"))
    print_warnings(model.warnings if result is None else result.warnings)
    if result is not None:
        unplaced = unplaced_findings(result, args.include_possible)
        if unplaced:
            print(
                f"note: {len(unplaced)} findings on boundaries or the whole system are listed "
                "under their OTM threat's attributes only (OTM has no threat instances there)",
                file=sys.stderr,
            )
    if output is None:
        sys.stdout.write(text)
        return 0
    write_atomic(output, text)
    threats = len(document.get("threats", ()))
    print(
        f"wrote {terminal(output)} ({len(document['components'])} components, "
        f"{len(document['dataflows'])} dataflows, {threats} threats)"
    )
    return 0
