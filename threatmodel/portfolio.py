"""Portfolio mode: many models analysed in parallel, one combined summary.

Each model is analysed and its reports written exactly as for a single model, into its own
directory under the output directory; a model with problems is reported and skipped while
the others go on. Workers are forked after the catalogs are loaded, so they share them
instead of loading them again (where fork is unavailable each worker loads them once).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

MODEL_HEAD = re.compile(r"^system\s*:", re.MULTILINE)


@attrs.frozen(kw_only=True)
class Outcome:
    """What analysing one model of a portfolio gave (plain data, so it crosses processes)."""

    model: str
    output: str
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    name: str = ""
    elements: int = 0
    counts: tuple[tuple[str, int], ...] = ()
    questions: int = 0
    open_at_threshold: int = 0
    people: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def find_models(paths: list[str]) -> list[Path]:
    """The model files among `paths`: files as given; in directories (recursively), every
    .yaml/.yml file with a top-level `system:` key (included parts and decisions files have
    none). Sorted, without duplicates."""
    found: dict[Path, None] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for candidate in sorted(list(path.rglob("*.yaml")) + list(path.rglob("*.yml"))):
                if (
                    candidate.is_file()
                    and not candidate.name.endswith(".decisions.yaml")
                    and _looks_like_model(candidate)
                ):
                    found[candidate] = None
        else:
            found[path] = None
    return list(found)


def _looks_like_model(path: Path) -> bool:
    try:
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            return bool(MODEL_HEAD.search(handle.read(1 << 20)))
    except OSError:
        return False


def output_dirs(models: list[Path], root: Path) -> list[Path]:
    """One report directory per model, named after the model, always a plain name inside
    `root` (never '.' or '..'), and never shared: clashes get the folder and then a number."""
    from threatmodel.output import safe_name

    stems = [safe_name(m.stem) for m in models]
    taken: set[str] = set()
    result = []
    for model, stem in zip(models, stems, strict=False):
        name = (
            stem
            if stems.count(stem) == 1
            else safe_name("_".join(model.with_suffix("").parts[-3:]))
        )
        unique, number = name, 2
        while unique in taken:
            unique, number = f"{name}-{number}", number + 1
        taken.add(unique)
        result.append(root / unique)
    return result


_SHARED: dict[str, Any] = {}


def _init_worker(loader: Callable[[], Any]) -> None:
    if "catalog" not in _SHARED:  # inherited through fork; loaded here only under spawn
        _SHARED["catalog"] = loader()


def _run_one(task: Callable[[Any, str, str], Outcome], model: str, output: str) -> Outcome:
    return task(_SHARED["catalog"], model, output)


def run_all(
    models: list[Path],
    outputs: list[Path],
    catalog: Any,
    loader: Callable[[], Any],
    task: Callable[[Any, str, str], Outcome],
    jobs: int,
    progress: Callable[[int, int, Outcome], None] | None = None,
) -> list[Outcome]:
    """Analyse every model with `task(catalog, model, output)`, `jobs` at a time."""
    pairs = [(str(m), str(o)) for m, o in zip(models, outputs, strict=False)]
    outcomes: dict[str, Outcome] = {}
    if jobs <= 1 or len(pairs) <= 1:
        for done, (model, output) in enumerate(pairs, 1):
            outcomes[model] = task(catalog, model, output)
            if progress:
                progress(done, len(pairs), outcomes[model])
    else:  # imported here: a single model's run should not pay for them
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        _SHARED["catalog"] = catalog
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        with ProcessPoolExecutor(
            max_workers=min(jobs, len(pairs)),
            mp_context=context,
            initializer=_init_worker,
            initargs=(loader,),
        ) as pool:
            futures = {pool.submit(_run_one, task, model, output): model for model, output in pairs}
            for done, future in enumerate(as_completed(futures), 1):
                outcome = future.result()
                outcomes[futures[future]] = outcome
                if progress:
                    progress(done, len(pairs), outcome)
    return [outcomes[model] for model, _ in pairs]


def default_jobs() -> int:
    return max(
        1,
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )


def summary_table(outcomes: list[Outcome], severities: tuple[str, ...]) -> list[list[str]]:
    """Rows for the combined summary: a header, one row per model, and a total."""
    rows = [["model", "elements", *severities, "questions", "people", "status"]]
    totals = dict.fromkeys(severities, 0)
    for outcome in outcomes:
        counts = dict(outcome.counts)
        for severity in severities:
            totals[severity] += counts.get(severity, 0)
        status = "bad input" if not outcome.ok else ("fails" if outcome.open_at_threshold else "ok")
        rows.append(
            [
                outcome.model,
                str(outcome.elements),
                *(str(counts.get(s, 0)) for s in severities),
                str(outcome.questions),
                f"{outcome.people:,}" if outcome.people else "",
                status,
            ]
        )
    rows.append(
        [
            f"{len(outcomes)} models",
            str(sum(o.elements for o in outcomes)),
            *(str(totals[s]) for s in severities),
            str(sum(o.questions for o in outcomes)),
            "",
            f"{sum(1 for o in outcomes if not o.ok)} with problems",
        ]
    )
    return rows
