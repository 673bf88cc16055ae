"""Work done in a forked child process while this process does its own share.

`Forked(work, passes=...)` forks: the child runs `work()`, sends its pickled result back
through a pipe and exits at once, so nothing of this process's cleanup runs twice. This
process goes on with its own share and then asks `result()`: the child's value; an exception
of the types `passes` names (bad input, say) raised as the child raised it; or None when the
child could not deliver either (any other exception, a signal, no memory, no process or pipe
to spare). The caller then does the child's share itself, and so meets that failure exactly
as a run without a child would, with its own traceback. The pipe is private to the two
processes: what comes through it is the child's own pickle, never outside input.

Signals: SIGINT and SIGTERM are held back while the child is made, so that an interrupt
lands either before the fork or after this process has recorded its child; the child
takes the default action for them (it ends at once, never unwinding through its parent's
code), and it is killed when its parent dies (Linux), so it never renders for nobody.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import queue
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import IO, Any, TypeVar

# fork copies only the calling thread; macOS's system libraries are not safe after it, and
# Windows has no fork
AVAILABLE = hasattr(os, "fork") and sys.platform != "darwin"
_HELD = {signal.SIGINT, signal.SIGTERM}
T = TypeVar("T")
U = TypeVar("U")


def usable() -> bool:
    """Whether a child can be forked safely now: the platform forks, this process runs one
    thread (a lock another thread holds would never be released in the child), and the
    memory left could hold a full copy of this process (a child shares its parent's pages
    only until it touches them; with no room, the system could kill either process)."""
    if not AVAILABLE or threading.active_count() != 1:
        return False
    resident = _resident()
    return all(room > resident for room in _room())


class Forked:
    """`work()` running in a forked child; use as a context manager, which stops and reaps
    the child if its result was not collected."""

    def __init__(self, work: Callable[[], Any], passes: tuple[type[BaseException], ...] = ()):
        self.pid: int | None = None
        self.reader: int | None = None
        held = _hold()
        parent = os.getpid()
        try:
            reader, writer = os.pipe()
        except OSError:  # no descriptor to spare: a child that gives nothing
            _release(held)
            return
        try:
            pid = os.fork()
        except BaseException:  # no process to spare: a child that gives nothing
            os.close(reader)
            os.close(writer)
            _release(held)
            return
        if pid == 0:  # the child: never returns
            _deliver(work, passes, (parent, reader, writer), held)
        os.close(writer)
        self.pid, self.reader = pid, reader
        try:
            _release(held)  # an interrupt held back meanwhile is raised here
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def result(self) -> Any:
        """The child's return value (or its exception of `passes`, raised), or None if it
        failed otherwise. Reaps the child."""
        try:
            if self.reader is None:  # no child, or asked twice
                return None
            with open(self.reader, "rb", closefd=False) as pipe:
                try:  # read as it comes: the pickle of big outputs is never held whole
                    returned, value = pickle.load(pipe)  # the child's own (see the docstring)
                except Exception:  # none, cut short (the child died writing), or an error
                    returned, value = None, None  # that cannot be remade
            status = self._reap()
        finally:
            self._close()
        if status not in (0, None) or returned is None:
            return None
        if not returned:
            raise value
        return value

    def _reap(self) -> int | None:
        """The child's exit status, once it has ended; None if the system reaped it (this
        process ignores SIGCHLD)."""
        if self.pid is None:
            return -1
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            status = None
        self.pid = None
        return None if status is None else os.waitstatus_to_exitcode(status)

    def _close(self) -> None:
        reader, self.reader = self.reader, None
        if reader is not None:
            os.close(reader)

    def __enter__(self) -> Forked:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if self.pid is not None:  # this process failed before collecting: stop the child
                with contextlib.suppress(ProcessLookupError):  # reaped by the system already
                    os.kill(self.pid, signal.SIGKILL)
                self._reap()
        finally:
            self._close()


class Fed:
    """`work(stream)` running in a forked child that reads, as it comes, the text this process
    `send`s (UTF-8 through a pipe), so that it can work on the start of a text while this
    process makes the rest; `result()` ends the text and gives what `Forked.result` gives.
    A thread of this process writes to the pipe, so that `send` never waits for the child
    to catch up. A text not wholly sent (the child stopped reading, the text could not be
    encoded, the thread failed in any way) gives None, and the child is stopped unasked: it
    never answers for part of a text. So does a pipe, process or thread the system refuses.
    Fork no other child while feeding one: it would hold the pipe open."""

    def __init__(self, work: Callable[[IO[str]], Any]):
        self.sent = False  # set by the thread once the whole text is in the pipe, and its end
        self.parts: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self.writer: threading.Thread | None = None
        self.child: Forked | None = None
        try:
            reader, writer = os.pipe()
        except OSError:  # no descriptor to spare: a child that gives nothing
            return
        with contextlib.suppress(ImportError, OSError, AttributeError):  # Linux: a bigger pipe
            import fcntl  # (Unix only)

            fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)  # fewer turns of the thread

        def read() -> Any:
            os.close(writer)  # the child's copy: the text ends when this process closes its own
            with open(reader, encoding="utf-8") as stream:
                return work(stream)

        try:
            self.child = Forked(read)
        except BaseException:
            os.close(writer)
            raise
        finally:
            os.close(reader)
        if self.child.pid is None:
            os.close(writer)
            return
        pipe: IO[str] | None = None
        try:
            pipe = open(writer, "w", encoding="utf-8")  # noqa: SIM115 - the thread closes it
            thread = threading.Thread(
                target=self._write, args=(pipe,), name="threatmodel-fed", daemon=True
            )
            thread.start()
        except BaseException as error:  # no thread to spare, or an interrupt: no child either
            self.parts.put(None)  # (a thread started after all ends)
            with contextlib.suppress(OSError):
                if pipe is None:
                    os.close(writer)
                else:
                    pipe.close()
            self.child.__exit__(None, None, None)
            if not isinstance(error, RuntimeError):
                raise
            return
        self.writer = thread

    def send(self, text: str) -> None:
        """Add `text` to what the child reads."""
        if self.writer is not None:
            self.parts.put(text)

    def result(self) -> Any:
        """The child's result for the whole text (None: see the class)."""
        self._end()
        if self.child is None:
            return None
        if not self.sent:
            self.child.__exit__(None, None, None)  # stopped before it reads an end too soon
            return None
        return self.child.result()

    def _write(self, pipe: IO[str]) -> None:
        """The thread: the parts into the pipe, then its end; `sent` once all of it went."""
        try:
            while (text := self.parts.get()) is not None:
                pipe.write(text)  # waits while the child catches up
            pipe.close()
            self.sent = True
        except BaseException:  # the child is gone, a character UTF-8 cannot hold, no memory...
            with contextlib.suppress(BaseException):
                pipe.close()

    def _end(self) -> None:
        writer, self.writer = self.writer, None
        if writer is not None:
            self.parts.put(None)
            writer.join()

    def __enter__(self) -> Fed:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.child is not None:  # the child stopped if not collected, then the thread ended
            self.child.__exit__(None, None, None)
            self._end()


