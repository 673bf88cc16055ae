"""Fuzz campaign: the property tests with many examples, then the real command line on
thousands of mutated models, catalogs and decisions files. Not part of the test suite.

    python benchmarks/fuzz_campaign.py [--minutes 10] [--seed N] [--keep DIR]

Part 1 runs every property of tests/test_properties.py in batches (random seeds, Hypothesis's
example database in .hypothesis/) until its share of the time is used. Part 2 mutates the
bad-input corpus, the examples and the shipped catalogs (bytes and YAML structure) and runs
`analyze`, `validate`, `catalog lint` and `analyze --decisions` on each mutant in-process;
it also mutates other tools' files (../shared/interop-corpus and tests/bad_inputs/import, as
JSON or YAML) for `import`, and user report templates for `analyze --template`.
A crash is exit status 3 (or any exception escaping `main`); every mutant that crashed is
kept in --keep. The summary lists examples, statuses, crashes and problems printed without a
file:line:col position, which the issue asks to be none.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import copy
import inspect
import io
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BATCH = 100  # examples per Hypothesis run; each run gets a fresh random seed


class _TempPaths:
    """What the properties use of pytest's `tmp_path_factory`: a base directory of their own."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="threatmodel-fuzz-"))

    def getbasetemp(self) -> Path:
        return self.base


def run_properties(seconds: float) -> list[dict]:
    """Every property test, in batches of BATCH examples, for its share of `seconds`."""
    os.environ["THREATMODEL_FUZZ_EXAMPLES"] = str(BATCH)
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    import test_properties

    tests = [
        (name, fn)
        for name, fn in vars(test_properties).items()
        if name.startswith("test_") and hasattr(fn, "hypothesis")
    ]
    heavy = {
        "test_messy_catalogs_fail_only_with_positioned_problems",
        "test_analysis_is_deterministic",
        "test_adding_a_control_never_raises_a_finding",
        "test_removing_an_element_adds_no_finding_about_another",
        "test_a_possible_finding_names_what_is_missing",
    }
    weights = {name: 3 if name in heavy else 1 for name, _ in tests}
    total = sum(weights.values())
    rows = []
    for name, fn in tests:
        budget = seconds * weights[name] / total
        counter = {"examples": 0}
        inner = fn.hypothesis.inner_test

        def counting(*args, _inner=inner, _counter=counter, **kwargs):
            _counter["examples"] += 1
            return _inner(*args, **kwargs)

        fn.hypothesis.inner_test = counting
        fixtures = {}  # the one pytest fixture a property asks for, outside pytest
        if "tmp_path_factory" in inspect.signature(fn).parameters:
            fixtures["tmp_path_factory"] = _TempPaths()
        failures, start = [], time.perf_counter()
        while time.perf_counter() - start < budget and len(failures) < 3:
            try:
                fn(**fixtures)
            except Exception as exc:  # a property failed: keep Hypothesis's report
                failures.append("".join(traceback.format_exception_only(type(exc), exc))[-2000:])
        fn.hypothesis.inner_test = inner
        rows.append(
            {
                "property": name,
                "examples": counter["examples"],
                "seconds": round(time.perf_counter() - start, 1),
                "failures": failures,
            }
        )
        print(f"  {name}: {counter['examples']} examples, {len(failures)} failures", flush=True)
    return rows


# -- part 2: the command line on mutants ----------------------------------------------------------

TOKENS = [
    b": ",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"&a ",
    b"*a",
    b"!!python/object ",
    b"\t",
    b"\x00",
    b"\xff",
    b"\xef\xbb\xbf",
    b"---\n",
    b"'",
    b'"',
    b"#",
    b"\n  ",
    b"<<: ",
    b"~",
    b"? ",
    b"|\n",
    b">-\n",
    b"1e9",
    b"-1",
    b".nan",
    b"yes",
    b"2024-02-30",
    b"../",
]
JUNK = [
    None,
    True,
    False,
    0,
    -1,
    10**20,
    1.5,
    float("nan"),
    float("inf"),
    "",
    "x",
    "<b>",
    "../x",
    "*",
    "a" * 300,
    "2024-02-30",
    [],
    [1],
    ["a", None],
    {},
    {"a": 1},
    {"x": [1]},
    "personal_data and",
    "__class__",
    "crosses('x')",
    "\x1b[2J",
    "MIT-T-LOG",
    "actor",
]


