"""The README, tried as a new user would: every command of its ```sh blocks runs in a fresh
copy of the project after `make demo` (the virtual environment's `threatmodel` on PATH, as
`. .venv/bin/activate` puts it), exits 0, writes nothing but under out/ and changes no file
of the project. The CI recipe installs the package from its repository and its commands run
in a user's repository. A command that stops working fails here."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT, copy_project
from threatmodel.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent  # the virtual environment `make demo` creates
# commands the suite does not run, and why
NOT_RUN = {
    "make demo": "creates .venv and installs system packages: this suite runs inside its result",
    "make test": "runs this suite",
}


def blocks(language: str) -> list[tuple[int, str]]:
    """Each fenced block of `language` in the README, with the line it starts on."""
    found = []
    for match in re.finditer(rf"^```{language}\n(.*?)^```$", README, re.M | re.S):
        found.append((README.count("\n", 0, match.start()) + 1, match.group(1)))
    return found


def commands(block: str) -> list[str]:
    """The block's commands: continued lines joined, comment-only and blank lines dropped."""
    found, pending = [], ""
    for line in block.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        found.append(" ".join(pending.split()))
        pending = ""
    assert not pending, f"a command ends in a backslash: {pending}"
    return found


def bare(command: str) -> str:
    """The command without its comment."""
    return " ".join(shlex.split(command, comments=True))


