"""Benchmark: what accepting a big, valid JSON file costs, per kind of JSON the tool reads.

    python benchmarks/json_inputs.py [--mb 19] [--kinds otm,otm-values,...] [--keep DIR]

Each input is built just under the 20 MiB `max_bytes` limit from a real file of the interop
corpus (or a synthetic model's `findings.json`), its entities copied with fresh ids and names
until it is `--mb` MB; then the command a user runs on it goes through `/usr/bin/time -v` in a
new process. Printed per kind: size, values (keys and values, as the limits count them),
wall and CPU seconds, peak memory and the exit status. Kinds:

  otm              OTM JSON, many trust zones, components and dataflows (import)
  otm-values       OTM JSON of a small model with 1.8 million values in its `threats` (import):
                   the most values a file can hold under `max_nodes`, so the most reading costs
  threat-dragon    Threat Dragon v2 JSON, many cells in one diagram (import)
  pytm             pytm's JSON (`--json`), many elements, flows and data (import)
  threagile        Threagile's example as JSON, many technical assets (import)
  findings         `diff` of two findings.json: a synthetic model's (`synth.py 300`), its
                   findings copied under new ids

Seconds depend on the machine's load; the values and the ratios between kinds do not. The
command's own start (imports, catalogs) is included: compare with `--mb 0.1`.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "interop-corpus"
EXE = [sys.executable, "-m", "threatmodel"]


def _renamed(value: Any, names: dict[str, str]) -> Any:
    """`value` with every string (and key) in `names` replaced by its new name."""
    if isinstance(value, dict):
        return {names.get(k, k): _renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


def _grown(doc: dict, lists: list[tuple[str, ...]], name_keys: tuple[str, ...], mb: float) -> dict:
    """`doc` with the entities under each path in `lists` copied (renamed) until the JSON is
    about `mb` MB."""

    def at(path: tuple[str, ...]) -> Any:
        node: Any = doc
        for key in path:
            node = node[key]
        return node

    originals = {path: copy.deepcopy(at(path)) for path in lists}
    names = {
        item[key]
        for items in originals.values()
        for item in (items.values() if isinstance(items, dict) else items)
        for key in name_keys
        if isinstance(item, dict) and isinstance(item.get(key), str) and item[key]
    }
    names |= {k for items in originals.values() if isinstance(items, dict) for k in items}
    one = sum(len(json.dumps(items, indent=2, default=str)) for items in originals.values())
    copies = max(1, int(mb * 1_000_000 / one) - 1)
    for n in range(1, copies + 1):
        renames = {name: f"{name} {n}" for name in names}
        for path, items in originals.items():
            if isinstance(items, dict):
                at(path).update(_renamed(items, renames))
            else:
                at(path).extend(_renamed(items, renames))
    return doc


def _corpus(path: str) -> Any:
    text = (CORPUS / path).read_text(encoding="utf-8")
    return json.loads(text) if path.endswith(".json") else yaml.safe_load(text)


def build(kind: str, mb: float, tmp: Path) -> list[str]:
    """Write the input of `kind` into `tmp`, about `mb` MB; return the command's arguments."""
    command = _build(kind, mb, tmp)
    size = Path(command[1]).stat().st_size / 1e6
    if command[0] == "import" and size > mb:  # copies nest deeper than the originals did
        command = _build(kind, mb * mb / size * 0.99, tmp)
    return command


