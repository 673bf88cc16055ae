"""Synthetic but plausible models of any size, for benchmarks and large-model tests.

`generate(n)` returns a model dict with about `n` elements: organisations nested in
jurisdictions with networks inside, data assets of which about 70% are personal, ~1.5 flows
per element, and most of the shipped vocabulary's attributes set, mostly to their safe value.
`generate(n, sparse=True)` is the model someone sketches first: the same elements, flows and
data assets with their structural fields only (kind, type, what they store, use and carry,
data categories and people), no optional attribute and no boundary.
Deterministic for a given (n, seed). `python benchmarks/synth.py N [--sparse]` prints it as YAML.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from threatmodel.catalog_yaml import load_catalog

KINDS = [("actor", 0.12), ("process", 0.38), ("datastore", 0.25), ("external_service", 0.25)]


def generate(n: int, seed: int = 7, sparse: bool = False) -> dict:
    """A model dict with about `n` elements (`sparse`: structural fields only)."""
    rng = random.Random(seed)
    vocabulary = load_catalog((), shipped_risks=False).vocabulary
    personal = [c for c, v in vocabulary.categories.items() if v.personal]
    other = [c for c, v in vocabulary.categories.items() if not v.personal]
    data = []
    for i in range(max(3, n // 10)):
        cats = (
            rng.sample(personal, rng.randint(1, 3)) if rng.random() < 0.7 else [rng.choice(other)]
        )
        asset = {
            "id": f"d{i}",
            "name": f"Data asset {i}",
            "categories": cats,
            "subjects": rng.choice([1_000, 50_000, 2_000_000, 300_000_000]),
            "source": rng.choice(vocabulary.data_sources),
        }
        if rng.random() < 0.5:
            asset["retention_days"] = rng.choice([30, 365, 3650, None])
        data.append(asset)
    elements = []
    for i in range(n):
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        element = {
            "id": f"e{i}",
            "kind": kind,
            "name": f"{kind.replace('_', ' ').title()} {i}",
            "type": rng.choice(vocabulary.element_types[kind]),
        }
        if kind == "datastore":
            element["stores"] = [rng.choice(data)["id"] for _ in range(rng.randint(1, 3))]
        if kind == "process":
            element["inputs"] = [rng.choice(data)["id"] for _ in range(rng.randint(1, 3))]
        _attributes(rng, element, kind, vocabulary)
        elements.append(element)
    flows = []
    for i in range(int(n * 1.5)):
        a, b = rng.sample(range(n), 2)
        flow = {
            "id": f"f{i}",
            "from": f"e{a}",
            "to": f"e{b}",
            "data": [rng.choice(data)["id"] for _ in range(rng.randint(1, 2))],
        }
        _attributes(rng, flow, "dataflow", vocabulary)
        flows.append(flow)
    if sparse:
        fixed = {"id", "kind", "name", "type", "stores", "inputs", "from", "to", "data"}
        fixed |= {"categories", "subjects", "source"}
        return {
            "system": {"id": f"sparse-{n}", "name": f"Sparse system of {n} elements"},
            "data": [{k: v for k, v in d.items() if k in fixed} for d in data],
            "elements": [{k: v for k, v in e.items() if k in fixed} for e in elements],
            "flows": [{k: v for k, v in f.items() if k in fixed} for f in flows],
        }
    return {
        "system": {
            "id": f"synthetic-{n}",
            "name": f"Synthetic system of {n} elements",
            "dpia_done": False,
        },
        "data": data,
        "elements": elements,
        "flows": flows,
        "boundaries": _boundaries(rng, [e["id"] for e in elements]),
    }


# Attributes where true is the risky answer; for every other boolean, true is the safe one.
RISKY_WHEN_TRUE = {
    "sale",
    "bulk",
    "publicly_reachable",
    "admin_exposed",
    "manual_override",
    "uses_protected_or_proxy_attributes",
    "consent_bundled",
    "operator_interest",
    "mandatory",
    "public_display",
    "credentials_shared",
    "can_write",
    "centralized",
    "automated_decision",
    "accepts_third_party_reports",
    "bulk_export",
    "sensitive_service",
    "de_identified",
}
SHARE_SET = 0.85  # reviewers fill in most attributes of a model they maintain
SHARE_RISKY = 0.2  # and most systems get most things right


def _attributes(rng: random.Random, item: dict, kind: str, vocabulary) -> None:
    for name, attribute in sorted(vocabulary.attributes.items()):
        if kind not in attribute.applies_to or rng.random() > SHARE_SET:
            continue
        if attribute.type == "bool":
            risky = rng.random() < SHARE_RISKY
            item[name] = risky if name in RISKY_WHEN_TRUE else not risky
        elif attribute.type == "int":
            item[name] = rng.choice([30, 365, 4000])
        elif attribute.type == "number":
            item[name] = rng.random()
        elif attribute.type == "enum":
            item[name] = rng.choice(attribute.allowed(vocabulary))
        elif attribute.type == "list" and attribute.allowed(vocabulary):
            item[name] = rng.sample(attribute.allowed(vocabulary), 2)
        elif attribute.type == "string":
            item[name] = rng.choice(["payments", "scoring", "marketing"])


def _boundaries(rng: random.Random, ids: list[str]) -> list[dict]:
    boundaries = []
    jurisdictions = [
        {"id": code.lower(), "kind": "jurisdiction", "code": code, "members": []}
        for code in ("CN", "EU", "US")
    ]
    per_org = 40
    for index in range(0, len(ids), per_org):
        chunk = ids[index : index + per_org]
        org_id = f"org{index // per_org}"
        inside = chunk[: int(len(chunk) * 0.8)]  # the rest stay outside any organisation
        net = {"id": f"{org_id}-net", "kind": "network", "members": inside[: len(inside) // 2]}
        org = {
            "id": org_id,
            "kind": "organisation",
            "members": [net["id"]] + inside[len(inside) // 2 :],
        }
        boundaries += [net, org]
        rng.choice(jurisdictions)["members"].append(org_id)
        rng.choice(jurisdictions)["members"].extend(chunk[len(inside) :])
    return jurisdictions + boundaries


if __name__ == "__main__":
    import yaml

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    sys.stdout.write(yaml.safe_dump(generate(size, sparse="--sparse" in sys.argv), sort_keys=False))
