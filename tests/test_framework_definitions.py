"""Privacy framework terms carry their sources' meanings: catalog show prints them beside a
risk's use, and catalog lint insists on one for every id of a framework that gives them."""

from __future__ import annotations

import attrs
import pytest

import threatmodel
from threatmodel.cli import main
from threatmodel.lint import lint

DEFINED = ("stride", "pram", "pram_problems", "solove")


@pytest.fixture(scope="module")
def catalog():
    return threatmodel.load_catalog()


@pytest.mark.parametrize("name", DEFINED)
def test_every_shipped_id_has_a_definition(catalog, name):
    framework = catalog.frameworks[name]
    assert framework.ids
    assert [i for i in framework.ids if not framework.definitions.get(i, "").strip()] == []


def test_pram_problems_keep_nists_hierarchy(catalog):
    problems = catalog.frameworks["pram_problems"]
    under = {k for k, v in problems.parents.items() if v == "Loss of Self-Determination"}
    assert under == {"Loss of Autonomy", "Exclusion", "Loss of Liberty", "Physical Harm"}
    assert problems.meaning("Loss of Liberty").startswith("(a kind of Loss of Self-Determination)")
    assert "Dignity Loss" not in problems.parents


def test_solove_exclusion_and_exposure_mean_what_solove_says(catalog):
    solove = catalog.frameworks["solove"]
    assert "know about the data that others have about her" in solove.meaning("Exclusion")
    assert "nudity, grief, or bodily functions" in solove.meaning("Exposure")


def test_lint_flags_a_missing_or_stray_definition(catalog):
    pram = catalog.frameworks["pram"]
    definitions = {k: v for k, v in pram.definitions.items() if k != "Surveillance"}
    definitions["Snooping"] = "not a NIST term"
    broken = attrs.evolve(
        catalog,
        frameworks={
            **catalog.frameworks,
            "pram": attrs.evolve(pram, definitions=definitions),
            "pram_problems": attrs.evolve(
                catalog.frameworks["pram_problems"], parents={"Exclusion": "Loss of Freedom"}
            ),
        },
    )
    messages = [p.message for p in lint(broken) if p.severity == "error"]
    assert "framework 'pram': id 'Surveillance' has no definition" in " ".join(messages)
    assert any("'Snooping', which is not one of its ids" in m for m in messages)
    assert any("under 'Loss of Freedom', which is not one of its ids" in m for m in messages)
    assert [p for p in lint(catalog) if "definition" in p.message] == []


def test_catalog_show_prints_each_terms_definition_beside_its_use(capsys):
    assert main(["catalog", "show", "SRS-SEC-02"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("solove:"))
    assert lines[at + 1].strip().startswith("Insecurity: (information processing) carelessness")
    assert "    Economic Loss: direct financial losses" in out
