"""Review decisions: parsing with positions, matching, expiry, warnings and in-place editing."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

import threatmodel
from threatmodel.errors import ThreatModelError
from threatmodel.loader import load_text
from threatmodel.tracking import (
    apply_decisions,
    default_path,
    load_decisions,
    parse_decisions,
    record_decision,
)

REPORTS = Path(__file__).parent / "fixtures" / "reports"
TODAY = datetime.date(2024, 6, 1)


@pytest.fixture(scope="module")
def result():
    catalog = threatmodel.load_catalog([REPORTS / "catalog.yaml"], shipped_risks=False)
    return threatmodel.analyze(threatmodel.load_model(REPORTS / "model.yaml"), catalog)


def decisions(text: str):
    data, warnings = load_text(text, "d.yaml")
    return parse_decisions(data, "d.yaml", warnings)


def test_default_path_sits_beside_the_model():
    """The decisions file of `dir/model.yaml` is `dir/model.decisions.yaml`."""
    assert default_path("a/b/model.yaml") == Path("a/b/model.decisions.yaml")


def test_fixture_decisions_close_the_accepted_finding(result):
    """An accepted finding is no longer open and carries its decision; others stay open."""
    applied = apply_decisions(result, load_decisions(REPORTS / "model.decisions.yaml"), TODAY)
    sold = applied.finding("R-RES-01@f-sell")
    assert not sold.open
    assert sold.decision.status == "accepted"
    assert sold.decision.owner == "dpo@example.org"
    assert sold.decision.ticket == "PRIV-12"
    assert applied.finding("R-OPA-01@scoring").open
    assert applied.finding("R-SYS-01@trust").decision.status == "in-progress"
    assert applied.finding("R-SYS-01@trust").open


def test_expired_acceptance_reopens_the_finding_with_a_warning(result):
    """On or after its expiry date an acceptance lapses: the finding is open again."""
    loaded = load_decisions(REPORTS / "model.decisions.yaml")
    applied = apply_decisions(result, loaded, datetime.date(2030, 1, 31))
    sold = applied.finding("R-RES-01@f-sell")
    assert sold.open
    assert sold.decision.expired and sold.decision.recorded_status == "accepted"
    assert sold.decision.as_dict()["status"] == "open"
    assert any("expired on 2030-01-31" in str(w) for w in applied.warnings)
    assert (
        not apply_decisions(result, loaded, datetime.date(2030, 1, 30))
        .finding("R-RES-01@f-sell")
        .open
    )


def test_exact_id_wins_over_pattern_and_first_pattern_wins(result):
    """An exact finding id beats any pattern; among patterns the first in the file governs."""
    loaded = decisions("""
decisions:
  "R-*@*": {status: false-positive, justification: all of them}
  "R-SEC-*@*": {status: mitigated, justification: second pattern}
  R-SEC-01@profile-db: {status: accepted, justification: exact}
""")
    applied = apply_decisions(result, loaded, TODAY)
    assert applied.finding("R-SEC-01@profile-db").decision.status == "accepted"
    assert applied.finding("R-SEC-01@archive").decision.status == "false-positive"
    assert applied.finding("R-OPA-01@scoring").decision.key == "R-*@*"


def test_unmatched_decisions_warn_with_did_you_mean(result):
    """A decision that matches nothing is a positioned warning naming the closest finding."""
    loaded = decisions("""
decisions:
  R-SEC-01@profile-bd: {status: accepted, justification: typo}
  "X-*@*": {status: accepted, justification: nothing}
""")
    applied = apply_decisions(result, loaded, TODAY)
    texts = [str(w) for w in applied.warnings]
    assert (
        "d.yaml:3:3: warning: decision 'R-SEC-01@profile-bd' matches no finding "
        "(did you mean 'R-SEC-01@profile-db'?)" in texts
    )
    assert "d.yaml:4:4: warning: pattern 'X-*@*' matches no finding" in texts
    assert all(f.decision is None for f in applied.findings)


def test_fail_on_counts_only_findings_still_open(result):
    """--fail-on ignores findings closed by a decision and counts reopened ones."""
    from threatmodel.report import build_report
    from threatmodel.run import failing

    loaded = decisions("""
decisions:
  "R-OPA-01@*": {status: accepted, justification: legal sign-off, expires: 2025-01-01}
