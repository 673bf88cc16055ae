"""Reports rendered side by side in a forked child: the same bytes as one process renders,
and a child that fails costs nothing but time (its share is rendered here, errors and all)."""

from __future__ import annotations

import functools
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import attrs
import pytest

from threatmodel import forked, render
from threatmodel.errors import Position, Problem, ThreatModelError

pytestmark = pytest.mark.skipif(not forked.AVAILABLE, reason="the platform cannot fork")

TEXT = ["json", "md", "html", "sarif", "csv"]


@pytest.fixture(scope="module")
def report(small_report):
    return small_report


def _reaped(pid: int) -> bool:
    """Whether the child `pid` has ended and been reaped (neither running nor a zombie)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _open_descriptors() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


@pytest.fixture
def roomy(monkeypatch):
    """The render tests fork whatever memory the machine running them has left."""
    monkeypatch.setattr(forked, "_room", list)


def test_the_child_returns_its_result():
    before = _open_descriptors()
    with forked.Forked(lambda: {"pid": os.getpid(), "text": "é" * 100_000}) as child:
        pid = child.pid
        value = child.result()
    assert value["pid"] == pid != os.getpid() and value["text"] == "é" * 100_000
    assert _reaped(pid) and _open_descriptors() == before


def test_a_failing_child_gives_none_and_is_reaped():
    def fail():
        raise ThreatModelError([Problem(message="bad", pos=Position(file="x"))])

    before = _open_descriptors()
    with forked.Forked(fail) as child:
        pid = child.pid
        assert child.result() is None
    assert _reaped(pid) and _open_descriptors() == before


def test_a_child_is_stopped_and_reaped_when_this_process_fails_first():
    started, before = time.monotonic(), _open_descriptors()
    with pytest.raises(KeyError), forked.Forked(functools.partial(time.sleep, 60)) as child:
        pid = child.pid
        raise KeyError("this process failed before asking for the child's result")
    assert _reaped(pid) and _open_descriptors() == before
    assert time.monotonic() - started < 30  # stopped, not waited for


@pytest.mark.parametrize("call", ["fork", "pipe"])
def test_no_process_or_pipe_to_spare_is_a_child_that_gives_nothing(monkeypatch, call):
    def refused(*args):
        raise OSError(11 if call == "fork" else 24, "refused")

    before = _open_descriptors()
    monkeypatch.setattr(os, call, refused)
    with forked.Forked(lambda: 1) as child:
        assert child.result() is None
    assert _open_descriptors() == before


def test_the_result_comes_back_when_the_system_reaps_children_itself():
    """A parent may start us with SIGCHLD ignored: then the kernel reaps the child, and
    waiting for it finds none."""
    old = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        with forked.Forked(lambda: "done") as child:
            assert child.result() == "done"
        with pytest.raises(KeyError), forked.Forked(functools.partial(time.sleep, 60)):
            raise KeyError("this process failed first")
    finally:
        signal.signal(signal.SIGCHLD, old)


def test_the_child_dies_with_its_parent(tmp_path):
    """A parent killed outright (SIGKILL) does not leave its child rendering for nobody."""
    script = (
        "import functools, sys, time\n"
        "from threatmodel import forked\n"
        "child = forked.Forked(functools.partial(time.sleep, 60))\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(forked.__file__).parents[1])},
    ) as parent:
        child = int(parent.stdout.readline())
        parent.kill()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie no longer does)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_turns_hand_each_item_to_one_process_only(tmp_path):
    """Two processes taking turns at once: every item is taken, by one of them, once."""
    before = _open_descriptors()
    items = [f"item {n}" for n in range(200)]
    with forked.Turns(items) as turns:
        with forked.Forked(lambda: [(item, time.sleep(0.001))[0] for item in turns]) as child:
            mine = [(item, time.sleep(0.001))[0] for item in turns]
            theirs = child.result()
    assert mine and theirs  # both took some
    assert sorted(mine + theirs) == sorted(items)
    assert list(turns) == [] and _open_descriptors() == before


def test_a_fed_child_reads_the_whole_text_as_it_is_sent():
    before = _open_descriptors()
    parts = ["a: 1\n", "é" * 300_000, "\n", "b" * 2_000_000]  # more than a pipe holds
    with forked.Fed(lambda stream: (os.getpid(), stream.read())) as fed:
        pid = fed.child.pid
        for part in parts:
            fed.send(part)
        assert fed.result() == (pid, "".join(parts)) and pid != os.getpid()
    assert _reaped(pid) and _open_descriptors() == before


def test_a_fed_child_never_answers_for_part_of_a_text():
    """A part that cannot be sent (a lone surrogate is no UTF-8) ends the feeding: the child,
    which has read what came before it and then an end, is stopped, never asked."""
    before = _open_descriptors()
    with forked.Fed(lambda stream: ("an answer for", stream.read())) as fed:
        pid = fed.child.pid
        fed.send("first part\n")
        fed.send("\ud800")
        fed.send("last part\n")
        assert fed.result() is None
    assert _reaped(pid) and _open_descriptors() == before


def test_a_fed_child_that_dies_gives_none_and_so_does_one_never_forked(monkeypatch):
    before = _open_descriptors()
    with forked.Fed(lambda stream: os._exit(3)) as fed:
        pid = fed.child.pid
        for _ in range(5):
            fed.send("x" * 1_000_000)  # past what the pipe holds: the child is gone
        assert fed.result() is None
    assert _reaped(pid) and _open_descriptors() == before
    monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(OSError(11, "refused")))
    with forked.Fed(lambda stream: stream.read()) as fed:
        fed.send("text")
        assert fed.result() is None
    assert _open_descriptors() == before


def test_a_fed_child_is_stopped_when_this_process_fails_while_feeding_it():
    started, before = time.monotonic(), _open_descriptors()
    with pytest.raises(KeyError), forked.Fed(lambda stream: stream.read()) as fed:
        pid = fed.child.pid
        fed.send("x" * 3_000_000)  # the thread waits for a child that reads slowly or not
        raise KeyError("this process failed before the text was whole")
    assert _reaped(pid) and _open_descriptors() == before
    assert time.monotonic() - started < 30


def test_beside_runs_theirs_in_a_child_and_mine_here(roomy):
    theirs, mine = forked.beside(os.getpid, os.getpid)
    assert mine == os.getpid() != theirs


def test_beside_runs_theirs_here_when_the_child_fails_otherwise(roomy):
    here = os.getpid()

    def theirs():
        if os.getpid() != here:
            os._exit(9)
        return "here"

    assert forked.beside(theirs, lambda: "mine") == ("here", "mine")


def test_beside_raises_bad_input_from_the_child_once(roomy, tmp_path):
    calls = tmp_path / "calls"

    def theirs():
        with calls.open("a") as log:
            log.write(f"{os.getpid()}\n")
        raise ThreatModelError([Problem(message="bad", pos=Position(file="x"))])

    with pytest.raises(ThreatModelError, match="x: bad"):
        forked.beside(theirs, lambda: None, passes=(ThreatModelError,))
    assert calls.read_text().split() != [str(os.getpid())] and len(calls.read_text().split()) == 1


def test_turns_take_at_most_256_items():
    with pytest.raises(ValueError, match="256"):
        forked.Turns(range(257))


def test_two_processes_render_the_same_bytes_in_the_same_order(report, roomy):
    assert forked.usable()  # else the test would compare one process with itself
    one = render.render_formats(report, TEXT)
    two = render.render_formats(report, TEXT, render.RenderOptions(processes=2))
    assert list(two) == list(one) == [render.file_name(f) for f in TEXT]
    assert two == one


def test_this_process_renders_the_json(report, monkeypatch, roomy, tmp_path):
    """JSON reads every object of the report: it is taken here before the child is forked,
    and rendered here, where no page has to be copied. (Which process renders the rest
    depends on which is free first.)"""
    real = render.renderer
    log = tmp_path / "who"

    def renderer(name):
        function = real(name)

        def logged(*args, **kwargs):
            with log.open("a") as out:
                out.write(f"{name} {os.getpid()}\n")
            return function(*args, **kwargs)

        return logged

    monkeypatch.setattr(render, "renderer", renderer)
    render.render_formats(report, TEXT, render.RenderOptions(processes=2))
    who = dict(line.split() for line in log.read_text().splitlines())
    assert sorted(who) == sorted(TEXT)
    assert who["json"] == str(os.getpid())


def test_the_childs_share_is_rendered_here_when_the_child_fails(
    report, monkeypatch, roomy, tmp_path
):
    """A child that dies (here: every renderer fails outside this process) loses nothing:
    what it took is rendered again in this process."""
    here = os.getpid()
    real = render.renderer
    died = tmp_path / "the child died"

    def renderer(name):
        function = real(name)

        def only_here(*args, **kwargs):
            if os.getpid() != here:
                died.touch()
                os._exit(9)
            return function(*args, **kwargs)

        return only_here

    monkeypatch.setattr(render, "renderer", renderer)
    two = render.render_formats(report, TEXT, render.RenderOptions(processes=2))
    monkeypatch.setattr(render, "renderer", real)
    assert died.exists() and two == render.render_formats(report, TEXT)


def _written(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def _staged_run(report, directory: Path, processes: int) -> list[Path]:
    """Render every text format into `directory` as `analyze` does: each output staged as
    soon as it is rendered, by the process that rendered it."""
    from threatmodel.output import Staging

    names = [render.file_name(name) for name in TEXT]
    with Staging(directory, names) as staging:
        render.render_all(report, TEXT, render.RenderOptions(processes=processes), staging)
        return staging.commit()


def _slow_here(monkeypatch, here: int, child_dies_at: int | None = None, log: Path | None = None):
    """Renderers that take 0.2 s in this process (so the child takes several formats), and
    that end the child at its `child_dies_at`-th format (after it staged the ones before)."""
    real = render.renderer

    def renderer(name):
        function = real(name)

        def timed(*args, **kwargs):
            if os.getpid() == here:
                time.sleep(0.2)
            else:
                with log.open("a") as out:
                    out.write(f"{name}\n")
                if len(log.read_text().split()) == child_dies_at:
                    os._exit(9)
            return function(*args, **kwargs)

        return timed

    monkeypatch.setattr(render, "renderer", renderer)


def test_a_child_stages_its_own_outputs_into_the_same_files(report, monkeypatch, roomy, tmp_path):
    """With a place to stage into, the child writes the outputs it renders there itself and
    sends back only their names: the files are those one process writes, byte for byte."""
    _staged_run(report, tmp_path / "one", 1)
    log = tmp_path / "taken by the child"
    _slow_here(monkeypatch, os.getpid(), log=log)
    written = _staged_run(report, tmp_path / "two", 2)
    assert [path.name for path in written] == [render.file_name(name) for name in TEXT]
    assert len(log.read_text().split()) >= 2  # the child staged more than one
    assert _written(tmp_path / "two") == _written(tmp_path / "one")


def test_a_child_that_dies_after_staging_leaves_no_temporary_file(
    report, monkeypatch, roomy, tmp_path
):
    """A child that dies after staging some outputs loses nothing and leaves nothing: what it
    took is rendered here, and the files it staged are removed before the set is put in
    place (and when the run fails)."""
    _staged_run(report, tmp_path / "one", 1)
    log = tmp_path / "taken by the child"
    _slow_here(monkeypatch, os.getpid(), child_dies_at=2, log=log)
    _staged_run(report, tmp_path / "two", 2)
    assert len(log.read_text().split()) == 2  # it staged one, then died
    assert _written(tmp_path / "two") == _written(tmp_path / "one")  # no .tmp file either


def test_bad_input_in_either_process_is_raised_once(report, monkeypatch, roomy, tmp_path):
    """A user's template that fails, in the child or here, fails the run as it would without
    a child, and is rendered once (a template that runs out its time would double it)."""
    real = render.renderer
    calls = tmp_path / "calls"

    def renderer(name):
        if name != "html":
            return real(name)

        def failing(*args, **kwargs):
            with calls.open("a") as log:
                log.write(f"{os.getpid()}\n")
            raise ThreatModelError([Problem(message="template broke", pos=Position(file="t"))])

        return failing

    monkeypatch.setattr(render, "renderer", renderer)
    options = attrs.evolve(render.RenderOptions(), processes=2)
    with pytest.raises(ThreatModelError, match="t: template broke") as raised:
        render.render_formats(report, TEXT, options)
    assert raised.value.problems == (Problem(message="template broke", pos=Position(file="t")),)
    assert len(calls.read_text().split()) == 1


def test_no_pipe_for_the_turns_renders_everything_here(report, monkeypatch, roomy):
    one = render.render_formats(report, TEXT)

    def refused(*args):
        raise OSError(24, "too many open files")

    monkeypatch.setattr(forked.Turns, "__init__", refused)
    monkeypatch.setattr(forked, "Forked", None)  # never reached
    assert render.render_formats(report, TEXT, render.RenderOptions(processes=2)) == one


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
        (  # v1 in a container without its own cgroup namespace: its group is the mount's root
            {
                "/proc/self/cgroup": "4:memory:/docker/0123abcd\n",
                "/sys/fs/cgroup/memory/memory.limit_in_bytes": "2147483648\n",
                "/sys/fs/cgroup/memory/memory.usage_in_bytes": "1073741824\n",
            },
            [GIB],
        ),
        (  # v2: a pod's limit above the container's, and file cache that can be reclaimed
            {
                "/proc/self/cgroup": "0::/pod/box\n",
                "/sys/fs/cgroup/pod/box/memory.max": "max\n",
                "/sys/fs/cgroup/pod/box/memory.current": "1073741824\n",
                "/sys/fs/cgroup/pod/memory.max": "2147483648\n",
                "/sys/fs/cgroup/pod/memory.current": "2013265920\n",
                "/sys/fs/cgroup/pod/memory.stat": "anon 1\ninactive_file 402653184\n",
            },
            [(2048 - 1920 + 384) * 2**20],
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


def test_no_thread_to_spare_is_a_fed_child_that_gives_nothing(monkeypatch):
    def refused(self):
        raise RuntimeError("can't start new thread")

    before = _open_descriptors()
    monkeypatch.setattr(forked.threading.Thread, "start", refused)
    with forked.Fed(lambda stream: stream.read()) as fed:
        pid = fed.child.pid
        fed.send("text")
        assert fed.result() is None
    assert pid is None or _reaped(pid)
    assert _open_descriptors() == before


def test_a_fed_child_never_answers_when_the_thread_fails_in_any_way(monkeypatch):
    """(Found by review: a MemoryError in the thread closed the pipe after the first part, and
    the child's answer for it was taken for the whole text's.)"""

    class Failing(forked.queue.SimpleQueue):
        taken = 0

        def get(self, *args, **kwargs):
            Failing.taken += 1
            if Failing.taken == 2:
                raise MemoryError
            return super().get(*args, **kwargs)

    before = _open_descriptors()
    monkeypatch.setattr(forked.queue, "SimpleQueue", Failing)
    with forked.Fed(lambda stream: stream.read()) as fed:
        pid = fed.child.pid
        fed.send("a: 1\n")
        fed.send("b: 2\n")
        assert fed.result() is None
    assert _reaped(pid) and _open_descriptors() == before


def test_no_pipe_to_spare_is_a_fed_child_that_gives_nothing(monkeypatch):
    def refused():
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(os, "pipe", refused)
    with forked.Fed(lambda stream: stream.read()) as fed:
        fed.send("text")
        assert fed.result() is None


def test_an_interrupt_while_the_fed_child_is_made_leaves_nothing_behind(monkeypatch):
    def interrupted(self):
        raise KeyboardInterrupt

    before, threads = _open_descriptors(), threading.active_count()
    monkeypatch.setattr(forked.threading.Thread, "start", interrupted)
    with pytest.raises(KeyboardInterrupt):
        forked.Fed(lambda stream: stream.read())
    assert _open_descriptors() == before and threading.active_count() == threads
    with pytest.raises(ChildProcessError):  # the child was stopped and reaped
        os.waitpid(-1, os.WNOHANG)


def test_the_plan_worked_out_in_a_child_is_the_plan(report, monkeypatch, roomy, tmp_path):
    """With two processes and many findings, the plan is worked out in a forked child while
    this process builds the rest of the report: the report is the same, byte for byte in
    every text format, and the plan was made in the child."""
    from threatmodel import planner
    from threatmodel.report import build as report_build

    one = render.render_formats(report_build.build_report(report.result), TEXT)
    log = tmp_path / "planned in"
    real = planner.make_plan

    def logged(*args, **kwargs):
        log.write_text(str(os.getpid()))
        return real(*args, **kwargs)

    monkeypatch.setattr(report_build, "make_plan", logged)
    monkeypatch.setattr(report_build, "PLAN_BESIDE", 1)
    two = report_build.build_report(report.result, processes=2)
    assert log.read_text() != str(os.getpid())
    assert two.plan.actions and render.render_formats(two, TEXT) == one


def test_a_directory_that_cannot_be_taken_leaks_no_descriptor(report, roomy, tmp_path):
    """When the place to stage into cannot be taken (a directory where a report goes), the
    run fails before forking and keeps no descriptor open (a portfolio runs many models)."""
    from threatmodel.output import Staging

    (tmp_path / "out" / "findings.csv").mkdir(parents=True)
    names = [render.file_name(name) for name in TEXT]
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        with pytest.raises(ThreatModelError, match="a directory of that name is in the way"):
            with Staging(tmp_path / "out", names) as staging:
                render.render_all(report, TEXT, render.RenderOptions(processes=2), staging)
    assert len(os.listdir("/proc/self/fd")) == before
