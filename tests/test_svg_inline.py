"""Graphviz SVG placed inside the HTML report: only drawing survives, whatever the SVG holds."""

from __future__ import annotations

from xml.etree import ElementTree

from threatmodel.render.svg_inline import inline

HOSTILE = """<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
 width="100pt" height="50pt" viewBox="0.00 0.00 100.00 50.00" onload="alert(1)">
<script>alert(2)</script>
<style>svg { background: url(http://evil.example/x) }</style>
<g id="graph0" class="graph" transform="translate(4 46)" style="fill:red">
<title>dfd</title>
<g id="element-db" class="node" onclick="alert(3)">
<title>db</title>
<g id="a_element-db"><a xlink:href="javascript:alert(4)" xlink:title="Credit files &lt;script&gt;alert(5)&lt;/script&gt;">
<polygon fill="url(http://evil.example/fill)" stroke="#263238" points="0,0 10,0 10,10"/>
<text x="1" y="2" fill="#263238">&lt;/svg&gt;&lt;script&gt;alert(6)&lt;/script&gt;</text>
</a></g>
<foreignObject><div xmlns="http://www.w3.org/1999/xhtml" onclick="alert(7)">x</div></foreignObject>
<image xlink:href="http://evil.example/track.png"/>
<use xlink:href="#graph0"/>
<animate attributeName="href" to="javascript:alert(8)"/>
</g>
</g>
</svg>"""


def test_only_drawing_elements_and_presentation_attributes_survive():
    out = inline(HOSTILE, "dfd", {"element-db": ("db", "Credit files: show its 2 findings")})
    root = ElementTree.fromstring(out)  # well-formed, one svg
    tags = {node.tag.split("}")[-1] for node in root.iter()}
    assert tags <= {"svg", "g", "polygon", "text", "title"}, tags
    attributes = {name for node in root.iter() for name in node.attrib}
    assert not {a for a in attributes if a.startswith("on") or "href" in a or a == "style"}
    lowered = out.lower()
    for word in ("<script", "javascript:", "evil.example", "foreignobject", "<style"):
        assert word not in lowered, word
    # user text is text: the tooltip and the label are escaped, not markup
    assert "&lt;script&gt;alert(5)" in out and "&lt;/svg&gt;&lt;script&gt;alert(6)" in out


def test_tooltips_become_titles_ids_get_a_prefix_and_targets_become_buttons():
    out = inline(HOSTILE, "dfd", {"element-db": ("db", "Credit files: show its 2 findings")})
    root = ElementTree.fromstring(out)
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert titles == ["Credit files <script>alert(5)</script>"]  # Graphviz's own names dropped
    node = next(n for n in root.iter() if n.get("data-element"))
    assert node.get("id") == "dfd-element-db" and node.get("data-element") == "db"
    assert node.get("tabindex") == "0" and node.get("role") == "button"
    assert node.get("aria-label") == "Credit files: show its 2 findings"
    assert root.get("viewBox") == "0.00 0.00 100.00 50.00"
    ids = {n.get("id") for n in root.iter() if n.get("id")}
    assert ids == {"dfd-graph0", "dfd-element-db", "dfd-a_element-db"}


def test_what_is_not_svg_gives_nothing():
    assert inline("not xml", "dfd") == ""
    assert inline('<html xmlns="http://www.w3.org/1999/xhtml"/>', "dfd") == ""
    assert inline('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 x"/>', "dfd") == ""
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        + "".join(
            f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + ']><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>&i;</text></svg>'
    )
    assert len(inline(laughs, "dfd")) < 10_000  # expat refuses the amplification