def byte_mutant(data: bytes, rnd: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rnd.randint(1, 6)):
        at = rnd.randint(0, len(data))
        choice = rnd.random()
        if choice < 0.4:
            data[at:at] = rnd.choice(TOKENS)
        elif choice < 0.7 and data:
            del data[at : at + rnd.randint(1, 8)]
        elif data:
            data[min(at, len(data) - 1)] = rnd.randrange(256)
    return bytes(data)


def structure_mutant(data: bytes, rnd: random.Random, as_json: bool = False) -> bytes | None:
    """The file's tree mutated 1-4 times, written back as YAML (or JSON, for JSON seeds)."""
    import yaml

    try:
        tree = yaml.safe_load(data.decode("utf-8-sig"))
    except Exception:
        return None
    for _ in range(rnd.randint(1, 4)):
        tree = _mutate(tree, rnd)
    if as_json:
        text = json.dumps(tree, ensure_ascii=False, default=str)
    else:
        text = yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate stays: invalid UTF-8 to read


# a user template's pieces: each mutant extends the shipped report with a few of them
TEMPLATE_PIECES = [
    "{{ data.system.name }}",
    "{% for f in data.confirmed %}{{ f.title|upper }}{% endfor %}",
    "{{ range(10**8)|list|length }}",
    "{{ 10**100000 }}",
    "{{ 'a' * 10**9 }}",
    "{{ '%999999999d' % 1 }}",
    "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}",
    "{{ 1 / 0 }}",
    "{{ data.__class__.__mro__ }}",
    "{{ ''.__class__.__subclasses__() }}",
    "{{ lipsum(5) }}",
    "{{ data.summary.top|truncate(0) }}",
    "{{ undefined_name }}",
    "{{ 'x'|center(10**7) }}",
    "{% include 'report.html.j2' %}",
    "{% block findings %}{{ super() }}{{ super() }}{% endblock %}",
]


def template_mutant(rnd: random.Random) -> bytes:
    """A template extending the shipped report with 1-3 pieces (some benign, some hostile),
    sometimes cut or with a byte changed."""
    pieces = "".join(rnd.choice(TEMPLATE_PIECES) for _ in range(rnd.randint(1, 3)))
    text = '{% extends "report.html.j2" %}{% block brief %}' + pieces + "{% endblock %}"
    data = text.encode("utf-8")
    return byte_mutant(data, rnd) if rnd.random() < 0.3 else data


TEXT_KEYS = {
    "name",
    "description",
    "title",
    "why",
    "note",
    "justification",
    "owner",
    "fact",
    "goal",
    "step",
    "ticket",
    "purpose",
}
HOSTILE = [
    "<script>alert(1)</script>",
    '"]; x [label="y"]; a -> b; <<B>b</B>>',
    "| a | b |\n\n# heading",
    '=HYPERLINK("http://e")',
    "\x1b[2J\x1b]8;;x\x07",
    "\u202eevil",
    "../../etc/passwd",
    "{{ 7*7 }} {% raw %}",
    "a\x00b\u2028c",
    "é" * 500,
]


def _mutate(value, rnd: random.Random):
    if isinstance(value, dict) and value and rnd.random() < 0.85:
        key = rnd.choice(list(value))
        action = rnd.random()
        if key in TEXT_KEYS and action < 0.5:  # hostile text keeps the file valid
            value[key] = rnd.choice(HOSTILE)
        elif action < 0.15:
            del value[key]
        elif action < 0.3:
            word = str(key)
            value[word[:-1] + word[-1:] * 2 if word else "x"] = value.pop(key)
        elif action < 0.45:
            value[key] = copy.deepcopy(rnd.choice(JUNK))
        else:
            value[key] = _mutate(value[key], rnd)
        return value
    if isinstance(value, list) and value and rnd.random() < 0.85:
        index = rnd.randrange(len(value))
        action = rnd.random()
        if action < 0.15:
            del value[index]
        elif action < 0.3:
            value.append(copy.deepcopy(value[index]))  # a duplicate entry (ids, keys)
        elif action < 0.45:
            value[index] = copy.deepcopy(rnd.choice(JUNK))
        else:
            value[index] = _mutate(value[index], rnd)
        return value
    return copy.deepcopy(rnd.choice(JUNK))


