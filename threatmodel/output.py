"""Writing output files atomically: a temporary file in the same directory, then a rename.

A reader (or a crash, a full disk, Ctrl-C) sees the previous file or the new one, never half
of one. A file that cannot be written is the user's environment, not a bug: it is reported
as bad input naming the path (exit 2), with every previous file left as it was.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from threatmodel.errors import Position, Problem, ThreatModelError


def safe_name(name: str) -> str:
    """A file name that cannot leave its directory: path separators and dots neutralised."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".")
    return cleaned[:120] or "output"


def write_atomic(path: Path, content: str | bytes) -> None:
    """Replace `path` with `content` so that readers see the old file or the new one, never half."""
    path = Path(path)
    temp = _stage(path, content)
    try:
        os.replace(temp, path)
    except OSError as exc:
        _unlink(temp)
        raise _cannot_write(path, exc) from None
    except BaseException:
        _unlink(temp)
        raise
    _sync_directory(path.parent)


def write_all(directory: Path, files: dict[str, str | bytes]) -> list[Path]:
    """Write every rendered file into `directory` (names made safe and distinct): all or nothing.

    Everything is rendered before this is called. Each file is first written in full to a
    temporary file beside its target and flushed to disk; only when all of them are ready are
    they renamed over their targets. If staging fails (disk full, no permission) or the run is
    interrupted, the temporary files are removed and every previous report is left intact.
    """
    directory = Path(directory)
    targets = _distinct([directory / safe_name(name) for name in files])
    staged: list[tuple[str, Path]] = []
    created = not directory.exists()
    try:
        if not created and not directory.is_dir():
            raise ThreatModelError(
                [
                    Problem(
                        message="the output path exists and is not a directory",
                        pos=Position(file=str(directory)),
                    )
                ]
            )
        for path, content in zip(targets, files.values(), strict=False):
            staged.append((_stage(path, content), path))
        while staged:
            temp, path = staged[0]
            try:
                os.replace(temp, path)
            except OSError as exc:
                raise _cannot_write(path, exc) from None
            staged.pop(0)
        created = False  # done: keep the directory
    finally:
        for temp, _ in staged:
            _unlink(temp)
        if created:  # a failed first run leaves no empty directory behind
            with contextlib.suppress(OSError):
                directory.rmdir()
    _sync_directory(directory)
    return targets


def _stage(path: Path, content: str | bytes) -> str:
    """Write `content` to a new temporary file beside `path`, on disk; returns its name."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, _mode_for(path))
    except OSError as exc:
        _unlink(temp)
        raise _cannot_write(path, exc) from None
    except BaseException:
        _unlink(temp)
        raise
    return temp


def _mode_for(path: Path) -> int:
    """The permissions the new file gets: the old file's, else what the umask gives a new file
    (mkstemp creates files readable by their owner only)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def _distinct(paths: list[Path]) -> list[Path]:
    """The paths, with a -2, -3, ... before the suffix of any name already taken."""
    seen: set[str] = set()
    result = []
    for path in paths:
        candidate, number = path, 1
        while candidate.name.lower() in seen:  # case-insensitive file systems collide too
            number += 1
            candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        seen.add(candidate.name.lower())
        result.append(candidate)
    return result


def _cannot_write(path: Path, exc: OSError) -> ThreatModelError:
    reason = exc.strerror or str(exc)
    return ThreatModelError(
        [Problem(message=f"cannot write this file: {reason}", pos=Position(file=str(path)))]
    )


def _sync_directory(directory: Path) -> None:
    """Make the renames durable (best effort: not every system can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink(temp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temp)
