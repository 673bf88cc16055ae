"""Runs inside pytm's own virtualenv (never imported by threatmodel): builds a pytm model
from a JSON description and prints the time of pytm's threat resolution and report."""

import json
import sys
import time

from pytm import TM, Actor, Boundary, Data, Dataflow, Datastore, ExternalEntity, Process

TEMPLATE = """# {tm.name}
{tm.description}
## Findings
{findings:repeat:
### {{item.threat_id}}: {{item.description}} on {{item.target}}
{{item.details}}
Severity: {{item.severity}}; mitigations: {{item.mitigations}}; references: {{item.references}}
}
"""


def main() -> None:
    spec = json.load(open(sys.argv[1]))
    template_path = sys.argv[2]
    with open(template_path, "w") as handle:
        handle.write(TEMPLATE)
    tm = TM(spec["name"], description="Synthetic system for the peer benchmark")
    tm.isOrdered = False
    boundaries = {b: Boundary(b) for b in spec["boundaries"]}
    classes = {
        "actor": Actor,
        "process": Process,
        "datastore": Datastore,
        "external_service": ExternalEntity,
    }
    nodes = {}
    for element in spec["elements"]:
        node = classes[element["kind"]](element["id"])
        if element.get("boundary"):
            node.inBoundary = boundaries[element["boundary"]]
        nodes[element["id"]] = node
    data = Data("Personal data", description="records about people")
    for flow in spec["flows"]:
        dataflow = Dataflow(nodes[flow["from"]], nodes[flow["to"]], flow["id"])
        dataflow.data = data
    start = time.perf_counter()
    tm.resolve()
    resolve = time.perf_counter() - start
    print(json.dumps({"resolve": resolve, "findings": len(tm.findings)}), flush=True)
    if "--report" in sys.argv[3:]:  # the caller stops waiting when its budget is spent
        start = time.perf_counter()
        report = tm.report(template_path)
        report_time = time.perf_counter() - start
        print(json.dumps({"report": report_time, "report_bytes": len(report)}), flush=True)


if __name__ == "__main__":
    main()
