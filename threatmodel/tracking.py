"""Review decisions: read a decisions file and apply it to the findings of a result.

A decisions file sits beside the model (`<model>.decisions.yaml`) and maps finding ids, or
wildcard patterns over them, to what the review decided:

    decisions:
      SRS-SEC-02@profile-db:
        status: accepted
        justification: Encryption lands with the 2025 storage migration.
        owner: dpo@example.org
        date: 2024-05-02
        expires: 2025-01-31
        ticket: SEC-1234
      "SRS-TM-*@test-*": {status: false-positive, justification: test fixtures, owner: qa}

An exact id wins over a pattern; among patterns the first one in the file wins. A decision
whose `expires` date has been reached no longer holds: the finding is open again and reports
say which decision lapsed. A decision that matches no finding is a warning, never an error.
"""

from __future__ import annotations

import datetime
import fnmatch
import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import attrs

from threatmodel.checks import collecting, rule
from threatmodel.errors import Collector, Position, Problem, did_you_mean, show, type_name
from threatmodel.fields import Fields
from threatmodel.ids import is_decision_key
from threatmodel.loader import DEFAULT_LIMITS, Limits, LMap, load_file

if TYPE_CHECKING:
    from threatmodel.findings import Result

DecisionStatus = Literal[
    "open", "in-progress", "mitigated", "accepted", "false-positive", "transferred"
]
FindingStatus = Literal["confirmed", "possible"]  # "possible": its condition needs information
STATUSES: tuple[DecisionStatus, ...] = get_args(DecisionStatus)
FINDING_STATUSES: tuple[FindingStatus, ...] = get_args(FindingStatus)
OPEN_STATUSES: tuple[DecisionStatus, ...] = ("open", "in-progress")
NEEDS_JUSTIFICATION: tuple[DecisionStatus, ...] = (
    "mitigated",
    "accepted",
    "false-positive",
    "transferred",
)
KEYS = ("status", "justification", "owner", "date", "expires", "ticket")
SUFFIX = ".decisions.yaml"
KEY_RULE = (
    "a key is a finding id '<risk>@<element>' or a pattern with '*' and '?' "
    "(for example 'SRS-SEC-*@profile-db')"
)


def is_pattern(key: str) -> bool:
    """Whether a decision key is a pattern (has '*' or '?') rather than one finding id."""
    return "*" in key or "?" in key


def key_matches(key: str, finding_id: str) -> bool:
    """Whether a decision key (an id or a pattern) names the finding `finding_id`."""
    return fnmatch.fnmatchcase(finding_id, key) if is_pattern(key) else finding_id == key


# -- a decision's own rules (see checks.py) ------------------------------------------------


def _key(decision: Decision, key: Any) -> str | None:
    return None if is_decision_key(key) else f"decision '{key}': {KEY_RULE}"


def _status(decision: Decision, status: Any) -> str | None:
    what = f"decision '{decision.key}'"
    if status in STATUSES:
        return None
    if not isinstance(status, str):
        return f"{what}: 'status' must be text, not {type_name(status)}"
    if not status:
        return f"{what}: 'status' is required"
    hint = did_you_mean(status, STATUSES) or f" (use one of {', '.join(STATUSES)})"
    return f"{what}: unknown status {show(status)}{hint}"


def _text(key: str) -> Any:
    def check(decision: Decision, value: Any) -> str | None:
        if isinstance(value, str):
            return None
        return f"decision '{decision.key}': '{key}' must be text, not {type_name(value)}"

    return check


def _justified(decision: Decision, justification: str) -> str | None:
    if decision.status in NEEDS_JUSTIFICATION and not justification.strip():
        return (
            f"decision '{decision.key}': status '{decision.status}' needs a 'justification' "
            "(why the review decided so)"
        )
    return None


def _date(key: str) -> Any:
    def check(decision: Decision, value: Any) -> str | None:
        if value is None or isinstance(value, datetime.date):
            return None
        return (
            f"decision '{decision.key}': '{key}' must be a date written YYYY-MM-DD, "
            f"not {show(value)}"
        )

    return check


def _not_before_date(decision: Decision, expires: datetime.date | None) -> str | None:
    if decision.date and expires and expires < decision.date:
        return (
            f"decision '{decision.key}': 'expires' ({expires}) is before 'date' ({decision.date})"
        )
    return None


