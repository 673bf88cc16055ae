"""The engine: graph facts, findings with evidence, scoring with modifiers and controls."""

from __future__ import annotations

import copy

import pytest
import yaml

import threatmodel
from tests.helpers import FIXTURES, ROOT

SMALL = yaml.safe_load((FIXTURES / "models" / "small.yaml").read_text())


def analyse(core_catalog, data=None):
    model = threatmodel.load_model_data(copy.deepcopy(data or SMALL), "small.yaml")
    return threatmodel.analyze(model, core_catalog)


def edit(change) -> dict:
    data = copy.deepcopy(SMALL)
    change(data)
    return data


def element(data, element_id):
    return next(e for e in data["elements"] + data["flows"] if e["id"] == element_id)


class TestFindings:
    def test_ids_are_stable_risk_at_element(self, core_catalog):
        """Finding ids are <risk>@<element> and identical across runs and element order."""
        first = analyse(core_catalog)
        shuffled = edit(lambda d: d["elements"].reverse())
        assert [f.id for f in first.findings] == [f.id for f in analyse(core_catalog).findings]
        assert {f.id for f in first.findings} == {
            f.id for f in analyse(core_catalog, shuffled).findings
        }

    def test_evidence_names_the_values_that_fired(self, core_catalog):
        """A finding lists the attribute values that made its condition true."""
        finding = analyse(core_catalog).finding("T-SEC-01@profile-db")
        assert finding.evidence == (("personal_data", True), ("encrypted_at_rest", False))
        assert finding.status == "confirmed"

    def test_unknown_condition_gives_an_undecided_finding_naming_attributes(self, core_catalog):
        """A store that does not say whether it is encrypted is undecided, not a finding, and
        names the attribute to fill in and where."""
        result = analyse(core_catalog)
        finding = result.finding("T-SEC-01@vault")
        assert finding.status == "possible" and finding not in result.findings
        assert [(m.fact, m.subject, str(m)) for m in finding.missing] == [
            ("encrypted_at_rest", "vault", "encrypted_at_rest")
        ]

    def test_false_condition_gives_no_finding(self, core_catalog):
        """An encrypted store gets no finding at all."""
        assert analyse(core_catalog).finding("T-SEC-01@health-db") is None

    def test_harm_counts_people_and_categories(self, core_catalog):
        """A finding says which personal data and how many people it exposes."""
        harm = analyse(core_catalog).finding("T-SEC-01@profile-db").harm
        assert harm.data_assets == ("purchases", "reports")
        assert harm.categories == ("blacklist_entry", "credit", "purchase")
        assert harm.subjects == 2_000_000

    def test_findings_sorted_worst_first(self, core_catalog):
        """Confirmed findings come first, ordered by severity then score."""
        result = analyse(core_catalog)
        ranks = [
            (not f.confirmed, core_catalog.severities.index(f.severity), -f.score)
            for f in result.findings
        ]
        assert ranks == sorted(ranks)


class TestScoring:
    def test_modifier_raises_impact(self, core_catalog):
        """The population-scale modifier raises impact by one and says why."""
        finding = analyse(core_catalog).finding("T-SEC-01@profile-db")
        assert [m.why for m in finding.modifiers] == ["population-scale store"]
        assert finding.modifiers[0].evidence == (("subjects", 2_000_000),)
        assert (finding.base_impact, finding.impact) == (3, 3)  # +1 then the control's -1

    def test_control_lowers_likelihood_and_impact(self, core_catalog):
        """The access-log control on profile-db lowers the finding by its declared effect."""
        finding = analyse(core_catalog).finding("T-SEC-01@profile-db")
        assert [c.mitigation for c in finding.controls] == ["MIT-T-LOG"]
        assert (finding.likelihood, finding.impact, finding.score, finding.severity) == (
            2,
            3,
            6,
            "medium",
        )
        assert finding.recommended == ("MIT-T-ENCRYPT",)

    def test_without_control_severity_is_higher(self, core_catalog):
        """Removing the control restores the modifier's full effect."""
        result = analyse(core_catalog, edit(lambda d: d.pop("controls")))
        finding = result.finding("T-SEC-01@profile-db")
        assert (finding.likelihood, finding.impact, finding.score, finding.severity) == (
            3,
            4,
            12,
            "high",
        )

    def test_control_on_boundary_applies_to_members(self, core_catalog):
        """A control targeting a boundary covers the elements inside it."""
        data = edit(
            lambda d: d.update(controls=[{"mitigation": "MIT-T-ENCRYPT", "targets": ["platform"]}])
        )
        finding = analyse(core_catalog, data).finding("T-SEC-01@profile-db")
        assert [c.mitigation for c in finding.controls] == ["MIT-T-ENCRYPT"]
        assert finding.likelihood == 1

    def test_global_control_and_clamping(self, core_catalog):
        """A control without targets applies everywhere; values never drop below 1."""
        data = edit(
            lambda d: d.update(
                controls=[{"mitigation": "MIT-T-ENCRYPT"}, {"mitigation": "MIT-T-LOG"}]
            )
        )
        finding = analyse(core_catalog, data).finding("T-SEC-01@profile-db")
        assert (finding.likelihood, finding.impact) == (1, 3)

    def test_special_category_modifier(self, core_catalog):
        """The special-category modifier fires on health data once encryption is off."""
        data = edit(lambda d: element(d, "health-db").update(encrypted_at_rest=False))
        finding = analyse(core_catalog, data).finding("T-SEC-01@health-db")
        assert [m.why for m in finding.modifiers] == ["special-category data"]
        assert finding.impact == 4


