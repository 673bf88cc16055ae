"""The shipped HTML template compiled ahead of time into a module of the package.

Compiling `report.html.j2` takes Jinja about 0.2 s (650 million instructions) in every process
that writes an HTML report. `compiled_report.py` holds the Python code Jinja makes of it,
which Python imports from its bytecode cache like any other module. Its `STAMP` is the SHA-256
of the template's text, Jinja's version and the environment's settings that shape the code;
when it does not match (a template edited without rebuilding, another Jinja), the template is
compiled from its text as before. Only a developer writes the module (`make templates`); a
test fails while it is stale. A user's own template (`--template`) is never compiled ahead:
it is compiled in the sandbox each run.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from pathlib import Path

import jinja2

MODULE = "threatmodel.render.compiled_report"
PATH = Path(__file__).with_name("compiled_report.py")
HEADER = '''"""The shipped template report.html.j2 compiled by Jinja (generated: do not edit).

Rebuild with `make templates` after changing the template or the HTML environment's settings;
see threatmodel/render/template_cache.py.
"""
# fmt: off
# ruff: noqa
# mypy: ignore-errors
'''


def stamp(env: jinja2.Environment, source: str) -> str:
    """What the compiled code depends on: the template's text, Jinja's version and the
    settings of `env` that change the code Jinja writes."""
    settings = (
        jinja2.__version__,
        env.autoescape,
        env.trim_blocks,
        env.lstrip_blocks,
        env.keep_trailing_newline,
        env.newline_sequence,
        env.undefined.__name__,
        env.finalize is not None,
        sorted(env.filters),
        sorted(env.tests),
    )
    return hashlib.sha256(f"{settings!r}\n{source}".encode()).hexdigest()


def compiled(env: jinja2.Environment, source: str) -> jinja2.Template | None:
    """The template compiled ahead, bound to `env`; None when the module is missing or was
    made from another text, Jinja or environment."""
    try:
        module = importlib.import_module(MODULE)
    except ImportError:
        return None
    if getattr(module, "STAMP", None) != stamp(env, source):
        return None
    return env.template_class.from_module_dict(env, vars(module), env.make_globals(None))


def build(env: jinja2.Environment, source: str, name: str) -> str:
    """The module's text for the template as it is now (deterministic)."""
    code = env.compile(source, name, raw=True, defer_init=True)  # `environment` bound on load
    return f"{HEADER}STAMP = {stamp(env, source)!r}\n{code}\n"


def stale(env: jinja2.Environment, source: str, name: str) -> bool:
    """Whether the module differs from what `build` writes now."""
    return not PATH.is_file() or PATH.read_text(encoding="utf-8") != build(env, source, name)


def write(env: jinja2.Environment, source: str, name: str) -> None:
    """Write the module (`make templates`, with the shipped template and its environment)."""
    text = build(env, source, name)
    PATH.write_text(text, encoding="utf-8")
    print(f"wrote {PATH} ({len(text.encode('utf-8')):,} bytes)", file=sys.stderr)
