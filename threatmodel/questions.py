"""Questions: what the model leaves out that could confirm a risk, one per missing fact.

An undecided finding is a risk in scope whose condition is unknown because the model is
silent on a fact. Findings that wait for the same fact are asked about once: "Is each data
store encrypted at rest?", on every element concerned, with the answers the vocabulary
allows, the risks an answer could confirm and the worst severity at stake. Questions are
ranked by the risk they could settle: the worst severity at stake, then score x people summed
over the findings they decide.
"""

from __future__ import annotations

import attrs

from threatmodel.findings import Finding, Result
from threatmodel.graph import FACTS, Missing
from threatmodel.vocabulary import Attribute, Vocabulary

# Questions for facts the graph derives from the data a model names: asked once per
# thing to fill in, whichever derived fact waits for it.
DERIVED = {
    "the data it stores, uses or carries": (
        "data",
        "Which data assets does each of these store, use or carry? (`stores:` on data stores, "
        "`inputs:` on processes, `data:` on flows, and `categories:` on the data assets)",
    ),
    "'subjects' on its data assets": (
        "subjects",
        "How many people is each data asset about? (`subjects:` on the data asset; an "
        "estimate will do)",
    ),
    "'stores' on the datastore": ("stores", "Which data assets does each data store hold?"),
    "'data' on its incoming flows": ("data", "Which data assets do the flows into it carry?"),
    "'data' on its outgoing flows": ("data", "Which data assets do the flows out of it carry?"),
    "'inputs' on the process": ("inputs", "Which data assets does each process use?"),
    "'retention_days' on the datastore or its data": (
        "retention_days",
        "How long is each store's data kept? (`retention_days:` on the store or its data "
        "assets; null for no limit)",
    ),
}


@attrs.frozen(kw_only=True)
class Where:
    """An element, flow, boundary or the system a question is about."""

    id: str
    kind: str
    name: str
    file: str
    line: int


@attrs.frozen(kw_only=True)
class AtStake:
    """A risk an answer could confirm, and on which findings."""

    risk_id: str
    title: str
    severity: str
    score: int
    findings: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Question:
    """One fact the model leaves out, asked once for every place it is missing."""

    id: str  # the fact: an attribute name, 'data', 'subjects', 'boundary:<kind>', ...
    text: str
    meaning: str
    answers: tuple[str, ...]  # what the vocabulary allows ('true', 'false', enum values)
    where: tuple[Where, ...]
    risks: tuple[AtStake, ...]  # worst first
    severity: str  # the worst severity an answer could confirm
    weight: int  # the risk it could settle: score x people, summed over its findings


def questions(result: Result) -> tuple[Question, ...]:
    """The questions of a result's undecided findings, most weighty first."""
    rank = {name: i for i, name in enumerate(result.catalog.severities)}
    asking: dict[str, _Asking] = {}
    for finding in result.undecided:  # one pass: tens of thousands of facts in a big model
        weight = finding.score * max(finding.harm.subjects or 1, 1)
        for missing in finding.missing:
            key = _key(missing)
            ask = asking.get(key)
            if ask is None:
                ask = asking[key] = _Asking(missing)
            ask.subjects[missing.subject] = None
            if ask.last is not finding:  # once per finding, however many subjects lack it
                ask.last = finding
                ask.weight += weight
                ask.by_risk.setdefault(finding.risk_id, []).append(finding)
    places = _places(result, {s for ask in asking.values() for s in ask.subjects})
    position = {subject_id: i for i, subject_id in enumerate(places)}
    out = []
    for key, ask in asking.items():
        stakes = []
        for risk_id, found in ask.by_risk.items():
            worst = min(found, key=lambda f: (rank.get(f.severity, 99), -f.score))
            stakes.append(
                AtStake(
                    risk_id=risk_id,
                    title=worst.title,
                    severity=worst.severity,
                    score=worst.score,
                    findings=tuple(f.id for f in found),
                )
            )
        stakes.sort(key=lambda s: (rank.get(s.severity, 99), -s.score, s.risk_id))
        text, meaning, answers = _wording(key, ask.first, result.vocabulary)
        out.append(
            Question(
                id=key,
                text=text,
                meaning=meaning,
                answers=answers,
                where=tuple(
                    places[s]
                    for s in sorted(
                        filter(position.__contains__, ask.subjects), key=position.__getitem__
                    )
                ),
                risks=tuple(stakes),
                severity=stakes[0].severity,
                weight=ask.weight,
            )
        )
    out.sort(key=lambda q: (rank.get(q.severity, 99), -q.weight, -len(q.where), q.id))
    return tuple(out)


@attrs.define
class _Asking:
    """What one question gathers: the first fact missing, the subjects it is missing on, the
    findings waiting for it by risk (and the last one added, to add each once) and their
    weight."""

    first: Missing
    subjects: dict[str, None] = attrs.Factory(dict)
    by_risk: dict[str, list[Finding]] = attrs.Factory(dict)
    last: Finding | None = None
    weight: int = 0


def _places(result: Result, subject_ids: set[str]) -> dict[str, Where]:
    """A Where for each of these subjects that is in the model, shared by the questions
    about it, in the order questions list them: by file, line and id."""
    by_id = result.graph.by_id
    places = [
        Where(id=s.id, kind=s.kind, name=s.label, file=s.pos.file, line=s.pos.line)
        for s in (by_id.get(i) for i in subject_ids)
        if s is not None
    ]
    places.sort(key=lambda w: (w.file, w.line, w.id))
    return {w.id: w for w in places}


_DERIVED_FACTS = frozenset(name for name, fact in FACTS.items() if fact.needs in DERIVED)


def _key(missing: Missing) -> str:
    """The question a missing fact belongs to: a derived fact waiting for something the model
    leaves out is asked about that thing ('data', 'subjects', ...); any other fact, itself."""
    if missing.fact in _DERIVED_FACTS and "(needs " in missing.text:
        return DERIVED[FACTS[missing.fact].needs][0]
    return missing.fact


def _wording(
    key: str, missing: Missing, vocabulary: Vocabulary
) -> tuple[str, str, tuple[str, ...]]:
    """(question, what the fact means, allowed answers)."""
    attribute = vocabulary.attributes.get(key)
    if attribute is not None:
        text = attribute.question or f"What is `{key}` ({attribute.meaning}) here?"
        return text, attribute.meaning, _answers(attribute, vocabulary)
    fact = FACTS.get(missing.fact)
    if fact is not None and fact.needs in DERIVED:
        return DERIVED[fact.needs][1], fact.meaning, ()
    if key.startswith("boundary:"):
        kind = key.partition(":")[2]
        return (
            f"Which {kind} is each of these in? (put them in `{kind}` boundaries)",
            f"the {kind} boundaries around the elements",
            (),
        )
    if key == "type":
        return (
            "Which kind of party is each of these actors? (`type:`; operator_staff for the "
            "operator's own staff)",
            "whether an actor belongs to the operator's organisation",
            tuple(vocabulary.element_types.get("actor", ())),
        )
    return f"What is `{missing.text}`?", "", ()


def _answers(attribute: Attribute, vocabulary: Vocabulary) -> tuple[str, ...]:
    if attribute.type == "bool":
        answers: tuple[str, ...] = ("true", "false")
    elif attribute.type in ("enum", "list"):
        answers = tuple(attribute.allowed(vocabulary))
    elif attribute.type in ("int", "number"):
        answers = ("a number",)
    else:
        answers = ("text",)
    return (*answers, "null") if attribute.nullable else answers
