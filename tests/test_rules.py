"""Each object's own rules are attrs validators, defined once and run on every path: a model
built in Python is refused at construction (or, built with validators off, by check_model and
analyze) with the same message a YAML model gets at its position."""

from __future__ import annotations

import typing

import attrs
import pytest

import threatmodel
from tests.helpers import problems_of
from threatmodel import model as m
from threatmodel import tracking
from threatmodel.checks import RuleError, broken_rules, collecting, deferred
from threatmodel.errors import ThreatModelError

SYSTEM = m.System(id="s")

# Each case: YAML for the offending section, the same object in Python (keyword arguments),
# and the messages both paths must give. The YAML model is otherwise valid.
CASES = {
    "bad id": (
        "elements:\n  - {id: 'bad id!!', kind: actor}\n",
        (m.Element, {"id": "bad id!!", "kind": "actor"}),
        [
            "element: id 'bad id!!' must start with a letter or digit and use only letters, "
            "digits, '_', '-', '.', ':'"
        ],
    ),
    "empty id": (
        "elements:\n  - {id: '', kind: actor}\n",
        (m.Element, {"id": "", "kind": "actor"}),
        ["element: 'id' is required"],
    ),
    "unknown kind": (
        "elements:\n  - {id: e, kind: banana}\n",
        (m.Element, {"id": "e", "kind": "banana"}),
        [
            "element 'e': unknown kind 'banana' (use one of actor, process, datastore, "
            "external_service)"
        ],
    ),
    "empty kind": (
        "elements:\n  - {id: e, kind: ''}\n",
        (m.Element, {"id": "e", "kind": ""}),
        ["element 'e': 'kind' is required"],
    ),
    "inputs on an actor": (
        "data:\n  - {id: d}\nelements:\n  - {id: a, kind: actor, inputs: [d]}\n",
        (m.Element, {"id": "a", "kind": "actor", "inputs": ("d",)}),
        ["element 'a': only a process has 'inputs' (this is an actor)"],
    ),
    "stores on a process": (
        "data:\n  - {id: d}\nelements:\n  - {id: p, kind: process, stores: [d]}\n",
        (m.Element, {"id": "p", "kind": "process", "stores": ("d",)}),
        ["element 'p': only a datastore 'stores' data (this is a process; use flows)"],
    ),
    "subjects out of range": (
        "data:\n  - {id: d, subjects: -3}\n",
        (m.DataAsset, {"id": "d", "subjects": -3}),
        ["data asset 'd': 'subjects' is -3; it must be between 0 and 100000000000"],
    ),
    "boundary without kind": (
        "boundaries:\n  - {id: b, kind: ''}\n",
        (m.Boundary, {"id": "b", "type": ""}),
        ["boundary 'b': 'kind' is required"],
    ),
    "boundary in itself": (
        "boundaries:\n  - {id: b, kind: organisation, members: [b]}\n",
        (m.Boundary, {"id": "b", "type": "organisation", "members": ("b",)}),
        ["boundary 'b' contains itself"],
    ),
    "flow to itself": (
        "elements:\n  - {id: a, kind: actor}\nflows:\n  - {id: f, from: a, to: a}\n",
        (m.DataFlow, {"id": "f", "source": "a", "target": "a"}),
        ["flow 'f' goes from 'a' to itself"],
    ),
    "control without mitigation": (
        "controls:\n  - {mitigation: ''}\n",
        (m.Control, {"mitigation": ""}),
        ["control: 'mitigation' is required"],
    ),
    "attribute that is a mapping": (
        "elements:\n  - {id: e, kind: actor, extra: {a: 1}}\n",
        (m.Element, {"id": "e", "kind": "actor", "attributes": {"extra": {"a": 1}}}),
        ["element 'e': attribute 'extra' must be a single value or a list, not a mapping"],
    ),
}


def _python_model(cls, kwargs) -> m.SystemModel:
    section = {
        m.Element: "elements",
        m.DataAsset: "data",
        m.Boundary: "boundaries",
        m.DataFlow: "flows",
        m.Control: "controls",
    }[cls]
    with attrs.validators.disabled():
        obj = cls(**kwargs)
    extra: dict = {}
    if cls is m.DataFlow:
        extra["elements"] = (m.Element(id="a", kind="actor"),)
    if "inputs" in kwargs or "stores" in kwargs:
        extra["data"] = (m.DataAsset(id="d"),)
    return m.SystemModel(system=SYSTEM, **{section: (obj,)}, **extra)


