"""Escaping of model and catalog text for each output: terminal, Markdown, HTML attributes."""

from __future__ import annotations

import re

# control characters (C0 but tab and line feed, DEL, C1), bidi overrides and isolates
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# the same, with tabs and line breaks of every kind (a value must stay on its line)
_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def terminal(text: object) -> str:
    """One value made safe to print on a line of terminal text: control characters (ANSI
    escapes, OSC sequences), bidi overrides, tabs and line breaks shown as \\x1b, \\x202e,
    \\t, \\n, ..., so that a name cannot start a line of its own (a CI workflow command such
    as `::error::`) or drive the terminal."""
    return _LINE_BREAKING.sub(_shown, str(text))


def visible(text: object) -> str:
    """Text with its control characters and bidi overrides shown as \\x1b, \\x202e, ...;
    tabs and line feeds kept (for formats where a line break is text, as in HTML and CSV)."""
    return _CONTROL.sub(_hex, str(text))


def _shown(match: re.Match) -> str:
    return _SHORT.get(match.group()) or _hex(match)


def _hex(match: re.Match) -> str:
    return f"\\x{ord(match.group()):02x}"


def one_line(text: object) -> str:
    """Text on one line, with runs of whitespace folded."""
    return " ".join(str(text).split())


def markdown(text: object) -> str:
    """Text safe inside Markdown paragraphs and table cells (GitHub-flavoured)."""
    cleaned = terminal(one_line(text))
    return _MD_SPECIAL.sub(r"\\\1", cleaned).replace("\n", " ")


def markdown_code(text: object) -> str:
    """Text shown as inline code, even when it contains backticks."""
    cleaned = terminal(one_line(text)).replace("|", "\\|")
    fence = "`" * (max((len(r) for r in re.findall(r"`+", cleaned)), default=0) + 1)
    pad = " " if cleaned.startswith("`") or cleaned.endswith("`") else ""
    return f"{fence}{pad}{cleaned}{pad}{fence}"
