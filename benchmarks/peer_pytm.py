"""Peer comparison with OWASP pytm on the same synthetic systems.

    python benchmarks/peer_pytm.py [--sizes 50,200,1000] [--runs 3] [--report-budget 600]

pytm is installed from the package registry into its own virtualenv (benchmarks/.pytm-venv,
created on first use) and driven by benchmarks/pytm_driver.py there; threatmodel runs in this
interpreter. Both get the same elements, boundaries and flows. Printed per size: pytm's
threat resolution and Markdown report, our analysis (all shipped catalogs) and Markdown
report, and the ratios (pytm time / our time; above 1 means we are faster). Our analysis runs
as `threatmodel analyze` runs it, in one process per core (`-j`; a big model's subjects are
matched in two processes), and again in one process (`-j 1`) for the record; pytm resolves
in one process. Times are medians of `--runs` runs, each in a new process on both sides, the
model built there untimed; pytm's report runs once and is given up after `--report-budget`
seconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VENV = Path(__file__).resolve().parent / ".pytm-venv"
PYTM_VERSION = "1.4.0"


def pytm_python() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                f"pytm=={PYTM_VERSION}",
            ],
            check=True,
        )
    return python


def pytm_spec(model: dict) -> dict:
    parent = {}
    for boundary in model["boundaries"]:
        for member in boundary["members"]:
            parent[member] = boundary["id"]
    return {
        "name": model["system"]["name"],
        "boundaries": [b["id"] for b in model["boundaries"]],
        "elements": [
            {"id": e["id"], "kind": e["kind"], "boundary": parent.get(e["id"])}
            for e in model["elements"]
        ],
        "flows": [{"id": f["id"], "from": f["from"], "to": f["to"]} for f in model["flows"]],
    }


def ours(model_path: Path, runs: int, processes: int) -> dict:
    """Medians of `runs` analyses (in `processes` processes) and Markdown reports of the
    model, each run in a new process, as pytm's are (`one`)."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--one",
        str(model_path),
        "--processes",
        str(processes),
    ]
    measured = [
        json.loads(
            subprocess.run(command, capture_output=True, text=True, check=True)
            .stdout.strip()
            .splitlines()[-1]
        )
        for _ in range(runs)
    ]
    return {
        "analyze": statistics.median(m["analyze"] for m in measured),
        "report": statistics.median(m["report"] for m in measured),
        "findings": measured[-1]["findings"],
    }


def one(model_path: Path, processes: int) -> None:
    """One run in this process: the model built (untimed, as pytm's is), analysed with all
    shipped catalogs in `processes` processes, then its Markdown report; prints the times
    as JSON."""
    from threatmodel.api import analyze, load_catalog, load_model_data
    from threatmodel.render.markdown import render
    from threatmodel.report import build_report

    catalog = load_catalog()
    built = load_model_data(json.loads(model_path.read_text()), "synthetic.yaml")
    start = time.perf_counter()
    result = analyze(built, catalog, processes=processes)
    analysis = time.perf_counter() - start
    start = time.perf_counter()
    render(build_report(result))
    report = time.perf_counter() - start
    print(json.dumps({"analyze": analysis, "report": report, "findings": len(result.findings)}))


def theirs(python: Path, spec: Path, runs: int, budget: float) -> dict:
    """Medians of `runs` pytm resolutions (new processes), then one report, given up after
    `budget` seconds (pytm's report grows much faster than the model)."""
    driver = [str(python), str(Path(__file__).parent / "pytm_driver.py"), str(spec)]
    template = str(spec.with_name("template.md"))
    resolve = []
    for _ in range(runs):
        out = subprocess.run(
            [*driver[:2], str(spec), template],
            capture_output=True,
            text=True,
            check=True,
            cwd=spec.parent,
        ).stdout
        found = json.loads(out.strip().splitlines()[-1])
        resolve.append(found["resolve"])
    result = {"resolve": statistics.median(resolve), "findings": found["findings"], "report": None}
    with subprocess.Popen(
        [*driver[:2], str(spec), template, "--report"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=spec.parent,
    ) as process:
        try:
            out, _ = process.communicate(timeout=budget)
            result["report"] = json.loads(out.strip().splitlines()[-1])["report"]
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,200,1000")
    parser.add_argument("--runs", type=int, default=3, help="runs per size (medians)")
    parser.add_argument(
        "--report-budget",
        type=float,
        default=600,
        help="seconds pytm's report may take before it is given up (default 600)",
    )
    parser.add_argument("--one", metavar="MODEL_JSON", help=argparse.SUPPRESS)  # see `one`
    parser.add_argument("--processes", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(Path(args.one), args.processes or 1)
        return
    from benchmarks.synth import generate
    from threatmodel.portfolio import default_jobs

    python = pytm_python()
    jobs = default_jobs()
    print(
        f"| elements | pytm resolve s | pytm report s | ours analyze s (-j {jobs}) | "
        "ours analyze s (-j 1) | ours report s | resolve ratio | resolve ratio (-j 1) | "
        "report ratio | pytm findings | our findings |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in [int(s) for s in args.sizes.split(",")]:
        model = generate(size)
        with tempfile.TemporaryDirectory() as tmp:
            spec, ours_model = Path(tmp) / "spec.json", Path(tmp) / "model.json"
            spec.write_text(json.dumps(pytm_spec(model)))
            ours_model.write_text(json.dumps(model))
            peer = theirs(python, spec, args.runs, args.report_budget)
            mine = ours(ours_model, args.runs, jobs)
            alone = ours(ours_model, args.runs, 1)
        report = peer["report"]
        their_report = f"{report:.3f}" if report is not None else f"> {args.report_budget:.0f}"
        ratio = f"{report / mine['report']:.1f}x" if report is not None else "-"
        print(
            f"| {size} | {peer['resolve']:.3f} | {their_report} | {mine['analyze']:.3f} | "
            f"{alone['analyze']:.3f} | {mine['report']:.3f} | "
            f"{peer['resolve'] / mine['analyze']:.1f}x | {peer['resolve'] / alone['analyze']:.1f}x | "
            f"{ratio} | {peer['findings']} | {mine['findings']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
