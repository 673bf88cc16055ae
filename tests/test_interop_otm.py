"""OTM: export of our model and findings, import of OTM files, and the round trip."""

import json
from pathlib import Path

import pytest

import threatmodel
from threatmodel.cli import main
from threatmodel.errors import ThreatModelError
from threatmodel.interop.otm import from_data, import_otm
from threatmodel.interop.otm_export import export_otm
from threatmodel.interop.source import read_json_text

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
INTEROP = FIXTURES / "interop"


def _round_trip(model, result=None):
    text = json.dumps(export_otm(model, result), indent=2)
    return from_data(read_json_text(text, "round.otm.json"), "round.otm.json").model


def _models():
    paths = sorted((ROOT / "examples").glob("*.yaml")) + [FIXTURES / "models" / "small.yaml"]
    return [p for p in paths if "decisions" not in p.name]


@pytest.mark.parametrize("path", _models(), ids=lambda p: p.name)
def test_round_trip_keeps_every_element_flow_boundary_and_data_asset(path):
    """Our model -> OTM -> our model gives back equal elements, flows, boundaries, data and controls."""
    model = threatmodel.load_model(path)
    back = _round_trip(model)
    assert back.elements == model.elements
    assert back.flows == model.flows
    assert back.boundaries == model.boundaries
    assert back.data == model.data
    assert back.controls == model.controls
    assert back.system == model.system


def test_round_trip_with_findings_still_keeps_the_model():
    """Exporting findings as threats does not disturb what comes back."""
    catalog = threatmodel.load_catalog([FIXTURES / "catalog"], shipped_risks=False)
    model = threatmodel.load_model(FIXTURES / "models" / "small.yaml")
    back = _round_trip(model, threatmodel.analyze(model, catalog))
    assert (back.elements, back.flows, back.boundaries, back.data) == (
        model.elements,
        model.flows,
        model.boundaries,
        model.data,
    )


def test_round_trip_keeps_a_models_own_vocabulary(tmp_path):
    """A model's own vocabulary section survives the trip, so its attributes stay valid."""
    path = tmp_path / "m.yaml"
    path.write_text(
        "system: {id: s}\n"
        "elements:\n  - {id: db, kind: datastore, pci_scope: true}\n"
        "vocabulary:\n  attributes:\n"
        "    - {name: pci_scope, type: bool, applies_to: [datastore], meaning: in PCI scope}\n"
    )
    model = threatmodel.load_model(path)
    back = _round_trip(model)
    assert back.elements[0].attributes == {"pci_scope": True}
    assert back.vocabulary.attributes["pci_scope"].type == "bool"
    threatmodel.check_model(back, threatmodel.load_catalog((), shipped_risks=False))


def test_export_places_findings_as_threat_instances_with_mitigation_states():
    """Each confirmed finding is a threat instance on its component or dataflow; controls in
    place are 'implemented' and the rest 'recommended'."""
    catalog = threatmodel.load_catalog([FIXTURES / "catalog"], shipped_risks=False)
    model = threatmodel.load_model(FIXTURES / "models" / "small.yaml")
    result = threatmodel.analyze(model, catalog)
    otm = export_otm(model, result)
    components = {c["id"]: c for c in otm["components"]}
    flows = {f["id"]: f for f in otm["dataflows"]}
    assert [t["threat"] for t in components["profile-db"]["threats"]] == ["T-CREEP-01", "T-SEC-01"]
    assert [t["threat"] for t in flows["f-report"]["threats"]] == ["T-INT-01"]
    assert {t["id"] for t in otm["threats"]} == {f.risk_id for f in result.confirmed}
    assert all(t["state"] == "exposed" for c in components.values() for t in c.get("threats", ()))
    threat = next(t for t in otm["threats"] if t["id"] == "T-SEC-01")
    assert 0 <= threat["risk"]["likelihood"] <= 100 and 0 <= threat["risk"]["impact"] <= 100
    assert "T-SEC-01@profile-db" in threat["attributes"]["threatmodel:findings"]
    ids = {m["id"] for m in otm["mitigations"]}
    for component in components.values():
        for instance in component.get("threats", ()):
            assert {m["mitigation"] for m in instance.get("mitigations", ())} <= ids


