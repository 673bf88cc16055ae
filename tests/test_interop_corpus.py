"""Real files from Threagile, OTM, pytm and Threat Dragon (../shared/interop-corpus): each one
imports, validates, analyses and goes back out, or is refused with a reason a user would
accept. The corpus is read where it lies, never copied; without it these tests skip (fail in CI).
"""

import json

import jsonschema
import pytest

import threatmodel
from tests.helpers import shared_path
from threatmodel.api import check_model
from threatmodel.cli import main
from threatmodel.errors import ThreatModelError
from threatmodel.graph import Graph
from threatmodel.interop import import_model
from threatmodel.interop.otm import from_data as otm_from_data
from threatmodel.interop.otm_export import export_otm
from threatmodel.interop.source import read_json_text
from threatmodel.interop.threat_dragon import from_data as td_from_data
from threatmodel.interop.threat_dragon_export import export_threat_dragon
from threatmodel.interop.tmbom import export_tmbom

CORPUS = "interop-corpus/"
# file -> (format, elements, flows, boundaries with the added organisation)
MODELS = {
    "threagile/demo/example/threagile.yaml": ("threagile", 14, 36, 6),
    "threagile/test/main.yaml": ("threagile", 14, 36, 6),
    "threagile/test/all.yaml": ("threagile", 14, 36, 6),
    "threagile/demo/stub/threagile.yaml": ("threagile", 2, 1, 2),
    "otm/EXAMPLE.json": ("otm", 4, 4, 3),
    "otm/EXAMPLE.yaml": ("otm", 4, 4, 3),
    "pytm/tm.json": ("pytm", 8, 11, 4),
    "pytm/sample_llm.json": ("pytm", 6, 7, 4),
    "threat-dragon/v2-threat-model.json": ("threat-dragon", 7, 10, 1),
    "threat-dragon/demo-threat-model.json": ("threat-dragon", 7, 10, 1),
    "threat-dragon/three-tier-web-app.json": ("threat-dragon", 3, 4, 3),
    "threat-dragon/iot-device.json": ("threat-dragon", 11, 14, 1),
}
# files that are not models: refused (exit 2) with these words
REFUSED = {
    "threat-dragon/tmbom-otm-example.cdx.json": "threat models have no place in CycloneDX",
    "threat-dragon/tmbom-pytm-example.cdx.json": "threat models have no place in CycloneDX",
    "threat-dragon/threat-model.schema.json": "cannot tell which tool wrote this file",
    "otm/otm_schema.json": "cannot tell which tool wrote this file",
    "threagile/test/data_assets.yaml": "this is part of a Threagile model",
    "threagile/test/technical_assets_clients.yaml": "this is part of a Threagile model",
    "threagile/test/meta.yaml": "this is part of a Threagile model",
    "threagile/test/diagram_tweak.yaml": "file is empty",
}
TD_FILES = [f for f in MODELS if f.startswith("threat-dragon/")]


@pytest.fixture(scope="module")
def catalog():
    return threatmodel.load_catalog()