""")

    def fails(result) -> bool:
        return failing(build_report(result), "high") > 0

    assert fails(result)
    assert not fails(apply_decisions(result, loaded, TODAY))
    assert fails(apply_decisions(result, loaded, datetime.date(2025, 1, 1)))


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "decisions:\n  A@b: {status: acepted, justification: x}\n",
            "2:17: decision 'A@b': unknown status 'acepted' (did you mean 'accepted'?)",
        ),
        (
            "decisions:\n  A@b: {status: accepted}\n",
            "2:8: decision 'A@b': status 'accepted' needs a 'justification' (why the review decided so)",
        ),
        (
            "decisions:\n  A@b: {status: open, expires: soon}\n",
            "2:32: decision 'A@b': 'expires' must be a date written YYYY-MM-DD, not 'soon'",
        ),
        (
            "decisions:\n  A@b: {status: open, date: 2024-05-01, expires: 2024-04-01}\n",
            "2:50: decision 'A@b': 'expires' (2024-04-01) is before 'date' (2024-05-01)",
        ),
        (
            "decisions:\n  A@b: {status: open, onwer: me}\n",
            "2:23: decision 'A@b': unknown key 'onwer' (did you mean 'owner'?)",
        ),
        (
            "decisions:\n  'A b': {status: open}\n",
            "2:4: decision 'A b': a key is a finding id '<risk>@<element>' or a pattern with '*' and "
            "'?' (for example 'SRS-SEC-*@profile-db')",
        ),
        (
            "decisions:\n  A@b: accepted\n",
            "2:8: decision 'A@b' must be a mapping (status, justification, owner, ...), not text",
        ),
        (
            "decision: {}\n",
            "1:1: decisions file: unknown key 'decision' (did you mean 'decisions'?)",
        ),
    ],
)
def test_bad_decisions_are_positioned_errors(text, expected):
    """Every mistake in a decisions file is reported with its line and column."""
    with pytest.raises(ThreatModelError) as excinfo:
        decisions(text)
    assert [f"{p.line}:{p.col}: {p.message}" for p in excinfo.value.problems] == [expected]


def test_quoted_dates_are_read_as_dates():
    """A date written as quoted text is accepted as the same date."""
    loaded = decisions("decisions:\n  A@b: {status: open, date: '2024-05-01'}\n")
    assert loaded.items[0].date == datetime.date(2024, 5, 1)


COMMENTED = """\
# Review decisions (hand-written header)
decisions:
  # the store
  R-SEC-01@profile-db:
    status: in-progress   # started in May
    # who owns it
    owner: bob
    ticket: SEC-1

  # patterns last
  "R-RES-*@*": {status: false-positive, justification: no sale}
# trailing comment
"""


def test_record_updates_only_changed_lines_and_keeps_comments():
    """Updating an entry rewrites the changed fields in place; comments (even one at the end
    of a changed line) and order survive."""
    new = record_decision(
        COMMENTED,
        "d.yaml",
        "R-SEC-01@profile-db",
        {
            "status": "accepted",
            "justification": "ok",
            "owner": "bob",
            "ticket": "SEC-1",
            "date": datetime.date(2024, 6, 1),
        },
    )
    assert new == COMMENTED.replace(
        "    status: in-progress   # started in May\n", "    status: accepted   # started in May\n"
    ).replace(
        "    ticket: SEC-1\n", "    ticket: SEC-1\n    justification: ok\n    date: 2024-06-01\n"
    )
    assert decisions(new).items[0].status == "accepted"


def test_record_appends_new_entries_and_removes_fields():
    """A new key goes after the last entry; a None value removes that field's line."""
    new = record_decision(
        COMMENTED,
        "d.yaml",
        "*@archive",
        {"status": "mitigated", "justification": "moved: to vault"},
    )
    assert new.endswith("""  "R-RES-*@*": {status: false-positive, justification: no sale}
  '*@archive':
    status: mitigated
    justification: 'moved: to vault'
# trailing comment
""")
    removed = record_decision(
        COMMENTED, "d.yaml", "R-SEC-01@profile-db", {"status": "in-progress", "ticket": None}
    )
    assert "ticket" not in removed and "# who owns it\n    owner: bob\n" in removed
    assert [d.key for d in decisions(new).items] == [
        "R-SEC-01@profile-db",
        "R-RES-*@*",
        "*@archive",
    ]


@pytest.mark.parametrize(
    "text",
    ["", "# only a comment\n", "decisions:\n", "decisions: {}\n", "decisions:   # none yet\n"],
)
def test_record_into_empty_files(text):
    """An empty file, a bare section or an empty mapping all gain the new entry."""
    new = record_decision(text, "d.yaml", "A@b", {"status": "open", "owner": "yes"})
    loaded = decisions(new)
    assert [(d.key, d.status, d.owner) for d in loaded.items] == [("A@b", "open", "yes")]
    assert new.startswith(text.replace("decisions: {}\n", "")) or text == "decisions: {}\n"


def test_record_quotes_hostile_values_so_they_read_back_unchanged():
    """Values with YAML syntax, newlines and control characters survive a round trip."""
    hostile = "x: y # not a comment\n- item \x1b[31m 'quoted' \"double\" yes"
    new = record_decision(
        "", "d.yaml", "A@b", {"status": "accepted", "justification": hostile, "owner": "no"}
    )
    loaded = decisions(new).items[0]
    assert (loaded.justification, loaded.owner) == (hostile, "no")


def test_record_replaces_a_flow_style_entry():
    """A one-line {...} entry is rewritten as a block with the new fields."""
    new = record_decision(
        COMMENTED, "d.yaml", "R-RES-*@*", {"status": "accepted", "justification": "signed"}
    )
    loaded = {d.key: d for d in decisions(new).items}
    assert loaded["R-RES-*@*"].status == "accepted"
    assert "  # patterns last\n" in new and new.endswith("# trailing comment\n")
