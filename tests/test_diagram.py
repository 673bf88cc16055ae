"""The data-flow diagram rendered for real by graphviz: clusters, shapes, badges, crossings,
escaping of hostile names, and byte-identical output."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import threatmodel
from threatmodel.render import diagram, dot

FIXTURES = Path(__file__).parent / "fixtures" / "diagram"
NS = {"svg": "http://www.w3.org/2000/svg", "xlink": "http://www.w3.org/1999/xlink"}
TITLE = "{http://www.w3.org/1999/xlink}title"

if shutil.which("dot") is None:  # `make test` installs it; a silent skip would hide a gap
    pytest.fail("graphviz's 'dot' program is needed: apt-get install graphviz", pytrace=False)


def analysed(name: str = "model.yaml"):
    catalog = threatmodel.load_catalog([FIXTURES / "catalog.yaml"], shipped_risks=False)
    return threatmodel.analyze(threatmodel.load_model(FIXTURES / name), catalog)


def svg_of(result, **options) -> ET.Element:
    return ET.fromstring(diagram.render(result, diagram.Options(**options), "svg"))


def group(svg: ET.Element, svg_id: str) -> ET.Element:
    found = svg.find(f".//svg:g[@id='{svg_id}']", NS)
    assert found is not None, f"no <g id={svg_id}> in the SVG"
    return found


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{{{NS['svg']}}}text")]


def box(element: ET.Element) -> tuple[float, float, float, float]:
    """The bounding box of a cluster's outline polygon or path."""
    shape = next(e for e in element.iter() if e.tag.endswith(("}polygon", "}path")))
    if shape.tag.endswith("polygon"):
        points = [tuple(map(float, p.split(","))) for p in shape.get("points").split()]
    else:
        numbers = re.findall(r"-?\d+(?:\.\d+)?", shape.get("d"))
        points = list(zip(map(float, numbers[::2]), map(float, numbers[1::2]), strict=False))
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def inside(inner, outer) -> bool:
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and inner[2] <= outer[2]
        and inner[3] <= outer[3]
    )


