"""Benchmark: report generation for a large synthetic model with every shipped catalog.

    python benchmarks/bench_reports.py [--sizes 1000] [--runs 3]

For each size it writes a synthetic model (benchmarks/synth.py) and runs --runs fresh
processes, as `threatmodel analyze` would start. Each loads the shipped catalogs, analyses the
model, applies a decisions file and then times, cold (template compiled, caches empty):

- "reports": `commands.analyze.render_all` for json, md, html (with the embedded data-flow
  diagram), sarif and csv: exactly what `analyze` spends between analysis and writing;
- each part alone: the shared report data, the diagram's `dot` layout, every renderer, and
  JSON through `render/json_report.py`, and its two steps (`jsondata.to_plain`, `dumps`) apart.

The best of the runs is printed (the machine is shared; the best is the least disturbed). It
prints numbers; it is not a test.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REPORTS = ["json", "md", "html", "sarif", "csv"]


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - start, value


def clear_caches() -> None:
    """Empty every memo the renderers keep, so each measurement is a cold start."""
    from threatmodel import report
    from threatmodel.render import csv_report, html, markdown, sarif

    for cached in (
        html.shipped_environment,
        html._terminal,
        markdown._md_text,
        markdown._code_text,
        csv_report._text,
        report.safe_url,
        sarif._uri,
    ):
        cached.cache_clear()


def child(model_path: str) -> dict[str, float | str]:
    """One cold run in this process; returns seconds per step (and a few counts)."""
    from threatmodel.api import analyze, load_catalog, load_model
    from threatmodel.jsondata import dumps, to_plain
    from threatmodel.loader import load_text
    from threatmodel.render import csv_report, html, json_report, markdown, render_formats, sarif
    from threatmodel.report import build_report
    from threatmodel.tracking import apply_decisions, parse_decisions

    row: dict[str, float | str] = {}
    row["load shipped catalogs"], catalog = timed(load_catalog, ())
    row["load model"], model = timed(load_model, model_path)
    row["analyse"], result = timed(analyze, model, catalog)
    text = (
        "decisions:\n"
        + "".join(
            f"  {f.id}: {{status: accepted, justification: benchmark, expires: 2030-01-01}}\n"
            for f in result.confirmed[::10]
        )
        + '  "*@e1*": {status: in-progress}\n'
    )
    decisions = parse_decisions(load_text(text, "bench.decisions.yaml")[0], "bench.decisions.yaml")
    row["apply decisions"], result = timed(
        apply_decisions, result, decisions, datetime.date(2025, 1, 1)
    )
    row["findings"] = (
        f"{len(result.findings)} ({len(result.confirmed)} confirmed), "
        f"{len(catalog.risks)} risks, {len(model.elements)} elements"
    )
    gc.collect()
    row["REPORTS: json, md, html+diagram, sarif, csv"], files = timed(
        lambda: render_formats(build_report(result), REPORTS)
    )
    row["sizes"] = ", ".join(f"{name} {len(body) / 1e6:.1f} MB" for name, body in files.items())
    gc.collect()
    clear_caches()
    row["  report data (shared, once)"], report = timed(build_report, result)
    row["  data-flow diagram (dot)"], _ = timed(html.diagram, report)
    original = html.diagram
    html.diagram = lambda report, options=None: {"svg_uri": "", "caption": "", "note": "apart"}
    try:
        for name, render in (
            ("markdown", markdown.render),
            ("html", html.render),
            ("sarif", sarif.render),
            ("csv", csv_report.render),
        ):
            clear_caches()
            row[f"  {name}"], _ = timed(render, report)
    finally:
        html.diagram = original
    row["  json (render/json_report.py)"], _ = timed(json_report.render, report)
    row["  json: to_plain"], plain = timed(to_plain, report)
    row["  json: dumps"], _ = timed(lambda: dumps(plain) + "\n")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", metavar="MODEL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    import yaml

    from benchmarks.synth import generate

    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "model.yaml"
            path.write_text(yaml.safe_dump(generate(size), sort_keys=False), encoding="utf-8")
            runs = [
                json.loads(
                    subprocess.run(
                        [sys.executable, __file__, "--child", str(path)],
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout
                )
                for _ in range(args.runs)
            ]
        best = {
            k: min(r[k] for r in runs) if isinstance(runs[0][k], float) else runs[0][k]
            for k in runs[0]
        }
        print(
            f"\n{size:,}-element model, every shipped catalog: best of {args.runs} fresh "
            f"processes\n  findings: {best.pop('findings')}\n  outputs: {best.pop('sizes')}"
        )
        for name, seconds in best.items():
            print(f"  {name:46} {seconds * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
