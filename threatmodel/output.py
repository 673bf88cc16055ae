"""Writing output files atomically: a temporary file in the same directory, then a rename.

A reader (or a crash, a full disk, Ctrl-C) sees the previous file or the new one, never half
of one. A file that cannot be written is the user's environment, not a bug: it is reported
as bad input naming the path (exit 2), with every previous file left as it was.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from threatmodel.errors import Position, Problem, ThreatModelError

Content = str | bytes | Iterable[str]  # a file's text, its bytes, or its text in pieces


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


def write_all(directory: Path, files: Mapping[str, Content]) -> list[Path]:
    """Write every rendered file into `directory` (names made safe and distinct): all or
    nothing (see `Staging`). Returns the paths written, in the order of `files`."""
    with Staging(directory, list(files)) as staging:
        for name, content in files.items():
            staging.stage(name, content)
        return staging.commit()


class Staging:
    """Files written into `directory` as they come, then put in place all at once: all or
    nothing. A file's content is a text, bytes, or a text in pieces (`render.Pieces`, written
    piece by piece), so a run can write each report as soon as it is rendered and hold none.

    `open` (or the first file) takes the directory: under a lock on it (a second run into it
    waits for this one), stale temporary files of a killed run are removed and every target
    is checked. Each file is then written in full to a temporary file beside its target and
    flushed to disk, by this process or by a child forked after `open` (which hands its
    files over with `adopt`). `commit` renames them all over their targets, each old file
    kept under a temporary name until the last rename is done. If anything fails before or
    during it (disk full, no permission, a target that is a directory, Ctrl-C, an error while
    rendering, a child that died writing), the files already renamed are put back, every
    temporary file of these targets is removed, and the previous report set is left as it
    was (a directory this run made, empty, is removed)."""

    def __init__(self, directory: Path, names: list[str]):
        self.directory = Path(directory)
        targets = _distinct([self.directory / safe_name(name) for name in names])
        self.targets = dict(zip(names, targets, strict=True))
        self.staged: dict[str, str] = {}  # name: its temporary file
        self.opened = self.created = self.committing = self.committed = False
        self._lock = contextlib.ExitStack()

    def __enter__(self) -> Staging:
        return self

    def open(self) -> None:
        """Take the directory (once): make it, lock it, clear stale files, check targets."""
        if self.opened:
            return
        directory = self.directory
        if directory.exists() and not directory.is_dir():
            raise ThreatModelError(
                [
                    Problem(
                        message="the output path exists and is not a directory",
                        pos=Position(file=str(directory)),
                    )
                ]
            )
        self.created = not directory.exists()
        _make_directory(directory)
        self._lock.enter_context(locked(directory))
        self.opened = True  # only now: without the lock, another run's files are not stale
        targets = list(self.targets.values())
        _remove_stale(directory, targets)
        _check_targets(targets)

    def stage(self, name: str, content: Content) -> str:
        """Write the file `name` (one of the names given) to its temporary file; returns
        that file's name (what a child hands over)."""
        self.open()
        temp = self.staged[name] = _stage(self.targets[name], content)
        return temp

    def adopt(self, name: str, temp: str) -> None:
        """Take over the temporary file of `name` that a child of this run staged."""
        self.staged[name] = temp

    def commit(self) -> list[Path]:
        """Put every staged file in place at once; returns their paths, in the order named."""
        self.open()
        self._sweep()
        self.committing = True
        _replace_all([(self.staged[name], target) for name, target in self.targets.items()])
        self.staged.clear()
        self.committed = True
        return list(self.targets.values())

    def _sweep(self) -> None:
        """Remove the temporary files of these targets that are not staged here (what a child
        that failed left); under the lock no other run is writing any."""
        staged = {os.path.basename(temp) for temp in self.staged.values()}
        _remove_stale(self.directory, list(self.targets.values()), staged)

    def __exit__(self, *exc_info: object) -> None:
        try:
            for temp in self.staged.values():
                _unlink(temp)
            self.staged.clear()
            if self.opened and not self.committing:  # (a failed commit says what it kept)
                self._sweep()
        finally:
            self._lock.close()
        if self.committed:
            _sync_directory(self.directory)
        elif self.created:  # a failed first run leaves no empty directory behind
            with contextlib.suppress(OSError):
                self.directory.rmdir()


