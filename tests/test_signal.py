"""Signal: scope and condition, questions, defaults a model implies, concerns, ranking, plan."""

from __future__ import annotations

import textwrap

import attrs
import pytest
import yaml

import threatmodel
from threatmodel.concerns import by_severity, concerns
from threatmodel.engine import analyze
from threatmodel.expr import UNKNOWN
from threatmodel.model import Control
from threatmodel.planner import make_plan
from threatmodel.questions import questions

CATALOG = """
catalog: {id: signal-tests, title: Signal tests, version: 1}
mitigations:
  - {id: MIT-S-ENCRYPT, title: Encrypt at rest, effect: {likelihood: -2}}
  - {id: MIT-S-KEYS, title: Separate keys, effect: {impact: -1}}
  - {id: MIT-S-TLS, title: Encrypt in transit, effect: {likelihood: -2}}
  - {id: MIT-S-CONTRACT, title: Contract, effect: {likelihood: -1}}
risks:
  - id: S-SEC-01
    title: Unencrypted personal store
    applies_to: datastore
    scope: "personal_data"
    when: "encrypted_at_rest == false"
    likelihood: 4
    impact: 4
    modifiers:
      - {when: "subjects >= 1_000_000", impact: +1, why: population-scale store}
    mitigations: [MIT-S-ENCRYPT, MIT-S-KEYS]
    overlaps: [S-SEC-02]
  - id: S-SEC-02
    title: Backups unencrypted
    applies_to: datastore
    scope: "personal_data"
    when: "backups_encrypted == false"
    likelihood: 3
    impact: 4
    mitigations: [MIT-S-ENCRYPT]
  - id: S-NET-01
    title: Personal data sent in the clear
    applies_to: dataflow
    scope: "personal_data"
    when: "encrypted_in_transit == false"
    likelihood: 3
    impact: 3
    mitigations: [MIT-S-TLS]
  - id: S-ORG-01
    title: Personal data leaves the organisation without a contract
    applies_to: dataflow
    scope: "personal_data and crosses('organisation')"
    when: "usage_restrictions == false"
    likelihood: 3
    impact: 4
    mitigations: [MIT-S-CONTRACT]
  - id: S-JUR-01
    title: Personal data crosses a border
    applies_to: dataflow
    scope: "personal_data and crosses('jurisdiction')"
    likelihood: 2
    impact: 3
"""


def model(**changes) -> dict:
    data = {
        "system": {"id": "shop"},
        "data": [
            {"id": "orders", "categories": ["purchase"], "subjects": 2_000_000},
            {"id": "faces", "categories": ["biometric"], "subjects": 2_000_000},
            {"id": "stats", "categories": ["aggregate"]},
        ],
        "elements": [
            {"id": "customer", "kind": "actor", "type": "data_subject"},
            {"id": "app", "kind": "process", "type": "api"},
            {"id": "db", "kind": "datastore", "stores": ["orders"], "encrypted_at_rest": False},
            {"id": "face-db", "kind": "datastore", "stores": ["faces"], "encrypted_at_rest": False},
            {"id": "stats-db", "kind": "datastore", "stores": ["stats"]},
            {"id": "mystery", "kind": "datastore"},
            {"id": "partner", "kind": "external_service", "type": "partner"},
        ],
        "flows": [
            {"id": "f-order", "from": "customer", "to": "app", "data": ["orders"]},
            {"id": "f-store", "from": "app", "to": "db", "data": ["orders"]},
            {"id": "f-share", "from": "app", "to": "partner", "data": ["orders"]},
        ],
    }
    data.update(changes)
    return data


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    path = tmp_path_factory.mktemp("signal") / "catalog.yaml"
    path.write_text(textwrap.dedent(CATALOG), encoding="utf-8")
    return threatmodel.load_catalog([path], shipped_risks=False)


def analysed(catalog, data=None):
    return analyze(
        threatmodel.load_model_data(yaml.safe_load(yaml.safe_dump(data or model())), "m.yaml"),
        catalog,
    )


