"""Reading and validating models: every class of problem is reported with its exact position."""

from __future__ import annotations

import pytest

import threatmodel
from tests.helpers import problems_of
from threatmodel import model as m
from threatmodel.errors import ThreatModelError

BASE = """
system: {id: demo, name: Demo}
data:
  - {id: records, categories: [identity], subjects: 10}
elements:
  - {id: app, kind: process, type: scoring, inputs: [records]}
  - {id: db, kind: datastore, stores: [records]}
flows:
  - {id: f1, from: app, to: db, data: [records]}
"""


def check(write, core_catalog, text: str, name: str = "model.yaml"):
    path = write(name, text)
    model = threatmodel.load_model(path, strict=False)
    threatmodel.check_model(model, core_catalog)
    return model


def errors(write, core_catalog, text: str) -> list[str]:
    with pytest.raises(ThreatModelError) as excinfo:
        check(write, core_catalog, text)
    return problems_of(excinfo)


class TestValidModels:
    def test_base_model_loads(self, write, core_catalog):
        """A small correct model loads with its fixed fields and attributes."""
        model = check(
            write,
            core_catalog,
            BASE.replace("data: [records]}", "data: [records], encrypted_in_transit: true}"),
        )
        assert [e.id for e in model.elements] == ["app", "db"]
        assert model.flows[0].attributes == {"encrypted_in_transit": True}
        assert model.elements[1].pos.line == 6

    def test_a_value_found_valid_once_does_not_pass_for_an_equal_value_of_another_type(
        self, write, core_catalog
    ):
        """Validation remembers the values it found valid (they repeat across elements), by
        type as well: `1` is not `true` to a boolean, nor `true` a number of days."""
        text = """
system: {id: demo, name: Demo}
elements:
  - {id: a, kind: datastore, encrypted_at_rest: true, retention_days: 1}
  - {id: b, kind: datastore, encrypted_at_rest: 1, retention_days: true}
  - {id: c, kind: datastore, encrypted_at_rest: true, retention_days: 1.0}
"""
        assert errors(write, core_catalog, text) == [
            "4:49: element 'b': 'encrypted_at_rest' must be true or false, not a number 1",
            "4:68: element 'b': 'retention_days' must be a whole number, not a boolean true",
            "5:71: element 'c': 'retention_days' must be a whole number, not a decimal number 1.0",
        ]

    def test_model_vocabulary_declares_new_attributes(self, write, core_catalog):
        """An attribute declared in the model's vocabulary section is accepted and type-checked."""
        text = (
            BASE.replace("stores: [records]}", "stores: [records], pci_scope: 3}")
            + """
vocabulary:
  attributes:
    - {name: pci_scope, type: bool, applies_to: [datastore], meaning: in PCI scope}
"""
        )
        assert errors(write, core_catalog, text) == [
            "6:61: element 'db': 'pci_scope' must be true or false, not a number 3"
        ]

    def test_includes_are_merged(self, write, core_catalog):
        """Sections of included files are appended, and their positions name their own file."""
        write(
            "parts/more.yaml",
            """
            elements:
              - {id: partner, kind: external_service, type: partner}
            flows:
              - {id: f2, from: db, to: partner, data: [records]}
        """,
        )
        model = check(write, core_catalog, BASE + "include: [parts/more.yaml]\n")
        assert [f.id for f in model.flows] == ["f1", "f2"]
        assert model.flows[1].pos.file.endswith("parts/more.yaml")
        assert model.flows[1].pos.line == 4

    def test_python_built_model_is_validated_the_same_way(self, core_catalog):
        """A model built with the attrs classes gets the same checks as YAML."""
        model = m.SystemModel(
            system=m.System(id="py"),
            data=(m.DataAsset(id="d", categories=("identity",)),),
            elements=(m.Element(id="a", kind="process"),),
            flows=(m.DataFlow(id="f", source="a", target="ghost", data=("d",)),),
        )
        with pytest.raises(ThreatModelError) as excinfo:
            threatmodel.analyze(model, core_catalog)
        assert [p.message for p in excinfo.value.problems] == [
            "flow 'f': 'to' names unknown element 'ghost'"
        ]


