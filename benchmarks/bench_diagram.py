"""Diagram time for synthetic models of 100, 500 and 2,000 elements.

Each model has nested boundaries (jurisdictions > organisations > networks > elements) and
about 1.5 flows per element, and is analysed with the shipped catalogs. For every size the
script prints the time to build the DOT source and the time graphviz's `dot` takes to lay it
out as SVG, for four views: every element ("full"), the default view (boundaries collapsed
automatically above 150 elements), one organisation with its neighbours, and only what has
high or critical findings. Run:
`python benchmarks/bench_diagram.py [SIZES...] [--timeout S] [--views full,default,one-org,high+]`.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import threatmodel
from threatmodel.errors import ThreatModelError
from threatmodel.render import diagram

KINDS = (
    ("actor", "data_subject"),
    ("process", "scoring"),
    ("process", "api"),
    ("process", "analytics"),
    ("datastore", "database"),
    ("datastore", "log"),
    ("external_service", "partner"),
    ("external_service", "data_broker"),
)
CATEGORIES = (
    ["purchase", "transaction"],
    ["location"],
    ["social_graph", "contact"],
    ["health"],
    ["credit", "blacklist_entry"],
    ["browsing", "device"],
    ["aggregate"],
)


def synthetic_model(elements: int, seed: int = 7) -> dict:
    """A model in the YAML shape: nested boundaries, mixed kinds, flows mostly within an org."""
    rng = random.Random(seed)
    data = [
        {
            "id": f"d{i}",
            "name": f"Data set {i}",
            "categories": CATEGORIES[i % len(CATEGORIES)],
            "subjects": rng.choice([5_000, 200_000, 3_000_000, 80_000_000]),
            "source": "data_subject",
        }
        for i in range(24)
    ]
    orgs = max(2, elements // 40)
    jurisdictions = [
        {"id": f"j{j}", "kind": "jurisdiction", "code": f"J{j}", "members": []} for j in range(3)
    ]
    boundaries, element_list, flows = [], [], []
    org_members: list[list[str]] = []
    for o in range(orgs):
        nets = [{"id": f"o{o}n{k}", "kind": "network", "members": []} for k in range(3)]
        org = {
            "id": f"o{o}",
            "kind": "organisation",
            "name": f"Organisation {o}",
            "members": [n["id"] for n in nets],
        }
        jurisdictions[o % 3]["members"].append(org["id"])
        boundaries += [org] + nets
        org_members.append([])
        for k in range(elements // orgs + (1 if o < elements % orgs else 0)):
            kind, etype = KINDS[rng.randrange(len(KINDS))]
            eid = f"o{o}e{k}"
            element = {"id": eid, "kind": kind, "type": etype, "name": f"{etype} {o}.{k}"}
            picks = [f"d{rng.randrange(len(data))}" for _ in range(2)]
            if kind == "datastore":
                element["stores"] = sorted(set(picks))
                element["encrypted_at_rest"] = rng.random() < 0.5
            elif kind == "process":
                element["inputs"] = sorted(set(picks))
            element_list.append(element)
            nets[k % 3]["members"].append(eid)
            org_members[o].append(eid)
    everyone = [e["id"] for e in element_list]
    for members in org_members:
        for _i, source in enumerate(members):
            for _ in range(1 if rng.random() < 0.5 else 2):
                local = rng.random() < 0.85
                target = rng.choice(members if local else everyone)
                if target != source:
                    flows.append(
                        {
                            "id": f"f{len(flows)}",
                            "from": source,
                            "to": target,
                            "data": [f"d{rng.randrange(len(data))}"],
                        }
                    )
    return {
        "system": {"id": "synthetic", "name": f"Synthetic model of {elements} elements"},
        "data": data,
        "elements": element_list,
        "flows": flows,
        "boundaries": jurisdictions + boundaries,
    }


def timed(function, *args):
    start = time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - start


def views(size: int) -> list[tuple[str, diagram.Options]]:
    return [
        ("full", diagram.Options(max_nodes=0)),
        ("default", diagram.Options()),
        ("one-org", diagram.Options(boundary="o1", max_nodes=0)),
        ("high+", diagram.Options(min_severity="high")),
    ]


def main(sizes: list[int], timeout: float, only: set[str] | None = None) -> None:
    version = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr.strip()
    print(f"{version}; python {sys.version.split()[0]}; dot given {timeout:g} s per layout")
    catalog = threatmodel.load_catalog()
    print(
        f"{'elements':>8} {'flows':>6} {'view':>8} {'nodes':>6} {'edges':>6} {'DOT build':>10} "
        f"{'dot -Tsvg':>10} {'SVG':>7}"
    )
    for size in sizes:
        model = threatmodel.load_model_data(synthetic_model(size), "synthetic.yaml")
        result = threatmodel.analyze(model, catalog)
        for view, options in views(size):
            if only and view not in only:
                continue
            source, build = timed(diagram.source, result, options)
            nodes = len(re.findall(r'class="?(?:element|collapsed)', source))
            edges = len(re.findall(r'class="?flow', source))
            try:
                svg, layout = timed(diagram.run_dot, source, "svg", timeout)
                shown, size_mb = f"{layout:9.2f}s", f"{len(svg) / 1e6:6.1f}M"
            except ThreatModelError:
                shown, size_mb = f">{timeout:8g}s", "-"
            print(
                f"{size:>8} {len(model.flows):>6} {view:>8} {nodes:>6} {edges:>6} "
                f"{build:>9.2f}s {shown:>10} {size_mb:>7}",
                flush=True,
            )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    limit = 300.0
    if "--timeout" in arguments:
        at = arguments.index("--timeout")
        limit = float(arguments[at + 1])
        del arguments[at : at + 2]
    chosen = None
    if "--views" in arguments:
        at = arguments.index("--views")
        chosen = set(arguments[at + 1].split(","))
        del arguments[at : at + 2]
    main([int(a) for a in arguments] or [100, 500, 2000], limit, chosen)
