"""`threatmodel analyze DIR` or `analyze A.yaml B.yaml ...`: the portfolio side of analyze."""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

from threatmodel.commands.common import jobs_from, print_warnings
from threatmodel.portfolio import (
    Outcome,
    find_models,
    output_dirs,
    run_all,
    summary_table,
)


def run_portfolio(args: argparse.Namespace, catalog, options) -> int:
    """Analyse every model in parallel, print and write the combined summary; exit status
    2 if any model had problems, else 1 if any fails --fail-on, else 0."""
    from threatmodel import run
    from threatmodel.errors import Position, Problem, ThreatModelError
    from threatmodel.jsondata import dumps
    from threatmodel.output import write_all
    from threatmodel.render.escape import terminal
    from threatmodel.render.portfolio import render_markdown, render_text

    if options.decisions:
        raise ThreatModelError(
            [
                Problem(
                    message="--decisions names one file; in portfolio mode "
                    "each model uses the decisions beside it",
                    pos=Position(file="--decisions"),
                )
            ]
        )
    models = find_models(args.model)
    if not models:
        raise ThreatModelError(
            [
                Problem(
                    message="no model files found (a model is a .yaml file "
                    "with a top-level 'system:' key)",
                    pos=Position(file=" ".join(args.model)),
                )
            ]
        )
    root = Path(args.output) if args.output else Path("threatmodel-out")
    loader = functools.partial(run.catalog, options.sources)
    task = functools.partial(run.analyse_for_portfolio, options=options)
    show = sys.stderr.isatty() and not args.quiet
    outcomes = run_all(
        models,
        output_dirs(models, root),
        catalog,
        loader,
        task,
        jobs_from(args),
        _progress if show else None,
    )
    if show:
        sys.stderr.write("\n")
    for outcome in outcomes:
        print_warnings(outcome.problems + outcome.warnings)
    rows = summary_table(outcomes, catalog.severities)
    data = {
        "models": [
            {
                "model": o.model,
                "output": Path(o.output).relative_to(root).as_posix(),
                "name": o.name,
                "elements": o.elements,
                "concerns_by_severity": dict(o.counts),
                "questions": o.questions,
                "people_exposed": o.people,
                "problems": list(o.problems),
                "fails": bool(o.open_at_threshold),
            }
            for o in outcomes
        ]
    }
    written = write_all(
        root, {"portfolio.md": render_markdown(rows), "portfolio.json": dumps(data) + "\n"}
    )
    if not args.quiet:
        sys.stdout.write(render_text(rows))
        for path in written:
            print(f"wrote {terminal(path)}")
    if any(not o.ok for o in outcomes):
        return 2
    return 1 if any(o.open_at_threshold for o in outcomes) else 0


def _progress(done: int, total: int, outcome: Outcome) -> None:
    from threatmodel.console import progress
    from threatmodel.render.escape import terminal

    progress(f"[{done}/{total}] {terminal(outcome.model)[-60:]:60}")
