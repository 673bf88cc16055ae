"""Benchmark: the whole path, from YAML to every report, on synthetic models of any size.

    python benchmarks/bench.py [--sizes 100,1000,10000,50000] [--sparse] [--catalog PATH ...]

`--sparse`: the sparse synthetic models (`synth.py N --sparse`: no optional attributes, so
most findings stay undecided and become questions) instead of the dense ones.

Each size runs in a fresh process, so peak memory (RSS) is per size; the limits a model may
ask for (elements, flows, findings, bytes) are raised for it. Columns, in seconds unless said:
  findings    confirmed findings; undecided: those the model leaves open (reports ask questions)
  yaml_floor  a bare yaml.load of the file with PyYAML's C loader: the floor nothing beats
  load        our located load and model building (threatmodel.load_model)
  validate    vocabulary and cross-reference checks
  analyze     matching every shipped risk (validation excluded)
  report data the report's shared data (questions, concerns, the plan) built once
  json md html sarif csv   each text report alone, made whole (a streamed one included)
  reports     all text reports as `analyze` renders them (shared report data built once)
  diagram     the data-flow diagram as SVG with graphviz (up to --max-diagram elements)
  cli         `threatmodel analyze` end to end in a new process, all text reports written
  peak_mb     peak resident memory of the in-process measurement
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TEXT_FORMATS = ["json", "md", "html", "sarif", "csv"]
# limits raised for the biggest sizes (the defaults refuse 50,000 elements)
BIG = dict.fromkeys(
    ("max_bytes", "max_nodes", "max_elements", "max_flows", "max_findings"), 1 << 30
)


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - start


def measure(
    size: int, catalogs: list[str], shipped: bool, max_diagram: int, sparse: bool = False
) -> dict:
    import gc

    import yaml

    from benchmarks.synth import generate
    from threatmodel.api import analyze, load_catalog, load_model
    from threatmodel.loader import Limits
    from threatmodel.render import render_formats, renderer, whole
    from threatmodel.report import build_report
    from threatmodel.validate import validate

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.yaml"
        path.write_text(
            yaml.safe_dump(generate(size, sparse=sparse), sort_keys=False), encoding="utf-8"
        )
        row: dict = {"elements": size, "mb": round(path.stat().st_size / 1e6, 1)}
        gc.collect()
        _, row["yaml_floor"] = timed(
            yaml.load, path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
        )
        gc.collect()
        catalog = load_catalog(tuple(catalogs), shipped_risks=shipped)
        limits = Limits(**BIG)  # the defaults refuse > 20 MB, 20,000 elements, 50,000 flows
        model, row["load"] = timed(load_model, path, limits)
        _, row["validate"] = timed(validate, model, catalog)
        result, total = timed(analyze, model, catalog, max_findings=BIG["max_findings"])
        row["analyze"] = total - row["validate"]  # `analyze` validates again, as the CLI does
        row["findings"] = len(result.findings)  # confirmed
        row["undecided"] = len(result.undecided)  # reports ask questions about these
        report, row["report data"] = timed(build_report, result)
        for fmt in TEXT_FORMATS:  # whole: a streamed report is made as it is read
            _, row[fmt] = timed(lambda fmt=fmt: whole(renderer(fmt)(report)))
        _, reports = timed(lambda: render_formats(build_report(result), TEXT_FORMATS))
        row["reports"] = reports
        row["diagram"] = None
        if size <= max_diagram and shutil.which("dot"):
            _, row["diagram"] = timed(renderer("svg"), report)
        row["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        command = [
            sys.executable,
            "-m",
            "threatmodel",
            "analyze",
            str(path),
            "--quiet",
            *[f"--limit={name}={value}" for name, value in BIG.items()],
            "-o",
            str(Path(tmp) / "out"),
            "--format",
            ",".join(TEXT_FORMATS),
        ]
        for catalog_path in catalogs:
            command += ["--catalog", catalog_path]
        if not shipped:
            command.append("--no-shipped")
        start = time.perf_counter()
        subprocess.run(command, check=False, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        row["cli"] = time.perf_counter() - start
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--catalog", action="append", default=[])
    parser.add_argument("--no-shipped", action="store_true", help="only the --catalog risks")
    parser.add_argument("--max-diagram", type=int, default=2000)
    parser.add_argument("--sparse", action="store_true", help="the sparse synthetic models")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        shipped, sparse = not args.no_shipped, args.sparse
        print(json.dumps(measure(args.one, args.catalog, shipped, args.max_diagram, sparse)))
        return
    columns = [
        "elements",
        "mb",
        "findings",
        "undecided",
        "yaml_floor",
        "load",
        "validate",
        "analyze",
        "report data",
        *TEXT_FORMATS,
        "reports",
        "diagram",
        "cli",
        "peak_mb",
    ]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---:|" * len(columns))
    for size in [int(s) for s in args.sizes.split(",")]:
        command = [
            sys.executable,
            __file__,
            "--one",
            str(size),
            "--max-diagram",
            str(args.max_diagram),
        ] + [f"--catalog={c}" for c in args.catalog]
        if args.no_shipped:
            command.append("--no-shipped")
        if args.sparse:
            command.append("--sparse")
        out = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        ).stdout
        row = json.loads(out.strip().splitlines()[-1])
        print(
            "| "
            + " | ".join(
                ""
                if row[c] is None
                else f"{row[c]:.2f}"
                if isinstance(row[c], float)
                else str(row[c])
                for c in columns
            )
            + " |",
            flush=True,
        )


if __name__ == "__main__":
    main()
