"""`threatmodel init`: starter models that validate, safe answers, no prompts without a terminal."""

import argparse

import pytest

import threatmodel
from threatmodel.cli import main
from threatmodel.commands import init


@pytest.mark.parametrize("shape", sorted(init.SHAPES))
def test_each_shape_writes_a_model_that_validates_and_analyses(tmp_path, shape, capsys):
    """Every shape's starter model passes `validate` and has comments explaining attributes."""
    out = tmp_path / f"{shape}.yaml"
    assert main(["init", "--shape", shape, "-o", str(out), "--yes"]) == 0
    assert main(["validate", str(out)]) == 0
    text = out.read_text()
    assert "# does an independent body" in text or "# was a data-protection" in text
    assert "encrypted_at_rest:" in text and "# is storage encrypted?" in text
    result = threatmodel.analyze(threatmodel.load_model(out), threatmodel.load_catalog())
    assert result.confirmed  # the cautious defaults show what is at stake
    capsys.readouterr()


def test_flags_fill_the_template(tmp_path, capsys):
    """Name, id, owner, subjects and jurisdiction land in the model."""
    out = tmp_path / "m.yaml"
    assert (
        main(
            [
                "init",
                "--shape",
                "data-api",
                "--name",
                "Tenant Screening",
                "--owner",
                "risk",
                "--subjects",
                "2500000",
                "--jurisdiction",
                "US",
                "-o",
                str(out),
                "--yes",
            ]
        )
        == 0
    )
    model = threatmodel.load_model(out)
    assert (model.system.id, model.system.name, model.system.owner) == (
        "tenant-screening",
        "Tenant Screening",
        "risk",
    )
    assert model.data[0].subjects == 2_500_000
    assert model.system.attributes["jurisdictions"] == ("US",)
    capsys.readouterr()


def test_hostile_answers_stay_plain_text(tmp_path, capsys):
    """An answer with quotes, newlines, colons and '#' cannot add keys or break the YAML."""
    out = tmp_path / "m.yaml"
    name = 'Evil: "x"\nadmin: true # {y: [1]}'
    assert main(["init", "--name", name, "--owner", "- a\n- b", "-o", str(out), "--yes"]) == 0
    model = threatmodel.load_model(out)
    assert model.system.name == name and model.system.owner == "- a\n- b"
    assert "admin" not in model.system.attributes
    capsys.readouterr()


def test_without_a_terminal_init_never_prompts(tmp_path, monkeypatch, capsys):
    """With stdin not a TTY, init uses the defaults and never reads input."""
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    monkeypatch.setattr("builtins.input", lambda *a: pytest.fail("prompted"))
    out = tmp_path / "m.yaml"
    assert main(["init", "-o", str(out)]) == 0
    assert threatmodel.load_model(out).system.id == "my-system"
    capsys.readouterr()


def test_questions_take_replies_and_keep_defaults_on_empty_input():
    """Interactive answers replace the defaults; an empty reply keeps the default."""
    given = argparse.Namespace(
        shape=None,
        name=None,
        id=None,
        owner="fixed",
        subjects=None,
        jurisdiction=None,
        description=None,
    )
    replies = iter(["data-sharing", "Loyalty Cards", "", "1_200_000", "CN"])
    asked = []

    def read(prompt):
        asked.append(prompt)
        return next(replies)

    answers = init.ask(init.defaults(vars(given)), given, read=read, write=lambda text: None)
    assert answers["shape"] == "data-sharing" and answers["name"] == "Loyalty Cards"
    assert answers["id"] == "loyalty-cards" and answers["subjects"] == 1_200_000
    assert answers["owner"] == "fixed" and answers["jurisdiction"] == "CN"
    assert not any("Owner" in p for p in asked)


def test_an_existing_file_is_not_overwritten(tmp_path, capsys):
    """init refuses to replace a file unless --force is given."""
    out = tmp_path / "m.yaml"
    out.write_text("keep me\n")
    assert main(["init", "-o", str(out), "--yes"]) == 2
    assert out.read_text() == "keep me\n"
    assert main(["init", "-o", str(out), "--yes", "--force"]) == 0
    capsys.readouterr()
