"""Graph indexes: the linear downstream-domain computation agrees with a plain search."""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from threatmodel import model as m
from threatmodel.catalog_yaml import load_catalog
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
