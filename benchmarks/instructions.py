"""Benchmark: how many machine instructions a run takes, which a busy machine does not change.

    python benchmarks/instructions.py [--cases sparse-1k,dense-1k,analysis-1k,analysis-5k]

Seconds on a shared or throttled machine vary by a third from one minute to the next;
instructions counted by Valgrind's callgrind barely move (a few in a million between runs).
Each case is `threatmodel analyze` of a synthetic model (`synth.py`, seed 7) in a new process,
first once to compile the package's bytecode into a private cache, then under
`valgrind --tool=callgrind`. The `analysis-N` cases count one `analyze()` of the dense
N-element model alone, in one process: after a first analysis (imports, compiled catalogs),
callgrind collects only inside `functools.reduce`, which calls the second. Needs Valgrind
(Debian's `valgrind`); a run is about fifty times slower than without it (analysis-5k takes
about a quarter of an hour).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CASES = {  # name: (elements, sparse, formats), as in targets.py
    "sparse-1k": (1000, True, "json"),
    "dense-1k": (1000, False, "json,md,html,sarif,csv"),
}
ANALYSIS = {"analysis-1k": 1000, "analysis-5k": 5000}  # name: elements of the dense model


def instructions(command: list[str], env: dict[str, str], *options: str) -> int:
    """The instructions callgrind counts running `command` (with its `options`)."""
    traced = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *options, *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", traced.stderr)
    if not found:
        raise SystemExit(f"no instruction count from valgrind:\n{traced.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def count(model: Path, formats: str, out: Path, env: dict[str, str]) -> int:
    command = [sys.executable, "-m", "threatmodel", "analyze", str(model), "-o", str(out)]
    command += ["--format", formats]
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False)  # warm-up
    return instructions(command, env)


def analyse_twice(elements: int) -> None:
    """Inside valgrind: analyse the dense model once, then again inside `functools.reduce`."""
    import functools

    from benchmarks.synth import generate
    from threatmodel.api import analyze, load_catalog, load_model_data

    catalog = load_catalog()
    model = load_model_data(generate(elements, seed=7), "synthetic.yaml")
    analyze(model, catalog)
    functools.reduce(lambda _, __: analyze(model, catalog), [0, 1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--inside", type=int, help=argparse.SUPPRESS)  # see analyse_twice
    args = parser.parse_args()
    if args.inside:
        analyse_twice(args.inside)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    from benchmarks.synth import generate

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=f"{tmp}/pycache")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        print("| case | instructions |\n|---|---:|")
        for name in args.cases.split(","):
            if name in ANALYSIS:
                command = [sys.executable, __file__, "--inside", str(ANALYSIS[name])]
                options = ("--collect-atstart=no", "--toggle-collect=functools_reduce")
                total = instructions(command, dict(env, PYTHONHASHSEED="0"), *options)
                print(f"| {name} | {total / 1e9:.3f} G |", flush=True)
                continue
            elements, sparse, formats = CASES[name]
            model = Path(tmp) / f"{name}.yaml"
            data = generate(elements, seed=7, sparse=sparse)
            model.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
            total = count(model, formats, Path(tmp) / name, env)
            print(f"| {name} | {total / 1e9:.2f} G |", flush=True)


if __name__ == "__main__":
    main()