@attrs.frozen(kw_only=True)
class Decision:
    """What the review decided about the findings a key (an id or a pattern) names.

    Once applied to a finding, `status` is the status in force: an expired decision is
    attached with status 'open', `expired=True` and the status it had in `recorded_status`.
    """

    key: str = attrs.field(validator=rule(_key))
    status: DecisionStatus = attrs.field(validator=rule(_status))
    justification: str = attrs.field(default="", validator=rule(_text("justification"), _justified))
    owner: str = attrs.field(default="", validator=rule(_text("owner")))
    date: datetime.date | None = attrs.field(default=None, validator=rule(_date("date")))
    expires: datetime.date | None = attrs.field(
        default=None, validator=rule(_date("expires"), _not_before_date)
    )
    ticket: str = attrs.field(default="", validator=rule(_text("ticket")))
    expired: bool = False
    recorded_status: DecisionStatus | Literal[""] = ""
    pos: Position = attrs.field(default=Position(file="<python>"), eq=False)  # of the key
    field_pos: Mapping[str, Position] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def is_pattern(self) -> bool:
        return is_pattern(self.key)

    def matches(self, finding_id: str) -> bool:
        return key_matches(self.key, finding_id)

    def is_expired(self, today: datetime.date) -> bool:
        return self.expires is not None and today >= self.expires

    def as_dict(self) -> dict[str, Any]:
        """Plain data for reports, in a stable key order."""
        return {
            "status": self.status,
            "recorded_status": self.recorded_status or self.status,
            "expired": self.expired,
            "justification": self.justification,
            "owner": self.owner,
            "date": self.date.isoformat() if self.date else None,
            "expires": self.expires.isoformat() if self.expires else None,
            "ticket": self.ticket,
            "key": self.key,
            "file": self.pos.file,
            "line": self.pos.line,
        }


@attrs.frozen(kw_only=True, slots=False)
class Decisions:
    """Every decision of one file, in file order, with the file's warnings."""

    items: tuple[Decision, ...] = ()
    file: str = ""
    warnings: tuple[Problem, ...] = ()

    def for_finding(self, finding_id: str) -> Decision | None:
        """The decision that governs a finding: an exact id first, else the first pattern."""
        exact = self._index.get(finding_id)
        if exact is not None:
            return exact
        for decision, regex in self._patterns:
            if regex.match(finding_id):
                return decision
        return None

    @functools.cached_property
    def _index(self) -> dict[str, Decision]:
        index: dict[str, Decision] = {}
        for decision in self.items:
            if not decision.is_pattern:
                index.setdefault(decision.key, decision)
        return index

    @functools.cached_property
    def _patterns(self) -> list[tuple[Decision, re.Pattern]]:
        return [(d, re.compile(fnmatch.translate(d.key))) for d in self.items if d.is_pattern]


def has_section(path: Path | str) -> bool:
    """Whether a model file keeps its decisions in a top-level `decisions:` section."""
    try:
        data, _ = load_file(Path(path), str(path))
    except Exception:  # an unreadable model is reported by whoever reads it next
        return False
    return isinstance(data, dict) and "decisions" in data


def default_path(model_path: Path | str) -> Path:
    """`<dir>/<stem>.decisions.yaml` for a model file `<dir>/<stem>.yaml`."""
    path = Path(model_path)
    return path.with_name(path.stem + SUFFIX)