POSITIONED = re.compile(r"^.+:\d+:\d+: ")
FILE_ONLY = (
    "cannot read file",
    "file is ",
    "catalog path not found",
    "decisions file not found",
    "text is over the limit",
    "the output path exists",
    "template is not UTF-8 text",  # names the byte's offset in the file
)


def analyze(model: str, catalog: str, out: str, *extra: str) -> list[str]:
    """The arguments of `analyze` on `model` with only `catalog`, writing to `out`."""
    return ["analyze", model, "--no-shipped", "--catalog", catalog, "-o", out, *extra]


def run_cli(argv: list[str]) -> tuple[int, str]:
    from threatmodel.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exc:  # argparse
            status = exc.code if isinstance(exc.code, int) else 2
        except BaseException:  # escaped main: a crash by definition
            return 99, traceback.format_exc()
    return status, err.getvalue()


def run_mutants(seconds: float, seed: int, keep: Path) -> dict:
    """Mutate seed files and run the command line on them until `seconds` have passed."""
    sys.path.insert(0, str(ROOT))
    corpus = ROOT / "tests" / "bad_inputs"
    fixtures = ROOT / "tests" / "fixtures"
    seeds = {
        "model": sorted((corpus / "model").glob("*.yaml"))
        + sorted((ROOT / "examples").glob("*.yaml"))
        + [fixtures / "models" / "small.yaml"],
        "catalog": sorted((corpus / "catalog").glob("*.yaml"))
        + sorted((ROOT / "catalogs").glob("*.yaml"))
        + [fixtures / "catalog" / "core.yaml"],
        "decisions": sorted((corpus / "decisions").glob("*.yaml"))
        + sorted(fixtures.rglob("*.decisions.yaml")),
        "import": sorted((corpus / "import").glob("*.json"))
        + sorted(
            path
            for path in (ROOT.parent / "shared" / "interop-corpus").rglob("*")
            if path.suffix in (".json", ".yaml") and "schema" not in path.name
        ),
    }
    rnd = random.Random(seed)
    stats = collections.Counter()
    crashes: dict[str, str] = {}
    unpositioned: collections.Counter = collections.Counter()
    examples: dict[str, str] = {}  # one whole line of each unpositioned message
    work = Path(tempfile.mkdtemp(prefix="threatmodel-fuzz-"))
    start = time.perf_counter()
    try:
        while time.perf_counter() - start < seconds:
            kinds = ["model", "model", "catalog", "decisions", "template"]
            kind = rnd.choice(kinds + ["import"] * bool(seeds["import"]))
            source = rnd.choice(seeds[kind]) if kind != "template" else Path("template")
            if kind == "template":
                mutant = template_mutant(rnd)
            else:
                original = source.read_bytes()
                as_json = source.suffix == ".json"
                mutant = structure_mutant(original, rnd, as_json) if rnd.random() < 0.5 else None
                mutant = mutant if mutant is not None else byte_mutant(original, rnd)
            case = work / f"case-{stats['runs']}"
            case.mkdir()
            name = {"catalog": "c.yaml", "template": "t.html.j2", "import": "in" + source.suffix}
            path = case / name.get(kind, "m.yaml")
            path.write_bytes(mutant)
            out = str(case / "out")
            good_model, good_catalog = (
                str(fixtures / "models" / "small.yaml"),
                str(fixtures / "catalog"),
            )
            formats = ["--format", "json,md,csv,sarif,html,dot", "--quiet", "--today", "2025-06-01"]

            commands = {
                "model": [analyze(str(path), good_catalog, out, *formats), ["validate", str(path)]],
                "catalog": [
                    ["catalog", "lint", "--no-shipped", "--catalog", str(path)],
                    analyze(good_model, str(path), out, *formats),
                ],
                "decisions": [
                    analyze(good_model, good_catalog, out, "--decisions", str(path), *formats)
                ],
                "import": [["import", str(path), "-o", str(case / "imported.yaml")]],
                "template": [
                    analyze(good_model, good_catalog, out, "--format", "html", "--quiet")
                    + ["--template", str(path)]
                ],
            }[kind]
            for argv in commands:
                status, err = run_cli(argv)
                stats["runs"] += 1
                stats[f"exit {status}"] += 1
                stats[f"{kind} runs"] += 1
                if status in (3, 99):
                    key = _crash_key(err)
                    if key not in crashes:
                        kept = keep / f"crash-{len(crashes) + 1}{path.suffix}"
                        keep.mkdir(parents=True, exist_ok=True)
                        kept.write_bytes(mutant)
                        crashes[key] = (
                            f"{' '.join(argv[:2])} on {kept} (from {source.name}): "
                            f"{err.strip().splitlines()[0][:300]}"
                        )
                if status == 2:
                    for line in err.splitlines()[:-1]:
                        if (
                            not POSITIONED.match(line)
                            and not any(t in line for t in FILE_ONLY)
                            and not line.startswith(("--", "THREATMODEL_LIMITS", "... and "))
                        ):
                            key = re.sub(r"\d+", "N", line.split(": ", 1)[-1])[:120]
                            unpositioned[key] += 1
                            examples.setdefault(key, f"{argv[0]} on {source.name}: {line[:300]}")
                if status == 0 and argv[0] == "analyze" and not (case / "out").is_dir():
                    stats["analyze ok but nothing written"] += 1
            shutil.rmtree(case, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "stats": dict(stats),
        "crashes": crashes,
        "unpositioned": dict(unpositioned),
        "unpositioned_examples": examples,
        "seconds": round(time.perf_counter() - start, 1),
    }