def test_export_shape_has_what_otm_requires():
    """Every trust zone, component, dataflow and asset has the fields OTM marks required."""
    model = threatmodel.load_model(FIXTURES / "models" / "small.yaml")
    otm = export_otm(model)
    assert otm["otmVersion"] and otm["project"]["id"] == "small" and otm["project"]["name"]
    zones = {z["id"] for z in otm["trustZones"]}
    for zone in otm["trustZones"]:
        assert {"id", "name", "risk"} <= set(zone) and "trustRating" in zone["risk"]
    for component in otm["components"]:
        assert {"id", "name", "type", "parent"} <= set(component)
        assert component["parent"]["trustZone"] in zones
    for flow in otm["dataflows"]:
        assert {"id", "name", "source", "destination"} <= set(flow)
    for asset in otm["assets"]:
        assert set(asset["risk"]) >= {"confidentiality", "integrity", "availability"}


def test_import_of_a_foreign_otm_json_maps_zones_components_flows_and_assets():
    """A hand-written OTM file from another tool becomes a valid model, with inferences noted."""
    result = import_otm(INTEROP / "health-exchange.otm.json")
    model = result.model
    kinds = {e.id: e.kind for e in model.elements}
    assert kinds["clinical-db"] == "datastore" and kinds["audit-store"] == "datastore"
    assert kinds["hospital-ehr"] == "external_service" and kinds["clinician"] == "actor"
    boundaries = {b.id: b for b in model.boundaries}
    assert boundaries["2ab4effa-40b7-4cd2-ba81-8247d29a6f2d"].type == "cloud_account"
    assert "ehr-vpc-db" in boundaries["2ab4effa-40b7-4cd2-ba81-8247d29a6f2d"].members
    assert "claims-worker" in boundaries["partner-insurer"].members  # nested component
    flows = {f.id: f for f in model.flows}
    assert flows["df-clinician-login-reverse"].source == "api-gateway"  # bidirectional
    assert flows["df-hl7-feed"].attributes == {"encrypted_in_transit": False}
    elements = {e.id: e for e in model.elements}
    assert elements["clinician"].attributes == {"mfa": True}  # "true" string coerced
    assert elements["clinical-db"].stores == ("clinical-summaries", "patient-demographics")
    assert dict(elements["clinical-db"].attributes) == {"encrypted_at_rest": True}
    assets = {a.id: a for a in model.data}
    assert "health" in assets["clinical-summaries"].categories
    topics = " ".join(p.message for p in result.summary())
    assert "access_logged" in topics and "bidirectional" in topics and "threats" in topics
    threatmodel.check_model(model, threatmodel.load_catalog())


def test_import_of_otm_yaml_works_like_json():
    """OTM written in YAML is read as well, with positions in the YAML file."""
    result = import_otm(INTEROP / "payments.otm.yaml")
    kinds = {e.id: (e.kind, e.type) for e in result.model.elements}
    assert kinds["orders-table"] == ("datastore", "database")
    assert kinds["stripe"][0] == "external_service"
    assert result.model.elements[0].pos.file.endswith("payments.otm.yaml")
    assert (result.model.elements[0].pos.line, result.model.elements[0].pos.col) == (17, 5)


