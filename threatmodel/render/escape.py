"""Escaping of model and catalog text for each output: terminal, Markdown, HTML attributes."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def terminal(text: object) -> str:
    """Text safe to print: control characters (ANSI escapes, bidi overrides) made visible."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


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
