"""Every shipped risk fires, stays quiet, asks and applies its modifiers where its case says so.

Each file in tests/risk_cases/ (except base.yaml) holds a list of cases, one per risk:

    - risk: SRS-SEC-02
      element: profile-db            # the element or flow the finding must be on
      fires: {set: {...}}            # a patch of base.yaml that must give a *confirmed* finding
      quiet: {set: {...}}            # a nearby patch (or a list of them) that must give no
                                     # finding at all, confirmed or undecided
      asks: {unset: {...}}           # applied on top of `fires`: leaves a fact of the risk's
                                     # `when` out, so the finding is undecided and asks for it
      silent: {unset: {...}}         # applied on top of `fires`: leaves a fact of the risk's
                                     # `scope` out, so the risk does not apply (no question)
      modifier:                      # only for risks with modifiers
        patch: {set: {...}}
        severity: high               # expected severity, different from the `fires` one

A patch has `set:` (id -> fields merged into the element, flow, data asset, boundary or
system with that id), `unset:` (id -> field names removed from it), `add:` (section -> items
appended) and `remove:` (ids dropped from every section and from boundary members). Patches
are applied to plain dicts.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

import threatmodel

CASES_DIR = Path(__file__).parent / "risk_cases"
ROOT = Path(__file__).parent.parent
SOURCE_SCENARIOS = range(1, 22)  # the 21 rows of the project's source-scenarios table
BASE = yaml.safe_load((CASES_DIR / "base.yaml").read_text(encoding="utf-8"))
SECTIONS = ("data", "elements", "flows", "boundaries", "controls")


def _load_cases() -> list[tuple[str, dict]]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        if path.name == "base.yaml":
            continue
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            cases.append((path.name, case))
    return cases


CASES = _load_cases()


def apply_patch(base: dict, patch: dict | None) -> dict:
    """A deep copy of `base` with a case patch applied."""
    data = copy.deepcopy(base)
    patch = patch or {}
    unknown = set(patch) - {"set", "unset", "add", "remove"}
    assert not unknown, f"unknown patch keys {sorted(unknown)}"
    for section, items in (patch.get("add") or {}).items():
        assert section in SECTIONS, f"cannot add to '{section}'"
        data.setdefault(section, []).extend(copy.deepcopy(items))
    removed = set(patch.get("remove") or ())
    if removed:
        for section in SECTIONS:
            data[section] = [
                item for item in data.get(section, []) if item.get("id") not in removed
            ]
        for boundary in data.get("boundaries", []):
            boundary["members"] = [m for m in boundary.get("members", []) if m not in removed]
    for target, fields in (patch.get("set") or {}).items():
        subject = _find(data, target)
        subject.update(copy.deepcopy(fields))
    for target, names in (patch.get("unset") or {}).items():
        subject = _find(data, target)
        for name in names:
            assert name in subject, f"unset: '{target}' has no field '{name}'"
            del subject[name]
    return data


def _find(data: dict, subject_id: str) -> dict:
    if data["system"].get("id") == subject_id:
        return data["system"]
    for section in SECTIONS:
        for item in data.get(section, []):
            if item.get("id") == subject_id:
                return item
    raise AssertionError(f"patch names '{subject_id}', which is not in the model")


@pytest.fixture(scope="module")
def catalog():
    return threatmodel.load_catalog()


def _result(catalog, patches: list, name: str):
    data = BASE
    for patch in patches:
        data = apply_patch(data, patch)
    return threatmodel.analyze(threatmodel.load_model_data(data, f"<{name}>"), catalog)


def _findings(catalog, patch: dict | None, name: str) -> dict:
    """The confirmed findings of base.yaml with a patch, by id."""
    return {f.id: f for f in _result(catalog, [patch], name).findings}


def _any_finding(catalog, patches: list, name: str, finding_id: str):
    """The finding with that id, confirmed or undecided, or None."""
    result = _result(catalog, patches, name)
    return {f.id: f for f in result.findings + result.undecided}.get(finding_id)


def _attributes(catalog, condition) -> set[str]:
    """The vocabulary attributes a condition names (on the subject or a flow's endpoints)."""
    names = {n.rpartition(".")[2] for n in (condition.names if condition else ())}
    return names & set(catalog.vocabulary.attributes)


def test_base_model_is_quiet(catalog):
    """The base model gives no finding and asks nothing, so every `fires` and every `asks`
    is caused by its patch."""
    result = _result(catalog, [None], "base")
    assert [f.id for f in result.findings] == []
    assert [f.id for f in result.undecided] == []


def test_every_shipped_risk_has_exactly_one_case(catalog):
    shipped = {risk.id for risk in catalog.risks}
    named = [case["risk"] for _, case in CASES]
    duplicates = sorted({r for r in named if named.count(r) > 1})
    assert duplicates == [], f"risks with more than one case: {duplicates}"
    assert sorted(shipped - set(named)) == [], "shipped risks without a case"
    assert sorted(set(named) - shipped) == [], "cases for risks that are not shipped"


def test_risks_that_ask_have_an_asks_case_and_scoped_risks_a_silent_case(catalog):
    """A risk whose `when` names an attribute shows that leaving it out asks; a risk whose
    `scope` names one shows that leaving it out is silence, not a question."""
    by_id = {risk.id: risk for risk in catalog.risks}
    cases = {case["risk"]: case for _, case in CASES}
    no_asks = [
        r
        for r, risk in by_id.items()
        if _attributes(catalog, risk.condition) and "asks" not in cases[r]
    ]
    no_silent = [
        r
        for r, risk in by_id.items()
        if _attributes(catalog, risk.scope) and "silent" not in cases[r]
    ]
    assert no_asks == [], "risks without an `asks` case"
    assert no_silent == [], "risks without a `silent` case"


def test_risks_with_modifiers_have_a_modifier_case(catalog):
    by_id = {risk.id: risk for risk in catalog.risks}
    lacking = [
        case["risk"]
        for _, case in CASES
        if case["risk"] in by_id and by_id[case["risk"]].modifiers and "modifier" not in case
    ]
    assert lacking == []


@pytest.mark.parametrize(
    "source,case", CASES, ids=[f"{c['risk']}@{c['element']}" for _, c in CASES]
)
def test_case(catalog, source, case):
    finding_id = f"{case['risk']}@{case['element']}"

    fired = _findings(catalog, case["fires"], f"{source} fires").get(finding_id)
    assert fired is not None, f"{source}: {finding_id} did not fire"
    assert fired.status == "confirmed", (
        f"{source}: {finding_id} only possible, missing {fired.missing}"
    )

    quiets = case["quiet"] if isinstance(case["quiet"], list) else [case["quiet"]]
    for number, patch in enumerate(quiets, 1):
        quiet = _any_finding(catalog, [patch], f"{source} quiet {number}", finding_id)
        assert quiet is None, (
            f"{source}: {finding_id} fired ({quiet and quiet.status}) on quiet model {number}"
        )

    if "asks" in case:
        asked = _any_finding(catalog, [case["fires"], case["asks"]], f"{source} asks", finding_id)
        assert asked is not None and asked.status != "confirmed", (
            f"{source}: {finding_id} is {asked and asked.status} when a fact it needs is left out"
        )
        left_out = {n for names in case["asks"].get("unset", {}).values() for n in names}
        assert left_out & {m.fact for m in asked.missing}, (
            f"{source}: {finding_id} asks for {[m.fact for m in asked.missing]}, "
            f"not for {sorted(left_out)}"
        )

    if "silent" in case:
        silent = _any_finding(
            catalog, [case["fires"], case["silent"]], f"{source} silent", finding_id
        )
        assert silent is None, (
            f"{source}: {finding_id} is {silent and silent.status} when its scope is unknown"
        )

    if "modifier" in case:
        modified = _findings(catalog, case["modifier"]["patch"], f"{source} modifier").get(
            finding_id
        )
        assert modified is not None and modified.status == "confirmed"
        assert modified.modifiers, f"{source}: no modifier applied to {finding_id}"
        assert modified.severity == case["modifier"]["severity"]
        assert modified.severity != fired.severity


def _scenario_rows() -> dict[int, set[str]]:
    """Row number -> risk ids whose id line carries `# source-scenarios: 3, 18`."""
    rows: dict[int, set[str]] = defaultdict(set)
    pattern = re.compile(r"-\s+id:\s+(\S+)\s+#\s*source-scenarios:\s*([\d,\s]+)$", re.M)
    for path in sorted((ROOT / "catalogs").glob("*.yaml")):
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            for number in match.group(2).split(","):
                if number.strip():
                    rows[int(number)].add(match.group(1))
    return rows


def test_every_source_scenario_is_caught_by_a_shipped_risk(catalog):
    shipped = {risk.id for risk in catalog.risks}
    rows = _scenario_rows()
    assert [n for n in SOURCE_SCENARIOS if not rows[n] & shipped] == []


def test_trust_score_example_confirms_every_source_scenario(catalog):
    model = threatmodel.load_model(ROOT / "examples" / "trust-score-platform.yaml")
    confirmed = {
        f.risk_id for f in threatmodel.analyze(model, catalog).findings if f.status == "confirmed"
    }
    rows = _scenario_rows()
    assert [n for n in SOURCE_SCENARIOS if not rows[n] & confirmed] == []


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "examples").glob("*.yaml")))
def test_example_models_analyse_with_confirmed_findings_only(catalog, name):
    """The examples set every attribute the shipped catalogs ask about: no undecided finding."""
    model = threatmodel.load_model(ROOT / "examples" / name)
    result = threatmodel.analyze(model, catalog)
    assert result.findings, f"{name} produced no findings"
    assert [f.id for f in result.findings if f.status != "confirmed"] == []
    assert [f.id for f in result.undecided] == []
