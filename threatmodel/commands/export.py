"""`threatmodel export --to otm|threat-dragon|tmbom MODEL -o FILE`: our model and its findings
in another tool's format (the documents are built in threatmodel.interop)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from threatmodel.commands.common import (
    add_catalog_option,
    add_input_option,
    add_jobs_option,
    jobs_from,
    load_catalog,
    print_warnings,
    sources_from,
)

# target -> (module, function): each takes (model, result, include_possible) -> a dict
TARGETS = {
    "otm": ("threatmodel.interop.otm_export", "export_otm"),
    "threat-dragon": ("threatmodel.interop.threat_dragon_export", "export_threat_dragon"),
    "tmbom": ("threatmodel.interop.tmbom", "export_tmbom"),
}


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "export",
        help="write the model and its findings as OTM, Threat Dragon or TM-BOM",
        description="Analyse the model and write it, with its findings as threats and the "
        "catalog's mitigations: otm (Open Threat Model, for IriusRisk and other OTM tools), "
        "threat-dragon (an OWASP Threat Dragon v2 model, drawn), tmbom (the TM-BOM that "
        "Threat Dragon reads: OWASP Threat Model Library format). JSON, or YAML for OTM "
        "when FILE ends in .yaml or .yml.",
    )
    parser.add_argument("--to", dest="target", required=True, choices=sorted(TARGETS))
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
    add_jobs_option(parser)
    add_input_option(parser)
    parser.set_defaults(run=run)


def render(document: dict, yaml_output: bool) -> str:
    """The OTM document as text: indented JSON, or YAML; deterministic either way."""
    if yaml_output:
        import yaml

        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    import importlib

    from threatmodel import run as service
    from threatmodel.console import document as write_document
    from threatmodel.interop.otm_export import unplaced_findings
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
        result = service.analyse(
            args.model, catalog, sources, decisions=args.decisions, processes=jobs_from(args)
        )
        model = result.model
    module, function = TARGETS[args.target]
    export = getattr(importlib.import_module(module), function)
    document = export(model, result, include_possible=args.include_possible)
    output = Path(args.output) if args.output else None
    yaml_output = output is not None and output.suffix.lower() in (".yaml", ".yml")
    text = render(document, yaml_output and args.target == "otm")
    print_warnings(model.warnings if result is None else result.warnings)
    if result is not None:
        unplaced = unplaced_findings(result, args.include_possible)
        if unplaced:
            print(
                f"note: {len(unplaced)} findings on boundaries or the whole system "
                + (
                    "are listed under their OTM threat's attributes only (OTM has no threat "
                    "instances there)"
                    if args.target == "otm"
                    else "have no element to sit on here; they are in the risks and threats"
                    if args.target == "tmbom"
                    else "are left out (Threat Dragon threats sit on elements and flows)"
                ),
                file=sys.stderr,
            )
    if output is None:
        write_document(text)
        return 0
    write_atomic(output, text)
    print(f"wrote {terminal(output)} ({_counts(args.target, document)})")
    return 0


def _counts(target: str, document: dict) -> str:
    if target == "threat-dragon":
        cells = document["detail"]["diagrams"][0]["cells"]
        flows = sum(1 for c in cells if c["shape"] == "flow")
        return (
            f"{len(cells) - flows} shapes, {flows} flows, {document['detail']['threatTop']} threats"
        )
    if target == "tmbom":
        parts = ("actors", "components", "data_stores", "data_flows", "threats")
        return ", ".join(f"{len(document.get(p, ()))} {p.replace('_', ' ')}" for p in parts)
    return (
        f"{len(document['components'])} components, {len(document['dataflows'])} dataflows, "
        f"{len(document.get('threats', ()))} threats"
    )
