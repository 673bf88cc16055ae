"""Benchmark: the cases of the performance targets (issue 16), each against its floor.

    python benchmarks/targets.py [--cases sparse-1k,dense-1k,...] [--runs 3]

Every case runs `threatmodel analyze` as a user does, in a new process; its floor is a bare
PyYAML `CSafeLoader` parse of the same model file (timed inside a new process, in the same run),
so that the ratio (case / floor) holds on a slow or busy machine where seconds do not.
Printed per case: medians of `--runs` runs of wall and CPU seconds, the floor's, both
ratios and the case's peak memory. Cases:

  dense-1k, dense-10k  the dense synthetic model (`synth.py N`), five text reports
  sparse-1k            the sparse one (`synth.py N --sparse`), JSON only
  default-3k           the dense 3,000-element model with the default formats (diagrams too)
  portfolio-500        500 dense models of 30 elements, `analyze DIR -j 2`, JSON only
                       (floor: parsing all 500 files in one process)

Child processes get PYTHONDONTWRITEBYTECODE unset and a private PYTHONPYCACHEPREFIX, so
imports read compiled bytecode as an installed package does. The pytm comparison is
`peer_pytm.py`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TEXT = "json,md,html,sarif,csv"
CASES = {
    # name: (elements, sparse, formats (None: the defaults), models)
    "sparse-1k": (1000, True, "json", 1),
    "dense-1k": (1000, False, TEXT, 1),
    "dense-10k": (10000, False, TEXT, 1),
    "default-3k": (3000, False, None, 1),
    "portfolio-500": (30, False, "json", 500),
}
PARSE = (  # prints the wall and CPU seconds of reading and parsing every file named
    "import sys, time, yaml\n"
    "wall, cpu = time.perf_counter(), time.process_time()\n"
    "for path in sys.argv[1:]:\n"
    "    with open(path, encoding='utf-8') as f:\n"
    "        yaml.load(f.read(), Loader=yaml.CSafeLoader)\n"
    "print(time.perf_counter() - wall, time.process_time() - cpu)\n"
)


def child_env(cache: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=cache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak MB of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: findings at --fail-on
        raise SystemExit(f"failed: {' '.join(command)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def write_models(directory: Path, elements: int, sparse: bool, count: int) -> list[Path]:
    from benchmarks.synth import generate

    paths = []
    for i in range(count):
        path = directory / f"model-{i}.yaml"
        model = generate(elements, seed=7 + i, sparse=sparse)
        path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def measure(name: str, runs: int, tmp: Path, env: dict[str, str]) -> dict:
    elements, sparse, formats, count = CASES[name]
    models = tmp / name
    models.mkdir()
    paths = write_models(models, elements, sparse, count)
    target = [str(models)] if count > 1 else [str(paths[0])]
    command = [sys.executable, "-m", "threatmodel", "analyze", *target, "--quiet"]
    command += [
        "--limit",
        "max_bytes=1G",
        "--limit",
        "max_nodes=1G",
        "-o",
        str(tmp / f"{name}-out"),
    ]
    if formats:
        command += ["--format", formats]
    if count > 1:
        command += ["-j", "2"]
    floor_command = [sys.executable, "-c", PARSE, *map(str, paths)]
    cases, floors = [], []
    for _ in range(runs):
        out = subprocess.run(floor_command, env=env, capture_output=True, text=True, check=True)
        floors.append(tuple(float(x) for x in out.stdout.split()))
        cases.append(run(command, env))
    wall = statistics.median(c[0] for c in cases)
    cpu = statistics.median(c[1] for c in cases)
    floor_wall = statistics.median(f[0] for f in floors)
    floor_cpu = statistics.median(f[1] for f in floors)
    return {
        "case": name,
        "MB": round(sum(p.stat().st_size for p in paths) / 1e6, 1),
        "wall s": wall,
        "cpu s": cpu,
        "floor wall s": floor_wall,
        "floor cpu s": floor_cpu,
        "wall ratio": wall / floor_wall,
        "cpu ratio": cpu / floor_cpu,
        "peak MB": max(c[2] for c in cases),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    columns = ["case", "MB", "wall s", "cpu s", "floor wall s", "floor cpu s"]
    columns += ["wall ratio", "cpu ratio", "peak MB"]
    print("| " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * (len(columns) - 1), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = child_env(str(Path(tmp) / "pycache"))
        for name in args.cases.split(","):
            row = measure(name, args.runs, Path(tmp), env)
            cells = [f"{row[c]:.2f}" if isinstance(row[c], float) else str(row[c]) for c in columns]
            print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
