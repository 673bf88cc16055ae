"""`threatmodel analyze DIR` or `analyze A.yaml B.yaml ...`: the portfolio side of analyze."""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

import attrs

from threatmodel.commands.common import print_warnings
from threatmodel.portfolio import (
    Outcome,
    default_jobs,
    find_models,
    output_dirs,
    render_markdown,
    render_text,
    run_all,
    summary_table,
)


def run_portfolio(args: argparse.Namespace, catalog, options) -> int:
    """Analyse every model in parallel, print and write the combined summary; exit status
    2 if any model had problems, else 1 if any fails --fail-on, else 0."""
    from threatmodel.errors import Position, Problem, ThreatModelError
    from threatmodel.output import write_all
    from threatmodel.render.data import dumps_json

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
    loader = functools.partial(
        _load_catalog, args.catalog, args.no_shipped, list(getattr(args, "limit", None) or ())
    )
    task = functools.partial(analyze_one, options=attrs.evolve(options, workers=1))
    show = sys.stderr.isatty() and not args.quiet
    outcomes = run_all(
        models,
        output_dirs(models, root),
        catalog,
        loader,
        task,
        args.jobs or default_jobs(),
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
                "by_severity": dict(o.counts),
                "possible": o.possible,
                "people_exposed": o.people,
                "problems": list(o.problems),
                "fails": bool(o.open_at_threshold),
            }
            for o in outcomes
        ]
    }
    written = write_all(
        root, {"portfolio.md": render_markdown(rows), "portfolio.json": dumps_json(data) + "\n"}
    )
    if not args.quiet:
        sys.stdout.write(render_text(rows))
        for path in written:
            print(f"wrote {path}")
    if any(not o.ok for o in outcomes):
        return 2
    return 1 if any(o.open_at_threshold for o in outcomes) else 0


def analyze_one(catalog, model: str, output: str, options) -> Outcome:
    """One model of the portfolio, as plain data: its counts, or the problems it has."""
    from threatmodel.commands.analyze import analyze_to, exit_status
    from threatmodel.errors import ThreatModelError

    try:
        result, _ = analyze_to(catalog, model, Path(output), options)
    except ThreatModelError as exc:
        return Outcome(model=model, output=output, problems=tuple(str(p) for p in exc.problems))
    return Outcome(
        model=model,
        output=output,
        name=result.model.system.label,
        elements=len(result.model.elements),
        counts=tuple(result.counts().items()),
        possible=len(result.possible),
        open_at_threshold=exit_status(result, options.fail_on),
        people=max((f.harm.subjects or 0 for f in result.confirmed), default=0),
        warnings=tuple(str(w) for w in result.warnings),
    )


def _load_catalog(paths: list[str], no_shipped: bool, limits: list[str]):
    from threatmodel.commands.common import load_catalog

    return load_catalog(argparse.Namespace(catalog=paths, no_shipped=no_shipped, limit=limits))


def _progress(done: int, total: int, outcome: Outcome) -> None:
    from threatmodel.render.escape import terminal

    sys.stderr.write(f"\r[{done}/{total}] {terminal(outcome.model)[-60:]:60}")
    sys.stderr.flush()
