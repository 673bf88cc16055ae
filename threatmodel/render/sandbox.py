"""The sandbox a user's own report template (`--template`) runs in: Jinja2's sandbox, bounded.

Jinja2's sandbox keeps a template away from Python's internals and caps `range()` at 100,000
items; a template is still code we did not write, and could ask for a number of 100,000 digits
(`10**100000`), a string of a billion characters (`"a" * 10**9`, `center(10**9)`,
`"%999999999d" % 1`), endless recursion or nested loops, or double a string in a loop. Here
arithmetic that makes big values is refused before it runs, sizes passed to filters are capped,
recursion stops at Python's limit, the page may be at most `MAX_OUTPUT_CHARS` long, rendering
at most `SECONDS` long unless the caller gives another budget, and it may use at most `MAX_MEMORY_BYTES` more memory than the process
had before it (on Linux; whatever the operation that asks for it: `+`, `~`, `join`, ...).
Each refusal is a `TemplateRefused` (the caller reports it as bad input, exit 2).
"""

from __future__ import annotations

import contextlib
import math
import re
import signal
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import Environment
from jinja2.sandbox import SandboxedEnvironment

MAX_DIGITS = 4_300  # digits of a number (Python's own cap when turning an int into text)
MAX_ITEMS = 1_000_000  # characters or items a repetition or a filter's size may ask for
MAX_OUTPUT_CHARS = 256 * 1024 * 1024  # characters of the rendered page
MAX_MEMORY_BYTES = 1024 * 1024 * 1024  # address space rendering may add (Linux)
SECONDS = 8.0  # rendering time (a run with a runaway template ends within 10 s), where a timer
# can interrupt it (the main thread, not Windows)

_BIG_WIDTH = re.compile(r"%[-#0 +]*(?:\d{7,}|\*)|%[-#0 +]*\d*\.(?:\d{7,}|\*)")


_BIG_FIELD = re.compile(r"\{[^{}]*:[^{}]*(?:\d{7,}|\{)")


def template_line(exc: BaseException, filename: str) -> int:
    """The line of template `filename` an exception was raised at (Jinja puts the template's
    lines into the traceback), or 0."""
    line, tb = 0, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


class TemplateRefused(Exception):
    """A user template asked for more than the sandbox allows; the message says what."""