@pytest.mark.parametrize("case", list(CASES))
def test_python_object_is_refused_at_construction(case):
    """With validators on (the default), constructing the object raises the rule's message."""
    _, (cls, kwargs), messages = CASES[case]
    with pytest.raises(RuleError) as excinfo:
        cls(**kwargs)
    assert str(excinfo.value) == messages[0]
    assert isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize("case", list(CASES))
def test_python_model_built_without_validators_fails_check_model(case, core_catalog):
    """Built with attrs' validators disabled, the object is refused by check_model and by
    analyze with the same message."""
    _, (cls, kwargs), messages = CASES[case]
    model = _python_model(cls, kwargs)
    for run in (threatmodel.check_model, threatmodel.analyze):
        with pytest.raises(ThreatModelError) as excinfo:
            run(model, core_catalog)
        assert [p.message for p in excinfo.value.problems] == messages


@pytest.mark.parametrize("case", list(CASES))
def test_yaml_model_gets_the_same_message_at_its_position(case, write, core_catalog):
    """The YAML path runs the same rule and places its message at the key or value."""
    text, _, messages = CASES[case]
    path = write("model.yaml", "system: {id: s}\n" + text)
    model = threatmodel.load_model(path, strict=False)
    with pytest.raises(ThreatModelError) as excinfo:
        threatmodel.check_model(model, core_catalog)
    assert [p.message for p in excinfo.value.problems] == messages
    assert all(p.line > 1 and p.col >= 1 for p in excinfo.value.problems)


def test_the_issues_cases_no_longer_pass_check_model(core_catalog):
    """Element(kind='banana', id='bad id!!') and an actor with inputs, built with validators
    off, are refused (they used to pass check_model and analyze)."""
    with attrs.validators.disabled():
        model = m.SystemModel(
            system=SYSTEM,
            data=(m.DataAsset(id="d"),),
            elements=(
                m.Element(kind="banana", id="bad id!!"),
                m.Element(kind="actor", id="a", inputs=("d",)),
            ),
        )
    with pytest.raises(ThreatModelError) as excinfo:
        threatmodel.check_model(model, core_catalog)
    assert sorted(p.message for p in excinfo.value.problems) == [
        "element 'a': only a process has 'inputs' (this is an actor)",
        "element 'bad id!!': unknown kind 'banana' (use one of actor, process, datastore, "
        "external_service)",
        "element: id 'bad id!!' must start with a letter or digit and use only letters, "
        "digits, '_', '-', '.', ':'",
    ]


def test_every_broken_rule_of_one_yaml_object_is_reported(write, core_catalog):
    """Not just the first: a bad id and an unknown kind, each at its place ('stores' waits for
    a known kind); and 'stores' on an actor at the key."""
    path = write(
        "model.yaml",
        "system: {id: s}\ndata:\n  - {id: d}\nelements:\n  - {id: 'a b', kind: banana, stores: [d]}\n",
    )
    with pytest.raises(ThreatModelError) as excinfo:
        threatmodel.load_model(path)
    assert problems_of(excinfo) == [
        "5:11: element: id 'a b' must start with a letter or digit and use only letters, "
        "digits, '_', '-', '.', ':'",
        "5:23: element 'a b': unknown kind 'banana' (use one of actor, process, datastore, "
        "external_service)",
    ]
    with pytest.raises(ThreatModelError) as excinfo:
        threatmodel.load_model(
            write("m2.yaml", "system: {id: s}\nelements:\n  - {id: a, kind: actor, stores: x}\n")
        )
    assert problems_of(excinfo) == [
        "3:26: element 'a': only a datastore 'stores' data (this is an actor; use flows)"
    ]


def test_a_value_reported_by_the_reader_is_not_reported_again_by_its_rule(write):
    """An id that is a date is one problem ('must be text'), not also 'is required'."""
    path = write("model.yaml", "system: {id: 2024-01-01}\n")
    with pytest.raises(ThreatModelError) as excinfo:
        threatmodel.load_model(path)
    assert problems_of(excinfo) == ["1:14: system: 'id' must be text, not a date"]


