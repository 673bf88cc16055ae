"""`threatmodel schema model|catalog|decisions`: print a JSON Schema for editors and tools."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "schema",
        help="print the JSON Schema of model, catalog, decisions or results files",
        description="Print the JSON Schema of a file format, for editors with a YAML language "
        "server (see docs/editor-support.md). The model schema lists the shipped "
        "vocabulary; add --catalog to include your own catalogs' attributes.",
    )
    parser.add_argument(
        "name",
        choices=("model", "catalog", "decisions", "results"),
        help="results: findings.json, which `analyze` writes",
    )
    parser.add_argument(
        "--catalog",
        action="append",
        default=[],
        metavar="PATH",
        help="model schema only: also allow the vocabulary of these catalogs",
    )
    parser.add_argument(
        "--path",
        action="store_true",
        help="print where the installed copy of the schema is, not the schema",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from threatmodel import schema
    from threatmodel.console import document
    from threatmodel.errors import Position, Problem, ThreatModelError

    if args.catalog and args.name != "model":
        raise ThreatModelError(
            [
                Problem(
                    message="--catalog only applies to the model schema",
                    pos=Position(file="--catalog"),
                )
            ]
        )
    if args.path:
        if args.catalog:
            raise ThreatModelError(
                [
                    Problem(
                        message="--path shows the shipped schema, which "
                        "knows only the shipped catalogs; write your "
                        "own with: threatmodel schema model --catalog "
                        "PATH > model.schema.json",
                        pos=Position(file="--path"),
                    )
                ]
            )
        print(schema.shipped_path(args.name))
        return 0
    document(schema.render(schema.generate(args.name, tuple(args.catalog))))
    return 0
