"""Issue 17.6: no text from an input reaches the terminal raw. Every command is driven with
names, descriptions, ids and file names that hold a line break followed by a GitHub Actions
workflow command, ANSI and OSC escape sequences and a bidi override; no line it prints may
start with `::` or contain a control character (ESC, BEL, CR) or a bidi override."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers import FIXTURES
from threatmodel.cli import main
from threatmodel.console import guard

CATALOG = ["--no-shipped", "--catalog", str(FIXTURES / "catalog")]
EVIL = "x\n::error file=a.py,line=1::owned\r\n  ::warning::y\x1b[2J\x1b]0;title\x07\u202ez"
# the same, as YAML double-quoted text (the models and catalogs below are YAML)
EVIL_YAML = json.dumps(EVIL)
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def assert_inert(text: str) -> None:
    for line in text.split("\n"):
        assert not line.lstrip().startswith("::"), line
        assert not UNSAFE.search(line), line


def run(capsys, *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    status = main(list(argv))
    out = capsys.readouterr()
    assert_inert(out.out)
    assert_inert(out.err)
    return status, out.out + out.err


@pytest.fixture
def hostile(tmp_path):
    """A directory with a hostile name holding a model full of hostile text."""
    home = tmp_path / f"dir{EVIL.replace('/', '_')}"
    home.mkdir()
    model = home / f"m{EVIL}.yaml"
    model.write_text(
        (FIXTURES / "models" / "small.yaml")
        .read_text()
        .replace(
            "name: Small scoring platform",
            f"name: {EVIL_YAML}, description: {EVIL_YAML}",
        )
        .replace("{id: shopper, kind: actor,", f"{{id: shopper, name: {EVIL_YAML}, kind: actor,")
    )
    catalog = home / "c.yaml"
    catalog.write_text(
        (FIXTURES / "catalog" / "core.yaml")
        .read_text()
        .replace("title: Unencrypted personal store", f"title: {EVIL_YAML}")
        .replace(
            "    applies_to: datastore\n",
            f"    applies_to: datastore\n    description: {EVIL_YAML}\n",
            1,
        )
    )
    return home, model, catalog


def test_guard_neutralises_what_escaped_the_values():
    assert guard("a\n::error::x\n  ::warning::y\n") == "a\n\\x3a:error::x\n  \\x3a:warning::y\n"
    assert guard("\x1b]0;t\x07 \x1b[31mred\x1b[0m") == "\\x1b]0;t\\x07 \x1b[31mred\x1b[0m"
    assert guard("::x", line_start=False) == "::x"  # inside a line begun earlier


def test_validate(hostile, capsys):
    _, model, catalog = hostile
    status, text = run(capsys, "validate", str(model), "--no-shipped", "--catalog", str(catalog))
    assert status == 0 and "\\n::error" in text


def test_validate_problems_echo_values_escaped(hostile, capsys):
    _home, model, _ = hostile
    model.write_text(model.read_text().replace("kind: actor", f"kind: {EVIL_YAML}", 1))
    status, text = run(capsys, "validate", str(model), *CATALOG)
    assert status == 2 and "unknown" in text


def test_analyze_summary_and_wrote_lines(hostile, capsys):
    home, model, catalog = hostile
    out = home / f"out{EVIL}"
    status, text = run(
        capsys, "analyze", str(model), "--no-shipped", "--catalog", str(catalog), "-o", str(out)
    )
    assert status == 0 and "wrote " in text


def test_catalog_show_and_list(hostile, capsys):
    _, _, catalog = hostile
    status, text = run(
        capsys, "catalog", "show", "T-SEC-01", "--no-shipped", "--catalog", str(catalog)
    )
    assert status == 0 and "owned" in text
    status, text = run(capsys, "catalog", "list", "--no-shipped", "--catalog", str(catalog))
    assert status == 0


def test_diff_of_findings_json(hostile, capsys, tmp_path):
    _home, model, catalog = hostile
    out = tmp_path / "o"
    assert (
        main(
            [
                "analyze",
                str(model),
                "--no-shipped",
                "--catalog",
                str(catalog),
                "-o",
                str(out),
                "--quiet",
                "--format",
                "json",
            ]
        )
        == 0
    )
    old = json.loads((out / "findings.json").read_text())
    for finding in old["findings"]:
        finding["title"] = EVIL
        finding["id"] = finding["id"] + EVIL
    (tmp_path / "old.json").write_text(json.dumps(old))
    status, text = run(capsys, "diff", str(tmp_path / "old.json"), str(out / "findings.json"))
    assert status in (0, 1, 2) and text


def test_portfolio_table(hostile, capsys, tmp_path):
    home, model, catalog = hostile
    second = home / f"n{EVIL}.yaml"
    second.write_text(model.read_text())
    status, text = run(
        capsys,
        "analyze",
        str(model),
        str(second),
        "--no-shipped",
        "--catalog",
        str(catalog),
        "-o",
        str(tmp_path / "p"),
    )
    assert status in (0, 1) and "owned" in text


def test_decide(hostile, capsys):
    home, _model, _catalog = hostile
    decisions = home / f"d{EVIL}.yaml"
    status, text = run(
        capsys,
        "decide",
        "T-SEC-01@profile-db",
        "--status",
        "accepted",
        "--why",
        EVIL,
        "--decisions",
        str(decisions),
    )
    assert status == 0 and "recorded" in text


def test_plan_diagram_export_import_init(hostile, capsys, tmp_path):
    home, model, catalog = hostile
    cat = ["--no-shipped", "--catalog", str(catalog)]
    assert run(capsys, "plan", str(model), *cat)[0] == 0
    dot = home / f"d{EVIL}.dot"
    assert run(capsys, "diagram", str(model), *cat, "--format", "dot", "-o", str(dot))[0] == 0
    otm = home / f"e{EVIL}.otm.json"
    assert run(capsys, "export", "--to", "otm", str(model), *cat, "-o", str(otm))[0] == 0
    status, text = run(capsys, "import", str(otm), "-o", str(home / f"i{EVIL}.yaml"))
    assert status in (0, 2) and "\\n::error" in text  # the fixture's mitigations are not shipped
    assert run(capsys, "init", "-o", str(home / f"new{EVIL}.yaml"), "--yes", "--name", EVIL)[0] in (
        0,
        2,
    )


def test_bad_arguments_are_echoed_escaped(capsys):
    assert run(capsys, "analyze", "m.yaml", "--format", EVIL)[0] == 2
    assert run(capsys, "catalog", "show", EVIL)[0] == 2
    with pytest.raises(SystemExit):  # argparse's own message
        main(["catalog", EVIL])
    out = capsys.readouterr()
    assert_inert(out.out + out.err)
