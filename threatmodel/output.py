"""Writing output files atomically: a temporary file in the same directory, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def safe_name(name: str) -> str:
    """A file name that cannot leave its directory: path separators and dots neutralised."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".")
    return cleaned[:120] or "output"


def write_atomic(path: Path, content: str | bytes) -> None:
    """Replace `path` with `content` so that readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def write_all(directory: Path, files: dict[str, str | bytes]) -> list[Path]:
    """Write every rendered file into `directory` (names made safe); returns the paths.

    Everything is rendered before this is called, so a failure while rendering writes nothing.
    """
    written = []
    for name, content in files.items():
        path = directory / safe_name(name)
        write_atomic(path, content)
        written.append(path)
    return written
