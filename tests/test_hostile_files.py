"""Issue 17, Low: hostile files that used to end in an internal error (exit 3) or reach outside
the model's directory now give one positioned message and exit 2."""

from __future__ import annotations

import shutil

from tests.helpers import FIXTURES
from threatmodel.cli import main

MODEL = FIXTURES / "models" / "small.yaml"
CATALOG = ["--no-shipped", "--catalog", str(FIXTURES / "catalog")]


def test_an_include_that_is_a_symlink_loop(tmp_path, capsys):
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    model = tmp_path / "m.yaml"
    model.write_text("include: [a.yaml]\nsystem: {id: s, name: S}\n")
    assert main(["validate", str(model), *CATALOG]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith(f"{model}:1:11: include: cannot read 'a.yaml': ")


def test_diff_of_a_json_file_with_a_5000_digit_number(tmp_path, capsys):
    path = tmp_path / "big.json"
    path.write_text('{"findings": [],\n "x": ' + "9" * 5000 + "}")
    assert main(["diff", str(path), str(path)]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{path}:2:7: invalid value '{'9' * 57}...': a number with 5,000 digits"
    )


def test_diff_of_json_nested_100000_deep(tmp_path, capsys):
    """Refused at the bracket past max_depth (as imports are), not at the file's start."""
    path = tmp_path / "deep.json"
    path.write_text('{"findings": [],\n "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert main(["diff", str(path), str(path)]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{path}:2:70: nesting is deeper than the limit of 64 levels"
    )
    assert main(["diff", str(path), str(path), "--limit", "max_depth=10"]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{path}:2:16: nesting is deeper than the limit of 10 levels"
    )


def test_a_decisions_file_linked_from_outside_is_not_read(tmp_path, capsys):
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("api_token: ghp_SECRETSECRETSECRET\n")
    home = tmp_path / "model"
    home.mkdir()
    shutil.copy(MODEL, home / "m.yaml")
    (home / "m.decisions.yaml").symlink_to(secrets)
    out = tmp_path / "out"
    assert main(["analyze", str(home / "m.yaml"), *CATALOG, "-o", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "api_token" not in err and "SECRET" not in err
    assert err.splitlines()[0] == (
        f"{home / 'm.decisions.yaml'}: the decisions file beside the model is a symbolic link "
        "to a file outside the model's directory; name it with --decisions to use it"
    )
    assert not out.exists()
    # a link that stays inside the model's directory is followed as before
    (home / "m.decisions.yaml").unlink()
    (home / "real.yaml").write_text("decisions: {}\n")
    (home / "m.decisions.yaml").symlink_to("real.yaml")
    assert main(["analyze", str(home / "m.yaml"), *CATALOG, "-o", str(out), "--quiet"]) == 0