def _build(kind: str, mb: float, tmp: Path) -> list[str]:
    out = tmp / f"{kind}.json"
    if kind == "otm":
        doc = _grown(
            _corpus("otm/EXAMPLE.json"),
            [("trustZones",), ("components",), ("dataflows",), ("assets",)],
            ("id", "name"),
            mb,
        )
    elif kind == "otm-values":
        doc = _corpus("otm/EXAMPLE.json")
        threat = {"name": "x" * 64, "id": "", "categories": ["a", "b", "c"], "risk": {"l": 1}}
        doc["threats"] = [dict(threat, id=f"t{i}") for i in range(int(mb * 7_000))]
        out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")  # compact
        return ["import", str(out), "-o", str(tmp / f"{kind}.yaml"), "--force"]
    elif kind == "threat-dragon":
        doc = _corpus("threat-dragon/v2-threat-model.json")
        doc["detail"]["diagrams"] = doc["detail"]["diagrams"][:1]
        _grown(doc, [("detail", "diagrams", 0, "cells")], ("id", "name"), mb)  # type: ignore[list-item]
        cells = doc["detail"]["diagrams"][0]["cells"]
        for n, cell in enumerate(cells):  # names too (the importer makes ids of them), and
            data = cell.get("data") or {}  # ids without spaces, as real ones are
            if data.get("name"):
                data["name"] = f"{data['name']} {n}"
            cell["id"] = cell["id"].replace(" ", "-")
            for end in ("source", "target"):
                if isinstance(cell.get(end), dict) and "cell" in cell[end]:
                    cell[end]["cell"] = cell[end]["cell"].replace(" ", "-")
    elif kind == "pytm":
        doc = _grown(
            _corpus("pytm/tm.json"),
            [("actors",), ("assets",), ("boundaries",), ("data",), ("elements",), ("flows",)],
            ("name",),
            mb,
        )
    elif kind == "threagile":
        doc = _corpus("threagile/demo/example/threagile.yaml")
        doc.pop("risk_tracking", None)
        doc = _grown(
            doc, [("technical_assets",), ("trust_boundaries",), ("data_assets",)], ("id",), mb
        )
        doc = json.loads(json.dumps(doc, default=str))
    elif kind == "findings":
        model = tmp / "m.yaml"  # a 300-element model's findings, copied under new ids
        synth = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "synth.py"), "300"],
            capture_output=True,
            text=True,
            check=True,
        )
        model.write_text(synth.stdout, encoding="utf-8")
        subprocess.run(
            [*EXE, "analyze", str(model), "-o", str(tmp / "out"), "--format", "json"],
            capture_output=True,
            check=False,
        )
        data = json.loads((tmp / "out" / "findings.json").read_text(encoding="utf-8"))
        found = data["findings"]
        one = len(json.dumps(found, indent=2, ensure_ascii=False))
        data["findings"] = [
            dict(f, id=f"{f['id']}-{n}") for n in range(max(1, int(mb * 1e6 / one))) for f in found
        ]
        old, new = tmp / "findings-old.json", tmp / "findings-new.json"
        old.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        data["findings"] = data["findings"][1:]  # one finding resolved in `new`
        new.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        return ["diff", str(old), str(new), "--format", "json"]
    else:
        raise SystemExit(f"unknown kind {kind}")
    out.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    return ["import", str(out), "-o", str(tmp / f"{kind}.yaml"), "--force"]


def values(path: Path) -> int:
    """Keys and values in a JSON file, counted as `max_nodes` counts them."""

    def count(v: Any) -> int:
        if isinstance(v, dict):
            return 1 + sum(1 + count(x) for x in v.values())
        if isinstance(v, list):
            return 1 + sum(count(x) for x in v)
        return 1

    return count(json.loads(path.read_text(encoding="utf-8")))


def timed(args: list[str], cache: Path) -> dict[str, float]:
    """Run `threatmodel ARGS` under /usr/bin/time -v: wall, CPU seconds, peak MB, exit. The
    child reads compiled bytecode from `cache`, as an installed package does (targets.py)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *EXE, *args], capture_output=True, text=True, env=env, check=False
    )

    def field(name: str) -> str:
        found = re.search(rf"{re.escape(name)}: (.*)", proc.stderr)
        return found.group(1).strip() if found else "0"

    clock = [float(p) for p in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
    return {
        "wall": sum(p * 60**i for i, p in enumerate(reversed(clock))),
        "cpu": float(field("User time (seconds)")) + float(field("System time (seconds)")),
        "peak_mb": int(field("Maximum resident set size (kbytes)")) / 1024,
        "exit": int(field("Exit status")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=19.0)
    parser.add_argument("--kinds", default="otm,otm-values,threat-dragon,pytm,threagile,findings")
    parser.add_argument("--keep", metavar="DIR", help="build the inputs here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(args.keep or scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        timed(["--version"], tmp / "pycache")  # compiles the package once
        print("| input | MB | values | wall s | CPU s | peak MB | exit |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for kind in args.kinds.split(","):
            command = build(kind, args.mb, tmp)
            path = Path(command[1] if kind != "findings" else command[2])
            result = timed(command, tmp / "pycache")
            print(
                f"| {kind} | {path.stat().st_size / 1e6:.1f} | {values(path):,} | "
                f"{result['wall']:.1f} | {result['cpu']:.1f} | {result['peak_mb']:.0f} | "
                f"{result['exit']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
