"""Peer comparison with OWASP pytm on the same synthetic systems.

    python benchmarks/peer_pytm.py [--sizes 50,200,1000]

pytm is installed from the package registry into its own virtualenv (benchmarks/.pytm-venv,
created on first use) and driven by benchmarks/pytm_driver.py there; threatmodel runs in this
interpreter. Both get the same elements, boundaries and flows. Printed per size: pytm's
threat resolution and Markdown report, our analysis (all shipped catalogs) and Markdown
report, and the ratios (pytm time / our time; above 1 means we are faster).
"""

from __future__ import annotations

import argparse
import json
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


def ours(model: dict, catalog) -> dict:
    from threatmodel.api import analyze, load_model_data
    from threatmodel.render.markdown import render
    from threatmodel.report import build_report

    built = load_model_data(
        model, "synthetic.yaml"
    )  # building the model is not timed (nor is pytm's)
    start = time.perf_counter()
    result = analyze(built, catalog)
    analysis = time.perf_counter() - start
    start = time.perf_counter()
    render(build_report(result))
    return {
        "analyze": analysis,
        "report": time.perf_counter() - start,
        "findings": len(result.findings),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,200,1000")
    args = parser.parse_args()
    from benchmarks.synth import generate
    from threatmodel.api import load_catalog

    python = pytm_python()
    catalog = load_catalog()
    print(
        "| elements | pytm resolve s | pytm report s | ours analyze s | ours report s | "
        "resolve ratio | report ratio | pytm findings | our findings |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in [int(s) for s in args.sizes.split(",")]:
        model = generate(size)
        with tempfile.TemporaryDirectory() as tmp:
            spec = Path(tmp) / "spec.json"
            spec.write_text(json.dumps(pytm_spec(model)))
            out = subprocess.run(
                [
                    str(python),
                    str(Path(__file__).parent / "pytm_driver.py"),
                    str(spec),
                    str(Path(tmp) / "template.md"),
                ],
                capture_output=True,
                text=True,
                check=True,
                cwd=tmp,
            ).stdout
        theirs = json.loads(out.strip().splitlines()[-1])
        mine = ours(model, catalog)
        print(
            f"| {size} | {theirs['resolve']:.3f} | {theirs['report']:.3f} | {mine['analyze']:.3f} | "
            f"{mine['report']:.3f} | {theirs['resolve'] / mine['analyze']:.1f}x | "
            f"{theirs['report'] / mine['report']:.1f}x | {theirs['findings']} | {mine['findings']} |"
        )


if __name__ == "__main__":
    main()
