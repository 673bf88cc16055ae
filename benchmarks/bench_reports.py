"""Benchmark: report generation for a large synthetic model with every shipped catalog.

    python benchmarks/bench_reports.py [--sizes 1000] [--repeat 3] [--no-diagram]

For each size it loads the shipped catalogs, analyses a synthetic model (benchmarks/synth.py),
applies a decisions file, then times each report renderer: the plain data every report shares,
JSON, Markdown, HTML (with and without the embedded data-flow diagram, whose `dot` layout is
timed on its own), SARIF and CSV. The "reports" line is what `analyze` spends after analysis
to write all of them (best of --repeat runs). Prints a table; it is not a test.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def best(repeat: int, function, *args, **kwargs) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return min(times), value


def measure(size: int, repeat: int, diagram: bool) -> list[tuple[str, float, str]]:
    import yaml

    from benchmarks.synth import generate
    from threatmodel.api import analyze, load_catalog, load_model
    from threatmodel.render import csv_report, html, json_report, markdown, sarif
    from threatmodel.render.data import dumps_json, result_data
    from threatmodel.tracking import apply_decisions, parse_decisions
    from threatmodel.loader import load_text

    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.yaml"
        path.write_text(yaml.safe_dump(generate(size), sort_keys=False), encoding="utf-8")
        seconds, catalog = best(1, load_catalog, ())
        rows.append(("load shipped catalogs", seconds, f"{len(catalog.risks)} risks"))
        seconds, model = best(1, load_model, path)
        rows.append(("load model", seconds, f"{len(model.elements)} elements, "
                                            f"{len(model.flows)} flows"))
        seconds, result = best(1, analyze, model, catalog)
        rows.append(("analyse", seconds, f"{len(result.findings)} findings, "
                                         f"{len(result.confirmed)} confirmed"))
        decisions_text = "decisions:\n" + "".join(
            f"  {f.id}: {{status: accepted, justification: benchmark, expires: 2030-01-01}}\n"
            for f in result.confirmed[::10]) + "  \"*@e1*\": {status: in-progress}\n"
        decisions = parse_decisions(load_text(decisions_text, "bench.decisions.yaml")[0],
                                    "bench.decisions.yaml")
        seconds, result = best(repeat, apply_decisions, result, decisions,
                               datetime.date(2025, 1, 1))
        rows.append(("apply decisions", seconds, f"{len(decisions.items)} decisions"))
        gc.collect()
        gc.disable()  # as `analyze` renders (see commands/analyze.render_all)
        try:
            seconds, data = best(repeat, result_data, result)
            rows.append(("report data (shared)", seconds, "built once per run"))
            total = seconds
            svg_seconds = 0.0
            if diagram:
                svg_seconds, picture = best(1, html.diagram, result)
                rows.append(("data-flow diagram (dot)", svg_seconds,
                             "embedded" if picture["svg_uri"] else picture["note"][:50]))
            total += svg_seconds
            original = html.diagram
            html.diagram = lambda result: {"svg_uri": "", "caption": "", "note": "timed above"}
            try:
                for name, render in (("markdown", markdown.render), ("html", html.render),
                                     ("sarif", sarif.render), ("csv", csv_report.render)):
                    seconds, text = best(repeat, render, result, data=data)
                    total += seconds
                    rows.append((name, seconds, f"{len(text.encode('utf-8')) / 1e6:.1f} MB"))
            finally:
                html.diagram = original
            seconds, text = best(repeat, json_report.render, result)
            rows.append(("json (json_report, today)", seconds,
                         f"{len(text.encode('utf-8')) / 1e6:.1f} MB; rebuilds the data, "
                         "pure-Python indent"))
            fast, text = best(repeat, lambda: dumps_json(data) + "\n")
            rows.append(("json (data.dumps_json)", fast, "the proposed one-line core change"))
            rows.append(("reports: all formats", total + seconds, "with json_report as it is"))
            rows.append(("reports: all formats", total + fast, "with data.dumps_json"))
        finally:
            gc.enable()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-diagram", action="store_true")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"\n{size:,} elements, every shipped catalog (best of {args.repeat}):")
        for name, seconds, note in measure(size, args.repeat, not args.no_diagram):
            print(f"  {name:28} {seconds * 1000:9.0f} ms  {note}")


if __name__ == "__main__":
    main()