class TestProblems:
    def test_dangling_flow_endpoint_with_suggestion(self, write, core_catalog):
        """A flow to an unknown element names it, with a 'did you mean'."""
        assert errors(write, core_catalog, BASE.replace("to: db", "to: dbb")) == [
            "8:29: flow 'f1': 'to' names unknown element 'dbb' (did you mean 'db'?)"
        ]

    def test_unknown_data_id(self, write, core_catalog):
        """A flow carrying an unknown data asset is reported at the 'data' value."""
        assert errors(write, core_catalog, BASE.replace("data: [records]}", "data: [recs]}")) == [
            "8:40: flow 'f1': unknown data asset 'recs' in 'data' (did you mean 'records'?)"
        ]

    def test_duplicate_ids(self, write, core_catalog):
        """Two objects with one id are reported at the second, naming the first."""
        text = BASE + "  - {id: app, from: db, to: app}\n"
        found = errors(write, core_catalog, text)
        assert len(found) == 1
        assert found[0].startswith("9:10: duplicate id 'app' (flow); first used at ")
        assert found[0].endswith("model.yaml:5:5")

    def test_element_in_two_sibling_boundaries(self, write, core_catalog):
        """An element listed in two boundaries is an error naming both."""
        text = (
            BASE
            + """boundaries:
  - {id: org-a, kind: organisation, members: [app]}
  - {id: org-b, kind: organisation, members: [app, db]}
"""
        )
        found = errors(write, core_catalog, text)
        assert len(found) == 1
        assert found[0].startswith("11:47: 'app' is in two boundaries, 'org-a' (")
        assert found[0].endswith(
            "and 'org-b'; an element belongs to one boundary (nest the boundaries instead)"
        )

    def test_boundary_cycle(self, write, core_catalog):
        """Boundaries that contain each other are reported as a cycle."""
        text = (
            BASE
            + """boundaries:
  - {id: a, kind: network, members: [b]}
  - {id: b, kind: network, members: [a]}
"""
        )
        assert errors(write, core_catalog, text) == [
            "10:37: boundary 'a' is nested inside itself (a cycle of members)",
            "11:37: boundary 'b' is nested inside itself (a cycle of members)",
        ]

    def test_wrong_types(self, write, core_catalog):
        """Wrong types of fixed fields and attributes are each reported."""
        text = BASE.replace("subjects: 10", "subjects: many").replace(
            "stores: [records]}", "stores: [records], encrypted_at_rest: 'no'}"
        )
        assert errors(write, core_catalog, text) == [
            "3:53: data asset 'records': 'subjects' must be a whole number, not text",
            "6:70: element 'db': 'encrypted_at_rest' must be true or false, not text 'no'",
        ]

    def test_unknown_kind_and_type(self, write, core_catalog):
        """Unknown element kinds and types get a 'did you mean'."""
        text = BASE.replace("kind: process", "kind: proces").replace(
            "kind: datastore, ", "kind: datastore, type: databse, "
        )
        assert errors(write, core_catalog, text) == [
            "5:21: element 'app': unknown kind 'proces' (did you mean 'process'?)",
            "6:37: element 'db': unknown datastore type 'databse' (did you mean 'database'?)",
        ]

    def test_attribute_typo_has_did_you_mean(self, write, core_catalog):
        """A misspelt attribute is an error, not silently ignored."""
        text = BASE.replace("stores: [records]}", "stores: [records], encypted_at_rest: false}")
        assert errors(write, core_catalog, text) == [
            "6:50: element 'db': unknown attribute 'encypted_at_rest' (did you mean "
            "'encrypted_at_rest'?)"
        ]

    def test_attribute_of_another_kind(self, write, core_catalog):
        """An attribute that exists but not for this kind says where it applies."""
        text = BASE.replace("data: [records]}", "data: [records], encrypted_at_rest: true}")
        assert errors(write, core_catalog, text) == [
            "8:50: flow 'f1': attribute 'encrypted_at_rest' does not apply to a flow "
            "(it applies to datastore)"
        ]

    def test_a_value_valid_on_one_kind_is_still_checked_on_another(self, write, core_catalog):
        """Values found valid are remembered per kind of element: the data store's
        `encrypted_at_rest: true` does not let the flow's pass."""
        text = BASE.replace("stores: [records]}", "stores: [records], encrypted_at_rest: true}")
        text = text.replace("data: [records]}", "data: [records], encrypted_at_rest: true}")
        assert errors(write, core_catalog, text) == [
            "8:50: flow 'f1': attribute 'encrypted_at_rest' does not apply to a flow "
            "(it applies to datastore)"
        ]

    def test_enum_value_out_of_range(self, write, core_catalog):
        """An enum attribute with an unknown value lists the allowed ones."""
        text = BASE.replace("inputs: [records]}", "inputs: [records], decision_effect: huge}")
        assert errors(write, core_catalog, text) == [
            "5:81: element 'app': 'decision_effect' must be one of none, minor, significant, "
            "legal, not 'huge'"
        ]

    def test_unknown_category(self, write, core_catalog):
        """A data category outside the vocabulary is reported."""
        text = BASE.replace("categories: [identity]", "categories: [identty]")
        assert errors(write, core_catalog, text) == [
            "3:32: data asset 'records': unknown category 'identty' (did you mean 'identity'?)"
        ]

    def test_flow_to_itself(self, write, core_catalog):
        """A flow whose endpoints are the same element is an error."""
        assert errors(write, core_catalog, BASE.replace("to: db", "to: app")) == [
            "8:29: flow 'f1' goes from 'app' to itself"
        ]

    def test_unknown_top_level_key(self, write, core_catalog):
        """A misspelt section name is an error with a suggestion."""
        assert errors(write, core_catalog, BASE + "boundries: []\n") == [
            "9:1: model: unknown key 'boundries' (did you mean 'boundaries'?)"
        ]

    def test_include_outside_directory(self, write, core_catalog, tmp_path):
        """Includes that leave the model's directory are refused."""
        (tmp_path / "outside.yaml").write_text("elements: []\n")
        text = BASE + "include: [../outside.yaml]\n"
        found = errors(write, core_catalog, text.replace("\n", "\n", 1))
        assert found == [
            "9:11: include: '../outside.yaml' is outside the model's directory; "
            "includes must be relative paths below it"
        ]

    def test_include_missing_file(self, write, core_catalog):
        """A missing include is reported at its name."""
        assert errors(write, core_catalog, BASE + "include: [nope.yaml]\n") == [
            "9:11: include: file 'nope.yaml' not found"
        ]

    def test_control_with_unknown_mitigation(self, write, core_catalog):
        """A control must name a mitigation that a catalog defines."""
        text = BASE + "controls:\n  - {mitigation: MIT-T-ENCRYPTT, targets: [db]}\n"
        assert errors(write, core_catalog, text) == [
            "10:18: control: unknown mitigation 'MIT-T-ENCRYPTT' (did you mean 'MIT-T-ENCRYPT'?)"
        ]

    def test_all_problems_reported_together(self, write, core_catalog):
        """Several independent problems come back in one error, in file order."""
        text = BASE.replace("to: db", "to: nowhere").replace(
            "categories: [identity]", "categories: [nonsense]"
        )
        assert len(errors(write, core_catalog, text)) == 2

    def test_model_that_is_a_list(self, write, core_catalog):
        """A model file holding a list instead of a mapping is refused at 1:1."""
        assert errors(write, core_catalog, "- a\n- b\n") == [
            "1:1: a model must be a mapping with a 'system' key, not a list"
        ]
