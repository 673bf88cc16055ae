"""The data-asset map and the attack trees, rendered by graphviz."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import threatmodel
from threatmodel.catalog import AttackNode
from threatmodel.errors import ThreatModelError
from threatmodel.render import diagram
from threatmodel.render.attack_tree import blocked

FIXTURES = Path(__file__).parent / "fixtures" / "diagram"
SVG = "{http://www.w3.org/2000/svg}"
TITLE = "{http://www.w3.org/1999/xlink}title"

if shutil.which("dot") is None:  # `make test` installs it; a silent skip would hide a gap
    pytest.fail("graphviz's 'dot' program is needed: apt-get install graphviz", pytrace=False)


def result(model: str = "model.yaml", controls: tuple = ()):
    catalog = threatmodel.load_catalog([FIXTURES / "catalog.yaml"], shipped_risks=False)
    loaded = threatmodel.load_model(FIXTURES / model)
    if controls:
        import attrs

        from threatmodel.model import Control

        loaded = attrs.evolve(
            loaded,
            controls=loaded.controls + tuple(Control(mitigation=m, targets=t) for m, t in controls),
        )
    return threatmodel.analyze(loaded, catalog)


def drawn(svg: ET.Element, kind: str) -> dict[str, set[str]]:
    """svg id -> classes, for the node or edge groups of one class."""
    return {
        g.get("id"): set(g.get("class").split())
        for g in svg.iter(f"{SVG}g")
        if kind in g.get("class", "").split()
    }


def texts(group: ET.Element) -> str:
    return " ".join(t.text or "" for t in group.iter(f"{SVG}text"))


class TestDataMap:
    def render(self, data=None, **kwargs) -> ET.Element:
        options = diagram.Options(kind="data", data=data)
        return ET.fromstring(diagram.render(result(**kwargs), options, "svg"))

    def test_social_graph_is_followed_to_where_it_ends_up(self):
        """Address books: collected from the shopper, used by app and scoring, stored in the
        profile store; the score derived from them goes on to the data broker."""
        svg = self.render("social_graph")
        elements = drawn(svg, "element")
        assert set(elements) == {
            "element-shopper",
            "element-app",
            "element-scoring",
            "element-profile-db",
            "element-broker",
        }
        assert "origin" in elements["element-shopper"]
        assert {"uses", "receives"} <= elements["element-scoring"]
        assert "stores" in elements["element-profile-db"]
        assert {"derived", "outside"} <= elements["element-broker"]
        flows = drawn(svg, "flow")
        assert "direct" in flows["flow-f-ingest"] and "derived" in flows["flow-f-sell"]
        sell = svg.find(f".//{SVG}g[@id='flow-f-sell']")
        assert sell.find(f".//{SVG}path").get("stroke-dasharray")  # derived data is dashed
        assert "Where social graph data goes" in texts(svg)
        assert "1 recipient outside Score operator; 1 derived asset followed" in texts(svg)

    def test_outside_recipients_are_highlighted(self):
        """Lender reports stay inside, but the score computed from them reaches the broker."""
        svg = self.render("reports")
        elements = drawn(svg, "element")
        assert set(elements) == {
            "element-lender",
            "element-scoring",
            "element-archive",
            "element-profile-db",
            "element-broker",
        }
        assert [e for e, c in elements.items() if "outside" in c] == ["element-broker"]
        assert "outside" not in drawn(self.render("health"), "element")["element-health-db"]
        broker = self.render("score").find(f".//{SVG}g[@id='element-broker']")
        assert "outside Score operator" in texts(broker)
        assert [p.get("stroke") for p in broker.iter(f"{SVG}polygon")][:2] == ["#c62828"] * 2

    def test_default_is_all_personal_data_and_special_narrows_it(self):
        everything = drawn(self.render(), "element")
        assert "element-clinic" in everything and "element-health-db" in everything
        special = drawn(self.render("special"), "element")
        assert set(special) == {"element-clinic", "element-health-db"}

    def test_unknown_data_is_an_input_error_with_a_suggestion(self):
        with pytest.raises(ThreatModelError) as caught:
            self.render("social-graph")
        assert "no data asset or category 'social-graph' (did you mean 'social_graph'?)" in str(
            caught.value
        )


class TestAttackTrees:
    def render(self, risk=None, **kwargs) -> ET.Element:
        options = diagram.Options(kind="attack-tree", risk=risk)
        return ET.fromstring(diagram.render(result(**kwargs), options, "svg"))

    def steps(self, svg: ET.Element) -> dict[str, tuple[set[str], str]]:
        return {
            texts(g).split("  ")[0].strip(): (set(g.get("class").split()), g)
            for g in svg.iter(f"{SVG}g")
            if "attack-step" in g.get("class", "")
        }

    def test_trees_of_fired_risks_with_blocked_steps(self):
        """D-SEC-01 fired on profile-db and archive; archive has the encryption control and
        both sit in the data centre where admin MFA is in place."""
        svg = self.render()
        clusters = drawn(svg, "attack-tree")
        assert set(clusters) == {"risk-D-SEC-01", "risk-D-INT-01"}
        steps = {
            g.get("id"): (set(g.get("class").split()), texts(g))
            for g in svg.iter(f"{SVG}g")
            if "attack-step" in g.get("class", "")
        }
        backup = next(v for v in steps.values() if "Steal a backup" in v[1])
        assert "partly" in backup[0] and "MIT-D-ENCRYPT in place on 1 of 2" in backup[1]
        console = next(v for v in steps.values() if "Query the console" in v[1])
        assert "blocked" in console[0] and "blocked by MIT-D-MFA (in place)" in console[1]
        assert "\\N \\G" in console[1]  # backslashes in catalog text stay literal
        phishing = next(v for v in steps.values() if "Phish an administrator" in v[1])
        assert "open" in phishing[0] and '"root" <admin> & co' in phishing[1]
        gate = next(v for v in steps.values() if v[1].startswith("ALL of these"))
        assert "blocked" in gate[0]  # one blocked step cuts an ALL
        goal = next(v for v in steps.values() if "goal" in v[0] and "D-SEC-01" in v[1])
        assert "partly" in goal[0] and "blocked on 1 of 2" in goal[1]
        assert "D-SEC-01: Unencrypted personal store" in goal[1]

    def test_goal_is_blocked_when_every_path_is(self):
        svg = self.render("D-SEC-01", controls=(("MIT-D-ENCRYPT", ("profile-db",)),))
        goal = next(g for g in svg.iter(f"{SVG}g") if "goal" in g.get("class", ""))
        assert "blocked" in goal.get("class").split() and "all paths blocked" in texts(goal)
        edges = [g.find(f"{SVG}path") for g in svg.iter(f"{SVG}g") if g.get("class") == "edge"]
        solid = [e for e in edges if not e.get("stroke-dasharray")]
        assert len(edges) == 4 and len(solid) == 1  # only the edge to the open phishing step

    def test_tooltips_name_the_mitigation(self):
        svg = self.render("D-SEC-01")
        tips = [a.get(TITLE) for a in svg.iter(f"{SVG}a") if a.get(TITLE)]
        assert any("blocked by MIT-D-MFA: Admin MFA <b>& hardware keys</b>" in t for t in tips)
        assert any("Archive: blocked" in t and "Profile store: open" in t for t in tips)

    def test_a_risk_without_findings_is_drawn_against_model_wide_controls(self):
        svg = self.render("D-INT-01", controls=(("MIT-D-VERIFY", ()),))
        goal = next(g for g in svg.iter(f"{SVG}g") if "goal" in g.get("class", ""))
        assert "blocked" in goal.get("class").split()

    def test_no_fired_tree_says_so(self):
        catalog = threatmodel.load_catalog([FIXTURES / "catalog.yaml"], shipped_risks=False)
        model = threatmodel.load_model_data(
            {"system": {"id": "tiny"}, "elements": [{"id": "a", "kind": "actor"}]}
        )
        svg = ET.fromstring(
            diagram.render(
                threatmodel.analyze(model, catalog), diagram.Options(kind="attack-tree"), "svg"
            )
        )
        assert "0 of 2 attack trees" in texts(svg)
        assert "No finding of this model comes from a risk with an attack tree." in texts(svg)

    @pytest.mark.parametrize(
        "risk, message",
        [
            ("D-SEC-02", "no risk 'D-SEC-02' (did you mean 'D-SEC-01'?)"),
            ("D-RES-01", "risk 'D-RES-01' has no attack tree; risks with one: D-INT-01, D-SEC-01"),
        ],
    )
    def test_bad_risk_is_an_input_error(self, risk, message):
        with pytest.raises(ThreatModelError) as caught:
            self.render(risk)
        assert message in str(caught.value)

    def test_gates_propagate_blocking(self):
        a = AttackNode(label="a", blocked_by="M1")
        b = AttackNode(label="b", blocked_by="M2")
        any_of = AttackNode(label="any", gate="any", children=(a, b))
        all_of = AttackNode(label="all", gate="all", children=(a, b))
        assert not blocked(any_of, {"M1"}) and blocked(any_of, {"M1", "M2"})
        assert blocked(all_of, {"M2"}) and not blocked(all_of, set())
        assert blocked(AttackNode(label="g", gate="any", children=(a,), blocked_by="M3"), {"M3"})