class TestScopeAndCondition:
    def test_true_scope_and_condition_confirm(self, catalog):
        result = analysed(catalog)
        assert result.finding("S-SEC-01@db").status == "confirmed"

    def test_unknown_scope_means_the_risk_does_not_apply(self, catalog):
        """'mystery' stores nothing the model names: no finding and no question about it."""
        result = analysed(catalog)
        assert result.finding("S-SEC-01@mystery") is None
        assert all(f.element_id != "mystery" for f in result.undecided)

    def test_false_scope_means_nothing(self, catalog):
        """A store of aggregate statistics holds no personal data: out of scope."""
        assert analysed(catalog).finding("S-SEC-01@stats-db") is None


def test_undecided_findings_are_not_counted(catalog):
    """Only confirmed findings count; the undecided wait as questions."""
    result = analysed(catalog)
    undecided = {f.id for f in result.undecided}
    assert "S-NET-01@f-store" in undecided and "S-SEC-02@db" in undecided
    assert all(f.status == "confirmed" for f in result.findings)
    assert sum(result.counts().values()) == len(result.findings)
    assert not {f.id for f in result.findings} & undecided


class TestQuestions:
    def test_one_question_per_missing_fact_over_every_place(self, catalog):
        """Three flows silent on transit encryption give one question about three flows."""
        asked = {q.id: q for q in questions(analysed(catalog))}
        transit = asked["encrypted_in_transit"]
        assert [w.id for w in transit.where] == ["f-order", "f-store", "f-share"]
        assert transit.answers == ("true", "false")
        assert [r.risk_id for r in transit.risks] == ["S-NET-01"]
        assert transit.text  # the vocabulary's question, or one made from its meaning

    def test_questions_are_ranked_by_the_risk_they_could_settle(self, catalog):
        """Backups (score 12-16 on stores of 2 million people) outweigh transit (9)."""
        asked = [q.id for q in questions(analysed(catalog))]
        assert asked.index("backups_encrypted") < asked.index("encrypted_in_transit")

    def test_a_finding_waiting_on_a_fact_in_several_places_counts_once(self, catalog):
        """One finding lacking a fact on two subjects (and on one not in the model): one
        question about both places, in file order, and the finding counted once."""
        result = analysed(catalog)
        finding = result.finding("S-NET-01@f-store")
        fact = finding.missing[0]
        waiting = attrs.evolve(
            finding,
            missing=(
                fact,
                attrs.evolve(fact, subject="ghost"),
                attrs.evolve(fact, subject="f-order"),
            ),
        )
        (asked,) = questions(attrs.evolve(result, undecided=(waiting,)))
        assert [w.id for w in asked.where] == ["f-order", "f-store"]
        assert [r.findings for r in asked.risks] == [(finding.id,)]
        assert asked.weight == finding.score * max(finding.harm.subjects or 1, 1)

    def test_an_answer_removes_the_question(self, catalog):
        data = model()
        for flow in data["flows"]:
            flow["encrypted_in_transit"] = True
        assert "encrypted_in_transit" not in {q.id for q in questions(analysed(catalog, data))}


class TestDefaults:
    def test_without_organisation_boundaries_internal_flows_stay_inside(self, catalog):
        """Process to store: one organisation. Process to an external service: it leaves."""
        result = analysed(catalog)
        graph = result.graph
        flows = {f.id: f for f in result.model.flows}
        assert graph.crosses(flows["f-store"], "organisation")[0] is False
        assert graph.crosses(flows["f-share"], "organisation")[0] is True
        assert graph.crosses(flows["f-order"], "organisation")[0] is True  # a data subject
        assert {
            f.element_id for f in (*result.findings, *result.undecided) if f.risk_id == "S-ORG-01"
        } == {
            "f-order",
            "f-share",
        }

    def test_an_untyped_actor_is_neither_inside_nor_outside(self, catalog):
        """Whether a flow to an actor without a type leaves the organisation is unknown: the
        fact missing is the actor's type."""
        data = model()
        data["elements"][0].pop("type")
        result = analysed(catalog, data)
        flow = next(f for f in result.model.flows if f.id == "f-order")
        crossed, missing = result.graph.crosses(flow, "organisation")
        assert crossed is UNKNOWN and (missing.fact, missing.subject) == ("type", "customer")

    def test_a_flow_inside_one_organisation_crosses_no_jurisdiction(self, catalog):
        """Without jurisdiction boundaries an internal flow does not cross one; a flow that
        leaves the organisation might: that is a question, not a finding."""
        result = analysed(catalog)
        graph = result.graph
        flows = {f.id: f for f in result.model.flows}
        assert graph.crosses(flows["f-store"], "jurisdiction")[0] is False
        assert "S-JUR-01@f-store" not in {f.id for f in (*result.findings, *result.undecided)}
        assert graph.crosses(flows["f-share"], "jurisdiction")[1].fact == "boundary:jurisdiction"

    def test_explicit_organisation_boundaries_keep_their_meaning(self, catalog):
        data = model(boundaries=[{"id": "shop-org", "kind": "organisation", "members": ["app"]}])
        result = analysed(catalog, data)
        flows = {f.id: f for f in result.model.flows}
        assert result.graph.crosses(flows["f-store"], "organisation")[0] is True


