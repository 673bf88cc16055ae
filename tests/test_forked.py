"""Reports rendered side by side in a forked child: the same bytes as one process renders,
and a child that fails costs nothing but time (its share is rendered here, errors and all)."""

from __future__ import annotations

import functools
import os
import pickle
import time

import attrs
import pytest

from threatmodel import forked, render
from threatmodel.errors import Position, Problem, ThreatModelError

pytestmark = pytest.mark.skipif(not forked.AVAILABLE, reason="the platform cannot fork")

TEXT = ["json", "md", "html", "sarif", "csv"]


@pytest.fixture(scope="module")
def report(small_report):
    return small_report


def _zombies_of_this_process() -> list[int]:
    """Children of this process left unreaped."""
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return []
    return [pid] if pid else []


def test_the_child_returns_its_result():
    with forked.Forked(lambda: {"pid": os.getpid(), "text": "é" * 100_000}) as child:
        value = child.result()
    assert value["pid"] != os.getpid() and value["text"] == "é" * 100_000
    assert child.pid is None and not _zombies_of_this_process()


def test_a_failing_child_gives_none_and_is_reaped():
    def fail():
        raise ThreatModelError([Problem(message="bad", pos=Position(file="x"))])

    with forked.Forked(fail) as child:
        assert child.result() is None
    assert not _zombies_of_this_process()


def test_a_child_is_stopped_and_reaped_when_this_process_fails_first():
    started = time.monotonic()
    with pytest.raises(KeyError), forked.Forked(functools.partial(time.sleep, 60)) as child:
        raise KeyError("this process failed before asking for the child's result")
    assert child.pid is None and not _zombies_of_this_process()
    assert time.monotonic() - started < 30  # stopped, not waited for


def test_a_fork_that_fails_is_a_child_that_gives_nothing(monkeypatch):
    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    with forked.Forked(lambda: 1) as child:
        assert child.result() is None


def test_the_costly_formats_split_in_two_shares_of_about_equal_cost():
    assert render._shares(["dot", *TEXT]) == (["html", "csv"], ["json", "sarif", "dot", "md"])
    assert render._shares(["json", "md"]) == (["json"], ["md"])


def test_two_processes_render_the_same_bytes_in_the_same_order(report):
    assert forked.usable()  # else the test would compare one process with itself
    one = render.render_formats(report, TEXT)
    two = render.render_formats(report, TEXT, render.RenderOptions(processes=2))
    assert list(two) == list(one) == [render.file_name(f) for f in TEXT]
    assert two == one


def test_the_childs_share_is_rendered_here_when_the_child_fails(report, monkeypatch):
    """A child that dies (here: the HTML renderer fails only outside this process) loses
    nothing: its share is rendered again in this process."""
    here = os.getpid()
    real = render.renderer

    def renderer(name):
        function = real(name)

        def only_here(*args, **kwargs):
            if os.getpid() != here:
                os._exit(9)
            return function(*args, **kwargs)

        return only_here if name == "html" else function

    monkeypatch.setattr(render, "renderer", renderer)
    two = render.render_formats(report, TEXT, render.RenderOptions(processes=2))
    monkeypatch.setattr(render, "renderer", real)
    assert two == render.render_formats(report, TEXT)


def test_bad_input_met_in_the_childs_share_is_raised_here_once(report, monkeypatch):
    """A user's template that fails in the child fails the run as it would without one, and
    is not rendered a second time here (a template that runs out its time would double it)."""
    here = os.getpid()
    real = render.renderer
    calls_here = []

    def renderer(name):
        if name != "html":
            return real(name)

        def failing(*args, **kwargs):
            if os.getpid() == here:
                calls_here.append(name)
            raise ThreatModelError([Problem(message="template broke", pos=Position(file="t"))])

        return failing

    monkeypatch.setattr(render, "renderer", renderer)
    options = attrs.evolve(render.RenderOptions(), processes=2)
    with pytest.raises(ThreatModelError, match="t: template broke") as raised:
        render.render_formats(report, TEXT, options)
    assert raised.value.problems == (Problem(message="template broke", pos=Position(file="t")),)
    assert calls_here == [] and not _zombies_of_this_process()


