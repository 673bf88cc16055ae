"""The application service: what a run does, with typed options, for every command.

    read the catalogs -> read the model (ours or another tool's) -> find its decisions
      -> analyse -> apply the decisions -> build the report -> render -> write

Commands are thin argparse adapters over these functions; the library's users can call them
too. Nothing here prints: problems are raised as ThreatModelError, warnings travel with the
result.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import attrs

from threatmodel.catalog import Catalog
from threatmodel.catalog_yaml import load_catalog
from threatmodel.engine import analyze
from threatmodel.errors import Position, Problem, ThreatModelError
from threatmodel.findings import Result
from threatmodel.loader import DEFAULT_LIMITS, Limits, LMap
from threatmodel.model import SystemModel
from threatmodel.model_yaml import read_model_file
from threatmodel.output import Staging
from threatmodel.portfolio import Outcome
from threatmodel.render import RenderOptions, file_name, render_all, render_formats
from threatmodel.report import Report, build_report
from threatmodel.tracking import (
    Decisions,
    apply_decisions,
    default_path,
    load_decisions,
    parse_decisions,
)


@attrs.frozen(kw_only=True)
class Sources:
    """Where the catalogs come from and how input files are read."""

    catalogs: tuple[str, ...] = ()  # user catalog files or directories, layered on the shipped
    shipped: bool = True  # False: only the user catalogs (plus the shipped vocabulary)
    limits: Limits = DEFAULT_LIMITS  # what one input file may cost to read
    from_format: str | None = None  # the model is another tool's file (otm, threagile, ...)


@attrs.frozen(kw_only=True)
class Options:
    """What each model of a run is analysed and written with (plain data: it crosses to the
    worker processes of a portfolio)."""

    sources: Sources = Sources()
    formats: tuple[str, ...] = ()
    today: datetime.date = attrs.field(factory=datetime.date.today)
    decisions: str | None = None  # a decisions file; default: the one beside the model
    fail_on: str | None = None
    render: RenderOptions = RenderOptions()


def catalog(sources: Sources) -> Catalog:
    """The shipped catalogs layered with the user's."""
    return load_catalog(sources.catalogs, sources.limits, shipped_risks=sources.shipped)


def read_model(path: str | Path, sources: Sources = Sources()) -> SystemModel:
    """A model file, imported first when `sources.from_format` names another tool's format.

    Problems in our own YAML's structure stay in `model.problems`, to be reported together
    with the cross-checks of `analyze`/`check`; an import raises on a broken file."""
    if not sources.from_format:
        return read_model_file(path, sources.limits)
    from threatmodel.interop import import_model

    return import_model(sources.from_format, path, sources.limits).model


def find_decisions(
    model_path: str | Path,
    model: SystemModel,
    explicit: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Decisions | None:
    """The decisions to apply: the file named explicitly, else the one beside the model, else
    the model's own `decisions:` section, else None. Both of the last two is an error."""
    section = model.decisions
    if explicit:
        if not Path(explicit).is_file():
            raise ThreatModelError(
                [Problem(message="decisions file not found", pos=Position(file=explicit))]
            )
        return load_decisions(explicit, limits=limits)
    path = default_path(model_path)
    if path.is_file():
        _refuse_outside(path, Path(model_path))
        if section is not None:
            raise ThreatModelError(
                [
                    Problem(
                        message=f"decisions are both in this model's 'decisions:' section and "
                        f"in {path}; keep them in one place",
                        pos=getattr(section, "pos", Position(file=str(model_path))),
                    )
                ]
            )
        return load_decisions(path, limits=limits)
    if section is None:
        return None
    holder = LMap(Position(file=model.path, line=1, col=1))
    holder["decisions"] = section
    holder.key_pos["decisions"] = holder.val_pos["decisions"] = getattr(section, "pos", holder.pos)
    return parse_decisions(holder, model.path, embedded=True)


def _refuse_outside(path: Path, model_path: Path) -> None:
    """The decisions file found beside a model must be inside the model's directory: a
    symbolic link planted there cannot make a run read (and quote) a file elsewhere."""
    home = model_path.resolve().parent
    if not path.resolve().is_relative_to(home):
        raise ThreatModelError(
            [
                Problem(
                    message="the decisions file beside the model is a symbolic link to a file "
                    "outside the model's directory; name it with --decisions to use it",
                    pos=Position(file=str(path)),
                )
            ]
        )


def analyse(
    model_path: str | Path,
    catalog: Catalog,
    sources: Sources = Sources(),
    *,
    decisions: str | None = None,
    today: datetime.date | None = None,
    processes: int = 1,
) -> Result:
    """Read a model, analyse it (in up to `processes` processes) and apply its review
    decisions (as of `today`)."""
    model = read_model(model_path, sources)
    found = find_decisions(model_path, model, decisions, sources.limits)
    result = analyze(model, catalog, max_findings=sources.limits.max_findings, processes=processes)
    return apply_decisions(result, found, today or datetime.date.today())


def render(
    report: Report, formats: tuple[str, ...], options: RenderOptions = RenderOptions()
) -> dict[str, str | bytes]:
    """Every requested output of a report, by file name, rendered before anything is written."""
    return render_formats(report, formats, options)


def analyse_to(
    catalog: Catalog, model_path: str | Path, output: Path, options: Options
) -> tuple[Report, list[Path]]:
    """One model from file to reports: analyse, build the report, render every format and
    write them all or nothing, each as soon as it is rendered (`output.Staging`: a big
    report set is never held whole). Raises ThreatModelError (nothing written) on bad input.

    A diagram that cannot be drawn (too slow for `options.render.diagram_timeout`) does not
    fail the run: the returned report's warnings name it."""
    result = analyse(
        model_path,
        catalog,
        options.sources,
        decisions=options.decisions,
        today=options.today,
        processes=options.render.processes,
    )
    report = build_report(result, processes=options.render.processes)
    names = [file_name(name) for name in dict.fromkeys(options.formats)]
    with Staging(output, names) as staging:
        _, notes = render_all(report, options.formats, options.render, keep=staging)
        written = staging.commit()
    if notes:  # diagrams that could not be drawn: the reports say so, and so does the terminal
        report = attrs.evolve(report, warnings=report.warnings + notes)
    return report, written


def failing(report: Report, fail_on: str | None) -> int:
    """How many open confirmed findings are at or above `fail_on` (0 without it)."""
    if not fail_on:
        return 0
    catalog = report.result.catalog
    threshold = catalog.severity_rank(fail_on)
    return sum(
        1 for f in report.confirmed if f.open and catalog.severity_rank(f.severity) >= threshold
    )


def analyse_for_portfolio(catalog: Catalog, model: str, output: str, options: Options) -> Outcome:
    """One model of a portfolio, as plain data: its counts, or the problems it has."""
    try:
        report, _ = analyse_to(catalog, model, Path(output), options)
    except ThreatModelError as exc:
        return Outcome(model=model, output=output, problems=tuple(str(p) for p in exc.problems))
    return Outcome(
        model=model,
        output=output,
        name=report.system.name,
        elements=report.system.elements,
        counts=tuple(report.summary.concerns_by_severity.items()),
        questions=report.summary.questions,
        open_at_threshold=failing(report, options.fail_on),
        people=report.summary.people_exposed,
        warnings=report.warnings,
    )