LOCK_WAIT = 60.0  # seconds a run waits for another run writing into the same directory


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold a lock on the output directory itself (an advisory `flock`, released when the
    process ends, however it ends; no lock file is left behind); a lock another run holds for
    longer than LOCK_WAIT is reported as bad input."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not a POSIX system: no lock
        yield
        return
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise _cannot_write(directory, exc) from None
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ThreatModelError(
                        [
                            Problem(
                                message="another run has been writing into this directory "
                                f"for over {LOCK_WAIT:.0f} s; try again when it has finished",
                                pos=Position(file=str(directory)),
                            )
                        ]
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def _remove_stale(directory: Path, targets: list[Path], keep: set[str] | None = None) -> None:
    """Remove the temporary files a killed run left beside these targets (`.NAME.XXXXXXXX.tmp`;
    under the lock no other run is writing them), but those whose names are in `keep`."""
    names = {path.name for path in targets}
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            match = _TEMP_NAME.fullmatch(entry.name)
            if (
                match
                and match[1] in names
                and entry.is_file(follow_symlinks=False)
                and entry.name not in (keep or ())
            ):
                _unlink(entry.path)


def _check_targets(targets: list[Path]) -> None:
    """Refuse, before anything is written, targets that no file can replace (directories)."""
    problems = [
        Problem(
            message="cannot write this file: a directory of that name is in the way",
            pos=Position(file=str(path)),
        )
        for path in targets
        if path.is_dir() and not path.is_symlink()
    ]
    if problems:
        raise ThreatModelError(problems)


def _replace_all(staged: list[tuple[str, Path]]) -> None:
    """Rename each staged file over its target, keeping the old one under a temporary name;
    on any failure put every old file back, so the set is the old one or the new one."""
    done: list[tuple[Path, str | None]] = []  # target, its old file's backup (None: was new)
    try:
        for temp, path in staged:
            done.append((path, _backup(path)))  # before the rename: Ctrl-C may come after it
            try:
                os.replace(temp, path)
            except OSError:
                backup = done.pop()[1]  # that rename did not happen
                if backup:
                    _unlink(backup)
                raise
    except BaseException as exc:
        failed = _roll_back(done)
        cause = _cannot_write(path, exc) if isinstance(exc, OSError) else None
        if failed:
            why = cause.problems if cause else ()
            if isinstance(exc, ThreatModelError):
                why = exc.problems
            mixed = [
                Problem(
                    message="this report is from the new run and its previous version could "
                    "not be put back"
                    + (f" (it is kept as {Path(backup).name})" if backup else "")
                    + "; the report set is mixed",
                    pos=Position(file=str(target)),
                )
                for target, backup in failed
            ]
            raise ThreatModelError([*why, *mixed], written=True) from None
        if cause:
            raise cause from None
        raise
    for _, backup in done:
        if backup:
            _unlink(backup)


def _backup(path: Path) -> str | None:
    """A second name for the file at `path` (a hard link, else a copy), or None if none is there."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    for _ in range(100):
        backup = str(path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp"))
        try:
            os.link(path, backup, follow_symlinks=False)
            return backup
        except FileExistsError:
            continue
        except OSError:  # no hard links on this file system: a copy
            import shutil

            try:
                shutil.copy2(path, backup, follow_symlinks=False)
            except OSError as exc:
                _unlink(backup)
                raise _cannot_write(path, exc) from None
            return backup
    raise _cannot_write(path, FileExistsError(17, "no free temporary name"))


def _roll_back(done: list[tuple[Path, str | None]]) -> list[tuple[Path, str | None]]:
    """Put back the old file of each target already replaced; returns those that could not be."""
    failed = []
    for path, backup in reversed(done):
        try:
            if backup:
                os.replace(backup, path)
                _unlink(backup)  # still there if `path` was never replaced (same file: no-op)
            else:
                os.unlink(path)  # it did not exist before this run
        except FileNotFoundError:
            pass  # the rename that would have made it never happened
        except OSError:
            failed.append((path, backup))
    return failed


def _make_directory(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(directory, exc) from None


def _stage(path: Path, content: Content) -> str:
    """Write `content` to a new temporary file beside `path`, on disk; returns its name."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(content, bytes):
                handle.write(content)
            elif isinstance(content, str):
                handle.write(content.encode("utf-8"))
            else:  # pieces, as they are made: encoded and written a buffer's worth at a time
                batch: list[str] = []
                size = 0
                for piece in content:
                    batch.append(piece)
                    size += len(piece)
                    if size >= _BUFFER:
                        handle.write("".join(batch).encode("utf-8"))
                        batch.clear()
                        size = 0
                handle.write("".join(batch).encode("utf-8"))
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


_BUFFER = 2**20  # characters of pieces gathered into one write of a staged file


def _mode_for(path: Path) -> int:
    """The permissions the new file gets: the old regular file's (read, write and execute bits
    only: never setuid, setgid or sticky), else what the umask gives a new file (mkstemp
    creates files readable by their owner only). A symbolic link is not followed: its target's
    mode is not the report's."""
    try:
        old = os.lstat(path)
        if stat.S_ISREG(old.st_mode):
            return stat.S_IMODE(old.st_mode) & 0o777
    except OSError:
        pass
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


_TEMP_NAME = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.tmp")  # as tempfile.mkstemp and _backup name them


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
