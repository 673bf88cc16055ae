"""Threagile import: a realistic model of a few dozen assets, the mapping tables, broken files."""

import json
from pathlib import Path

import pytest

import threatmodel
from threatmodel.cli import main
from threatmodel.errors import ThreatModelError
from threatmodel.interop.threagile import import_threagile

FIXTURE = Path(__file__).parent / "fixtures" / "interop" / "trust-platform.threagile.yaml"


@pytest.fixture(scope="module")
def imported():
    return import_threagile(FIXTURE)


def _by_id(items):
    return {item.id: item for item in items}


def test_every_asset_link_and_boundary_arrives_and_validates(imported):
    """All 42 technical assets, 11 data assets and 5 boundaries (and the organisation boundary
    the import adds) arrive and the model validates against the shipped catalogs."""
    model = imported.model
    assert len(model.elements) == 42 and len(model.data) == 11 and len(model.boundaries) == 6
    assert len(model.flows) == 55  # 39 links, 16 of them with a response flow for received data
    threatmodel.check_model(model, threatmodel.load_catalog())


def test_kinds_follow_threagile_types_and_human_clients_become_actors(imported):
    """external-entity used by a human is an actor, other external entities external services."""
    elements = _by_id(imported.model.elements)
    assert (elements["citizen-app"].kind, elements["citizen-app"].type) == ("actor", "data_subject")
    assert (elements["admin-client"].kind, elements["admin-client"].type) == (
        "actor",
        "operator_staff",
    )
    assert elements["partner-bank"].kind == "external_service"
    assert (elements["scoring-engine"].kind, elements["scoring-engine"].type) == (
        "process",
        "scoring",
    )
    assert elements["blacklist-db"].type == "list"
    assert elements["document-store"].type == "file_store"  # from the technology table


def test_encryption_internet_and_confidentiality_map_onto_our_attributes(imported):
    """encryption -> encrypted_at_rest, internet -> publicly_reachable, confidentiality -> the
    declared confidentiality attribute."""
    elements = _by_id(imported.model.elements)
    assert elements["score-cache"].attributes["encrypted_at_rest"] is False
    assert elements["case-db"].attributes["encrypted_at_rest"] is True
    assert elements["api-gateway"].attributes["publicly_reachable"] is True
    assert elements["profile-db"].attributes["redundant"] is True
    data = _by_id(imported.model.data)
    assert data["citizen-identity"].attributes["confidentiality"] == "strictly_confidential"
    assert "confidentiality" in imported.model.vocabulary.attributes
    assert elements["profile-db"].stores == ("citizen-identity", "social-contacts", "trust-scores")


def test_data_categories_sources_and_people_counts(imported):
    """A 'pii' tag says personal and the words say which; usage devops is configuration;
    quantity is an estimated people count, marked as one; each guess is reported."""
    data = _by_id(imported.model.data)
    assert data["citizen-identity"].categories == ("identity", "government_id")
    assert data["telco-location"].categories == ("location",)
    assert data["deploy-config"].categories == ("configuration",)
    assert data["telco-location"].source == "partner"
    assert data["court-judgments"].source == "government"
    assert data["telco-location"].subjects == 1_000_000  # very-many: a million or more
    assert data["telco-location"].attributes["subjects_estimated_from"] == (
        "Threagile quantity: very-many (a million or more)"
    )
    assert data["deploy-config"].subjects is None  # not about people
    details = {n.detail for n in imported.notes}
    assert "telco-location: 1,000,000 (very-many)" in details
    assert any(n.topic.startswith("data categories guessed") for n in imported.notes)


def test_links_become_flows_with_protocol_encryption_and_authentication(imported):
    """Sent data flows out, received data comes back in a response flow; protocol and
    authentication map onto encryption and authentication attributes."""
    flows = {(f.source, f.target, f.name): f for f in imported.model.flows}
    lookup = flows[("bank-lookup-api", "score-cache", "Score read")]
    assert lookup.attributes == {
        "usage": "business",
        "protocol": "binary",
        "vpn": False,
        "ip_filtered": False,
        "readonly": False,
        "encrypted_in_transit": False,
        "authenticated": False,
        "auth_strength": "none",
    }
    response = flows[("score-cache", "bank-lookup-api", "Score read (response)")]
    assert response.data == ("trust-scores",)
    analyst = flows[("analyst-workstation", "admin-backend", "Case queries")]
    assert analyst.attributes["auth_strength"] == "mfa" and analyst.data == ()
    court = flows[("court-registry", "court-import", "Judgment export")]
    assert court.attributes["encrypted_in_transit"] is False