class TestDataFlowDiagram:
    def test_a_thousand_nested_boundaries_are_drawn_without_recursion(self, tmp_path):
        """Nesting past Python's stack (with max_boundary_depth raised) still gives DOT
        source: clusters are built innermost first, not by recursion (issue 17.5)."""
        from threatmodel.loader import Limits

        lines = ["system: {id: s}", "elements:", "  - {id: a, kind: process}", "boundaries:"]
        lines.append("  - {id: b0, kind: network, members: [a]}")
        lines += [f"  - {{id: b{i}, kind: network, members: [b{i - 1}]}}" for i in range(1, 1000)]
        path = tmp_path / "nested.yaml"
        path.write_text("\n".join(lines) + "\n")
        model = threatmodel.load_model(path, Limits(max_boundary_depth=1000))
        catalog = threatmodel.load_catalog([FIXTURES / "catalog.yaml"], shipped_risks=False)
        source = diagram.render(threatmodel.analyze(model, catalog), diagram.Options(), "dot")
        assert len(re.findall(r"subgraph cluster_\d+ ", source)) == 1000
        assert source.index('id="boundary-b999"') < source.index('id="boundary-b998"')

    def test_boundaries_are_nested_clusters_labelled_with_their_kind(self):
        """Jurisdiction > organisation > network are clusters drawn inside one another."""
        svg = svg_of(analysed())
        cn, platform, dc = (group(svg, f"boundary-{b}") for b in ("cn", "platform", "dc"))
        assert classes(cn) == {"cluster", "boundary", "jurisdiction"}
        assert classes(dc) == {"cluster", "boundary", "network"}
        assert inside(box(dc), box(platform)) and inside(box(platform), box(cn))
        assert not inside(box(group(svg, "boundary-eu")), box(cn))
        assert "\u00abjurisdiction CN\u00bb" in texts(cn) and "China" in texts(cn)
        assert "\u00abnetwork\u00bb" in texts(dc)
        assert cn.find(".//svg:path", NS).get("stroke-dasharray")  # jurisdictions are dashed

    def test_element_shapes_follow_their_kind(self):
        """Processes are ellipses, stores cylinders, external services 3-D boxes, actors boxes."""
        svg = svg_of(analysed())
        assert group(svg, "element-scoring").find(".//svg:ellipse", NS) is not None
        store = group(svg, "element-profile-db")
        assert {"element", "datastore"} <= classes(store)
        assert len(store.findall(".//svg:path", NS)) == 2  # cylinder: body and top rim
        broker = group(svg, "element-broker")
        assert len(broker.findall(".//svg:polyline", NS)) == 3  # box3d: the edges of depth
        samples = [t for g in svg.iter() if "legend-sample" in classes(g) for t in texts(g)]
        assert samples == ["actor", "process", "data store", "external service"]

    def test_badges_count_findings_in_the_colour_of_the_worst(self):
        """profile-db has one critical finding; the badge is that colour and says 1."""
        result = analysed()
        svg = svg_of(result)
        store = group(svg, "element-profile-db")
        fill, _text_colour = dot.SEVERITY_COLOURS["critical"]
        badge = [p for p in store.iter(f"{{{NS['svg']}}}polygon") if p.get("fill") == fill]
        assert len(badge) == 1
        assert "\u00a01\u00a0" in texts(store)
        assert "severity-critical" in classes(store)
        archive = group(svg, "element-archive")  # encrypted copy lowers it to high
        assert any(
            p.get("fill") == dot.SEVERITY_COLOURS["high"][0]
            for p in archive.iter(f"{{{NS['svg']}}}polygon")
        )
        assert not any(
            p.get("fill") in dict(dot.SEVERITY_COLOURS.values())
            for p in group(svg, "element-shopper").iter(f"{{{NS['svg']}}}polygon")
        )

    def test_tooltips_list_the_finding_ids(self):
        svg = svg_of(analysed())
        tips = [a.get(TITLE) for a in group(svg, "element-profile-db").iter(f"{{{NS['svg']}}}a")]
        assert any("critical: D-SEC-01@profile-db: Unencrypted personal store" in t for t in tips)
        flow_tips = [a.get(TITLE) for a in group(svg, "flow-f-sell").iter(f"{{{NS['svg']}}}a")]
        assert any(
            "D-RES-01@f-sell" in t and "D-INT-01@f-sell" in t and "possible" in t for t in flow_tips
        )

    def test_possible_findings_get_a_grey_badge(self):
        svg = svg_of(analysed())
        sell = group(svg, "flow-f-sell")
        assert any(
            p.get("fill") == dot.POSSIBLE_COLOUR[0] for p in sell.iter(f"{{{NS['svg']}}}polygon")
        )
        assert "\u00a01?\u00a0" in texts(sell)

    def test_flows_are_labelled_with_their_data_and_crossings_marked(self):
        """A flow leaving the organisation is thick; one crossing a jurisdiction is double."""
        svg = svg_of(analysed())
        report = group(svg, "flow-f-report")  # lender (cn, no organisation) -> platform
        assert "crosses-organisation" in classes(report)
        assert "crosses-jurisdiction" not in classes(report)
        assert report.find(".//svg:path", NS).get("stroke-width") == "2.6"
        app = group(svg, "flow-f-app")  # shopper in the EU -> app in China
        assert {"crosses-organisation", "crosses-jurisdiction"} <= classes(app)
        lines = [p for p in app.iter(f"{{{NS['svg']}}}path") if p.get("stroke") == dot.INK]
        assert len(lines) == 2  # the double line
        assert "EU \u2192 CN" in " ".join(texts(app))
        assert "Purchases, Address books" in texts(app)
        inner = group(svg, "flow-f-store")
        assert not classes(inner) & {"crosses-organisation", "crosses-jurisdiction"}

    def test_sensitivity_shows_special_categories_and_population(self):
        svg = svg_of(analysed())
        clinic = group(svg, "element-clinic")
        assert "special: health" in texts(clinic)
        assert any(p.get("stroke") == dot.SPECIAL for p in clinic.iter(f"{{{NS['svg']}}}polygon"))
        store = group(svg, "element-profile-db")
        assert "9M people" in texts(store)
        assert store.find(".//svg:path", NS).get("stroke-width") == "2"  # 100k to 10M people

    def test_system_findings_badge_the_title(self):
        svg = svg_of(analysed())
        title = svg.find("svg:g/svg:g/svg:a", NS)
        assert "D-SYS-01@diagram-demo" in title.get(TITLE)


