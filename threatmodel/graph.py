"""Indexes over a model and the derived facts conditions can ask about.

Facts are computed lazily, once per element, and whole-graph questions (reachability by
type, boundary chains) are memoised, so analysis stays linear in the model's size.
"""

from __future__ import annotations

import functools
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import attrs

from threatmodel.expr import UNKNOWN
from threatmodel.model import (
    ELEMENT_KINDS,
    SCALARS,
    Boundary,
    DataAsset,
    DataFlow,
    Element,
    SystemModel,
)
from threatmodel.vocabulary import Vocabulary

NOT_YET = object()  # in a memo: not worked out yet

ALL_ELEMENTS = frozenset(ELEMENT_KINDS)
OPERATOR = "operator"  # the one organisation of a model without organisation boundaries
OPERATOR_ACTOR_TYPES = frozenset({"operator_staff"})  # actors who work for the operator
PASS_THROUGH = frozenset({"process", "datastore"})
WITH_DATA = ALL_ELEMENTS | {"dataflow"}
# where `Graph.assets` keeps each `which` in a subject's memo (not formatted anew per call)
ASSET_KEYS = {w: f"assets:{w}" for w in ("all", "stored", "received", "sent", "input")}


@attrs.frozen
class Fact:
    """A derived fact: its static type, the kinds it exists on, what it means and what it needs."""

    type: str
    kinds: frozenset[str]
    meaning: str
    needs: str
    compute: Callable[[Graph, Any], Any] = attrs.field(repr=False)


@attrs.frozen
class Missing:
    """A fact the model leaves out, on one subject: what a question asks for."""

    fact: str  # an attribute or derived fact ('encrypted_at_rest', 'subjects'), or
    # 'boundary:<kind>' when a boundary of that kind is missing around `subject`
    subject: str  # the id of the element, flow, boundary or system it is missing on
    text: str  # how reports name it: "encrypted_at_rest", "subjects (needs ...)"

    def __str__(self) -> str:
        return self.text


