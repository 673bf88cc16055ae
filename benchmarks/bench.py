"""Benchmark: load, validate, analyse and write a synthetic model at several sizes.

    python benchmarks/bench.py [--sizes 100,1000,10000] [--catalog PATH ...]

Each size runs in a fresh process (so peak memory is per size) and prints one table row:
the bare YAML parse with PyYAML's C loader (the floor nothing can beat), our located load,
validation, analysis, each text output, the whole in-process total, and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def measure(size: int, catalogs: list[str], formats: list[str], shipped: bool = True) -> dict:
    import yaml

    from benchmarks.synth import generate
    from threatmodel.api import analyze, load_catalog, load_model
    from threatmodel.render import file_name, renderer
    from threatmodel.validate import validate

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.yaml"
        path.write_text(yaml.safe_dump(generate(size), sort_keys=False), encoding="utf-8")
        row = {"elements": size, "bytes": path.stat().st_size}
        start = time.perf_counter()
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        row["yaml_floor"] = time.perf_counter() - start

        start = time.perf_counter()
        catalog = load_catalog(tuple(catalogs), shipped_risks=shipped)
        row["catalog"] = time.perf_counter() - start
        row["risks"] = len(catalog.risks)

        start = time.perf_counter()
        model = load_model(path)
        row["load"] = time.perf_counter() - start

        start = time.perf_counter()
        validate(model, catalog)
        row["validate"] = time.perf_counter() - start

        start = time.perf_counter()
        result = analyze(model, catalog)  # validates again, as the CLI does
        row["analyze"] = time.perf_counter() - start - row["validate"]
        row["findings"] = len(result.findings)

        for fmt in formats:
            start = time.perf_counter()
            text = renderer(fmt)(result)
            (Path(tmp) / file_name(fmt)).write_text(text) if isinstance(text, str) else None
            row[fmt] = time.perf_counter() - start
        row["total"] = sum(row[k] for k in ["catalog", "load", "validate", "analyze", *formats])
        row["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--catalog", action="append", default=[])
    parser.add_argument("--formats", default="json,md")
    parser.add_argument("--no-shipped", action="store_true", help="only the --catalog risks")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    if args.one:
        print(json.dumps(measure(args.one, args.catalog, formats, not args.no_shipped)))
        return
    columns = ["elements", "findings", "yaml_floor", "load", "validate", "analyze", *formats,
               "total", "peak_mb"]
    print(" | ".join(f"{c:>10}" for c in columns))
    for size in [int(s) for s in args.sizes.split(",")]:
        command = [sys.executable, __file__, "--one", str(size), "--formats", ",".join(formats)]
        for catalog in args.catalog:
            command += ["--catalog", catalog]
        if args.no_shipped:
            command.append("--no-shipped")
        out = subprocess.run(command, capture_output=True, text=True, check=True,
                             env=dict(os.environ, PYTHONPATH=str(ROOT))).stdout
        row = json.loads(out)
        print(" | ".join(f"{row[c]:>10.3f}" if isinstance(row[c], float) else f"{row[c]:>10}"
                         for c in columns))


if __name__ == "__main__":
    main()