@pytest.fixture(scope="module")
def imported():
    """Each corpus model imported once (lazily, so a missing corpus skips test by test)."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = import_model("auto", shared_path(CORPUS + name))
        return cache[name]

    return get


def _organisation(model):
    return next(b for b in model.boundaries if b.type == "organisation")


def _inside(graph, org, element_id):
    return org.id in {b.id for b in graph.chain(element_id)}


@pytest.mark.parametrize("name", MODELS)
def test_each_model_imports_validates_and_analyses(name, imported, catalog):
    """Every corpus model is recognised, imports, validates against the shipped catalogs and
    analyses; its counts are the ones the source holds."""
    fmt, elements, flows, boundaries = MODELS[name]
    result = imported(name)
    model = result.model
    assert result.source_format == fmt
    assert (len(model.elements), len(model.flows), len(model.boundaries)) == (
        elements,
        flows,
        boundaries,
    )
    check_model(model, catalog)
    analysis = threatmodel.analyze(model, catalog)
    # a model that names no category of personal data (Threagile's stub) may raise nothing
    personal = any(asset.categories for asset in model.data)
    assert analysis.findings or analysis.undecided or not personal


@pytest.mark.parametrize("name", MODELS)
def test_every_import_has_one_organisation_with_the_third_parties_outside(name, imported, catalog):
    """One organisation boundary holds the operator's elements; people and external services
    are outside it, and no flow between two inside elements leaves it."""
    model = imported(name).model
    graph = Graph(model, catalog.vocabulary)
    orgs = [b for b in model.boundaries if b.type == "organisation"]
    assert len(orgs) == 1
    org = orgs[0]
    for element in model.elements:
        if element.kind == "external_service" or (
            element.kind == "actor" and element.type != "operator_staff"
        ):
            assert not _inside(graph, org, element.id), element.id
    internal = [
        f.id
        for f in model.flows
        if _inside(graph, org, f.source)
        and _inside(graph, org, f.target)
        and graph.crosses(f, "organisation")[0]
    ]
    assert internal == []


@pytest.mark.parametrize("name", MODELS)
def test_round_trips_through_threat_dragon_and_otm(name, imported):
    """Our model -> Threat Dragon -> our model, and -> OTM -> our model, give back the same
    elements, flows, boundaries and data."""
    model = imported(name).model
    text = json.dumps(export_threat_dragon(model), indent=2)
    back = td_from_data(read_json_text(text, "back.json"), "back.json").model
    assert (back.elements, back.flows, back.boundaries, back.data) == (
        model.elements,
        model.flows,
        model.boundaries,
        model.data,
    )
    text = json.dumps(export_otm(model), indent=2)
    back = otm_from_data(read_json_text(text, "back.otm.json"), "back.otm.json").model
    assert (back.elements, back.flows, back.boundaries, back.data) == (
        model.elements,
        model.flows,
        model.boundaries,
        model.data,
    )


@pytest.fixture(scope="module")
def tmbom_schema():
    schema = json.loads(shared_path(CORPUS + "threat-dragon/threat-model.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("name", MODELS)
def test_tmbom_export_opens_against_threat_dragons_schema(name, imported, catalog, tmbom_schema):
    """The TM-BOM of every corpus model, with its findings, is valid against the schema Threat
    Dragon validates TM-BOM files with (threat-model.schema.json)."""
    model = imported(name).model
    document = export_tmbom(model, threatmodel.analyze(model, catalog), include_possible=True)
    errors = [f"{e.json_path}: {e.message}" for e in tmbom_schema.iter_errors(document)]
    assert errors == []
    assert len(document["data_flows"]) == len(model.flows)


@pytest.mark.parametrize("name", REFUSED)
def test_files_that_are_not_models_are_refused_with_a_reason(name, capsys):
    path = shared_path(CORPUS + name)
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert REFUSED[name] in err and f"{path}:" in err


# -- Threagile ---------------------------------------------------------------------------------


def test_threagile_includes_give_the_same_model_as_the_single_file(imported):
    """test/main.yaml (13 includes, one included twice, one empty) equals test/all.yaml."""
    main_model, all_model = (
        imported("threagile/test/main.yaml").model,
        imported("threagile/test/all.yaml").model,
    )
    assert {e.id for e in main_model.elements} == {e.id for e in all_model.elements}
    assert {f.id for f in main_model.flows} == {f.id for f in all_model.flows}
    assert {d.id: d.categories for d in main_model.data} == {
        d.id: d.categories for d in all_model.data
    }
    files = {p.rsplit("/", 1)[-1] for p in main_model.files}
    assert {"main.yaml", "technical_assets_clients.yaml", "data_assets.yaml"} <= files
    topics = " ".join(n.topic for n in imported("threagile/test/main.yaml").notes)
    assert "files included again" in topics and "included files with nothing in them" in topics


def test_threagile_example_states_first_and_never_calls_public_data_personal(imported, catalog):
    """The known wrong guesses are gone: build-job config is configuration (usage: devops), not
    employment; code and marketing material are not personal; internal business data is
    business, not identity; and no asset rated public has a personal category."""
    model = imported("threagile/demo/example/threagile.yaml").model
    data = {d.id: d for d in model.data}
    table = catalog.vocabulary.categories
    assert data["build-job-config"].categories == ("configuration",)
    for asset in ("client-application-code", "server-application-code", "marketing-material"):
        assert data[asset].categories == ("configuration",)
    assert data["internal-business-data"].categories == ("business",)
    for asset in model.data:
        if asset.attributes.get("confidentiality") == "public":
            assert not any(table[c].personal for c in asset.categories), asset.id
    assert "identity" in data["customer-contracts"].categories


@pytest.mark.parametrize(
    "name", ["threagile/demo/example/threagile.yaml", "threagile/test/main.yaml"]
)
def test_threagile_example_and_main_import_and_validate_from_the_command_line(name, tmp_path):
    out = tmp_path / "model.yaml"
    assert main(["import", str(shared_path(CORPUS + name)), "-o", str(out)]) == 0
    assert main(["validate", str(out)]) == 0


def test_threagile_example_organisation_follows_threagiles_own_owners_and_scope(imported, catalog):
    """Judged by Threagile's own fields, not by our placement: every asset in scope belongs
    to the operator (Company ABC owns them all) and sits inside the organisation; every asset
    out of scope (customers, Company XYZ's clients, external developers) sits outside; and no
    link between two assets in scope leaves the organisation."""
    import yaml

    path = shared_path(CORPUS + "threagile/demo/example/threagile.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))  # PyYAML expands its merge keys
    assets = {a["id"]: a for a in raw["technical_assets"].values()}
    model = imported("threagile/demo/example/threagile.yaml").model
    graph = Graph(model, catalog.vocabulary)
    org = _organisation(model)
    in_scope = {i for i, a in assets.items() if not a.get("out_of_scope")}
    assert {assets[i]["owner"] for i in in_scope} == {"Company ABC"}
    assert {i for i in assets if _inside(graph, org, i)} == in_scope
    flows = {(f.source, f.target): f for f in model.flows}
    links = [
        (source, link["target"])
        for source, asset in assets.items()
        for link in (asset.get("communication_links") or {}).values()
        if source in in_scope and link["target"] in in_scope
    ]
    assert len(links) == 11
    assert [ends for ends in links if graph.crosses(flows[ends], "organisation")[0]] == []


def test_threagile_example_maps_clients_quantities_and_links(imported):
    """The back-office client is staff and, being out of scope, a third party; quantity gives
    an estimated people count marked as such; authorization and readonly carry over."""
    result = imported("threagile/demo/example/threagile.yaml")
    model = result.model
    elements = {e.id: e for e in model.elements}
    assert elements["backoffice-client"].type == "operator_staff"
    assert "backoffice-client" not in _organisation(model).members
    contracts = next(d for d in model.data if d.id == "customer-contracts")
    assert contracts.subjects == 10_000
    assert contracts.attributes["subjects_estimated_from"].startswith("Threagile quantity: many")
    assert result.comments[("data", "customer-contracts", "subjects")].startswith("estimate")
    flows = {f.id: f for f in model.flows}
    customer = flows["customer-client-Customer Traffic".replace(" ", "-")]
    assert customer.attributes["auth_strength"] == "per_user"  # end-user identity propagation
    assert customer.attributes["encrypted_in_transit"] is True
    vpn = flows["backoffice-client-ERP-Internal-Access"]
    assert vpn.attributes["vpn"] is True


def test_threagile_guesses_are_comments_naming_their_word(imported, tmp_path):
    """A guessed category is written beside the field with the word it came from."""
    out = tmp_path / "m.yaml"
    path = shared_path(CORPUS + "threagile/demo/example/threagile.yaml")
    assert main(["import", str(path), "-o", str(out)]) == 0
    text = out.read_text()
    assert "categories: [identity]  # guessed from the word 'customer'; check" in text
    assert "type: operator_staff  # guessed from the word 'backoffice'; check" in text
    assert "# - source fields with no equivalent here:" in text
    assert main(["validate", str(out)]) == 0


# -- pytm ----------------------------------------------------------------------------------


def _keys(obj, prefix):
    """(kind, key) for every key of pytm's JSON objects, controls included."""
    for key, value in obj.items():
        yield prefix, key
        if key == "controls" and isinstance(value, dict):
            for control in value:
                yield f"{prefix} controls", control


def test_every_pytm_field_is_mapped_or_listed(imported):
    """Each field of sample_llm.json is either read by the importer or named in its report."""
    from threatmodel.interop import pytm

    result = imported("pytm/sample_llm.json")
    listed = {n.detail for n in result.notes}
    raw = json.loads(shared_path(CORPUS + "pytm/sample_llm.json").read_text())
    mapped = {
        "TM": pytm.TM_MAPPED,
        "element": pytm.ELEMENT_MAPPED,
        "element controls": pytm.CONTROLS_MAPPED,
        "flow": pytm.FLOW_MAPPED,
        "flow controls": pytm.CONTROLS_MAPPED,
        "boundary": (*pytm.BOUNDARY_MAPPED, "controls"),
        "boundary controls": (),
        "data": pytm.DATA_MAPPED,
    }
    pairs = set(_keys({k: v for k, v in raw.items() if not isinstance(v, list)}, "TM"))
    pairs |= {("TM", k) for k, v in raw.items() if isinstance(v, list)}
    for section, kind in (("elements", "element"), ("flows", "flow"), ("boundaries", "boundary")):
        for item in raw[section]:
            pairs |= set(_keys(item, kind))
    empty = {(k, key) for k, key in pairs if _empty(raw, k, key)}
    missing = [
        f"{kind}: {key}"
        for kind, key in sorted(pairs - empty)
        if key not in mapped[kind] and f"{kind}: {key}" not in listed
    ]
    assert missing == []


def _empty(raw, kind, key):
    """Whether a field is empty everywhere it appears (an empty field carries nothing)."""
    if kind == "TM":
        return raw.get(key) in (None, "", [], {})
    section = {"element": "elements", "flow": "flows", "boundary": "boundaries"}[kind.split()[0]]
    values = []
    for item in raw[section]:
        holder = item.get("controls", {}) if kind.endswith("controls") else item
        if key in holder:
            values.append(holder[key])
    return all(v in (None, "", [], {}) for v in values)


def test_the_third_party_llm_sits_outside_the_organisation_with_personal_data(imported):
    """GPT-4 API (isThirdParty, processesPersonalData) is an external service outside the
    organisation, and the chat request carries personal data to it."""
    model = imported("pytm/sample_llm.json").model
    elements = {e.id: e for e in model.elements}
    assert elements["gpt-4-api"].kind == "external_service"
    org = _organisation(model)
    assert "gpt-4-api" not in org.members and "cloud" in org.members
    assert "gpt-4-api" not in next(b for b in model.boundaries if b.id == "cloud").members
    chat = next(f for f in model.flows if f.id == "chat-request")
    assert chat.data == ("gpt-4-api-personal-data",)
    assert elements["local-classifier"].kind == "process"


def test_pytm_data_marked_not_pii_and_public_gets_no_personal_category(imported, catalog):
    """isPII: false with classification PUBLIC never becomes identity."""
    model = imported("pytm/tm.json").model
    table = catalog.vocabulary.categories
    raw = json.loads(shared_path(CORPUS + "pytm/tm.json").read_text())
    public = {d["name"].lower() for d in raw["data"] if d["classification"].endswith("PUBLIC")}
    assert public
    for asset in model.data:
        if asset.name.lower() in public:
            assert not any(table[c].personal for c in asset.categories), asset.id


# -- OTM and Threat Dragon -------------------------------------------------------------------


def test_otm_public_info_is_public_and_not_personal(imported):
    """OTM confidentiality 0 is 'public' and keeps 'customer' from making it identity."""
    data = {d.id: d for d in imported("otm/EXAMPLE.json").model.data}
    assert data["public-info"].attributes["confidentiality"] == "public"
    assert data["public-info"].categories == ()
    assert data["cc-data"].attributes["confidentiality"] == "strictly_confidential"
    assert "credit" not in data["cc-data"].categories  # a credit card is not a loan


def test_threat_dragon_threats_are_kept_with_their_status(imported):
    """Threat Dragon's hand-written threats are listed with status and severity."""
    notes = [n.detail for n in imported("threat-dragon/v2-threat-model.json").notes]
    assert "database: Unauthorised access [Mitigated, High]" in notes
    assert "message-queue: Message tampering [Open, Medium]" in notes


def test_threat_dragon_boxes_hold_what_is_drawn_inside(imported):
    model = imported("threat-dragon/three-tier-web-app.json").model
    boundaries = {b.id: b for b in model.boundaries}
    assert set(boundaries["public-cloud"].members) == {"web-service", "postgressql"}
    assert boundaries["internet"].members == ("web-ui",)


@pytest.mark.parametrize("name", TD_FILES)
def test_threat_dragon_files_export_as_threat_dragon_v2(name, imported, catalog, tmp_path):
    """Each Threat Dragon file goes back out as a v2 model with the parts Threat Dragon's v2
    schema requires, every flow joining two cells and every box around its members."""
    path = shared_path(CORPUS + name)
    out = tmp_path / "td.json"
    assert (
        main(["export", "--to", "threat-dragon", "--from", "auto", str(path), "-o", str(out)]) == 0
    )
    document = json.loads(out.read_text())
    assert document["version"].startswith("2.") and document["summary"]["title"]
    cells = document["detail"]["diagrams"][0]["cells"]
    ids = {c["id"] for c in cells}
    for cell in cells:
        assert {"type", "hasOpenThreats"} <= set(cell["data"]), cell["id"]
        if cell["shape"] == "flow":
            assert {cell["source"]["cell"], cell["target"]["cell"]} <= ids
        else:
            assert cell["size"]["width"] >= 10 and cell["size"]["height"] >= 10
    boxes = {c["id"]: c for c in cells if c["shape"] == "trust-boundary-box"}
    model = imported(name).model
    for boundary in model.boundaries:
        box = boxes[boundary.id]
        for member in boundary.members:
            inner = next(c for c in cells if c["id"] == member)
            assert box["position"]["x"] <= inner["position"]["x"]
            assert box["position"]["y"] <= inner["position"]["y"]


def test_our_findings_come_back_from_threat_dragon_as_decisions(tmp_path):
    """A finding exported as a threat and marked Mitigated in Threat Dragon imports as a
    mitigated review decision, which analyze then applies."""
    path = shared_path(CORPUS + "threagile/demo/example/threagile.yaml")
    out = tmp_path / "td.json"
    assert (
        main(["export", "--to", "threat-dragon", "--from", "auto", str(path), "-o", str(out)]) == 0
    )
    document = json.loads(out.read_text())
    cell = next(c for c in document["detail"]["diagrams"][0]["cells"] if c["data"].get("threats"))
    threat = cell["data"]["threats"][0]
    threat["status"], threat["mitigation"] = "Mitigated", "Fixed in release 4."
    out.write_text(json.dumps(document))
    model = import_model("auto", out).model
    finding = f"{threat['ruleId']}@{cell['id']}"
    assert model.decisions[finding]["status"] == "mitigated"
    report = tmp_path / "report"
    assert main(
        ["analyze", "--from", "auto", str(out), "-o", str(report), "--format", "json", "--quiet"]
    ) in (0, 1)
    findings = json.loads((report / "findings.json").read_text())["findings"]
    assert next(f for f in findings if f["id"] == finding)["decision"]["status"] == "mitigated"


# -- detection ---------------------------------------------------------------------------------


def test_a_wrong_from_names_the_format_the_file_looks_like(capsys):
    """`import --from pytm` on an OTM file is exit 2 naming OTM, where it once wrote two
    elements and no flows."""
    path = shared_path(CORPUS + "otm/EXAMPLE.json")
    assert main(["import", "--from", "pytm", str(path)]) == 2
    err = capsys.readouterr().err
    assert "looks like an Open Threat Model (OTM) file (it has 'otmVersion')" in err
    assert "use --from otm or --from auto" in err


def test_auto_is_the_default_and_analyze_reads_every_format(tmp_path, capsys):
    for name in ("pytm/sample_llm.json", "threat-dragon/iot-device.json"):
        path = shared_path(CORPUS + name)
        out = tmp_path / name.replace("/", "-")
        assert main(["analyze", "--from", "auto", str(path), "-o", str(out), "--quiet"]) in (0, 1)
    capsys.readouterr()


def test_imports_stay_within_the_read_limits(tmp_path):
    """--limit reaches imports: a corpus file over max_bytes is refused, not read."""
    from threatmodel.loader import Limits

    path = shared_path(CORPUS + "pytm/tm.json")
    with pytest.raises(ThreatModelError, match="over the limit"):
        import_model("auto", path, Limits(max_bytes=1000))