class TestGraphFacts:
    def test_crosses_jurisdiction(self, core_catalog):
        """A flow from the EU shopper into the CN platform crosses a jurisdiction."""
        finding = analyse(core_catalog).finding("T-RES-01@f-buy")
        assert ("crosses('jurisdiction')", True) in finding.evidence

    def test_crosses_unknown_without_boundary(self, core_catalog):
        """A flow to an element outside every jurisdiction boundary is unknown, saying why."""
        finding = analyse(core_catalog).finding("T-RES-01@f-police")
        assert finding.status == "possible"
        assert "a jurisdiction boundary around 'police'" in [str(m) for m in finding.missing]

    def test_same_jurisdiction_does_not_cross(self, core_catalog):
        """Moving the shopper into the CN boundary removes the cross-border finding."""

        def move(d):
            d["boundaries"][0]["members"].append("shopper")
            d["boundaries"][1]["members"] = []

        assert analyse(core_catalog, edit(move)).finding("T-RES-01@f-buy") is None

    def test_reaches_follows_flows(self, core_catalog):
        """Data from profile-db reaches the police; from health-db it does not."""
        result = analyse(core_catalog)
        assert result.finding("T-CREEP-01@profile-db").confirmed
        assert result.finding("T-CREEP-01@health-db") is None

    def test_downstream_domains_follow_flows(self, core_catalog):
        """A score's domains include those of every process its data reaches."""
        finding = analyse(core_catalog).finding("T-CREEP-02@scoring")
        assert ("downstream_domains", ("credit", "housing", "rental", "travel")) in finding.evidence

    def test_feeding_organisations_counts_distinct_sources(self, core_catalog):
        """Three outside organisations feeding the scoring process trigger the aggregation risk."""
        result = analyse(core_catalog)
        assert result.finding("T-RES-02@scoring") is None  # shopper and lender: 2 organisations
        data = edit(
            lambda d: d["flows"].append(
                {"id": "f-clinic", "from": "clinic", "to": "scoring", "data": ["health"]}
            )
        )
        assert analyse(core_catalog, data).finding("T-RES-02@scoring").confirmed

    def test_endpoint_attributes(self, core_catalog):
        """source.type and target attributes are read from the flow's endpoints."""
        finding = analyse(core_catalog).finding("T-INT-01@f-report")
        assert finding.evidence == (
            ("source.type", "lender"),
            ("crosses('organisation')", True),
            ("target.report_verification", False),
        )

    def test_model_wide_fact_on_system(self, core_catalog):
        """A system-level risk reads model-wide facts and the system's attributes."""
        finding = analyse(core_catalog).finding("T-SYS-01@small")
        assert finding.element_kind == "system"
        assert finding.evidence == (("model.personal_data", True), ("dpia_done", False))

    def test_personal_data_unknown_when_store_lists_no_data(self, core_catalog):
        """A data store that lists no data makes personal_data unknown, naming what to add."""
        data = edit(lambda d: element(d, "vault").pop("stores"))
        finding = analyse(core_catalog, data).finding("T-SEC-01@vault")
        assert finding.status == "possible"
        assert (
            str(finding.missing[0]) == "personal_data (needs the data it stores, uses or carries)"
        )


@pytest.mark.parametrize(
    "mitigations", [["MIT-T-ENCRYPT"], ["MIT-T-LOG"], ["MIT-T-ENCRYPT", "MIT-T-LOG", "MIT-T-LEGAL"]]
)
def test_adding_controls_never_raises_severity(core_catalog, mitigations):
    """Every finding's score with extra controls is at most its score without them."""
    before = {f.id: f.score for f in analyse(core_catalog).findings}
    data = edit(lambda d: d.update(controls=[{"mitigation": m} for m in mitigations]))
    after = {f.id: f.score for f in analyse(core_catalog, data).findings}
    assert after.keys() == before.keys()
    assert all(after[k] <= before[k] for k in before)