def test_boundary_types_map_and_nest(imported):
    """Threagile boundary types map onto our kinds and nested boundaries become members."""
    boundaries = _by_id(imported.model.boundaries)
    assert boundaries["cloud-account"].type == "cloud_account"
    assert boundaries["legacy-dc"].type == "network"
    assert set(boundaries["cloud-account"].members) == {
        "k8s-control-plane",
        "dmz",
        "app-net",
        "data-net",
    }


def test_unmapped_fields_are_reported_with_positions(imported):
    """Every field with no equivalent is listed at its own line of the file."""
    from threatmodel.interop.build import UNMAPPED

    unmapped = [n for n in imported.notes if n.topic == UNMAPPED]
    details = {n.detail for n in unmapped}
    assert {"model: shared_runtimes", "model: risk_tracking"} <= details
    machine = [n for n in unmapped if n.detail == "technical asset: machine"]
    assert len(machine) == 42 and len({n.pos.line for n in machine}) == 42
    lines = FIXTURE.read_text().splitlines()
    assert all(lines[n.pos.line - 1].strip().startswith("machine:") for n in machine)


def test_third_parties_sit_outside_one_organisation(imported):
    """Out-of-scope assets, external services and people who are not staff are outside the
    organisation boundary; the staff clients and the operator's networks are inside."""
    org = next(b for b in imported.model.boundaries if b.type == "organisation")
    assert set(org.members) == {"cloud-account", "legacy-dc", "analyst-workstation", "admin-client"}
    outside = {n.detail.split(":")[0] for n in imported.notes if n.topic.startswith("third")}
    assert {"cloud-backup", "telco", "citizen-app", "loan-officer"} <= outside


def test_positions_point_into_the_threagile_file(imported):
    """An element's position is its line in the Threagile file, for errors found later."""
    element = _by_id(imported.model.elements)["scoring-engine"]
    line = FIXTURE.read_text().splitlines()[element.field_pos["id"].line - 1]
    assert "id: scoring-engine" in line


@pytest.mark.parametrize(
    "edit, words, line_text",
    [
        (
            ("target: score-cache", "target: score-cash"),
            "unknown target 'score-cash'",
            "target: score-cash",
        ),
        (
            ("- trust-scores\n", "- trust-scorez\n"),
            "unknown data asset 'trust-scorez'",
            "trust-scorez",
        ),
        (
            ("encryption: transparent", "encryption: aes"),
            "unknown encryption 'aes'",
            "encryption: aes",
        ),
        (
            (
                "type: network-on-prem",
                "type: network-on-prem\n    technical_assets_inside: [ghost]",
            ),
            "duplicate key",
            "technical_assets_inside",
        ),
    ],
)
def test_broken_threagile_files_give_positioned_errors(tmp_path, edit, words, line_text):
    """A dangling reference or bad value is an error at the line that holds it."""
    text = FIXTURE.read_text()
    assert edit[0] in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(ThreatModelError) as caught:
        import_threagile(path)
    problem = next(p for p in caught.value.problems if words in p.message)
    assert line_text in path.read_text().splitlines()[problem.line - 1]


def test_a_file_that_is_not_threagile_is_refused(tmp_path):
    """An OTM file given as Threagile says so instead of importing nothing."""
    path = tmp_path / "x.yaml"
    path.write_text("otmVersion: 0.1.0\nproject: {id: p, name: P}\n")
    with pytest.raises(ThreatModelError, match="does not look like a Threagile model"):
        import_threagile(path)


def test_import_command_writes_a_model_that_validates_and_is_deterministic(tmp_path, capsys):
    """`import --from threagile` writes the same bytes twice, with the notes as comments."""
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for out in (first, second):
        assert main(["import", "--from", "threagile", str(FIXTURE), "-o", str(out)]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert "# Notes on the import, with the lines of" in first.read_text()
    assert main(["validate", str(first)]) == 0
    assert main(["import", "--from", "threagile", str(FIXTURE), "-o", str(first)]) == 2
    assert "exists" in capsys.readouterr().err


def test_analyze_accepts_a_threagile_file_with_from(tmp_path, capsys):
    """`analyze --from threagile` finds the unencrypted event lake without a converted copy."""
    out = tmp_path / "out"
    assert (
        main(
            [
                "analyze",
                "--from",
                "threagile",
                str(FIXTURE),
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
    ids = {f["id"] for f in report["findings"]}
    assert "SRS-SEC-02@event-lake" in ids
    capsys.readouterr()
