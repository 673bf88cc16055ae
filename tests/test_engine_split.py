"""A big model matched in two processes: the same findings, in the same order, as one
process finds, the limit crossed at the same subject, and a child that fails costs only
time (its parts are matched here)."""

from __future__ import annotations

import os
import time

import pytest

import threatmodel
from benchmarks.synth import generate
from threatmodel import engine, forked, packed
from threatmodel.errors import ThreatModelError
from threatmodel.jsondata import dumps, to_plain

pytestmark = pytest.mark.skipif(not forked.AVAILABLE, reason="the platform cannot fork")


@pytest.fixture
def split(monkeypatch):
    """Parts of 20 subjects from 50 subjects on (a big model's 250 from 2,000), forked
    whatever memory the machine running the tests has left; returns what the child sent."""
    monkeypatch.setattr(engine, "CHILD_FROM", 50)
    monkeypatch.setattr(engine, "PART", 20)
    monkeypatch.setattr(forked, "_room", list)
    sent: list[packed.Packed] = []
    unpack = engine.unpack

    def recorded(packed_findings, *args):
        sent.append(packed_findings)
        return unpack(packed_findings, *args)

    monkeypatch.setattr(engine, "unpack", recorded)
    return sent


@pytest.fixture
def slow_parent(monkeypatch):
    """This process takes its parts slowly, so that the child takes most of them."""
    parent, run = os.getpid(), engine._Matcher.run

    def slowly(self, work, limit):
        if os.getpid() == parent:
            time.sleep(0.02)
        return run(self, work, limit)

    monkeypatch.setattr(engine._Matcher, "run", slowly)


@pytest.fixture(scope="module")
def catalog():
    return threatmodel.load_catalog()


def _model(sparse: bool):
    return threatmodel.load_model_data(generate(120, seed=9, sparse=sparse), "s.yaml")


def _plain(result) -> tuple[str, str]:
    return dumps(to_plain(result.findings)), dumps(to_plain(result.undecided))


@pytest.mark.parametrize("sparse", [False, True])
def test_two_processes_find_what_one_finds(catalog, split, slow_parent, sparse):
    model = _model(sparse)
    alone = threatmodel.analyze(model, catalog)
    split_up = threatmodel.analyze(model, catalog, processes=2)
    assert len(split) == 1 and len(split[0].groups) >= 5  # the child took parts
    assert (len(alone.findings), len(alone.undecided)) == (
        len(split_up.findings),
        len(split_up.undecided),
    )
    assert _plain(alone) == _plain(split_up)
    assert [f.element for f in alone.all_findings()] == [f.element for f in split_up.all_findings()]
    assert [f.risk for f in alone.all_findings()] == [f.risk for f in split_up.all_findings()]
    harms = {id(f.harm): (f.harm.data_assets, f.harm.exposure) for f in split_up.all_findings()}
    assert len(harms) == len(set(harms.values()))  # one record per harm, as one process makes


def test_the_limit_is_crossed_at_the_same_subject(catalog, split, slow_parent):
    model = _model(sparse=True)
    total = len(threatmodel.analyze(model, catalog).all_findings())
    for limit in (3, total // 3, total // 2, total - 1, total):
        outcomes = []
        for processes in (1, 2):
            try:
                found = threatmodel.analyze(model, catalog, max_findings=limit, processes=processes)
                outcomes.append(len(found.all_findings()))
            except ThreatModelError as error:
                outcomes.append(str(error))
        assert outcomes[0] == outcomes[1], limit
        assert (limit == total) == isinstance(outcomes[0], int)
        made = sum(len(a) + len(b) for a, b, _ in split.pop().groups.values())
        assert made <= limit // 2 + len(catalog.risks)  # past half the limit, the child stops


def test_a_child_that_fails_leaves_its_parts_to_this_process(catalog, split, monkeypatch):
    def failing(*args):
        raise RuntimeError("a bug in the child")

    monkeypatch.setattr(engine, "_sent", failing)
    model = _model(sparse=False)
    assert _plain(threatmodel.analyze(model, catalog, processes=2)) == _plain(
        threatmodel.analyze(model, catalog)
    )
    assert not split  # nothing came back: every part was matched here


def test_a_small_model_or_one_process_forks_no_child(catalog, monkeypatch):
    def no_fork(*args, **kwargs):
        raise AssertionError("forked")

    monkeypatch.setattr(forked, "Forked", no_fork)
    model = _model(sparse=False)
    assert len(list(model.subjects())) < engine.CHILD_FROM
    threatmodel.analyze(model, catalog, processes=2)
    monkeypatch.setattr(engine, "CHILD_FROM", 50)
    threatmodel.analyze(model, catalog, processes=1)


def test_packed_findings_are_remade_exactly_even_values_equal_across_types(catalog):
    """Sets of modifiers are sent once each, but equal values of other types (1, 1.0 and
    True; 0.0 and -0.0) stay apart, and so do lists, which no table could key."""
    import attrs

    from threatmodel.findings import AppliedModifier

    result = threatmodel.analyze(_model(sparse=False), catalog)
    findings = list(result.findings[:40])
    for index, value in enumerate([1, 1.0, True, 0.0, -0.0, ["a"], ["a"], 1]):
        modifier = AppliedModifier(
            why="w", condition="x", likelihood=1, impact=0, evidence=(("x", value),)
        )
        findings[index] = attrs.evolve(
            findings[index], modifiers=(modifier,), evidence=(("x", value),)
        )
    undecided = list(result.undecided[:40])
    subjects = list(result.model.subjects())
    packer = packed.Packer(catalog)
    packer.add(7, findings, undecided, subjects, "passed through")
    sent = packer.packed()
    assert len(sent.modifiers) < len(findings) + len(undecided)  # equal sets sent once
    harms: dict = {}
    [(confirmed, possible, extra)] = packed.unpack(sent, catalog, {7: subjects}, harms).values()
    assert extra == "passed through"
    for made, given in ((confirmed, findings), (possible, undecided)):
        assert dumps(to_plain(made)) == dumps(to_plain(given))
        assert [repr((f.evidence, f.modifiers, f.missing)) for f in made] == [
            repr((f.evidence, f.modifiers, f.missing)) for f in given
        ]
        assert [f.element for f in made] == [f.element for f in given]
    assert len(harms) == len({(f.harm.data_assets, f.harm.exposure) for f in findings + undecided})
