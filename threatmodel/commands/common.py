"""Helpers shared by commands: loading inputs and printing problems and warnings."""

from __future__ import annotations

import argparse
import sys
from typing import Iterable

from threatmodel.render.escape import terminal


def add_catalog_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", action="append", default=[], metavar="PATH",
                        help="a user catalog file or directory, layered on the shipped ones "
                             "(repeatable)")
    parser.add_argument("--no-shipped", action="store_true",
                        help="use only the --catalog files (plus the shipped vocabulary)")


def load_catalog(args: argparse.Namespace):
    from threatmodel.catalog_yaml import load_catalog as load

    return load(tuple(args.catalog), shipped_risks=not args.no_shipped)


def print_warnings(warnings: Iterable) -> None:
    for warning in warnings:
        print(terminal(str(warning)), file=sys.stderr)


def severity_choices() -> list[str]:
    """The severities of the shipped bands (user catalogs may rename them; checked again later)."""
    return ["critical", "high", "medium", "low"]
