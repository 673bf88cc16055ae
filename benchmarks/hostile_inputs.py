"""Benchmark: how long and how much memory refusing each kind of hostile input takes.

    python benchmarks/hostile_inputs.py

One row per input, all at the default limits (see docs/security.md): the outcome, the wall
time, and (in a second pass) the peak memory Python allocated while loading it (tracemalloc). The last rows are
the worst inputs the limits still accept: that is the bound on what one file can cost.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def texts() -> list[tuple[str, object]]:
    bomb = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    bomb += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    wide = "a: &a [" + ", ".join(["x"] * 50_000) + "]\nb: [" + ", ".join(["*a"] * 100) + "]\n"
    many = "a: [" + "1," * 2_500_000 + "1]\n"  # 5 MB, 2.5 million values
    under_nodes = "a: [" + "1," * 1_900_000 + "1]\n"  # just under the value limit
    under_bytes = "a:\n" + "".join(f"  - {'x' * 90}\n" for _ in range(200_000))  # 19 MB
    return [
        ("billion laughs (10^9 values)", "\n".join(bomb) + "\n"),
        ("one list aliased 100 times", wide),
        ("1,000,000 levels of nesting", "a: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n"),
        ("5,000,000-character value", "a: " + "x" * 5_000_000 + "\n"),
        ("2,500,000 values in one list", many),
        ("4 GiB file (sparse)", "SPARSE"),
        ("accepted: 1,900,000 values", under_nodes),
        ("accepted: 19 MB of text", under_bytes),
    ]


def measure(label: str, text: object) -> None:
    from threatmodel.errors import ThreatModelError
    from threatmodel.loader import load_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.yaml"
        if text == "SPARSE":
            with open(path, "wb") as handle:
                handle.truncate(4 * 1024**3)
        else:
            path.write_text(str(text), encoding="utf-8")
        start = time.perf_counter()
        try:
            load_file(path, "input.yaml")
            outcome = "accepted"
        except ThreatModelError as exc:
            outcome = "refused: " + exc.problems[0].message[:60]
        seconds = time.perf_counter() - start
        tracemalloc.start()  # a second pass for memory: tracing slows the first one down
        with contextlib.suppress(ThreatModelError):
            load_file(path, "input.yaml")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(f"{label:32} {seconds:8.3f} s {peak / 2**20:8.1f} MB  {outcome}", flush=True)


def redos() -> None:
    from threatmodel.catalog_yaml import load_catalog
    from threatmodel.errors import ThreatModelError

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.yaml"
        path.write_text(
            "frameworks:\n  evil: {title: Evil, pattern: '^(a+)+$'}\nrisks:\n"
            "  - {id: X-A-1, title: t, applies_to: system, likelihood: 1, impact: 1,"
            " frameworks: {evil: [" + "a" * 40 + "b]}}\n"
        )
        start = time.perf_counter()
        try:
            load_catalog([path], shipped_risks=False)
            outcome = "accepted"
        except ThreatModelError as exc:
            outcome = "refused: " + exc.problems[0].message[:60]
        print(
            f"{'catalog pattern ^(a+)+$':32} {time.perf_counter() - start:8.3f} s {'':>8}     "
            f"{outcome}"
        )
    from threatmodel.id_pattern import MAX_FRAMEWORK_ID, id_matches, pattern_problem

    # the worst shapes the guard accepts: as many repetitions as allowed, all overlapping
    for pattern in (r"^a*a*a*a*$", r"^[a-z]*[a-y]*[a-x]*[a-w]*$", r"^(?:a|b)a*a*a*a*$"):
        assert pattern_problem(pattern) is None, pattern
        start = time.perf_counter()
        for value in ("a" * (MAX_FRAMEWORK_ID - 1) + "!", "a" * MAX_FRAMEWORK_ID):
            id_matches(pattern, value)
        print(f"{'accepted ' + pattern:32} {time.perf_counter() - start:8.3f} s")


def suggestions() -> None:
    """'Did you mean' for many misspelt names against many choices (issue 17.3): each word
    costs a bounded look-up, whatever the number of choices."""
    from threatmodel.errors import did_you_mean

    for words, size in ((2_000, 1_000), (4_000, 20_000)):
        ids = [f"element-{n:05d}" for n in range(size)]
        start = time.perf_counter()
        hinted = sum(bool(did_you_mean(f"elemnt-{n % size:05d}x", ids)) for n in range(words))
        label = f"{words:,} typos, {size:,} choices"
        print(f"{label:32} {time.perf_counter() - start:8.3f} s {'':>8}     {hinted:,} hinted")


def main() -> None:
    print(f"{'input':32} {'time':>10} {'peak':>11}  outcome")
    for label, text in texts():
        measure(label, text)
    redos()
    suggestions()


if __name__ == "__main__":
    main()