def test_python_objects_of_the_wrong_type_are_refused_before_cross_checks(core_catalog):
    """Validators off and an unhashable id: check_model reports the rule, never crashes."""
    with attrs.validators.disabled():
        model = m.SystemModel(system=m.System(id=["x"]))  # type: ignore[arg-type]
    with pytest.raises(ThreatModelError) as excinfo:
        threatmodel.check_model(model, core_catalog)
    assert [p.message for p in excinfo.value.problems] == ["system: 'id' must be text, not a list"]


def test_valid_python_model_is_analysed(core_catalog):
    """A correct Python-built model passes its rules and is analysed as before."""
    model = m.SystemModel(
        system=SYSTEM,
        data=(m.DataAsset(id="d", categories=("identity",), subjects=10),),
        elements=(
            m.Element(id="p", kind="process", inputs=("d",)),
            m.Element(id="db", kind="datastore", stores=("d",)),
        ),
        flows=(m.DataFlow(id="f", source="p", target="db", data=("d",)),),
    )
    assert threatmodel.analyze(model, core_catalog).model is model


def test_deferred_and_collected_rules_are_local_and_restored():
    """`deferred()` suspends the rules for its block only, `collecting()` gathers what they
    find (skipping the keys it is told to), and `broken_rules` runs them afterwards."""
    with deferred():
        element = m.Element(id="e", kind="banana")
    assert [p.message for p in broken_rules(element)] == [
        "element 'e': unknown kind 'banana' (use one of actor, process, datastore, "
        "external_service)"
    ]
    with collecting(skip=("kind",)) as found:
        m.Element(id="e", kind="banana", inputs=("d",))
        m.Element(id="x y", kind="actor")
    assert [p.message for p in found] == [
        "element: id 'x y' must start with a letter or digit and use only letters, digits, "
        "'_', '-', '.', ':'"
    ]
    with pytest.raises(RuleError):
        m.Element(id="e", kind="banana")


class TestDecisions:
    def test_python_decision_is_refused_like_a_yaml_one(self, write):
        """Unknown status and a missing justification: the same rule, the same message."""
        with pytest.raises(RuleError, match="unknown status 'acepted'"):
            tracking.Decision(key="T-1@x", status="acepted")  # type: ignore[arg-type]
        with pytest.raises(RuleError) as excinfo:
            tracking.Decision(key="T-1@x", status="accepted")
        assert str(excinfo.value) == (
            "decision 'T-1@x': status 'accepted' needs a 'justification' (why the review "
            "decided so)"
        )
        path = write("d.yaml", "decisions:\n  T-1@x: {status: accepted}\n")
        with pytest.raises(ThreatModelError) as yaml_error:
            tracking.load_decisions(path)
        assert [p.message for p in yaml_error.value.problems] == [str(excinfo.value)]

    def test_every_problem_of_a_decision_is_reported(self, write):
        """A bad key, an unknown status and an expiry before the date: three messages."""
        path = write(
            "d.yaml",
            "decisions:\n  'a b':\n    status: acepted\n    date: 2024-05-01\n"
            "    expires: 2024-04-01\n",
        )
        with pytest.raises(ThreatModelError) as excinfo:
            tracking.load_decisions(path)
        assert problems_of(excinfo) == [
            "2:4: decision 'a b': a key is a finding id '<risk>@<element>' or a pattern with "
            "'*' and '?' (for example 'SRS-SEC-*@profile-db')",
            "3:13: decision 'a b': unknown status 'acepted' (did you mean 'accepted'?)",
            "5:14: decision 'a b': 'expires' (2024-04-01) is before 'date' (2024-05-01)",
        ]


def test_closed_sets_are_literals():
    """The closed sets are Literal types whose values are the exported tuples."""
    assert typing.get_args(m.ElementKind) == m.ELEMENT_KINDS
    assert m.ELEMENT_KINDS == ("actor", "process", "datastore", "external_service")
    assert typing.get_args(m.SubjectKind) == m.SUBJECT_KINDS
    assert m.SUBJECT_KINDS[-3:] == ("dataflow", "boundary", "system")
    assert typing.get_args(tracking.DecisionStatus) == tracking.STATUSES
    assert tracking.FINDING_STATUSES == ("confirmed", "possible")
    assert set(tracking.OPEN_STATUSES) | set(tracking.NEEDS_JUSTIFICATION) == set(tracking.STATUSES)
