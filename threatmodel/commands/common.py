"""Helpers shared by commands: loading inputs and printing problems and warnings."""

from __future__ import annotations

import argparse
import datetime
import os
import re
import sys
from collections.abc import Iterable

from threatmodel.render.escape import terminal


def add_catalog_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalog",
        action="append",
        default=[],
        metavar="PATH",
        help="a user catalog file or directory, layered on the shipped ones (repeatable)",
    )
    parser.add_argument(
        "--no-shipped",
        action="store_true",
        help="use only the --catalog files (plus the shipped vocabulary)",
    )
    add_limit_option(parser)


def add_jobs_option(
    parser: argparse.ArgumentParser,
    what: str = "from two, a big model's subjects are matched side by side",
) -> None:
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help=f"processes to use (default: one per core): {what}",
    )


def jobs_from(args: argparse.Namespace) -> int:
    """The processes `-j` asks for, or one per core."""
    from threatmodel.portfolio import default_jobs

    return args.jobs or default_jobs()


LIMITS_ENV = "THREATMODEL_LIMITS"
_SUFFIX = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def add_limit_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="raise or lower a bound on what one input file may cost to read: "
        "max_bytes (default 20M), max_depth (64), max_nodes (2000000), "
        "max_scalar_chars (100000); or on the work a model may ask for: max_elements "
        "(20000), max_flows (50000), max_boundary_depth (32), max_findings (100000); "
        "K/M/G suffixes; repeatable. Also "
        f"${LIMITS_ENV}='NAME=VALUE,...' (the options win)",
    )


def limits_from(args: argparse.Namespace):
    """The loader limits: the defaults, then $THREATMODEL_LIMITS, then each --limit."""
    import attrs

    from threatmodel.loader import DEFAULT_LIMITS

    names = [field.name for field in attrs.fields(type(DEFAULT_LIMITS))]
    values: dict[str, int] = {}
    problems = []
    sources = [(LIMITS_ENV, item) for item in os.environ.get(LIMITS_ENV, "").split(",")]
    sources += [("--limit", item) for item in getattr(args, "limit", None) or ()]
    for where, item in sources:
        if not item.strip():
            continue
        name, _, text = item.partition("=")
        name = name.strip().replace("-", "_")
        match = re.fullmatch(r"([0-9][0-9_]*)\s*([kKmMgG]?)[bB]?", text.strip())
        if name not in names:
            from threatmodel.errors import did_you_mean

            problem = (
                f"unknown limit '{name}'{did_you_mean(name, names)}; "
                f"the limits are {', '.join(names)}"
            )
        elif match is None or int(match[1].replace("_", "")) < 1:
            problem = (
                f"limit {name} must be a whole number of at least 1 (K, M, G allowed), "
                f"not '{text.strip()}'"
            )
        else:
            values[name] = int(match[1].replace("_", "")) * _SUFFIX[match[2].lower()]
            continue
        from threatmodel.errors import Position, Problem

        problems.append(Problem(message=problem, pos=Position(file=where)))
    if problems:
        from threatmodel.errors import ThreatModelError

        raise ThreatModelError(problems)
    return attrs.evolve(DEFAULT_LIMITS, **values)


def sources_from(args: argparse.Namespace):
    """Where the catalogs come from and how inputs are read, from the common options."""
    from threatmodel.run import Sources

    return Sources(
        catalogs=tuple(getattr(args, "catalog", None) or ()),
        shipped=not getattr(args, "no_shipped", False),
        limits=limits_from(args),
        from_format=getattr(args, "from_format", None),
    )


def load_catalog(args: argparse.Namespace):
    """The catalogs the common options name."""
    from threatmodel import run

    return run.catalog(sources_from(args))


def add_input_option(parser: argparse.ArgumentParser) -> None:
    """`--from otm|threagile|pytm`: read the model from another tool's file."""
    from threatmodel.interop import FORMATS

    parser.add_argument(
        "--from",
        dest="from_format",
        choices=["auto", *sorted(FORMATS)],
        default=None,
        help="the model is another tool's file: "
        + "; ".join(f"{k}: {v[1]}" for k, v in sorted(FORMATS.items()))
        + "; auto: recognise it",
    )


def print_warnings(warnings: Iterable) -> None:
    from threatmodel.errors import problem_lines

    for line in problem_lines(warnings):
        print(terminal(line), file=sys.stderr)


MAX_SECONDS = 7 * 24 * 3600  # a time budget of a week at most: the timers overflow far beyond


def timeout_problem(option: str, seconds: float | None) -> str | None:
    """What is wrong with a time budget given as `option` (None: nothing, or not given): it
    must be more than 0 seconds and at most `MAX_SECONDS` (inf or 1e300 overflowed a timer)."""
    if seconds is None or 0 < seconds <= MAX_SECONDS:
        return None
    if seconds > MAX_SECONDS:
        return f"{option} must be at most {MAX_SECONDS:,} seconds (a week), not {seconds:g}"
    return f"{option} must be positive, not {seconds:g}"


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