def test_reachability_stops_at_outside_parties(core_catalog):
    """Data that reaches a landlord does not 'reach' the police through the landlord."""
    data = edit(
        lambda d: (
            d["flows"].remove(element(d, "f-police")),
            d["flows"].append(
                {"id": "f-tip", "from": "rental", "to": "police", "data": ["reports"]}
            ),
        )
    )
    assert analyse(core_catalog, data).finding("T-CREEP-01@profile-db") is None


@pytest.mark.parametrize("case", ["examples", "sparse", "dense"])
def test_the_scope_index_skips_only_risks_out_of_scope(case):
    """With the shipped catalogs, the risks `engine.Screen` leaves unprobed are exactly risks
    whose scope is not true, and the scopes and conditions its tests settle (`expr.judge`)
    come out as their closures evaluate them: every example and a sparse and a dense
    synthetic model give the same findings, evidence, questions and order as probing and
    evaluating every risk on every subject."""
    from unittest import mock

    from benchmarks.synth import generate
    from threatmodel import engine
    from threatmodel.jsondata import dumps, to_plain

    catalog = threatmodel.load_catalog()
    if case == "examples":
        models = [threatmodel.load_model(p) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    else:
        models = [threatmodel.load_model_data(generate(150, seed=3, sparse=case == "sparse"), "s")]

    def every_risk(risks):
        return engine.Screen(free=tuple(range(len(risks))), reads=())

    for model in models:
        screened = threatmodel.analyze(model, catalog)
        with mock.patch.object(engine.Screen, "of", every_risk):
            probed = threatmodel.analyze(model, catalog)
        assert screened.findings or screened.undecided
        for part in ("findings", "undecided"):
            assert dumps(to_plain(getattr(screened, part))) == dumps(
                to_plain(getattr(probed, part))
            )
        assert not [f.id for f in screened.findings if f.missing]  # confirmed: lacks nothing
        assert all(f.missing for f in screened.undecided)


@pytest.mark.parametrize("sparse", [False, True])
def test_the_fast_sort_gives_the_order_of_the_sort_key(sparse):
    """`scoring.worst_first` (one number per finding) orders findings as `scoring.order`'s
    key does, whatever order they come in; findings scored outside 1-25 (not by `score`)
    are sorted by the key itself."""
    import random

    import attrs

    from benchmarks.synth import generate
    from threatmodel.scoring import order, worst_first

    catalog = threatmodel.load_catalog()
    result = threatmodel.analyze(
        threatmodel.load_model_data(generate(400, seed=5, sparse=sparse), "s"), catalog
    )
    findings = list(result.all_findings())
    assert len({f.harm for f in findings}) > 50  # many harms, and many equal within a band
    random.Random(1).shuffle(findings)
    expected = sorted(findings, key=order(catalog))
    assert list(worst_first(findings, catalog)) == expected
    odd = [
        attrs.evolve(f, scored=attrs.evolve(f.scored, score=f.score * 30)) if n % 7 == 0 else f
        for n, f in enumerate(findings)
    ]
    assert list(worst_first(odd, catalog)) == sorted(odd, key=order(catalog))


def test_the_index_spares_judging_the_test_it_checked_unless_a_value_is_unhashable():
    """A scope's test that its index entry checked is not judged again (`unindexed`); an
    unhashable value admits every risk of its read, met or not, so then every test is."""
    from threatmodel import engine

    risks = [r for r in threatmodel.load_catalog().risks if "process" in r.applies_to]
    screen = engine.Screen.of(risks)
    settled = {i: r.scope.tests for i, r in enumerate(risks) if r.scope and r.scope.tests}
    assert settled.keys() >= screen.unindexed.keys()
    assert any(not rest for rest in screen.unindexed.values())  # `type in [...]` alone
    for index, rest in screen.unindexed.items():
        assert len(rest) == len(settled[index]) - 1 and set(rest) < set(settled[index])
    among = next(read for read in screen.reads if read.among)
    hashable = {read.label: False for read in screen.reads} | {among.label: "no-such-type"}
    positions, loose = screen.candidates(None, hashable)
    assert not loose and not set(positions) & {i for v in among.among.values() for i in v}
    unhashable = hashable | {among.label: {"a": "dict"}}
    positions, loose = screen.candidates(None, unhashable)
    assert loose and set(positions) >= {i for v in among.among.values() for i in v}