def load_decisions(
    path: Path | str, display: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Decisions:
    """Read a decisions file; raises ThreatModelError listing every problem with its position."""
    display = display or str(path)
    data, warnings = load_file(Path(path), display, limits)
    return parse_decisions(data, display, warnings)


def parse_decisions(
    data: Any, display: str, warnings: Iterable[Problem] = (), *, embedded: bool = False
) -> Decisions:
    """Decisions from located YAML data (an LMap with a `decisions` mapping); `embedded` when
    that mapping is a section of a model file, whose other keys are the model's business."""
    out = Collector()
    out.problems.extend(warnings)
    top = Position(file=display, line=1, col=1)
    if not isinstance(data, dict):
        out.error(
            top, f"a decisions file must be a mapping with a 'decisions' key, not {type_name(data)}"
        )
        out.raise_if_errors()
    fields = Fields(data, out, "decisions file")
    if not embedded:
        fields.reject_unknown(("decisions",))
    section = fields.mapping("decisions")
    items = [] if section is None else [_decision(section, k, v, out) for k, v in section.items()]
    out.raise_if_errors()
    return Decisions(items=tuple(items), file=display, warnings=tuple(out.warnings))


def _decision(section: LMap, key: str, value: Any, out: Collector) -> Decision:
    key_at = section.key_pos.get(key, section.pos)
    what = f"decision '{key}'"
    fields = Fields(value, out, what, pos=key_at)
    values: dict[str, Any] = {"status": "open"}  # a stand-in when there is nothing to read
    if isinstance(value, dict):
        fields.reject_unknown(KEYS)
        values = {
            "status": fields.word("status", required=True),
            "justification": fields.text("justification"),
            "owner": fields.text("owner"),
            "date": _read_date(fields, "date"),
            "expires": _read_date(fields, "expires"),
            "ticket": fields.text("ticket"),
        }
    else:
        out.error(
            section.val_pos.get(key, key_at),
            f"{what} must be a mapping (status, justification, owner, ...), not {type_name(value)}",
        )
        fields.failed.update(KEYS)
    fields.positions.setdefault("justification", fields.pos)  # where a missing one belongs
    with collecting(skip=fields.failed) as broken:
        decision = Decision(key=key, **values, pos=key_at, field_pos=fields.positions)
    out.problems.extend(broken)
    return decision


def _read_date(fields: Fields, key: str) -> datetime.date | None:
    value = fields.raw(key)
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    fields.error(
        key, f"{fields.what}: '{key}' must be a date written YYYY-MM-DD, not {show(value)}"
    )
    return None


def apply_decisions(result: Result, decisions: Decisions | None, today: datetime.date) -> Result:
    """The result with each finding's decision attached (expired ones reopened) and warnings
    for decisions that match nothing or have lapsed."""
    if decisions is None or not decisions.items:
        return result
    used: set[str] = set()
    findings = []
    lapsed: list[Problem] = []
    for finding in result.findings:
        decision = decisions.for_finding(finding.id)
        if decision is None:
            findings.append(finding)
            continue
        used.add(decision.key)
        if decision.is_expired(today):
            lapsed.append(
                Problem(
                    message=f"decision '{decision.key}' ({decision.status}) expired on "
                    f"{decision.expires}; finding '{finding.id}' is open again",
                    pos=decision.pos,
                    severity="warning",
                )
            )
            decision = attrs.evolve(
                decision, status="open", expired=True, recorded_status=decision.status
            )
        findings.append(attrs.evolve(finding, decision=decision))
    for waiting in result.undecided:  # a decision may settle a risk the model leaves undecided
        decision = decisions.for_finding(waiting.id)
        if decision is not None:
            used.add(decision.key)
    ids = [f.id for f in (*result.findings, *result.undecided)]
    unused = [_unused_warning(d, ids) for d in decisions.items if d.key not in used]
    warnings = tuple(result.warnings) + tuple(decisions.warnings) + tuple(lapsed) + tuple(unused)
    return attrs.evolve(result, findings=tuple(findings), warnings=warnings)


def _unused_warning(decision: Decision, finding_ids: list[str]) -> Problem:
    hint = "" if decision.is_pattern else did_you_mean(decision.key, finding_ids)
    what = "pattern" if decision.is_pattern else "decision"
    return Problem(
        message=f"{what} '{decision.key}' matches no finding{hint}",
        pos=decision.pos,
        severity="warning",
    )


# -- writing: edit the file's text so that comments, order and formatting survive ------------


def record_decision(text: str, display: str, key: str, fields: dict[str, Any]) -> str:
    """The decisions file `text` with the entry `key` created or updated.

    `fields` maps field names to values; None removes a field. Only the lines of the fields
    that change are touched: every comment, every other entry and the order stay as they were.
    """
    data = load_text_or_empty(text, display)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    section = data.get("decisions") if isinstance(data, LMap) else None
    if not isinstance(data, LMap) or "decisions" not in data:
        block = [] if not lines or lines[-1].strip() == "" else ["\n"]
        return "".join(lines + block + ["decisions:\n"] + _entry_lines(key, fields, "  "))
    key_line = data.key_pos["decisions"].line - 1
    if isinstance(section, LMap) and not section and _is_flow(lines, data.val_pos["decisions"]):
        lines[key_line] = _indent_of(lines[key_line]) + "decisions:\n"  # was `decisions: {}`
        section = None
    if not isinstance(section, LMap):
        if section is not None:
            _refuse(data.val_pos["decisions"], "'decisions' must be a mapping")
        end = _span_end(lines, key_line, len(_indent_of(lines[key_line])))
        lines[end:end] = _entry_lines(key, fields, _indent_of(lines[key_line]) + "  ")
        return "".join(lines)
    if _is_flow(lines, data.val_pos["decisions"]):
        _refuse(
            data.val_pos["decisions"],
            "'decisions' is written in flow style ({...}); "
            "write it as an indented block so it can be edited",
        )
    if key not in section:
        first = min(section.key_pos.values(), key=lambda p: p.line).line - 1
        indent = _indent_of(lines[first])
        end = _span_end(lines, key_line, len(_indent_of(lines[key_line])))
        lines[end:end] = _entry_lines(key, fields, indent)
        return "".join(lines)
    entry_line = section.key_pos[key].line - 1
    indent = _indent_of(lines[entry_line])
    entry = section[key]
    if not isinstance(entry, LMap) or _is_flow(lines, section.val_pos[key]) or not entry:
        end = _span_end(lines, entry_line, len(indent))
        lines[entry_line:end] = _entry_lines(key, fields, indent)
        return "".join(lines)
    return "".join(_update_fields(lines, entry, entry_line, indent, fields))


def _update_fields(
    lines: list[str], entry: LMap, entry_line: int, indent: str, fields: dict[str, Any]
) -> list[str]:
    first = min(entry.key_pos.values(), key=lambda p: p.line).line - 1
    field_indent = _indent_of(lines[first])
    edits: list[tuple[int, int, list[str]]] = []  # (start, end, replacement), applied bottom-up
    for name, value in fields.items():
        if name not in entry or entry[name] == value:
            continue
        start = entry.key_pos[name].line - 1
        if _indent_of(lines[start]) != field_indent or lines[start].lstrip().startswith("-"):
            _refuse(
                entry.key_pos[name],
                "this decision mixes fields on one line; "
                "write one field per line so it can be edited",
            )
        end = _span_end(lines, start, len(field_indent))
        comment = _trailing_comment(lines[start]) if end == start + 1 else ""
        edits.append(
            (
                start,
                end,
                [] if value is None else [f"{field_indent}{name}: {_scalar(value)}{comment}\n"],
            )
        )
    new = [
        f"{field_indent}{name}: {_scalar(value)}\n"
        for name, value in fields.items()
        if name not in entry and value is not None
    ]
    if new:
        end = _span_end(lines, entry_line, len(indent))
        edits.append((end, end, new))
    for start, end, replacement in sorted(edits, key=lambda e: e[0], reverse=True):
        lines[start:end] = replacement
    return lines


def _trailing_comment(line: str) -> str:
    """The ` # comment` after a one-line field (`key: value`), or '' (a '#' inside the
    value, quoted or not, is not a comment: YAML's scanner reads the whole line, key and value,
    in one pass and says where they end)."""
    import yaml

    text = line.rstrip("\n")
    try:
        ends = (yaml.BlockEndToken, yaml.StreamEndToken)  # these end after the comment
        tokens = [t for t in yaml.scan(text) if not isinstance(t, ends)]
    except yaml.YAMLError:
        return ""
    end = max((token.end_mark.index for token in tokens), default=0)
    return text[end:] if re.match(r"\s+#", text[end:]) else ""


def load_text_or_empty(text: str, display: str) -> Any:
    from threatmodel.loader import load_text

    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        return {}
    data, _ = load_text(text, display)
    return data


def _entry_lines(key: str, fields: dict[str, Any], indent: str) -> list[str]:
    body = [
        f"{indent}  {name}: {_scalar(value)}\n"
        for name, value in fields.items()
        if value is not None
    ]
    return [f"{indent}{_scalar(key)}:\n"] + body


def _scalar(value: Any) -> str:
    """One YAML scalar on one line, quoted wherever plain text would change meaning."""
    import yaml

    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    style = '"' if any(not c.isprintable() for c in text) else None
    dumped = yaml.safe_dump(
        text, default_style=style, default_flow_style=True, width=float("inf"), allow_unicode=True
    )
    return dumped.removesuffix("\n...\n").rstrip("\n")


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _span_end(lines: list[str], start: int, indent: int) -> int:
    """One past the last line of the block starting at `start`, without trailing comments."""
    end = start + 1
    while end < len(lines) and (
        not _is_content(lines[end]) or len(_indent_of(lines[end])) > indent
    ):
        end += 1
    while end > start + 1 and not _is_content(lines[end - 1]):
        end -= 1
    return end


def _is_flow(lines: list[str], pos: Position) -> bool:
    line = lines[pos.line - 1] if 0 < pos.line <= len(lines) else ""
    return line[pos.col - 1 : pos.col].startswith(("{", "["))


def _refuse(pos: Position, message: str) -> None:
    from threatmodel.errors import ThreatModelError

    raise ThreatModelError([Problem(message=f"cannot edit the decisions file: {message}", pos=pos)])
