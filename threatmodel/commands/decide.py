"""`threatmodel decide FINDING --status S --why TEXT --owner WHO`: record a review decision.

The decision goes into the decisions file beside the model (`<model>.decisions.yaml`), or the
file `--decisions` names. The file's text is edited in place: only the lines of the fields
that change are touched, so comments, order and formatting survive. Fields not given keep
their value, except that a change of status drops an old expiry date.
"""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from threatmodel.commands.common import (
    add_catalog_option,
    limits_from,
    load_catalog,
    print_warnings,
    sources_from,
)


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "decide",
        help="record a review decision about a finding",
        description="Record a review decision (accepted, mitigated, ...) in the decisions file "
        "beside the model, keeping its comments and order.",
    )
    parser.add_argument(
        "finding",
        help="a finding id '<risk>@<element>', or a pattern with * and ? (quote it in the shell)",
    )
    parser.add_argument(
        "--status",
        required=True,
        help="open, in-progress, mitigated, accepted, false-positive, transferred",
    )
    parser.add_argument(
        "--why",
        dest="justification",
        help="the justification (required for every status that closes a finding)",
    )
    parser.add_argument("--owner", help="who owns the decision")
    parser.add_argument(
        "--expires",
        metavar="YYYY-MM-DD",
        help="the decision lapses on this date and the finding reopens",
    )
    parser.add_argument("--ticket", help="a tracker reference")
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD", help="the date of the decision (default: today)"
    )
    parser.add_argument(
        "-m",
        "--model",
        help="the model; the decisions file is "
        "<model>.decisions.yaml beside it, and the finding "
        "is checked against an analysis of the model",
    )
    parser.add_argument("--decisions", metavar="FILE", help="the decisions file to edit")
    parser.add_argument(
        "--force",
        action="store_true",
        help="record the decision even if it matches no finding of --model",
    )
    add_catalog_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from threatmodel.errors import Position, Problem, ThreatModelError
    from threatmodel.ids import is_decision_key
    from threatmodel.output import locked
    from threatmodel.render.escape import terminal
    from threatmodel.tracking import STATUSES, default_path, has_section

    def bad(where: str, message: str) -> ThreatModelError:
        return ThreatModelError([Problem(message=message, pos=Position(file=where))])

    if not is_decision_key(args.finding):
        raise bad(
            "FINDING",
            f"'{args.finding}' is not a finding id '<risk>@<element>' or a pattern with * and ?",
        )
    if args.status not in STATUSES:
        from threatmodel.errors import did_you_mean

        raise bad(
            "--status",
            f"unknown status '{args.status}'{did_you_mean(args.status, STATUSES)}"
            f"; choose from {', '.join(STATUSES)}",
        )
    if not args.decisions and not args.model:
        raise bad(
            "decide",
            "say which decisions file to edit: --model MODEL (uses "
            "<model>.decisions.yaml beside it) or --decisions FILE",
        )
    date = _date(args.date, "--date", bad) or datetime.date.today()
    expires = _date(args.expires, "--expires", bad)
    path = Path(args.decisions) if args.decisions else default_path(args.model)
    if not args.decisions and not path.exists() and has_section(args.model):
        path = Path(args.model)  # the model keeps its decisions in a `decisions:` section
    if args.model and not args.force:
        _check_matches(args, bad)
    if path.is_dir():
        raise bad(str(path), "is a directory, not a decisions file")
    with locked(path.parent):  # a decide running at the same time waits, then reads our edit
        warnings = _record(args, path, date, expires)
    print_warnings(warnings)
    print(f"recorded {terminal(args.finding)}: {args.status} in {terminal(str(path))}")
    return 0


def _record(args: argparse.Namespace, path: Path, date, expires) -> tuple:
    """Read the decisions file, add or change the decision, check the edit, write it back;
    returns the file's warnings."""
    from threatmodel.loader import read_text
    from threatmodel.output import write_atomic
    from threatmodel.render.escape import terminal
    from threatmodel.tracking import load_text_or_empty, parse_decisions, record_decision

    model = terminal(Path(args.model).name) if args.model else "the model"  # on one line
    text = (
        read_text(path, str(path), limits_from(args))
        if path.exists()
        else f"# Review decisions for {model}: edit by hand or with `threatmodel decide`.\n"
    )
    data = load_text_or_empty(text, str(path))
    old = (
        data.get("decisions", {}).get(args.finding)
        if isinstance(data, dict) and isinstance(data.get("decisions"), dict)
        else None
    )
    old = old if isinstance(old, dict) else {}
    fields = {
        "status": args.status,
        "justification": args.justification
        if args.justification is not None
        else old.get("justification"),
        "owner": args.owner if args.owner is not None else old.get("owner"),
        "date": date,
        "expires": expires
        if expires is not None
        else (old.get("expires") if old.get("status") == args.status else None),
        "ticket": args.ticket if args.ticket is not None else old.get("ticket"),
    }
    new_text = record_decision(text, str(path), args.finding, fields)
    # read the edit back as `analyze` will: a problem (say, a missing justification) is
    # reported with its position and nothing is written
    checked = parse_decisions(
        load_text_or_empty(new_text, str(path)), str(path), embedded=path == Path(args.model or "")
    )
    written = next((d for d in checked.items if d.key == args.finding), None)
    if written is None or written.status != args.status:  # pragma: no cover - a bug if reached
        raise RuntimeError(f"the edited decisions file does not read back '{args.finding}'")
    write_atomic(path, new_text)
    return checked.warnings


def _date(text: str | None, option: str, bad) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise bad(option, f"'{text}' is not a date written YYYY-MM-DD") from None


def _check_matches(args: argparse.Namespace, bad) -> None:
    """Refuse a finding id that the model does not produce (a typo), with a 'did you mean'."""
    from threatmodel import run as service
    from threatmodel.engine import analyze
    from threatmodel.errors import did_you_mean
    from threatmodel.tracking import is_pattern, key_matches

    sources = sources_from(args)
    model = service.read_model(args.model, sources)
    result = analyze(model, load_catalog(args), max_findings=sources.limits.max_findings)
    ids = [f.id for f in (*result.findings, *result.undecided)]
    if not any(key_matches(args.finding, i) for i in ids):
        hint = "" if is_pattern(args.finding) else did_you_mean(args.finding, ids)
        raise bad(
            "FINDING",
            f"'{args.finding}' matches no finding of {args.model}{hint}; "
            "use --force to record it anyway",
        )
