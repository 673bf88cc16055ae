"""`threatmodel plan`: exact what-ifs on every example, a reviewer's action list, bad input."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import attrs
import pytest

import threatmodel
from threatmodel.cli import main
from threatmodel.concerns import by_severity, concerns
from threatmodel.model import Control
from threatmodel.planner import make_plan

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def catalog():
    return threatmodel.load_catalog()


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_each_step_predicts_what_analysing_the_changed_model_gives(example, catalog):
    """The open concerns by severity and the people exposed after every step are exactly what
    analysing the model with the steps so far added as controls gives."""
    model = threatmodel.load_model(example)
    plan = make_plan(threatmodel.analyze(model, catalog), "high")
    assert plan.actions, example.stem
    threshold = catalog.severity_rank("high")
    for step, action in enumerate(plan.actions, 1):
        added = tuple(
            Control(mitigation=a.mitigation, targets=a.targets) for a in plan.actions[:step]
        )
        again = threatmodel.analyze(
            attrs.evolve(model, controls=(*model.controls, *added)), catalog
        )
        open_concerns = [c for c in concerns(again.findings, catalog) if c.open]
        assert by_severity(open_concerns, catalog, only_open=True) == action.after, step
        people = max(
            (
                f.harm.subjects or 0
                for f in again.findings
                if catalog.severity_rank(f.severity) >= threshold
            ),
            default=0,
        )
        assert people == action.people_exposed, step
    final = plan.actions[-1].after
    stuck = {r.concern for r in plan.remaining}
    assert sum(final[s] for s in ("critical", "high")) == len(stuck)


def test_the_plan_stays_exact_with_nested_boundaries_model_controls_and_decisions(catalog):
    """The plan works each step out incrementally (only the findings a control reaches are
    scored again); on a synthetic model with nested boundaries, controls already in place on
    boundaries (with notes) and findings closed by decisions, every step's counts, people and
    resolved concerns are still what analysing the changed model gives."""
    from benchmarks.synth import generate
    from threatmodel.tracking import Decision, Decisions, apply_decisions

    data = generate(60)
    data["controls"] = [
        {"mitigation": "MIT-ENCRYPT-AT-REST", "targets": ["org0"], "note": "org-wide keys"},
        {"mitigation": "MIT-RETENTION-SCHEDULE", "targets": ["eu"], "note": "EU schedule"},
        {"mitigation": "MIT-ACCESS-LOG"},
    ]
    model = threatmodel.load_model_data(data)
    today = datetime.date(2026, 12, 6)
    first = threatmodel.analyze(model, catalog)
    closed = [f.id for f in first.findings[::7]]
    decisions = Decisions(
        items=tuple(
            Decision(key=i, status="accepted", justification="accepted for the test")
            for i in closed
        )
    )
    plan = make_plan(apply_decisions(first, decisions, today), "high")
    assert len(plan.actions) > 5
    threshold = catalog.severity_rank("high")

    def state(step: int):
        added = tuple(
            Control(mitigation=a.mitigation, targets=a.targets) for a in plan.actions[:step]
        )
        changed = attrs.evolve(model, controls=(*model.controls, *added))
        again = apply_decisions(threatmodel.analyze(changed, catalog), decisions, today)
        grouped = [c for c in concerns(again.findings, catalog) if c.open]
        above = {c.id for c in grouped if catalog.severity_rank(c.open_severity) >= threshold}
        people = max(
            (
                f.harm.subjects or 0
                for f in again.findings
                if f.open and catalog.severity_rank(f.severity) >= threshold
            ),
            default=0,
        )
        return by_severity(grouped, catalog, only_open=True), people, above

    _, _, above_before = state(0)
    for step, action in enumerate(plan.actions, 1):
        after, people, above = state(step)
        assert (after, people) == (action.after, action.people_exposed), step
        assert set(action.resolves) == above_before - above, step
        above_before = above
    assert {r.concern for r in plan.remaining} == above_before


def test_text_output_reads_as_an_action_list(capsys):
    """Numbered steps with the mitigation, where it goes (by name) and what stays open."""
    assert main(["plan", str(ROOT / "examples" / "credit-bureau.yaml"), "--max", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("To bring every open concern below high: 3 critical, ")
    assert out[1].startswith("  1. ") and out[2].startswith("     on ")
    assert out[3].startswith("     then: ") and "open" in out[3]
    assert any(line.startswith("  !  ") and "raise --max" in line for line in out)


def test_a_step_that_moves_no_concern_says_so(catalog, capsys):
    """A step is marked unchanged exactly when the open concerns and the people exposed are
    as the step before left them (it lowers scores within their bands), and the plan's text
    says so on that step and no other; the trust-score example has such a step."""
    model_path = ROOT / "examples" / "trust-score-platform.yaml"
    plan = make_plan(threatmodel.analyze(threatmodel.load_model(model_path), catalog), "high")
    standing = (plan.before, plan.people_exposed)
    for action in plan.actions:
        assert action.changes == ((action.after, action.people_exposed) != standing)
        standing = (action.after, action.people_exposed)
    assert not all(action.changes for action in plan.actions)
    assert main(["plan", str(model_path)]) == 0
    thens = [line for line in capsys.readouterr().out.splitlines() if "then: " in line]
    unchanged = "(unchanged: it lowers scores, no concern changes band yet)"
    assert [unchanged in line for line in thens] == [not a.changes for a in plan.actions]


def test_json_has_the_documented_shape(capsys):
    assert (
        main(
            [
                "plan",
                str(ROOT / "examples" / "trust-score-platform.yaml"),
                "--format",
                "json",
                "--max",
                "2",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert len(data["actions"]) == 2
    first = data["actions"][0]
    assert {"mitigation", "targets", "after", "people_exposed"} <= set(first)
    assert set(first["after"]) == {"critical", "high", "medium", "low"}


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--target", "severe"],
            "--target: unknown severity 'severe'; choose from critical, high, medium, low",
        ),
        (["--max", "0"], "--max: --max must be 1 or more, not 0"),
    ],
)
def test_bad_options_are_bad_input(args, message, capsys):
    assert main(["plan", str(ROOT / "examples" / "credit-bureau.yaml"), *args]) == 2
    assert message in capsys.readouterr().err
