"""Issue 17: a user's report template (`--template`) is code we did not write. What it asks
for is bounded: huge numbers, ranges and repetitions, format widths and filter sizes are
refused before they are built, recursion and endless loops end; each is bad input (exit 2,
the template's place, nothing written), never a hang or an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import FIXTURES
from threatmodel.cli import main
from threatmodel.render import sandbox

MODEL = FIXTURES / "models" / "small.yaml"
CATALOG = ["--no-shipped", "--catalog", str(FIXTURES / "catalog")]


def analyze_with(tmp_path, capsys, text: str, *more: str) -> tuple[int, str, bool]:
    template = tmp_path / "mine.j2"
    template.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    args = ["analyze", str(MODEL), *CATALOG, "--format", "html", "--template", str(template)]
    status = main([*args, *more, "-o", str(out), "--quiet"])
    err = capsys.readouterr().err.replace(str(template), "mine.j2")
    return status, err.splitlines()[0] if err else "", out.exists() and any(out.iterdir())


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "x\n{% for i in range(10**8) %}{{ i }}{% endfor %}",
            "mine.j2:2:1: template refused: Range too big. The sandbox blocks ranges larger "
            "than MAX_RANGE (100000).",
        ),
        (
            "{{ 10**100000 }}",
            "mine.j2:1:1: template refused: 10**100000 would have about 100,000 digits, over 4,300",
        ),
        (
            "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n\n{{ f(0) }}",
            "mine.j2:1:1: template refused: too deeply recursive (a macro calling itself?)",
        ),
        (
            '{{ "ab" * 10**9 }}',
            "mine.j2:1:1: template refused: repeating 2 items 1,000,000,000 times, over 1,000,000",
        ),
        (
            '{{ "x"|center(10**9) }}',
            "mine.j2:1:1: template refused: filter 'center' given 1,000,000,000, over 1,000,000",
        ),
        (
            '{{ "%999999999d" % 1 }}',
            "mine.j2:1:1: template refused: a format width over 999,999 ('%' in '%999999999d')",
        ),
        (
            '{{ "{:>999999999}".format(1) }}',
            "mine.j2:1:1: template refused: a format width over 999,999 in '{:>999999999}'",
        ),
        ("{{ 1 / 0 }}", "mine.j2:1:1: template refused: division by zero (ZeroDivisionError)"),
    ],
    ids=["range", "power", "recursive-macro", "repeat", "center", "percent", "format", "zero"],
)
def test_a_template_asking_too_much_is_refused(tmp_path, capsys, text, message):
    status, first, wrote = analyze_with(tmp_path, capsys, text)
    assert (status, first, wrote) == (2, message, False)


def test_a_template_that_loops_for_ever_is_stopped(tmp_path, capsys):
    """Stopped after --template-timeout seconds (8 by default, `sandbox.SECONDS`)."""
    loop = "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
    status, first, wrote = analyze_with(tmp_path, capsys, loop, "--template-timeout", "1")
    # the timer stops whatever runs: the template's own line (its position) or our loop
    assert first in (
        "mine.j2: template refused: rendering took over 1 seconds",
        "mine.j2:1:1: template refused: rendering took over 1 seconds",
    )
    assert (status, wrote) == (2, False)


def test_a_template_timeout_that_is_not_positive_is_bad_input(tmp_path, capsys):
    status, first, wrote = analyze_with(tmp_path, capsys, "x", "--template-timeout", "0")
    assert (status, first, wrote) == (
        2,
        "--template-timeout: --template-timeout must be positive, not 0",
        False,
    )


def test_a_template_writing_too_much_is_stopped(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_OUTPUT_CHARS", 10_000)
    status, first, wrote = analyze_with(
        tmp_path, capsys, '{% for i in range(100) %}{{ "x" * 1000 }}{% endfor %}'
    )
    assert (status, wrote) == (2, False)
    assert first == "mine.j2: template refused: the page is over 10,000 characters long"


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="the cap needs Linux")
@pytest.mark.parametrize("double", ["ns.s + ns.s", "ns.s ~ ns.s", "[ns.s, ns.s]|join"])
def test_a_template_growing_a_string_is_stopped(tmp_path, capsys, monkeypatch, double):
    """Doubling a string 40 times (a terabyte) passes every check of an operation's size;
    the memory cap stops it whatever the operation, and the process's limit is put back."""
    import resource

    monkeypatch.setattr(sandbox, "MAX_MEMORY_BYTES", 64 << 20)
    before = resource.getrlimit(resource.RLIMIT_AS)
    text = (
        '{% set ns = namespace(s="ab") %}{% for i in range(40) %}'
        f"{{% set ns.s = {double} %}}{{% endfor %}}{{{{ ns.s|length }}}}"
    )
    status, first, wrote = analyze_with(tmp_path, capsys, text)
    assert (status, wrote) == (2, False)
    assert first == "mine.j2:1:1: template refused: it asked for more than 64 MiB of memory"
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_what_stays_in_bounds_still_renders(tmp_path, capsys):
    text = '{{ 2**100 }} {{ "ab" * 3 }} {{ "x"|center(9) }} {{ "%05d" % 7 }} {{ range(3)|list }}'
    status, _, wrote = analyze_with(tmp_path, capsys, text)
    assert (status, wrote) == (0, True)
    page = (tmp_path / "out" / "report.html").read_text()
    assert page.startswith(f"{2**100} ababab     x     00007 [0, 1, 2]")


def test_a_template_that_is_not_utf8_is_bad_input(tmp_path, capsys):
    """Found by the fuzz campaign: invalid UTF-8 in a template was an internal error (exit 3)."""
    template = tmp_path / "mine.j2"
    template.write_bytes(b'{% extends "report.html.j2" %}\xc2(')
    out = tmp_path / "out"
    args = ["analyze", str(MODEL), *CATALOG, "--format", "html", "--template", str(template)]
    assert main([*args, "-o", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.replace(str(template), "mine.j2")
    assert err.splitlines()[0] == "mine.j2: template is not UTF-8 text: byte 0xc2 at offset 30"
    assert not out.exists()


def test_a_template_failure_names_its_line(tmp_path, capsys):
    status, first, wrote = analyze_with(tmp_path, capsys, "ok\n\n{{ undefined_name.x }}")
    assert (status, first, wrote) == (
        2,
        "mine.j2:3:1: template failed: 'undefined_name' is undefined",
        False,
    )


def test_a_filter_on_the_wrong_kind_of_value_is_bad_input(tmp_path, capsys):
    """Found by the fuzz campaign: `indent` on a list raised AttributeError, an internal error
    (exit 3); like a TypeError it is the template's failure, at its line."""
    status, first, wrote = analyze_with(tmp_path, capsys, "ok\n{{ [1, 2]|indent(0) }}")
    assert (status, first, wrote) == (
        2,
        "mine.j2:2:1: template failed: 'list' object has no attribute 'splitlines'",
        False,
    )