class TestConcerns:
    def test_overlapping_risks_and_repeats_form_one_concern(self, catalog):
        """S-SEC-01 on two stores and the overlapping S-SEC-02: one concern, three findings."""
        data = model()
        for element in data["elements"]:
            if element["kind"] == "datastore":
                element["backups_encrypted"] = False
        result = analysed(catalog, data)
        found = concerns(result.findings, catalog)
        sec = next(c for c in found if "S-SEC-01" in c.risks)
        assert set(sec.risks) == {"S-SEC-01", "S-SEC-02"}
        assert set(sec.elements) == {"db", "face-db"}
        assert sec.id == "C-S-SEC-01"
        assert sec.severity == result.finding(sec.findings[0]).severity
        assert sum(len(c.findings) for c in found) == len(result.findings)


class TestRanking:
    def test_within_a_band_biometric_data_ranks_first(self, catalog):
        """Same score and people: special-category, irreversible data comes first."""
        result = analysed(catalog)
        order = [f.id for f in result.findings if f.risk_id == "S-SEC-01"]
        assert order == ["S-SEC-01@face-db", "S-SEC-01@db"]
        face = result.finding("S-SEC-01@face-db")
        assert face.harm.irreversible and face.harm.special_categories == ("biometric",)

    def test_flows_leaving_the_organisation_are_exposed(self, catalog):
        result = analysed(catalog)
        assert result.finding("S-ORG-01@f-share").harm.exposure == "organisation"


class TestPlan:
    def test_prediction_is_exact(self, catalog):
        """Putting the plan's controls into the model and analysing again gives each step's
        predicted open concerns and people exposed."""
        data = model()
        for element in data["elements"]:
            if element["kind"] == "datastore":
                element["backups_encrypted"] = False
        for flow in data["flows"]:
            flow["encrypted_in_transit"] = False
            flow["usage_restrictions"] = False
        result = analysed(catalog, data)
        plan = make_plan(result, "medium")
        assert plan.actions
        base = result.model
        for step in range(1, len(plan.actions) + 1):
            added = tuple(
                Control(mitigation=a.mitigation, targets=a.targets) for a in plan.actions[:step]
            )
            again = analyze(attrs.evolve(base, controls=(*base.controls, *added)), catalog)
            open_concerns = [c for c in concerns(again.findings, catalog) if c.open]
            assert (
                by_severity(open_concerns, catalog, only_open=True) == plan.actions[step - 1].after
            )

    def test_concerns_no_mitigation_can_lower_are_named(self, catalog):
        """S-JUR-01 has no mitigation: it needs a design change, and says why it fires."""
        data = model(
            boundaries=[
                {"id": "eu", "kind": "jurisdiction", "members": ["app", "db"]},
                {"id": "us", "kind": "jurisdiction", "members": ["partner"]},
            ]
        )
        plan = make_plan(analysed(catalog, data), "low")
        residual = next(r for r in plan.remaining if r.concern == "C-S-JUR-01")
        assert residual.reason == "design change" and "crosses('jurisdiction')" in residual.needs