class Graph:
    """A model with its indexes: ids, flows per element, boundary parents, data per element."""

    def __init__(self, model: SystemModel, vocabulary: Vocabulary):
        self.model = model
        self.vocabulary = vocabulary
        self.data: dict[str, DataAsset] = {d.id: d for d in model.data}
        self.by_id: dict[str, Any] = {s.id: s for s in model.subjects()}
        self.elements: dict[str, Element] = {e.id: e for e in model.elements}
        self.incoming: dict[str, list[DataFlow]] = defaultdict(list)
        self.outgoing: dict[str, list[DataFlow]] = defaultdict(list)
        for flow in model.flows:
            self.outgoing[flow.source].append(flow)
            self.incoming[flow.target].append(flow)
        self.parent: dict[str, Boundary] = {}
        for boundary in model.boundaries:
            for member in boundary.members:
                self.parent.setdefault(member, boundary)
        self.boundary_kinds_used = {b.type for b in model.boundaries}
        self._facts: dict[str, dict[str, Any]] = {}
        self._chains: dict[str, tuple[Boundary, ...]] = {}
        self._reach: dict[tuple[str, str], frozenset[str]] = {}
        self._domains: dict[str, frozenset[str]] | None = None
        self._personal: tuple[dict[str, Any], dict[str, Any]] = ({}, {})  # by `special`
        self._asset_sets: dict[tuple[str, ...], tuple[DataAsset, ...]] = {}
        self._of_assets: dict[tuple[str, int], Any] = {}  # by id of a tuple in _asset_sets
        self._crossed: dict[tuple[int, str], tuple[DataFlow, tuple[Any, Missing | None]]] = {}
        self.model_facts = ModelFacts(self)

    # -- facts ------------------------------------------------------------------------
    def facts_of(self, subject: Any) -> dict[str, Any]:
        """The memo of `subject`'s facts: its attributes at once, derived facts when asked."""
        cache = self._facts.get(subject.id)
        if cache is None:
            attributes = subject.attributes
            cache = self._facts[subject.id] = dict(attributes)
            if SCALARS.issuperset(map(type, attributes.values())):
                return cache  # nothing to freeze (the common case, checked without a loop)
            for name, value in attributes.items():  # `_frozen`, inlined: lists become sets
                if type(value) not in SCALARS and isinstance(value, (list, tuple)):
                    cache[name] = frozenset(value)
        return cache

    def fact(self, subject: Any, name: str) -> Any:
        """The value of `name` on `subject`: attribute, fixed field or derived fact."""
        cache = self.facts_of(subject)
        if name in cache:
            return cache[name]
        value = cache[name] = self.derive(subject, name)
        return value

    def derive(self, subject: Any, name: str) -> Any:
        """The value of `name` on `subject` worked out anew (`fact` remembers it)."""
        attributes = subject.attributes
        if name in attributes:
            return _frozen(attributes[name])
        if name in ("id", "name", "kind", "type"):
            value = getattr(subject, name, None)
            if name == "name":
                return subject.label
            return UNKNOWN if value is None else value
        fact = FACTS.get(name)
        if fact is not None and subject.kind in fact.kinds:
            return fact.compute(self, subject)
        attribute = self.vocabulary.attributes.get(name)
        if attribute is not None and subject.kind not in attribute.applies_to:
            return None  # e.g. target.report_verification on an actor: it has none
        return UNKNOWN

    # -- data involvement -----------------------------------------------------------------
    def assets(self, subject: Any, which: str = "all") -> tuple[DataAsset, ...] | None:
        """The data assets a subject stores/receives/sends/uses; None when the model is silent."""
        key = ASSET_KEYS[which]
        cache = self.facts_of(subject)
        if key in cache:
            return cache[key]
        known = tuple([i for i in dict.fromkeys(self._asset_ids(subject, which)) if i in self.data])
        assets = self._asset_sets.get(known)
        if assets is None:  # one tuple per set of assets, so that facts of it are memoised
            assets = self._asset_sets[known] = tuple(self.data[i] for i in known)
        silent = (
            not assets
            and which in ("all", "stored", "input")
            and subject.kind in ("dataflow", "datastore", "process")
        )
        result = None if silent else assets
        cache[key] = result
        return result

    def _asset_ids(self, subject: Any, which: str) -> Sequence[str]:
        """The ids of the data `assets(subject, which)` is about, repeats and unknowns kept:
        only the lists `which` needs are built."""
        if subject.kind == "dataflow":
            return subject.data
        ids: list[str] = []
        if which in ("stored", "all"):
            ids += getattr(subject, "stores", ())
        if which in ("input", "all"):
            ids += getattr(subject, "inputs", ())
        if which in ("received", "input", "all"):
            ids += [d for f in self.incoming.get(subject.id, ()) for d in f.data]
        if which in ("sent", "all"):
            ids += [d for f in self.outgoing.get(subject.id, ()) for d in f.data]
        return ids

    def categories_of(self, subject: Any, which: str) -> Any:
        assets = self.assets(subject, which)
        if assets is None:
            return UNKNOWN
        return self.of_assets(assets, "categories", _categories_of)

    def of_assets(self, assets: tuple[DataAsset, ...], name: str, compute: Callable) -> Any:
        """`compute(self, assets)`, memoised by name for each set of data assets (many
        subjects carry the same data). `assets` must be a tuple `assets()` gave: the memo
        knows it by its identity, which that method's table keeps alive."""
        key = (name, id(assets))
        value = self._of_assets.get(key, NOT_YET)
        if value is NOT_YET:
            value = self._of_assets[key] = compute(self, assets)
        return value

    def personal(self, asset: DataAsset, special: bool = False) -> Any:
        """Whether an asset is personal (or special-category) data, from its categories."""
        memo = self._personal[special]
        value = memo.get(asset.id, NOT_YET)
        if value is NOT_YET:
            table = self.vocabulary.categories
            flag = "special" if special else "personal"
            value = memo[asset.id] = (
                UNKNOWN
                if not asset.categories
                else any(getattr(table[c], flag) for c in asset.categories if c in table)
            )
        return value

    # -- boundaries -------------------------------------------------------------------------
    def chain(self, subject_id: str) -> tuple[Boundary, ...]:
        """The boundaries around a subject, innermost first."""
        chain = self._chains.get(subject_id)
        if chain is not None:
            return chain
        result = []
        seen = {subject_id}
        current = self.parent.get(subject_id)
        while current is not None and current.id not in seen:
            result.append(current)
            seen.add(current.id)
            current = self.parent.get(current.id)
        self._chains[subject_id] = chain = tuple(result)
        return chain

    def innermost(self, subject_id: str, kind: str) -> Boundary | None:
        for boundary in self.chain(subject_id):
            if boundary.type == kind:
                return boundary
        return None

    def organisation(self, subject_id: str) -> Any:
        """The organisation an element belongs to: its innermost organisation boundary's id.

        Outside every organisation boundary it is its own organisation, except in a model with
        no organisation boundary at all: that model describes one operator, whose processes,
        data stores and staff are one organisation (OPERATOR), while external services and
        other actors are parties of their own; an actor without a type is unknown.
        """
        boundary = self.innermost(subject_id, "organisation")
        if boundary is not None:
            return boundary.id
        element = self.elements.get(subject_id)
        if element is None or "organisation" in self.boundary_kinds_used:
            return f"self:{subject_id}"
        if element.kind in PASS_THROUGH or element.type in OPERATOR_ACTOR_TYPES:
            return OPERATOR
        if element.kind == "actor" and element.type is None:
            return UNKNOWN
        return f"self:{subject_id}"

    def crosses(self, flow: DataFlow, kind: str) -> tuple[Any, Missing | None]:
        """Whether a flow leaves a boundary of `kind`, and what is missing when unknown.

        Without any boundary of the kind, a jurisdiction is not crossed by a flow that stays
        inside one organisation (an organisation's own flows stay where it is). Memoised:
        every risk and report asks about the same few flows and kinds."""
        key = (id(flow), kind)
        known = self._crossed.get(key)
        if known is None:  # the memo keeps the flow alive, so that its id is never reused
            known = self._crossed[key] = (flow, self._crosses(flow, kind))
        return known[1]

    def _crosses(self, flow: DataFlow, kind: str) -> tuple[Any, Missing | None]:
        if kind == "organisation" or kind not in self.boundary_kinds_used:
            a, b = self.organisation(flow.source), self.organisation(flow.target)
            for end, org in ((flow.source, a), (flow.target, b)):
                if org is UNKNOWN:
                    text = f"whether '{end}' belongs to the operator (its type, or an organisation boundary)"
                    return UNKNOWN, Missing("type", end, text)
            if kind == "organisation":
                return a != b, None
            if kind == "jurisdiction" and a == b:
                return False, None
            return UNKNOWN, Missing(
                f"boundary:{kind}", "", f"{kind} boundaries (the model has none)"
            )
        a, b = self.innermost(flow.source, kind), self.innermost(flow.target, kind)
        if a is None or b is None:
            lacking = flow.source if a is None else flow.target
            return UNKNOWN, Missing(
                f"boundary:{kind}", lacking, f"a {kind} boundary around '{lacking}'"
            )
        return a.id != b.id, None

    # -- reachability ------------------------------------------------------------------------
    def passes_data(self, element_id: str) -> bool:
        """Whether data flows on through an element: processes and data stores pass it on;
        actors and external services are parties whose own outgoing data is their own."""
        element = self.elements.get(element_id)
        return element is not None and element.kind in PASS_THROUGH

    @functools.cached_property
    def _typed(self) -> dict[str, list[str]]:
        """Element ids by type and by kind (an element of either is where `reach_set` starts
        for it), in model order."""
        typed: dict[str, list[str]] = defaultdict(list)
        for element in self.elements.values():
            for word in dict.fromkeys((element.type, element.kind)):
                if word is not None:
                    typed[word].append(element.id)
        return typed

    def reach_set(self, wanted: str, direction: str) -> frozenset[str]:
        """Elements of type `wanted`, plus processes and stores whose data reaches one
        (direction 'to') or that data from one reaches (direction 'from'), following flows
        only through processes and data stores."""
        key = (wanted, direction)
        if key not in self._reach:
            edges = self.incoming if direction == "to" else self.outgoing
            step = (lambda f: f.source) if direction == "to" else (lambda f: f.target)
            start = list(self._typed.get(wanted, ()))
            seen = set(start)
            queue = deque(start)
            while queue:
                for flow in edges.get(queue.popleft(), ()):
                    nxt = step(flow)
                    if nxt not in seen and self.passes_data(nxt):
                        seen.add(nxt)
                        queue.append(nxt)
            self._reach[key] = frozenset(seen)
        return self._reach[key]

    def downstream_domains(self, element_id: str) -> frozenset[str]:
        """Decision domains of an element and of everything its data reaches through processes
        and data stores (linear overall).

        Strongly connected components are found once (iteratively, Tarjan), then each
        component's domains are its own plus those of the components it feeds.
        """
        if self._domains is None:
            self._domains = self._all_downstream_domains()
        if element_id in self.elements and not self.passes_data(element_id):
            own = self.elements[element_id].attributes.get("decision_domains", ()) or ()
            return frozenset(own).union(
                *(
                    self._domains.get(f.target, frozenset())
                    for f in self.outgoing.get(element_id, ())
                )
            )
        return self._domains.get(element_id, frozenset())

    def _all_downstream_domains(self) -> dict[str, frozenset[str]]:
        successors = {
            e: [f.target for f in self.outgoing.get(e, ()) if f.target in self.elements]
            if self.passes_data(e)
            else []
            for e in self.elements
        }
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        component: dict[str, int] = {}
        components: list[list[str]] = []
        for root in self.elements:
            if root in index:
                continue
            work = [(root, 0)]
            while work:
                node, child = work.pop()
                if child == 0:
                    index[node] = low[node] = len(index)
                    stack.append(node)
                    on_stack.add(node)
                nexts = successors[node]
                if child < len(nexts):
                    work.append((node, child + 1))
                    succ = nexts[child]
                    if succ not in index:
                        work.append((succ, 0))
                    elif succ in on_stack:
                        low[node] = min(low[node], index[succ])
                    continue
                for succ in nexts:
                    if component.get(succ) is None and succ in low and succ in on_stack:
                        low[node] = min(low[node], low[succ])
                if low[node] == index[node]:
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component[member] = len(components)
                        members.append(member)
                        if member == node:
                            break
                    components.append(members)
        # Tarjan emits components in reverse topological order: successors come first.
        domains: list[frozenset[str]] = []
        for members in components:
            own: set[str] = set()
            for member in members:
                own.update(self.elements[member].attributes.get("decision_domains", ()) or ())
                for succ in successors[member]:
                    if component[succ] != component[member]:
                        own.update(domains[component[succ]])
            domains.append(frozenset(own))
        return {e: domains[component[e]] for e in self.elements}


