"""The command line: parse arguments, dispatch to a command, turn errors into exit codes.

Exit status: 0 success, 1 findings at or above --fail-on, 2 bad input (every problem printed
as file:line:col: message, nothing written), 3 an internal error (a bug: please report it).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys

from threatmodel import __version__

COMMANDS = {  # the command's name: the module of threatmodel.commands that defines it
    "analyze": "analyze",
    "validate": "validate",
    "catalog": "catalog",
    "decide": "decide",
    "diff": "diff",
    "import": "import_model",
    "export": "export",
    "schema": "schema",
    "init": "init",
    "diagram": "diagram",
    "plan": "plan",
    "docs": "docs",
}
EXIT_BAD_INPUT, EXIT_BUG = 2, 3  # 0 and 1 are the commands' own return values
EXIT_BROKEN_PIPE = 141  # as a shell reports a process ended by SIGPIPE
# A run builds hundreds of thousands of small objects that live until it ends, and almost none
# form cycles; with Python's default (700) the cycle collector walked them all again and again,
# 15-30% of a large run's CPU time. A young generation of 100,000 takes that to under 10%.
YOUNG_GENERATION = 100_000
ISSUES_URL = "https://github.com/threatmodel/threatmodel/issues"


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser. When `argv` names a command, only that command's module is
    imported and its parser built (the others are not needed to parse it); otherwise, for
    `--help`, a mistyped command or none, every command's."""
    parser = argparse.ArgumentParser(
        prog="threatmodel",
        description="Match a system model against surveillance-risk catalogs and write reports.",
        epilog="Exit status: 0 ok, 1 findings at or above --fail-on, 2 bad input, 3 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"threatmodel {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    named = next((a for a in (sys.argv[1:] if argv is None else argv) if a[:1] != "-"), None)
    for module in [COMMANDS[named]] if named in COMMANDS else COMMANDS.values():
        importlib.import_module(f"threatmodel.commands.{module}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status. Everything printed for people passes
    through `console.TerminalStream`, so no input can put a control sequence on the terminal."""
    from threatmodel.console import TerminalStream

    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalStream(sys.stdout), TerminalStream(sys.stderr)
    thresholds = gc.get_threshold()
    gc.set_threshold(max(YOUNG_GENERATION, thresholds[0]), *thresholds[1:])
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = streams
        gc.set_threshold(*thresholds)


def program() -> None:
    """The `threatmodel` program: `main`, then exit without collecting what the run leaves.

    The objects a run leaves (the model, findings and reports; tens of thousands in cycles)
    would be collected one by one at exit, 0.1 s for a 1,000-element model, while the
    operating system reclaims a process's memory at once. `gc.freeze` moves them out of the
    collector's reach; files are closed and atexit handlers run as usual."""
    status = main()
    gc.freeze()
    sys.exit(status)


def _main(argv: list[str] | None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    from threatmodel.errors import ThreatModelError, problem_lines
    from threatmodel.render.escape import terminal

    try:
        return args.run(args)
    except ThreatModelError as exc:
        for line in problem_lines(exc.problems):
            print(terminal(line), file=sys.stderr)
        count = len([p for p in exc.problems if p.severity == "error"])
        outcome = "see above for what was written" if exc.written else "nothing was written"
        print(
            f"threatmodel: {count} problem{'s' if count != 1 else ''} found; {outcome}.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("threatmodel: interrupted; nothing was written.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of our output went away (`... | head`): stop quietly
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:  # the system refused a path the user gave (too long, a directory, ...)
        if args.debug:
            raise
        print(terminal(f"{exc.filename or 'threatmodel'}: {exc.strerror or exc}"), file=sys.stderr)
        print("threatmodel: 1 problem found; nothing was written.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # a bug in threatmodel itself, never the user's fault
        if args.debug:
            raise
        print(
            f"threatmodel: internal error: {type(exc).__name__}: {terminal(exc)}\n"
            f"This is a bug in threatmodel, not in your model. Please report it at {ISSUES_URL} "
            "with the output of the same command run with --debug.",
            file=sys.stderr,
        )
        return EXIT_BUG


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (tests)
        pass


if __name__ == "__main__":  # pragma: no cover
    program()
