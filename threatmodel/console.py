"""The one way text reaches the terminal: every line threatmodel prints for people passes here.

The command line wraps stdout and stderr in `TerminalStream` for the whole run, so that no
message, table or `wrote ...` line can carry a control sequence, whichever code printed it.
Values inside a line are escaped where the line is made (`render.escape.terminal`, which also
escapes line breaks, so a name stays on its line); this guard is the second wall: it shows any
control character left as `\\x1b`, ... (only colour codes, `ESC [ digits m`, which merely colour
text, pass) and breaks a line that would start with `::`, which a GitHub Actions log runs as a
workflow command. A document the user asked for on stdout (JSON, YAML, Markdown, SVG, PNG)
is written exactly as rendered with `document`.
"""

from __future__ import annotations

import io
import re
import sys
from typing import Any, TextIO

_COLOUR = r"\x1b\[[0-9;]{0,16}m"
_UNSAFE = re.compile(
    rf"({_COLOUR})|[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_COMMAND_START = re.compile(r"(?m)^([ \t]*):(?=:)")  # `::name ...::` as a CI runner reads it


def guard(text: str, line_start: bool = True) -> str:
    """`text` with every control character but tab and line feed shown as \\xNN and a ':'
    that would open a line with '::' shown as \\x3a (`line_start`: the text begins a line)."""
    text = _UNSAFE.sub(lambda m: m.group(1) or f"\\x{ord(m.group()):02x}", text)
    if not line_start:
        head, newline, rest = text.partition("\n")
        return head + newline + _COMMAND_START.sub(r"\1\\x3a", rest) if newline else text
    return _COMMAND_START.sub(r"\1\\x3a", text)


class TerminalStream(io.TextIOBase):
    """A text stream that passes everything written to it through `guard`."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self._line_start = True

    def write(self, text: str) -> int:
        if text:
            self.stream.write(guard(text, self._line_start))
            self._line_start = text.endswith("\n")
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.stream, "errors", None)

    @property
    def buffer(self) -> Any:
        return self.stream.buffer


def document(content: str | bytes) -> None:
    """Write a rendered document to stdout unchanged (escaped for its own format already)."""
    stream = _unguarded(sys.stdout)
    if isinstance(content, bytes):
        stream.buffer.write(content)
        stream.buffer.flush()
    else:
        stream.write(content)


def progress(text: str) -> None:
    """Show `text` over the current line of stderr (a progress counter)."""
    stream = _unguarded(sys.stderr)
    stream.write("\r" + guard(text))
    stream.flush()


def _unguarded(stream: Any) -> Any:
    return stream.stream if isinstance(stream, TerminalStream) else stream
