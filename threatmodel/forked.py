"""Work done in a forked child process while this process does its own share.

`Forked(work, passes=...)` forks: the child runs `work()`, sends its pickled result back
through a pipe and exits at once, so nothing of this process's cleanup runs twice. This
process goes on with its own share and then asks `result()`: the child's value; an exception
of the types `passes` names (bad input, say) raised as the child raised it; or None when the
child could not deliver either (any other exception, a signal, no memory). The caller then
does the child's share itself, and so meets that failure exactly as a run without a child
would, with its own traceback. The pipe is private to the two processes: what comes through
it is the child's own pickle, never outside input.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

# fork copies only the calling thread; macOS's system libraries are not safe after it, and
# Windows has no fork
AVAILABLE = hasattr(os, "fork") and sys.platform != "darwin"


def usable() -> bool:
    """Whether a child can be forked safely now: the platform forks, this process runs one
    thread (a lock another thread holds would never be released in the child), and the
    memory left could hold a full copy of this process (a child shares its parent's pages
    only until it touches them; with no room, the system could kill either process)."""
    return AVAILABLE and threading.active_count() == 1 and all(r > _resident() for r in _room())


def _resident() -> int:
    """This process's resident memory in bytes (0 where /proc does not tell)."""
    fields = _read("/proc/self/statm").split()
    if len(fields) < 2 or not fields[1].isdigit():
        return 0
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")


def _room() -> list[int]:
    """Bytes of memory left to this process: the machine's available memory, and what the
    limit of its control group (cgroup v2 or v1) leaves. Empty where none of it can be read."""
    room = []
    for line in _read("/proc/meminfo").splitlines():
        fields = line.split()
        if fields[:1] == ["MemAvailable:"] and fields[1:2] and fields[1].isdigit():
            room.append(int(fields[1]) * 1024)
    for line in _read("/proc/self/cgroup").splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        controllers, path = parts[1], parts[2]
        if controllers == "":  # v2
            files = f"/sys/fs/cgroup{path}/memory.max", f"/sys/fs/cgroup{path}/memory.current"
        elif "memory" in controllers.split(","):  # v1
            base = f"/sys/fs/cgroup/memory{path}"
            files = f"{base}/memory.limit_in_bytes", f"{base}/memory.usage_in_bytes"
        else:
            continue
        limit, used = (_read(name).strip() for name in files)
        if limit.isdigit() and used.isdigit() and int(limit) < 2**62:  # else: no limit set
            room.append(int(limit) - int(used))
    return room


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii") as file:
            return file.read(65536)
    except (OSError, ValueError):
        return ""


class Forked:
    """`work()` running in a forked child; use as a context manager, which stops and reaps
    the child if its result was not collected."""

    def __init__(self, work: Callable[[], Any], passes: tuple[type[BaseException], ...] = ()):
        self.pid: int | None = None
        self.reader: int | None
        self.reader, writer = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no process to spare: a child that gives nothing
            os.close(writer)
            return
        if pid == 0:  # the child: never returns
            os.close(self.reader)
            _deliver(work, passes, writer)
        os.close(writer)
        self.pid = pid

    def result(self) -> Any:
        """The child's return value (or its exception of `passes`, raised), or None if it
        failed otherwise. Reaps the child."""
        reader, self.reader = self.reader, None
        if reader is None:  # asked twice
            return None
        with open(reader, "rb") as pipe:
            data = pipe.read()
        status = self._reap()
        if status != 0 or not data:
            return None
        returned, value = pickle.loads(data)  # the child's own pickle (see the docstring)
        if not returned:
            raise value
        return value

    def _reap(self) -> int:
        pid, self.pid = self.pid, None
        if pid is None:
            return -1
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)

    def __enter__(self) -> Forked:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.pid is not None:  # this process failed before collecting: stop the child
            os.kill(self.pid, signal.SIGKILL)
            self._reap()
        if self.reader is not None:  # not read (result() closes it)
            os.close(self.reader)


def _deliver(work: Callable[[], Any], passes: tuple[type[BaseException], ...], writer: int) -> None:
    status = 1
    try:
        gc.disable()  # a collection would touch, and so copy, every object inherited
        try:
            payload = (True, work())
        except passes as error:
            payload = (False, error)
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        with open(writer, "wb") as pipe:
            pipe.write(data)
        status = 0
    except BaseException:  # any failure: the parent does the work itself
        pass
    finally:
        os._exit(status)
