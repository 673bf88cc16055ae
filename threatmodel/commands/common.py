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


def add_input_option(parser: argparse.ArgumentParser) -> None:
    """`--from otm|threagile|pytm`: read the model from another tool's file."""
    from threatmodel.interop import FORMATS

    parser.add_argument("--from", dest="from_format", choices=sorted(FORMATS), default=None,
                        help="the model is another tool's file: " +
                             "; ".join(f"{k}: {v[2]}" for k, v in sorted(FORMATS.items())))


def load_input_model(args: argparse.Namespace, *, strict: bool = True):
    """The SystemModel of `args.model`, imported first when `--from` names another format.

    `strict` is passed to `load_model` for our own YAML; an import raises on a broken file.
    """
    fmt = getattr(args, "from_format", None)
    if not fmt:
        from threatmodel.api import load_model

        return load_model(args.model, strict=strict)
    from threatmodel.interop import import_model

    return import_model(fmt, args.model).model


def print_warnings(warnings: Iterable) -> None:
    for warning in warnings:
        print(terminal(str(warning)), file=sys.stderr)


def severity_choices() -> list[str]:
    """The severities of the shipped bands (user catalogs may rename them; checked again later)."""
    return ["critical", "high", "medium", "low"]