@pytest.mark.parametrize(
    "text, where, words",
    [
        (
            '{"otmVersion": "0.2.0", "project": {"id": "p", "name": "P"},\n'
            ' "trustZones": [], "components": [], "dataflows": [\n'
            '  {"id": "d", "name": "D", "source": "a", "destination": "b"}]}',
            (3, 39),
            "unknown component 'a'",
        ),
        (
            '{"otmVersion": "0.2.0",\n "project": {"id": "p", "name": "P"},\n "project": {}}',
            (3, 2),
            "duplicate key 'project'",
        ),
        (
            '{"otmVersion": "0.2.0", "project": {"id": "p", "name": "P"},\n "components": [\n'
            '  {"id": "c", "name": "C", "type": "x", "parent": {"trustZone": "nowhere"}}]}',
            (3, 51),
            "unknown trust zone 'nowhere'",
        ),
        (
            '{"otmVersion": "0.2.0", "project": {"id": "p", "name": "P"}, "components": [}',
            (1, 77),
            "invalid JSON",
        ),
        ('{"project": {"id": "p", "name": "P"}}', (1, 1), "'otmVersion' is required"),
    ],
)
def test_broken_otm_files_give_positioned_errors(tmp_path, text, where, words):
    """Dangling references, duplicate keys, bad syntax and missing keys name file, line and column."""
    path = tmp_path / "broken.otm.json"
    path.write_text(text)
    with pytest.raises(ThreatModelError) as caught:
        import_otm(path)
    problem = caught.value.problems[0]
    assert words in problem.message
    assert (problem.line, problem.col) == where
    assert problem.file == str(path)


def test_export_and_import_commands_round_trip(tmp_path, capsys):
    """`export --to otm` then `import --from otm` writes a model that validates."""
    otm = tmp_path / "small.otm.json"
    back = tmp_path / "back.yaml"
    catalog = ["--catalog", str(FIXTURES / "catalog"), "--no-shipped"]
    assert (
        main(
            [
                "export",
                "--to",
                "otm",
                str(FIXTURES / "models" / "small.yaml"),
                "-o",
                str(otm),
                *catalog,
            ]
        )
        == 0
    )
    assert main(["import", "--from", "otm", str(otm), "-o", str(back), *catalog]) == 0
    assert main(["validate", str(back), *catalog]) == 0
    text = back.read_text()
    assert text.startswith("# Imported from small.otm.json")
    assert (
        threatmodel.load_model(back).elements
        == threatmodel.load_model(FIXTURES / "models" / "small.yaml").elements
    )
    capsys.readouterr()


def test_export_is_deterministic_and_yaml_when_asked(tmp_path):
    """The same model gives the same bytes; a .yaml output name gives OTM in YAML."""
    model = str(FIXTURES / "models" / "small.yaml")
    catalog = ["--catalog", str(FIXTURES / "catalog"), "--no-shipped"]
    first, second, as_yaml = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.otm.yaml"
    for out in (first, second, as_yaml):
        assert main(["export", "--to", "otm", model, "-o", str(out), *catalog]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert as_yaml.read_text().startswith("otmVersion:")


def test_export_applies_review_decisions_to_threat_states(tmp_path):
    """A decision beside the model turns the threat instance's state into the decision."""
    model = tmp_path / "small.yaml"
    model.write_text((FIXTURES / "models" / "small.yaml").read_text())
    (tmp_path / "small.decisions.yaml").write_text(
        "decisions:\n  T-SEC-01@profile-db: {status: accepted, justification: legacy, owner: dpo}\n"
    )
    out = tmp_path / "o.json"
    assert (
        main(
            [
                "export",
                "--to",
                "otm",
                str(model),
                "-o",
                str(out),
                "--catalog",
                str(FIXTURES / "catalog"),
                "--no-shipped",
            ]
        )
        == 0
    )
    otm = json.loads(out.read_text())
    db = next(c for c in otm["components"] if c["id"] == "profile-db")
    states = {t["threat"]: t["state"] for t in db["threats"]}
    assert states == {"T-SEC-01": "accepted", "T-CREEP-01": "exposed"}


def test_analyze_reads_an_otm_file_directly(tmp_path, capsys):
    """`analyze --from otm` analyses the OTM file without a converted copy."""
    out = tmp_path / "out"
    assert (
        main(
            [
                "analyze",
                "--from",
                "otm",
                str(INTEROP / "payments.otm.yaml"),
                "-o",
                str(out),
                "--format",
                "json",
                "--quiet",
            ]
        )
        == 0
    )
    report = json.loads((out / "findings.json").read_text())
    assert report["system"]["id"] == "payments-service"
    assert "not mapped" in capsys.readouterr().err
