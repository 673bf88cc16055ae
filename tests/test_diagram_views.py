"""Views of the data-flow diagram for large models: by boundary, by severity, collapsed
boundaries, automatic collapsing; and a large nested model laid out by graphviz for real."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import threatmodel
from threatmodel.errors import ThreatModelError
from threatmodel.render import diagram

FIXTURES = Path(__file__).parent / "fixtures" / "diagram"
NS = {"svg": "http://www.w3.org/2000/svg"}

if shutil.which("dot") is None:  # `make test` installs it; a silent skip would hide a gap
    pytest.fail("graphviz's 'dot' program is needed: apt-get install graphviz", pytrace=False)


def catalog():
    return threatmodel.load_catalog([FIXTURES / "catalog.yaml"], shipped_risks=False)


def demo():
    return threatmodel.analyze(threatmodel.load_model(FIXTURES / "model.yaml"), catalog())


def ids(source_or_svg: str, prefix: str) -> set[str]:
    """Ids of the elements / collapsed boundaries drawn, from DOT source."""
    import re

    return set(re.findall(rf'id="{prefix}-([^"]+)"', source_or_svg))


def nested_model(elements: int) -> dict:
    """3 jurisdictions > organisations > 3 networks each > elements, with flows between them."""
    kinds = (
        ("process", "api"),
        ("datastore", "database"),
        ("actor", "lender"),
        ("external_service", "partner"),
        ("process", "scoring"),
    )
    data = [
        {"id": "d0", "categories": ["purchase"], "subjects": 2_000_000},
        {"id": "d1", "categories": ["health"], "subjects": 40_000},
    ]
    organisations = max(2, elements // 40)
    boundaries = [
        {
            "id": f"j{j}",
            "kind": "jurisdiction",
            "code": f"J{j}",
            "members": [f"o{o}" for o in range(organisations) if o % 3 == j],
        }
        for j in range(3)
    ]
    items, flows = [], []
    for o in range(organisations):
        boundaries.append(
            {"id": f"o{o}", "kind": "organisation", "members": [f"o{o}n{k}" for k in range(3)]}
        )
        members = [f"o{o}e{i}" for i in range(elements // organisations)]
        for k in range(3):
            boundaries.append({"id": f"o{o}n{k}", "kind": "network", "members": members[k::3]})
        for i, element_id in enumerate(members):
            kind, etype = kinds[(o + i) % len(kinds)]
            item = {"id": element_id, "kind": kind, "type": etype}
            if kind == "datastore":
                item.update(stores=[f"d{i % 2}"], encrypted_at_rest=i % 4 == 1)
            items.append(item)
            # every fifth element is a hub the next four feed; hubs feed the next hub, and
            # one element in eight also sends to a hub of another organisation
            hub = i - i % 5
            targets = [members[hub] if i % 5 else members[(i + 5) % len(members)]]
            if i % 8 == 0:
                targets.append(f"o{(o * 7 + i) % organisations}e{(i * 3) % len(members) // 5 * 5}")
            for n, target in enumerate(targets):
                if target != element_id:
                    flows.append(
                        {
                            "id": f"f{o}-{i}-{n}",
                            "from": element_id,
                            "to": target,
                            "data": [f"d{(i + n) % 2}"],
                        }
                    )
    return {
        "system": {"id": "big", "name": "Big nested model"},
        "data": data,
        "elements": items,
        "flows": flows,
        "boundaries": boundaries,
    }


class TestFilters:
    def test_boundary_view_keeps_its_elements_and_their_neighbours(self):
        source = diagram.source(demo(), diagram.Options(boundary="dc"))
        assert ids(source, "element") == {
            "scoring",
            "profile-db",
            "health-db",
            "archive",
            "app",
            "lender",
            "broker",
            "clinic",
        }
        assert source.count("context") == 4  # app, lender, broker, clinic: outside dc
        assert "boundary dc" not in source and "boundary Data centre and 4 neighbours" in source

    def test_severity_view_keeps_what_is_that_bad(self):
        source = diagram.source(demo(), diagram.Options(min_severity="critical"))
        assert ids(source, "element") == {"profile-db"}
        source = diagram.source(demo(), diagram.Options(min_severity="high"))
        assert ids(source, "element") == {"profile-db", "archive", "lender", "scoring"}
        assert ids(source, "flow") == {"f-report", "f-archive", "f-stats", "f-store"}

    @pytest.mark.parametrize(
        "option, value, message",
        [
            ("boundary", "dcc", "no boundary 'dcc' (did you mean 'dc'?)"),
            ("min_severity", "severe", "unknown severity 'severe'; choose from critical, high"),
            ("collapse", ("platfrom",), "no boundary 'platfrom' (did you mean 'platform'?)"),
        ],
    )
    def test_bad_view_options_are_input_errors(self, option, value, message):
        with pytest.raises(ThreatModelError) as caught:
            diagram.source(demo(), diagram.Options(**{option: value}))
        assert message in str(caught.value)


class TestCollapsing:
    def test_collapsed_boundary_becomes_one_node_with_merged_flows(self):
        source = diagram.source(demo(), diagram.Options(collapse=("dc",)))
        assert "scoring" not in ids(source, "element") and ids(source, "collapsed") == {"dc"}
        assert "collapsed: 1 process, 3 data stores" in source
        assert "f-store" not in source.split("id=")[0]  # internal flow: no edge
        assert 'id="flow-f-store' not in source and 'id="flow-f-archive' not in source
        assert 'id="flow-f-ingest"' in source  # app -> dc: a single flow keeps its id
        svg = ET.fromstring(diagram.run_dot(source, "svg"))
        node = svg.find(".//svg:g[@id='collapsed-dc']", NS)
        assert "severity-critical" in node.get("class")  # profile-db's finding, aggregated
        tip = node.find(".//{http://www.w3.org/2000/svg}a").get(
            "{http://www.w3.org/1999/xlink}title"
        )
        assert "D-SEC-01@profile-db" in tip and "D-SEC-01@archive" in tip

    def test_collapse_depth_counts_from_the_top(self):
        source = diagram.source(demo(), diagram.Options(collapse_depth=0))
        assert ids(source, "collapsed") == {"cn", "eu"}
        assert ids(source, "element") == {"clinic"}  # outside every boundary
        source = diagram.source(demo(), diagram.Options(collapse_depth=2))
        assert ids(source, "collapsed") == {"dc"}

    def test_without_boundaries_elements_are_grouped_to_fit(self):
        """A big model with no boundaries (nothing to collapse) is drawn with its elements
        grouped by kind and type, or by kind when that still leaves too many flows: `dot`
        took five minutes on such a model of 1,000 elements drawn in full."""
        model = nested_model(400)
        model["boundaries"] = []
        result = threatmodel.analyze(threatmodel.load_model_data(model), catalog())
        source = diagram.source(result)
        groups = ids(source, "group")
        assert not ids(source, "element") and not ids(source, "collapsed")
        assert len(groups) == 5  # the five kinds and types of nested_model
        assert "elements grouped by kind and type (more than 150 elements or flows)" in source
        assert "grouped: 80 processes" in source and "\u00abdata store\u00bb" in source
        coarse = diagram.source(result, diagram.Options(max_nodes=12))
        assert len(ids(coarse, "group")) == 4  # two kinds of process are one group
        assert "elements grouped by kind (more than 12 elements or flows)" in coarse
        full = diagram.source(result, diagram.Options(max_nodes=0))
        assert len(ids(full, "element")) == 400 and not ids(full, "group")
        svg = ET.fromstring(diagram.run_dot(source, "svg"))
        assert len(svg.findall(".//svg:g[@class]", NS)) > 5  # laid out by graphviz for real
        node = next(
            g for g in svg.iter("{http://www.w3.org/2000/svg}g") if "group" in g.get("id", "")
        )
        assert "collapsed" in node.get("class")

    def test_large_models_collapse_automatically_to_fit(self):
        result = threatmodel.analyze(threatmodel.load_model_data(nested_model(400)), catalog())
        source = diagram.source(result)
        assert not ids(source, "element") and len(ids(source, "collapsed")) == 30  # networks
        assert "boundaries nested 2 deep collapsed (more than 150 elements or flows)" in source
        full = diagram.source(result, diagram.Options(max_nodes=0))
        assert len(ids(full, "element")) == 400 and not ids(full, "collapsed")
        organisations = diagram.source(result, diagram.Options(max_nodes=40))
        assert ids(organisations, "collapsed") == {f"o{i}" for i in range(10)}
        jurisdictions = diagram.source(result, diagram.Options(max_nodes=30))
        assert ids(jurisdictions, "collapsed") == {"j0", "j1", "j2"}


class TestLargeModel:
    def test_a_thousand_elements_in_nested_boundaries_lay_out(self):
        """Graphviz 2.43 loses edges on big nested clusters without newrank; with it, a
        1,000-element model renders in full, collapsed (the default) and by boundary."""
        model = threatmodel.load_model_data(nested_model(1000))
        result = threatmodel.analyze(model, catalog())
        full = ET.fromstring(diagram.render(result, diagram.Options(max_nodes=0), "svg"))
        classes = [g.get("class", "").split() for g in full.iter(f"{{{NS['svg']}}}g")]
        assert sum("element" in c for c in classes) == 1000
        assert sum("flow" in c for c in classes) == len(model.flows)
        assert sum("boundary" in c for c in classes) == len(model.boundaries)
        svg = diagram.render(result, diagram.Options(), "svg")
        root = ET.fromstring(svg)
        collapsed = [g for g in root.iter() if "collapsed" in g.get("class", "").split()]
        assert len(collapsed) == 25  # 75 networks with their flows would exceed 150 edges
        edges = [g for g in root.iter() if "flow" in g.get("class", "").split()]
        assert len(edges) <= 150
        organisation = ET.fromstring(
            diagram.render(result, diagram.Options(boundary="o3", max_nodes=0), "svg")
        )
        drawn = {g.get("id") for g in organisation.iter() if "element" in g.get("class", "")}
        assert {f"element-o3e{i}" for i in range(40)} <= drawn
        assert "newrank=true" in diagram.source(result)


@pytest.mark.parametrize(
    "model",
    [
        {"system": {"id": "empty"}},
        {
            "system": {"id": "lone"},
            "elements": [{"id": "a", "kind": "actor"}],
            "boundaries": [{"id": "b", "kind": "network", "members": []}],
        },
    ],
)
@pytest.mark.parametrize("kind", ["dfd", "data", "attack-tree"])
def test_degenerate_models_still_draw(model, kind):
    result = threatmodel.analyze(threatmodel.load_model_data(model), catalog())
    root = ET.fromstring(
        diagram.render(
            result,
            diagram.Options(kind=kind, collapse_depth=0)
            if kind == "dfd"
            else diagram.Options(kind=kind),
            "svg",
        )
    )
    assert root.tag == f"{{{NS['svg']}}}svg"