def _frozen(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return frozenset(value)
    return value


# -- derived facts --------------------------------------------------------------------------


def _personal(special: bool):
    name = "special" if special else "personal"

    def of(graph: Graph, assets: tuple[DataAsset, ...]) -> Any:
        unknown = False
        for asset in assets:  # the first personal asset settles it
            value = graph.personal(asset, special)
            if value is True:
                return True
            unknown = unknown or value is UNKNOWN
        return UNKNOWN if unknown else False

    def compute(graph: Graph, subject: Any) -> Any:
        assets = graph.assets(subject)
        return UNKNOWN if assets is None else graph.of_assets(assets, name, of)

    return compute


def _subjects(graph: Graph, subject: Any) -> Any:
    assets = graph.assets(subject)
    counts = [a.subjects for a in assets or () if a.subjects is not None]
    return max(counts) if counts else UNKNOWN


def _categories_of(graph: Graph, assets: tuple[DataAsset, ...]) -> frozenset[str]:
    return frozenset(c for a in assets for c in a.categories)


def _sources_of(graph: Graph, assets: tuple[DataAsset, ...]) -> frozenset[str]:
    return frozenset(a.source for a in assets if a.source)


def _sources(which: str):
    def compute(graph: Graph, subject: Any) -> Any:
        assets = graph.assets(subject, which)
        return UNKNOWN if assets is None else graph.of_assets(assets, "sources", _sources_of)

    return compute


def _categories(which: str):
    return lambda graph, subject: graph.categories_of(subject, which)


def _feeding_sources(graph: Graph, subject: Any) -> int:
    return len({f.source for f in graph.incoming.get(subject.id, ())})


def _feeding_organisations(graph: Graph, subject: Any) -> int:
    return len({graph.organisation(f.source) for f in graph.incoming.get(subject.id, ())})


def _downstream_domains(graph: Graph, subject: Any) -> frozenset:
    start = subject.target if subject.kind == "dataflow" else subject.id
    return graph.downstream_domains(start)


def _retention(graph: Graph, subject: Any) -> Any:
    assets = graph.assets(subject, "stored")
    if not assets:
        return UNKNOWN
    values = [a.attributes.get("retention_days", UNKNOWN) for a in assets]
    if any(v is None for v in values):
        return None
    if any(v is UNKNOWN for v in values):
        return UNKNOWN
    return max(values)


def _exposed_neighbours(graph: Graph, subject: Any) -> tuple[list[Element], Any]:
    """The processes and stores one flow away from `subject` (either direction) that are
    reachable from the internet, and whether that list is complete (UNKNOWN when a
    neighbour's `publicly_reachable` is left out)."""
    ids = {f.source for f in graph.incoming.get(subject.id, ())}
    ids |= {f.target for f in graph.outgoing.get(subject.id, ())}
    neighbours = [graph.elements[i] for i in sorted(ids - {subject.id}) if graph.passes_data(i)]
    exposed = [n for n in neighbours if graph.fact(n, "publicly_reachable") is True]
    complete = all(graph.fact(n, "publicly_reachable") is not UNKNOWN for n in neighbours)
    return exposed, complete


def _internet_facing_neighbour(graph: Graph, subject: Any) -> Any:
    exposed, complete = _exposed_neighbours(graph, subject)
    return True if exposed else (False if complete else UNKNOWN)


def _unpatched_internet_facing_neighbour(graph: Graph, subject: Any) -> Any:
    patched = [graph.fact(n, "patched") for n in _exposed_neighbours(graph, subject)[0]]
    if any(p is False for p in patched):
        return True
    return UNKNOWN if any(p is UNKNOWN for p in patched) else False


FACTS: dict[str, Fact] = {
    "personal_data": Fact(
        "bool",
        WITH_DATA,
        "it stores, receives, sends or uses personal data",
        "the data it stores, uses or carries",
        _personal(False),
    ),
    "special_categories": Fact(
        "bool",
        WITH_DATA,
        "... special-category data (health, biometric, ...)",
        "the data it stores, uses or carries",
        _personal(True),
    ),
    "subjects": Fact(
        "number",
        WITH_DATA,
        "the most people any of its data assets is about",
        "'subjects' on its data assets",
        _subjects,
    ),
    "categories": Fact(
        "set",
        WITH_DATA,
        "every data category it stores, receives, sends or uses",
        "the data it stores, uses or carries",
        _categories("all"),
    ),
    "stored_categories": Fact(
        "set",
        frozenset({"datastore"}),
        "categories of the data it stores",
        "'stores' on the datastore",
        _categories("stored"),
    ),
    "received_categories": Fact(
        "set",
        ALL_ELEMENTS,
        "categories on its incoming flows",
        "'data' on its incoming flows",
        _categories("received"),
    ),
    "sent_categories": Fact(
        "set",
        ALL_ELEMENTS,
        "categories on its outgoing flows",
        "'data' on its outgoing flows",
        _categories("sent"),
    ),
    "input_categories": Fact(
        "set",
        frozenset({"process"}),
        "categories of its inputs and incoming data",
        "'inputs' on the process",
        _categories("input"),
    ),
    "data_sources": Fact(
        "set",
        WITH_DATA,
        "the 'source' of every data asset involved",
        "the data it stores, uses or carries",
        _sources("all"),
    ),
    "input_sources": Fact(
        "set",
        frozenset({"process"}),
        "the 'source' of its inputs",
        "'inputs' on the process",
        _sources("input"),
    ),
    "feeding_sources": Fact(
        "number", ALL_ELEMENTS, "distinct elements with a flow into it", "", _feeding_sources
    ),
    "feeding_organisations": Fact(
        "number",
        ALL_ELEMENTS,
        "distinct organisations of the elements feeding it",
        "",
        _feeding_organisations,
    ),
    "downstream_domains": Fact(
        "set",
        WITH_DATA,
        "decision domains of it and every element its data reaches",
        "",
        _downstream_domains,
    ),
    "internet_facing_neighbour": Fact(
        "bool",
        frozenset({"datastore"}),
        "a process or store one flow away (either direction) is reachable from the internet",
        "'publicly_reachable' on the processes and stores it exchanges data with",
        _internet_facing_neighbour,
    ),
    "unpatched_internet_facing_neighbour": Fact(
        "bool",
        frozenset({"datastore"}),
        "... and that internet-facing neighbour is not patched within a set deadline",
        "'patched' on the internet-facing processes and stores it exchanges data with",
        _unpatched_internet_facing_neighbour,
    ),
    "retention_days": Fact(
        "number",
        frozenset({"datastore"}),
        "its own retention_days, else the longest of its stored data",
        "'retention_days' on the datastore or its data",
        _retention,
    ),
}


class ModelFacts:
    """Facts about the whole model, named in conditions as `model.<name>`."""

    TYPES: ClassVar[dict[str, str]] = {
        "decision_domains": "set",
        "subjects": "number",
        "organisations": "number",
        "elements": "number",
        "personal_data": "bool",
    }

    def __init__(self, graph: Graph):
        self.graph = graph
        self.cache: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        if name not in self.cache:
            self.cache[name] = self._compute(name)
        return self.cache[name]

    def _compute(self, name: str) -> Any:
        graph = self.graph
        model = graph.model
        if name in model.system.attributes:
            return _frozen(model.system.attributes[name])
        if name == "decision_domains":
            return frozenset(
                d for e in model.elements for d in e.attributes.get("decision_domains", ()) or ()
            )
        if name == "subjects":
            counts = [a.subjects for a in model.data if a.subjects is not None]
            return max(counts) if counts else UNKNOWN
        if name == "organisations":
            return sum(1 for b in model.boundaries if b.type == "organisation")
        if name == "elements":
            return len(model.elements)
        if name == "personal_data":
            return any(graph.personal(a) is True for a in model.data)
        return UNKNOWN
