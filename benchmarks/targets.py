"""Benchmark: the cases of the performance targets (issue 16), each against its floor.

    python benchmarks/targets.py [--cases sparse-1k,dense-1k,...] [--runs 3]

Every case runs `threatmodel analyze` as a user does, in a new process; its floor is a bare
PyYAML `CSafeLoader` parse of the same model file (timed inside a new process, in the same run),
so that the ratio (case / floor) holds on a slow or busy machine where seconds do not.
Printed per case: medians of `--runs` runs of wall and CPU seconds (the CPU of every
process of the run), the floor's, both ratios and the peak memory (resident, sampled from
/proc every 50 ms, Linux only): of the largest process, and of all the run's processes at
once, each page counted once (proportional set sizes: a forked child shares its parent's
pages until it writes them; adding resident sizes counted those twice). (The kernel's own peak for a child, `ru_maxrss`, is not used: it counts this script's
memory, copied into the child for the moment between fork and exec.) `--jobs N` passes
`-j N` to every run (for one model: the processes that render its reports). Cases:

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
import threading
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


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, float, float]:
    """Wall seconds, CPU seconds (user + system, its own processes included), the peak MB of
    its largest process and of all its processes together (0 where /proc is missing)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    peaks = [0, 0]
    sampler = threading.Thread(target=_sample, args=(process.pid, peaks), daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    sampler.join()
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: findings at --fail-on
        raise SystemExit(f"failed: {' '.join(command)}")
    return wall, usage.ru_utime + usage.ru_stime, peaks[0] / 2**20, peaks[1] / 2**20


def _sample(root: int, peaks: list[int]) -> None:
    """Keep in `peaks` the most memory (resident bytes) one process of `root`'s tree held,
    and the most they held at once, until `root` ends. "At once" counts each page once: a
    forked child shares its parent's pages until it writes them, so the processes' resident
    sizes are not added but their proportional ones (`Pss`, each shared page split between
    the processes sharing it), where /proc tells them."""
    page = os.sysconf("SC_PAGE_SIZE")
    while os.path.exists(f"/proc/{root}"):
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", encoding="utf-8") as stat:
                        parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(parent, []).append(int(entry))
        total, todo = 0, [root]
        while todo:
            pid = todo.pop()
            todo.extend(children.get(pid, ()))
            try:
                with open(f"/proc/{pid}/statm", encoding="utf-8") as statm:
                    resident = int(statm.read().split()[1]) * page
            except (OSError, IndexError, ValueError):
                continue
            total += _proportional(pid, resident)
            peaks[0] = max(peaks[0], resident)
        peaks[1] = max(peaks[1], total)
        time.sleep(0.05)


def _proportional(pid: int, resident: int) -> int:
    """A process's proportional set size in bytes (its resident size where none is told)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return resident


def write_models(directory: Path, elements: int, sparse: bool, count: int) -> list[Path]:
    from benchmarks.synth import generate

    paths = []
    for i in range(count):
        path = directory / f"model-{i}.yaml"
        model = generate(elements, seed=7 + i, sparse=sparse)
        path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def measure(name: str, runs: int, tmp: Path, env: dict[str, str], jobs: int | None) -> dict:
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
    if jobs is not None or count > 1:
        command += ["-j", str(jobs or 2)]
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
        "peak MB, all": max(c[3] for c in cases),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="-j for every run")
    args = parser.parse_args()
    columns = ["case", "MB", "wall s", "cpu s", "floor wall s", "floor cpu s"]
    columns += ["wall ratio", "cpu ratio", "peak MB", "peak MB, all"]
    print("| " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * (len(columns) - 1), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = child_env(str(Path(tmp) / "pycache"))
        for name in args.cases.split(","):
            row = measure(name, args.runs, Path(tmp), env, args.jobs)
            cells = [f"{row[c]:.2f}" if isinstance(row[c], float) else str(row[c]) for c in columns]
            print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
