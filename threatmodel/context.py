"""What a condition sees while it is evaluated on one subject (an element, flow, boundary or
the system): its facts, its flow's endpoints, model-wide facts and the graph functions.

`Probe` only answers; `Context` also records the evidence (every known value looked at) and
what is missing (every unknown one). The engine probes each risk's scope and traces only
where the scope holds, which keeps analysis cheap.
"""

from __future__ import annotations

from typing import Any

from threatmodel.expr import UNKNOWN
from threatmodel.graph import FACTS, NOT_YET, Graph, Missing


class Probe:
    """Answers a condition's questions about one subject, recording nothing."""

    __slots__ = ("facts", "graph", "subject")

    def __init__(self, graph: Graph, subject: Any):
        self.graph = graph
        self.subject = subject
        self.facts = graph.facts_of(subject)

    def get(self, name: str) -> Any:
        facts = self.facts  # the subject's memo in the graph (`Graph.fact`, without its lookup)
        value = facts.get(name, NOT_YET)
        if value is NOT_YET:
            value = facts[name] = self.graph.derive(self.subject, name)
        return value

    def get_ref(self, prefix: str, name: str, label: str) -> Any:
        """The value of `prefix.name` (its `label`): a model-wide fact, or a fact of the
        flow's endpoint, remembered in the subject's memo by its label (no attribute's name
        has a '.')."""
        facts = self.facts
        value = facts.get(label, NOT_YET)
        if value is NOT_YET:
            if prefix == "model":
                value = self.graph.model_facts.get(name)
            else:
                other = self._other(prefix)
                value = UNKNOWN if other is None else self.graph.fact(other, name)
            facts[label] = value
        return value

    def call(self, function: str, argument: str, label: str) -> Any:
        """A graph function's value, remembered in the subject's memo by its label."""
        facts = self.facts
        value = facts.get(label, NOT_YET)
        if value is NOT_YET:
            value = facts[label] = self._call(function, argument)[0]
        return value

    def _other(self, prefix: str) -> Any:
        other_id = getattr(self.subject, prefix, None)
        return self.graph.elements.get(other_id) if isinstance(other_id, str) else None

    def _missing_ref(self, prefix: str, name: str) -> Missing:
        """What is missing when `prefix.name` is unknown."""
        if prefix == "model":
            return Missing(name, self.graph.model.system.id, f"model.{name}")
        other = self._other(prefix)
        if other is None:
            return Missing(name, str(getattr(self.subject, prefix, None) or ""), f"{prefix}.{name}")
        return Missing(name, other.id, f"{name} on '{other.id}'")

    def _call(self, function: str, argument: str) -> tuple[Any, list[Missing]]:
        """The value of a graph function and, when unknown, what the model lacks."""
        graph, subject = self.graph, self.subject
        is_flow = subject.kind == "dataflow"
        if function == "crosses":
            flows = (
                [subject]
                if is_flow
                else graph.incoming.get(subject.id, []) + graph.outgoing.get(subject.id, [])
            )
            value: Any = False
            lacking: list[Missing] = []
            for flow in flows:
                crossed, missing = graph.crosses(flow, argument)
                if crossed is True:
                    return True, []
                if crossed is UNKNOWN:
                    value = UNKNOWN
                    if missing is not None:
                        lacking.append(missing)
            return value, lacking
        if function == "reaches":
            reach = graph.reach_set(argument, "to")
            starts = (
                [subject.target]
                if is_flow
                else [f.target for f in graph.outgoing.get(subject.id, ())]
            )
        else:  # fed_by
            reach = graph.reach_set(argument, "from")
            starts = (
                [subject.source]
                if is_flow
                else [f.source for f in graph.incoming.get(subject.id, ())]
            )
        return any(s in reach for s in starts), []


class Context(Probe):
    """A probe that records evidence (known values) and what is missing (unknown ones)."""

    __slots__ = ("missing", "trace")

    def __init__(self, graph: Graph, subject: Any):
        Probe.__init__(self, graph, subject)
        self.trace: dict[str, Any] = {}
        self.missing: dict[Missing, None] = {}

    def get(self, name: str) -> Any:
        value = Probe.get(self, name)
        if value is UNKNOWN:
            fact = FACTS.get(name)
            needs = (
                f" (needs {fact.needs})"
                if fact is not None and fact.needs and name not in self.subject.attributes
                else ""
            )
            self.missing[Missing(name, self.subject.id, f"{name}{needs}")] = None
        else:
            self.trace.setdefault(name, value)
        return value

    def get_ref(self, prefix: str, name: str, label: str) -> Any:
        value = Probe.get_ref(self, prefix, name, label)
        if value is UNKNOWN:
            self.missing[self._missing_ref(prefix, name)] = None
        else:
            self.trace.setdefault(label, value)
        return value

    def call(self, function: str, argument: str, label: str) -> Any:
        value = self.facts.get(label, NOT_YET)
        if value is NOT_YET or value is UNKNOWN:  # worked out once, with what an unknown lacks
            value, lacking = self._call(function, argument)
            self.facts[label] = value
            if value is UNKNOWN:
                self.missing.update(dict.fromkeys(lacking))
                return value
        self.trace.setdefault(label, value)
        return value