def _crash_key(err: str) -> str:
    first = err.strip().splitlines()[0] if err.strip() else "?"
    return re.sub(r"'[^']*'|\d+", "_", first)[:160]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="total time (default 10)")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="seed for part 2")
    parser.add_argument(
        "--keep",
        type=Path,
        default=Path("fuzz-crashes"),
        help="where to keep inputs that crashed (default fuzz-crashes/)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    args = parser.parse_args()
    seconds = args.minutes * 60
    began = time.perf_counter()
    print(f"part 1: property tests ({seconds * 0.5 / 60:.1f} min)", flush=True)
    properties = run_properties(seconds * 0.5)
    print(
        f"part 2: command line on mutants ({seconds * 0.5 / 60:.1f} min, seed {args.seed})",
        flush=True,
    )
    cli = run_mutants(seconds * 0.5, args.seed, args.keep)
    total = round(time.perf_counter() - began, 1)
    print(f"\nfuzz campaign: {total} s in all")
    print(f"{'property':60} {'examples':>9} {'failures':>9}")
    for row in properties:
        print(f"{row['property']:60} {row['examples']:>9} {len(row['failures']):>9}")
    print(
        f"{'(all properties)':60} {sum(r['examples'] for r in properties):>9} "
        f"{sum(len(r['failures']) for r in properties):>9}"
    )
    for row in properties:
        for failure in row["failures"]:
            print(f"\nFAILED {row['property']}:\n{failure}")
    print(
        f"\ncommand line: {cli['stats'].get('runs', 0)} runs in {cli['seconds']} s, seed "
        f"{args.seed}: "
        + ", ".join(f"{k}: {v}" for k, v in sorted(cli["stats"].items()) if k != "runs")
    )
    print(f"crashes (distinct): {len(cli['crashes'])}")
    for where in cli["crashes"].values():
        print(f"  {where}")
    print(f"problems without file:line:col (distinct): {len(cli['unpositioned'])}")
    for message, count in sorted(cli["unpositioned"].items(), key=lambda kv: -kv[1])[:20]:
        print(f"  {count:6} x {message}\n           e.g. {cli['unpositioned_examples'][message]}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"seconds": total, "properties": properties, "cli": cli, "seed": args.seed},
                indent=2,
            ),
            encoding="utf-8",
        )
    failed = cli["crashes"] or any(r["failures"] for r in properties)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