_PIPE_SIZE = 1 << 20  # Linux's largest pipe for a process without privileges (by default)


class Turns:
    """`items` handed out one at a time to whichever process asks next, this one or a child
    forked after it was made: each is a byte in a pipe, and reading one byte of a pipe is
    atomic, so no item is handed out twice, and none waits while either process is free.
    Iterate to take items until none is left; `close` when done. At most 256 items."""

    def __init__(self, items: Iterable[Any]):
        self.items = list(items)
        if len(self.items) > 256:
            raise ValueError("at most 256 items")
        self.reader: int | None = None
        reader, writer = os.pipe()  # OSError when no descriptor is left
        try:
            os.write(writer, bytes(range(len(self.items))))  # far below a pipe's buffer
        except BaseException:
            os.close(reader)
            raise
        finally:
            os.close(writer)  # read to its end, the pipe then reads as closed
        self.reader = reader

    def __iter__(self) -> Iterator[Any]:
        while self.reader is not None and (byte := os.read(self.reader, 1)):
            yield self.items[byte[0]]

    def close(self) -> None:
        reader, self.reader = self.reader, None
        if reader is not None:
            os.close(reader)

    def __enter__(self) -> Turns:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def turns(items: Iterable[Any]) -> Turns | None:
    """`Turns` over `items`, where a child can be forked now (`usable`) and the system has a
    descriptor to spare; else None (this process does them all)."""
    if not usable():
        return None
    try:
        return Turns(items)
    except OSError:  # no descriptor to spare
        return None