class TestEscaping:
    HOSTILE = {
        "quote": 'Say "hi""]; evil [label="x',
        "slash": "C:\\new\\table \\N \\G \\L \\\\ end\\",
        "chinese": "信用评分引擎 (社会信用)",
        "entity": "&amp; &lt;tag&gt; &#92;N ]]> <!-- c -->",
    }

    def test_hostile_names_render_verbatim_and_inject_nothing(self):
        """Quotes, brackets, braces, backslashes, entities and CJK come out as written."""
        result = analysed("hostile.yaml")
        text = diagram.render(result, diagram.Options(), "svg")
        svg = ET.fromstring(text)  # well-formed XML
        for element_id, name in self.HOSTILE.items():
            shown = "".join(texts(group(svg, f"element-{element_id}")))
            assert name.replace(" ", "") in shown.replace(" ", "").replace("\u00a0", "")
            tips = [
                a.get(TITLE) for a in group(svg, f"element-{element_id}").iter(f"{{{NS['svg']}}}a")
            ]
            assert tips[0].startswith(name)
        angle = group(svg, "element-angle")
        assert "<script>alert(1)</scrip\u2026" in texts(angle)
        assert "first line" in texts(group(svg, "element-newline"))
        assert "second line" in texts(group(svg, "element-newline"))
        assert not [e for e in svg.iter() if e.tag.endswith(("script", "foreignObject"))]
        assert "<script" not in text and "<TABLE" not in text
        nodes = svg.findall(".//svg:g[@class]", NS)
        elements = [g for g in nodes if "element" in classes(g)]
        assert len(elements) == 8  # no node was smuggled in through a label
        assert len([g for g in nodes if "flow" in classes(g)]) == 6

    def test_control_characters_are_made_visible(self):
        svg = svg_of(analysed("hostile.yaml"))
        shown = "".join(texts(group(svg, "element-ansi")))
        assert "\\x1b[31mred" in shown and "\\x202e" in shown
        assert "\x1b" not in shown and "\u202e" not in shown

    def test_dot_source_keeps_every_string_closed(self):
        """Every quoted DOT string ends where it should: the source parses as one graph."""
        source = diagram.source(analysed("hostile.yaml"))
        checked = subprocess.run(["dot", "-Tcanon"], input=source.encode(), capture_output=True)
        assert checked.returncode == 0, checked.stderr
        assert "evil" not in re.sub(r'"(?:[^"\\]|\\.)*"|<<.*?>>', "", source)

    def test_html_and_tooltip_escaping_units(self):
        assert dot.html('a<b>&"c"\\N') == "a&lt;b&gt;&amp;&quot;c&quot;\\\\N"
        assert dot.html("one\ntwo") == "one<BR/>two"
        assert str(dot.tooltip(['x & "y"', "a\\b"])) == "x &amp; &quot;y&quot;&#10;a\\\\\\\\b"
        assert dot.clean("\ud800x\uffff") == "\ufffdx\ufffd"


class TestDeterminism:
    def test_same_model_gives_identical_dot_and_svg(self):
        result = analysed()
        assert diagram.source(result) == diagram.source(analysed())
        first = diagram.render(result, diagram.Options(), "svg")
        assert first == diagram.render(analysed(), diagram.Options(), "svg")

    def test_output_does_not_depend_on_hash_seeds(self):
        """Set iteration order changes with PYTHONHASHSEED; the DOT text must not."""
        script = (
            "import sys, threatmodel; from threatmodel.render import diagram; "
            f"c = threatmodel.load_catalog([{str(FIXTURES / 'catalog.yaml')!r}], "
            "shipped_risks=False); "
            f"r = threatmodel.analyze(threatmodel.load_model({str(FIXTURES / 'model.yaml')!r}), c); "
            "sys.stdout.write(''.join(diagram.source(r, diagram.Options(kind=k)) "
            "for k in ('dfd', 'data', 'attack-tree')))"
        )
        outputs = set()
        for seed in ("1", "2", "3"):
            env = dict(
                os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(Path(__file__).parent.parent)
            )
            done = subprocess.run(
                [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
            )
            outputs.add(done.stdout)
        assert len(outputs) == 1

    def test_pdf_carries_no_render_time_and_png_is_an_image(self):
        result = analysed()
        pdf = diagram.render(result, diagram.Options(), "pdf")
        assert pdf.startswith(b"%PDF") and b"/CreationDate (D:19700101000000Z)" in pdf
        assert pdf == diagram.render(result, diagram.Options(), "pdf")
        png = diagram.render(result, diagram.Options(), "png")
        assert png.startswith(b"\x89PNG\r\n\x1a\n")

    def test_fixed_pdf_date_keeps_byte_offsets(self):
        raw = b"<< /CreationDate (D:20261126115332+01'00') >>"
        fixed = diagram.deterministic(raw, "pdf")
        assert len(fixed) == len(raw) and b"D:19700101000000Z" in fixed
