"""Graph indexes: the linear downstream-domain computation agrees with a plain search."""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from threatmodel import model as m
from threatmodel.catalog_yaml import load_catalog
from threatmodel.context import Context, Probe
from threatmodel.expr import UNKNOWN
from threatmodel.graph import Graph

VOCABULARY = load_catalog((), shipped_risks=False).vocabulary
DOMAINS = ["credit", "travel", "housing", "visa"]


@settings(max_examples=150, deadline=None)
@given(
    st.integers(2, 12).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
            st.lists(st.sampled_from(DOMAINS), min_size=n, max_size=n),
        )
    )
)
def test_downstream_domains_match_breadth_first_search(case):
    """For random graphs with cycles, SCC propagation equals a search from each element
    that passes through processes and stores but stops at actors."""
    n, edges, domains = case
    elements = tuple(
        m.Element(
            id=f"e{i}",
            kind="actor" if i % 5 == 4 else "process",
            attributes={"decision_domains": (domains[i],)} if i % 3 else {},
        )
        for i in range(n)
    )
    flows = tuple(
        m.DataFlow(id=f"f{k}", source=f"e{a}", target=f"e{b}")
        for k, (a, b) in enumerate(edges)
        if a != b
    )
    graph = Graph(
        m.SystemModel(system=m.System(id="s"), elements=elements, flows=flows), VOCABULARY
    )
    for element in elements:
        seen, queue = {element.id}, deque([element.id])
        while queue:
            current = queue.popleft()
            if current != element.id and graph.elements[current].kind == "actor":
                continue  # an actor is reached, but data does not flow on through it
            for flow in graph.outgoing.get(current, ()):
                if flow.target not in seen:
                    seen.add(flow.target)
                    queue.append(flow.target)
        expected = {
            d for e in elements if e.id in seen for d in e.attributes.get("decision_domains", ())
        }
        assert graph.downstream_domains(element.id) == expected


def test_facts_of_the_same_data_are_shared_and_of_other_data_are_not():
    """Flows carrying the same data assets share one memo of their derived facts
    (`Graph.of_assets`); flows carrying other data, or the same data in another order, get
    their own values; a flow without data is still unknown."""
    data = (
        m.DataAsset(id="scores", categories=("credit",), subjects=9),
        m.DataAsset(id="weather", categories=("telemetry",)),
    )
    carried = {
        "f1": ("scores",),
        "f2": ("scores",),
        "f3": ("weather",),
        "f4": ("weather", "scores"),
    }
    elements = (m.Element(id="a", kind="process"), m.Element(id="b", kind="process"))
    flows = tuple(
        m.DataFlow(id=flow_id, source="a", target="b", data=ids) for flow_id, ids in carried.items()
    ) + (m.DataFlow(id="f5", source="b", target="a"),)
    graph = Graph(
        m.SystemModel(system=m.System(id="s"), elements=elements, flows=flows, data=data),
        VOCABULARY,
    )
    fact = {f.id: {n: graph.fact(f, n) for n in ("personal_data", "categories")} for f in flows}
    assert graph.assets(flows[0]) is graph.assets(flows[1])
    assert fact["f1"] == fact["f2"] == {"personal_data": True, "categories": {"credit"}}
    assert fact["f3"] == {"personal_data": False, "categories": {"telemetry"}}
    assert fact["f4"] == {"personal_data": True, "categories": {"credit", "telemetry"}}
    assert fact["f5"]["personal_data"] is UNKNOWN


def test_a_context_reads_a_remembered_call_and_still_says_what_is_missing():
    """`Context.call` takes a graph function's value from the subject's memo (`Probe.call`):
    each subject keeps its own value, and an unknown one still records what is missing."""
    shop, bank = m.Element(id="shop", kind="process"), m.Element(id="bank", kind="external_service")
    clerk = m.Element(id="clerk", kind="actor")  # no type: its organisation is unknown
    ledger = m.Element(id="ledger", kind="datastore")
    flows = (
        m.DataFlow(id="f1", source="shop", target="bank"),
        m.DataFlow(id="f2", source="clerk", target="ledger"),
    )
    graph = Graph(
        m.SystemModel(system=m.System(id="s"), elements=(shop, bank, clerk, ledger), flows=flows),
        VOCABULARY,
    )
    label = "crosses('organisation')"
    for subject in (shop, ledger):
        Probe(graph, subject).call("crosses", "organisation", label)  # remembered
    crossing, unknown = Context(graph, shop), Context(graph, ledger)
    assert crossing.call("crosses", "organisation", label) is True
    assert unknown.call("crosses", "organisation", label) is UNKNOWN
    assert crossing.trace == {label: True} and not crossing.missing
    assert [missing.subject for missing in unknown.missing] == ["clerk"] and not unknown.trace


def test_a_reference_is_remembered_per_subject_and_still_says_what_is_missing():
    """`Probe.get_ref` keeps `target.type` in each flow's own memo: flows to different
    elements read their own target's value, and an unknown one still records what is
    missing."""
    shop = m.Element(id="shop", kind="process")
    bank = m.Element(id="bank", kind="external_service", type="bank")
    cloud = m.Element(id="cloud", kind="external_service", type="cloud_provider")
    clerk = m.Element(id="clerk", kind="actor")  # no type
    flows = (
        m.DataFlow(id="f1", source="shop", target="bank"),
        m.DataFlow(id="f2", source="shop", target="cloud"),
        m.DataFlow(id="f3", source="shop", target="clerk"),
    )
    graph = Graph(
        m.SystemModel(system=m.System(id="s"), elements=(shop, bank, cloud, clerk), flows=flows),
        VOCABULARY,
    )
    read = [Probe(graph, flow).get_ref("target", "type", "target.type") for flow in flows]
    assert read == ["bank", "cloud_provider", UNKNOWN]
    again = [Context(graph, flow) for flow in flows]
    assert [c.get_ref("target", "type", "target.type") for c in again] == read
    assert again[1].trace == {"target.type": "cloud_provider"} and not again[1].missing
    assert [missing.subject for missing in again[2].missing] == ["clerk"]