def test_bad_input_errors_pickle_as_they_were_made():
    error = ThreatModelError(
        [
            Problem(message="b", pos=Position(file="f", line=2)),
            Problem(message="a", pos=Position(file="e")),
        ],
        True,
    )
    again = pickle.loads(pickle.dumps(error))
    assert (again.problems, again.written, str(again)) == (error.problems, True, str(error))


def test_a_child_that_fails_otherwise_gives_none():
    with forked.Forked(lambda: 1 / 0, passes=(ThreatModelError,)) as child:
        assert child.result() is None


def test_one_costly_format_or_one_process_forks_nothing(report, monkeypatch):
    def no_fork(*args, **kwargs):
        raise AssertionError("forked")

    monkeypatch.setattr(forked, "Forked", no_fork)
    render.render_formats(report, ["html", "md"], render.RenderOptions(processes=2))
    render.render_formats(report, TEXT, render.RenderOptions(processes=1))


def _machine(monkeypatch, files: dict[str, str]) -> None:
    """Read /proc and /sys from `files` (a path not named cannot be read)."""
    monkeypatch.setattr(forked, "_read", lambda path: files.get(path, ""))


GIB = 2**30
PAGE = os.sysconf("SC_PAGE_SIZE")


@pytest.mark.parametrize(
    ("files", "room"),
    [
        ({}, []),  # nothing readable: no limit known
        ({"/proc/meminfo": "MemTotal: 8 kB\nMemAvailable:  2048 kB\n"}, [2 * 2**20]),
        (  # cgroup v2 with a limit
            {
                "/proc/self/cgroup": "0::/ci/job\n",
                "/sys/fs/cgroup/ci/job/memory.max": "3221225472\n",
                "/sys/fs/cgroup/ci/job/memory.current": "1073741824\n",
            },
            [2 * GIB],
        ),
        (  # cgroup v2 without one
            {
                "/proc/self/cgroup": "0::/\n",
                "/sys/fs/cgroup/memory.max": "max\n",
                "/sys/fs/cgroup/memory.current": "1073741824\n",
            },
            [],
        ),
        (  # cgroup v1: the memory controller's line; no limit is a huge number
            {
                "/proc/self/cgroup": "5:devices:/\n4:memory:/job\n0::/\nbroken line\n",
                "/sys/fs/cgroup/memory/job/memory.limit_in_bytes": "9223372036854771712\n",
                "/sys/fs/cgroup/memory/job/memory.usage_in_bytes": "1392422912\n",
            },
            [],
        ),
        (
            {
                "/proc/self/cgroup": "4:cpu,memory:/job\n",
                "/sys/fs/cgroup/memory/job/memory.limit_in_bytes": "2147483648\n",
                "/sys/fs/cgroup/memory/job/memory.usage_in_bytes": "1610612736\n",
            },
            [GIB // 2],
        ),
    ],
)
def test_the_memory_left_is_read_from_the_machine_and_the_control_group(monkeypatch, files, room):
    _machine(monkeypatch, files)
    assert forked._room() == room


def test_no_child_without_room_for_a_copy_of_this_process(monkeypatch):
    pages = 256 * 2**20 // PAGE  # a 256 MB process
    files = {"/proc/self/statm": f"{pages * 2} {pages} 0 0 0 0 0\n"}
    _machine(monkeypatch, {**files, "/proc/meminfo": "MemAvailable: 204800 kB\n"})
    assert forked._resident() == 256 * 2**20 and not forked.usable()  # 200 MB left
    _machine(monkeypatch, {**files, "/proc/meminfo": "MemAvailable: 4194304 kB\n"})
    assert forked.usable()  # 4 GB left
    _machine(monkeypatch, {})
    assert forked.usable()  # nothing known: as before