def shell(command: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a command as GitHub Actions and an interactive bash would: pipefail, no profile."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def user_env(**extra: str) -> dict:
    """The environment of a shell where `. .venv/bin/activate` ran."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **extra)
    env.pop("PYTHONPATH", None)
    return env


def files(directory: Path) -> dict[str, str]:
    """Every file under `directory` (not following links, no bytecode caches) with a hash."""
    found = {}
    for parent, dirs, names in os.walk(directory):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names:
            path = Path(parent, name)
            if not path.is_symlink():
                found[path.relative_to(directory).as_posix()] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
    return found


@pytest.fixture
def project(tmp_path):
    """A fresh copy of the project, where `make demo` has made .venv."""
    if not (BIN / "threatmodel").exists():
        pytest.fail(f"no threatmodel command beside {sys.executable}: run the suite from .venv")
    copy = copy_project(tmp_path / "project")
    (copy / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return copy


SH = blocks("sh")


def test_the_readme_has_shell_blocks_and_the_quick_start_is_two_commands():
    assert len(SH) >= 6
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    [block] = [b for _, b in SH if f"```sh\n{b}" in quick_start]
    assert [bare(c) for c in commands(block)] == ["make demo", "make test"]


def run(command: str, project: Path, monkeypatch, capsys) -> tuple[int, str]:
    """Exit status and error output of a README command run in `project`. A plain
    `threatmodel ...` runs in this process (what the console script runs, without starting
    Python and compiling the catalogs again); anything with shell syntax runs in bash."""
    words = shlex.split(command, comments=True)
    if words[0] == "threatmodel" and not re.search(r"[|&;<>`$(){}*?\\]", " ".join(words)):
        monkeypatch.chdir(project)
        capsys.readouterr()
        status = main(words[1:])
        return status, capsys.readouterr().err
    done = shell(command, project, user_env())
    return done.returncode, done.stderr


@pytest.mark.parametrize("block", [b for _, b in SH], ids=[f"line-{line}" for line, _ in SH])
def test_every_shell_command_works_on_a_fresh_copy(project, block, monkeypatch, capsys):
    """Each command exits 0; afterwards only out/ has new files and no file of the project
    has changed (examples write under out/, never over docs/images or the examples)."""
    before = files(project)
    ran = []
    for command in commands(block):
        if bare(command) in NOT_RUN:
            continue
        status, err = run(command, project, monkeypatch, capsys)
        assert status == 0, f"README command failed with exit {status}: {command}\n{err[-3000:]}"
        ran.append(command)
    after = files(project)
    assert [p for p in before if after.get(p) != before[p]] == [], "changed a project file"
    assert [p for p in after if p not in before and not p.startswith("out/")] == []
    assert ran or all(bare(c) in NOT_RUN for c in commands(block))


def test_the_decide_example_is_a_real_finding_with_a_future_expiry(project):
    """`decide` refuses findings the model lacks and expiries in the past: the README's must
    stay valid (when this fails on a date, move the example's --expires forward)."""
    (command,) = [c for _, b in SH for c in commands(b) if c.startswith("threatmodel decide")]
    expires = datetime.date.fromisoformat(re.search(r"--expires (\S+)", command).group(1))
    assert expires > datetime.date.today(), f"the README's decide example expired on {expires}"


def test_the_decisions_file_example_closes_its_finding(tmp_path, capsys):
    """The README's example decisions file, beside the example model, accepts the finding it
    names (judged on a fixed day before its expiry)."""
    [text] = [b for _, b in blocks("yaml") if b.startswith("# model.decisions.yaml")]
    decisions = tmp_path / "model.decisions.yaml"
    decisions.write_text(text, encoding="utf-8")
    model = ROOT / "examples" / "trust-score-platform.yaml"
    out = tmp_path / "out"
    argv = ["analyze", str(model), "--decisions", str(decisions), "--today", "2027-01-01"]
    assert main([*argv, "--format", "json", "-o", str(out), "--quiet"]) == 0
    findings = {f["id"]: f for f in json.loads((out / "findings.json").read_text())["findings"]}
    [key] = [k for k in yaml.safe_load(text)["decisions"] if "*" not in k]
    assert findings[key]["decision"]["status"] == "accepted"
    capsys.readouterr()


# -- the CI recipe and the installed package -------------------------------------------------------


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The package as `pip install .` in a fresh checkout installs it: offline, and into a
    directory of its own rather than the environment running the tests."""
    source = copy_project(tmp_path_factory.mktemp("checkout"))
    site = tmp_path_factory.mktemp("site")
    run = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps"]
        + ["--no-build-isolation", "--no-compile", "--target", str(site), "."],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return site


def installed_env(site: Path, **extra: str) -> dict:
    """A shell environment where `threatmodel` is the installed package, not the checkout."""
    path = f"{site / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    return dict(os.environ, PATH=path, PYTHONPATH=str(site), **extra)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=reviewer", "-c", "user.email=r@example.org", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.xdist_group("installed-package")
def test_the_installed_package_has_its_docs_and_starter_models(installed, tmp_path):
    """`threatmodel docs` and `init` work from an installed package, far from any checkout,
    and the page the starter model points at is there."""
    env = installed_env(installed)
    where = shell("python3 -c 'import threatmodel; print(threatmodel.__file__)'", tmp_path, env)
    assert where.stdout.startswith(str(installed)), where.stdout + where.stderr
    init = shell("threatmodel init --shape scoring -o model.yaml", tmp_path, env)
    assert init.returncode == 0, init.stderr
    [topic] = re.findall(r"`threatmodel docs ([\w-]+)`", (tmp_path / "model.yaml").read_text())
    page = shell(f"threatmodel docs {topic}", tmp_path, env)
    assert page.returncode == 0, page.stderr
    assert page.stdout == (ROOT / "docs" / f"{topic}.md").read_text(encoding="utf-8")
    listing = shell("threatmodel docs", tmp_path, env).stdout
    assert all(p.stem in listing for p in (ROOT / "docs").glob("*.md"))
    assert any(installed.glob("threatmodel-*.dist-info/**/LICENSE")), "no LICENSE installed"


@pytest.mark.xdist_group("installed-package")
def test_the_ci_recipe_installs_from_the_repository_and_its_steps_work(installed, tmp_path):
    """In a user's repository with model/system.yaml and a pull request that changes it: the
    recipe checks threatmodel out and installs it from there (`pip install .`); the analysis
    writes the SARIF file and the reports the next steps upload, and the diff step writes the
    change to the job summary."""
    [text] = [b for _, b in blocks("yaml") if "jobs:" in b]
    steps = yaml.safe_load(text)["jobs"]["threatmodel"]["steps"]
    [checkout] = [s for s in steps if s.get("with", {}).get("repository")]
    [install] = [s for s in steps if "pip install" in s.get("run", "")]
    assert re.search(r"pip install \.$", install["run"]), install["run"]
    assert install["working-directory"] == checkout["with"]["path"]

    repo = tmp_path / "repo"
    (repo / "model").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "trust-score-platform.yaml", repo / "model" / "system.yaml")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    git(tmp_path, "clone", "-q", "--bare", str(repo), "origin.git")
    git(repo, "remote", "add", "origin", (tmp_path / "origin.git").as_uri())
    model = repo / "model" / "system.yaml"  # the pull request: encryption at rest removed
    model.write_text(
        model.read_text().replace("encrypted_at_rest: true", "encrypted_at_rest: false")
    )
    summary = tmp_path / "summary.md"
    env = installed_env(installed, RUNNER_TEMP=str(tmp_path), GITHUB_STEP_SUMMARY=str(summary))
    for step in steps:
        if "run" not in step or step is install or step["run"].strip() == "exit 1":
            continue  # the install ran above; `exit 1` is the job's verdict
        result = shell(step["run"].replace("${{ github.base_ref }}", "main"), repo, env)
        allowed = (0, 1) if step.get("continue-on-error") else (0,)
        assert result.returncode in allowed, f"{step.get('name')}: {result.stderr[-3000:]}"
    uploads = {s["uses"].split("@")[0]: s.get("with") for s in steps if "uses" in s}
    sarif = repo / uploads["github/codeql-action/upload-sarif"]["sarif_file"]
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert (repo / uploads["actions/upload-artifact"]["path"] / "report.html").exists()
    text = summary.read_text()
    assert "Threat model changes" in text and "SRS-SEC-02@lookup-log" in text