def beside(
    theirs: Callable[[], T], mine: Callable[[], U], passes: tuple[type[BaseException], ...] = ()
) -> tuple[T, U]:
    """`(theirs(), mine())`, with `theirs` run in a forked child while this process runs
    `mine`, when a child can be forked (`usable`). An exception of `passes` in the child is
    raised here (after `mine`); any other failure of the child runs `theirs` here."""
    if not usable():
        return theirs(), mine()
    with Forked(lambda: (theirs(),), passes) as child:
        own = mine()
        delivered = child.result()
    return (theirs() if delivered is None else delivered[0]), own


def _hold() -> set[int | signal.Signals] | None:
    """Hold back SIGINT and SIGTERM (the mask before, or None where that cannot be done)."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)


def _release(held: set[int | signal.Signals] | None) -> None:
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _deliver(
    work: Callable[[], Any],
    passes: tuple[type[BaseException], ...],
    family: tuple[int, int, int],
    held: set[int | signal.Signals] | None,
) -> None:
    """The child's life: run `work`, write the pickle to the pipe, exit (never returns).
    `family` is the parent's pid and the pipe's two ends."""
    status = 1
    try:
        parent, reader, writer = family
        os.close(reader)
        for number in _HELD:
            signal.signal(number, signal.SIG_DFL)  # an interrupt ends the child at once
        _die_with_parent()
        if os.getppid() != parent:  # the parent died before that took hold
            return
        _release(held)
        gc.disable()  # a collection would touch, and so copy, every object inherited
        try:
            payload = (True, work())
        except passes as error:
            payload = (False, error)
        with open(writer, "wb") as pipe:  # written as it is made, never held whole
            pickle.dump(payload, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    except BaseException:  # any failure: the parent does the work itself
        pass
    finally:
        os._exit(status)


def _die_with_parent() -> None:
    """Have the kernel kill this process when its parent dies (Linux's PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG


def _resident() -> int:
    """This process's resident memory in bytes (0 where /proc does not tell)."""
    fields = _read("/proc/self/statm").split()
    if len(fields) < 2 or not fields[1].isdigit():
        return 0
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")


def _room() -> list[int]:
    """Bytes of memory left to this process: the machine's available memory, and what the
    limits of its control group and the groups above it leave (cgroup v2 or v1; reclaimable
    file cache counts as left). Empty where none of it can be read."""
    room = []
    meminfo = _numbers(_read("/proc/meminfo"), "MemAvailable:")
    if "MemAvailable:" in meminfo:
        room.append(meminfo["MemAvailable:"] * 1024)
    for line in _read("/proc/self/cgroup").splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        controllers, path = parts[1], parts[2]
        if controllers == "":  # v2
            mount, names = "/sys/fs/cgroup", ("memory.max", "memory.current", "inactive_file")
        elif "memory" in controllers.split(","):  # v1
            mount = "/sys/fs/cgroup/memory"
            names = ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file")
        else:
            continue
        room.extend(_group_room(mount, path, *names))
    return room


def _group_room(mount: str, path: str, limit_file: str, usage_file: str, cache: str) -> list[int]:
    """What the limit of each group from `path` up to the mount's root leaves. (In a container
    without its own cgroup namespace, `path` names a group the container sees as the root.)"""
    room = []
    parts = [p for p in path.split("/") if p]
    for depth in range(len(parts), -1, -1):
        directory = "/".join([mount, *parts[:depth]])
        limit, usage = (_read(f"{directory}/{name}").strip() for name in (limit_file, usage_file))
        if not (limit.isdigit() and usage.isdigit()) or int(limit) >= 2**62:
            continue  # no such group here, or no limit set
        reclaimable = _numbers(_read(f"{directory}/memory.stat"), cache).get(cache, 0)
        room.append(int(limit) - int(usage) + reclaimable)
    return room


def _numbers(text: str, *names: str) -> dict[str, int]:
    """The numbers of the lines of `text` that start with one of `names` ("name value")."""
    found = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] in names and fields[1].isdigit():
            found[fields[0]] = int(fields[1])
    return found


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii") as file:
            return file.read(65536)
    except (OSError, ValueError):
        return ""