class BoundedSandbox(SandboxedEnvironment):
    """Jinja2's sandbox with arithmetic, repetition and filter sizes bounded."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_repeat(left, right)
            _check_repeat(right, left)
        elif operator == "%" and isinstance(left, str) and _BIG_WIDTH.search(left):
            raise TemplateRefused(f"a format width over {MAX_ITEMS - 1:,} ('%' in {left[:40]!r})")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:
        """str.format with a width of 7 digits or more is refused like `%`."""
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        template = getattr(method, "__self__", None)
        if (
            isinstance(template, str)
            and getattr(method, "__name__", "") in ("format", "format_map")
            and _BIG_FIELD.search(template)
        ):
            raise TemplateRefused(f"a format width over {MAX_ITEMS - 1:,} in {template[:40]!r}")
        return super().call(__context, __obj, *args, **kwargs)


def bound_filters(env: Environment) -> None:
    """Cap the sizes a template passes to filters that build text of that size."""
    for name in ("center", "indent", "wordwrap", "truncate", "batch", "slice"):
        if name in env.filters:
            env.filters[name] = _sized(name, env.filters[name])
    if "format" in env.filters:
        env.filters["format"] = _format(env.filters["format"])
    env.globals.pop("lipsum", None)  # lipsum(n) builds n paragraphs


def render_bounded(chunks: Iterable[str], seconds: float | None = None) -> str:
    """Join a template's output (`template.generate(...)`), within the size bounds and
    `seconds` (None: `SECONDS`)."""
    out: list[str] = []
    size = 0
    budget = SECONDS if seconds is None else seconds
    with _memory_cap(MAX_MEMORY_BYTES), _deadline(budget):  # no alarm while the cap moves
        try:
            for chunk in chunks:
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise TemplateRefused(f"the page is over {MAX_OUTPUT_CHARS:,} characters long")
                out.append(chunk)
        except RecursionError as exc:  # (the traceback kept: it holds the template's line)
            message = "too deeply recursive (a macro calling itself?)"
            raise TemplateRefused(message).with_traceback(exc.__traceback__) from None
        except OverflowError as exc:  # range() past the sandbox's cap, float overflow
            raise TemplateRefused(str(exc)).with_traceback(exc.__traceback__) from None
        except MemoryError as exc:
            message = f"it asked for more than {MAX_MEMORY_BYTES >> 20:,} MiB of memory"
            raise TemplateRefused(message).with_traceback(exc.__traceback__) from None
        except (ArithmeticError, ValueError, LookupError, AssertionError) as exc:  # {{ 1/0 }}
            message = f"{exc} ({type(exc).__name__})"
            raise TemplateRefused(message).with_traceback(exc.__traceback__) from None
    return "".join(out)


def _check_power(base: Any, exponent: Any) -> None:
    if not all(isinstance(n, (int, float)) for n in (base, exponent)):
        return
    size = abs(base) if base else 0
    if isinstance(exponent, int) and isinstance(base, int) and size > 1 and exponent > 0:
        digits = exponent * math.log10(size)
        if digits > MAX_DIGITS:
            raise TemplateRefused(
                f"{base}**{exponent} would have about {digits:,.0f} digits, over {MAX_DIGITS:,}"
            )


def _check_repeat(sequence: Any, times: Any) -> None:
    too_many = isinstance(sequence, (str, list, tuple)) and isinstance(times, int)
    if too_many and len(sequence) * times > MAX_ITEMS:
        raise TemplateRefused(
            f"repeating {len(sequence):,} items {times:,} times, over {MAX_ITEMS:,}"
        )


def _sized(name: str, original):
    def bounded(*args: Any, **kwargs: Any) -> Any:
        for value in (*args[1:], *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and value > MAX_ITEMS:
                raise TemplateRefused(f"filter '{name}' given {value:,}, over {MAX_ITEMS:,}")
        return original(*args, **kwargs)

    for attribute in ("jinja_pass_arg",):  # keep Jinja's pass_environment / pass_context mark
        if hasattr(original, attribute):
            setattr(bounded, attribute, getattr(original, attribute))
    return bounded


def _format(original):
    def bounded(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and _BIG_WIDTH.search(value):
            raise TemplateRefused(f"a format width over {MAX_ITEMS - 1:,} in {value[:40]!r}")
        return original(value, *args, **kwargs)

    return bounded


class _Cap:
    """The address-space limit shared by the renders running at once (threads of a library
    caller): set by the first, put back by the last (the limit is the process's, not a
    thread's)."""

    lock = threading.Lock()
    inside = 0  # renders in the block
    before: tuple[int, int] | None = None  # the limit to put back, if it was lowered


@contextlib.contextmanager
def _memory_cap(extra: int) -> Iterator[None]:
    """In the block, the process's address space may grow by at most `extra` bytes past its
    size when the first of the renders running at once began: an allocation past it raises
    MemoryError (Linux, where the size can be read; elsewhere no cap). A tighter limit is
    kept; the one the process had is put back when the last render ends. While it holds, any
    thread of the process that allocates past it gets MemoryError too."""
    try:
        import resource
    except ImportError:
        yield
        return
    with _Cap.lock:
        if _Cap.inside == 0:
            _Cap.before = _lower(resource, extra)
        _Cap.inside += 1
    try:
        yield
    finally:
        with _Cap.lock:
            _Cap.inside -= 1
            if _Cap.inside == 0 and _Cap.before is not None:
                resource.setrlimit(resource.RLIMIT_AS, _Cap.before)
                _Cap.before = None


def _lower(resource: Any, extra: int) -> tuple[int, int] | None:
    """Lower RLIMIT_AS to the address space in use plus `extra` bytes; the limit it had, or
    None where it was already that tight or the size cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            size = int(statm.read().split()[0]) * resource.getpagesize()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError, IndexError):
        return None
    cap = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
    if soft != resource.RLIM_INFINITY and soft <= cap:
        return None
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    return soft, hard


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise TemplateRefused in the block after `seconds` (only where SIGALRM can be used)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expired(signum, frame):
        raise TemplateRefused(f"rendering took over {seconds:g} seconds")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
