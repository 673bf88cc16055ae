"""`threatmodel init`: write a commented starter model for a common system shape.

Asks a few questions when run in a terminal; otherwise (or with --yes) takes the flags and
the defaults, so it never waits for input in CI. Answers are written into the template as
YAML scalars produced by `yaml.safe_dump` (always double-quoted text), so no answer can break
the YAML or add keys; the result is checked like any model before it is written.
"""

from __future__ import annotations

import argparse
import importlib.resources
import re
import string
import sys
from pathlib import Path

SHAPES = {
    "scoring": (
        "scoring.yaml.in",
        "a scoring platform: data and reports in, scores out to those who decide about people",
    ),
    "data-api": ("data-api.yaml.in", "a data store with an API that clients query"),
    "data-sharing": ("data-sharing.yaml.in", "records shared with a partner organisation"),
}
QUESTIONS = (  # (argument, prompt)
    ("shape", "System shape"),
    ("name", "System name"),
    ("id", "System id (used in finding ids)"),
    ("owner", "Owner (team or person)"),
    ("subjects", "How many people are the records about"),
    ("jurisdiction", "Main jurisdiction (EU, US, CN, ...)"),
)


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "init",
        help="write a commented starter model",
        description="Write a starter model for a common system shape, with comments explaining "
        "each attribute. Asks a few questions in a terminal; otherwise uses the "
        "flags and defaults.",
        epilog="shapes: " + "; ".join(f"{k}: {v[1]}" for k, v in SHAPES.items()),
    )
    parser.add_argument("--shape", choices=tuple(SHAPES), help="the system shape (default scoring)")
    parser.add_argument("--name", help="system name (default: My system)")
    parser.add_argument("--id", help="system id (default: from the name)")
    parser.add_argument("--owner", help="owner (default: privacy-team)")
    parser.add_argument("--subjects", type=int, help="number of people (default 100000)")
    parser.add_argument("--jurisdiction", help="jurisdiction code (default EU)")
    parser.add_argument("--description", help="one sentence on what the system is for")
    parser.add_argument(
        "-o",
        "--output",
        default="threatmodel.yaml",
        metavar="FILE",
        help="where to write the model (default threatmodel.yaml; '-' prints it)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.add_argument(
        "--yes", "-y", action="store_true", help="never ask; use flags and defaults"
    )
    parser.set_defaults(run=run)


ANSWERS = ("shape", "name", "id", "owner", "subjects", "jurisdiction", "description")


def defaults(given: dict) -> dict:
    """Every answer: the one `given` (a flag's value, None when not given), else its default."""
    name = given.get("name") or "My system"
    return {
        "shape": given.get("shape") or "scoring",
        "name": name,
        "id": given.get("id") or (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "system"),
        "owner": given.get("owner") or "privacy-team",
        "subjects": given["subjects"] if given.get("subjects") is not None else 100_000,
        "jurisdiction": given.get("jurisdiction") or "EU",
        "description": given.get("description") or f"What {name} does, for whom, and why.",
    }


def ask(answers: dict, given: argparse.Namespace, read=input, write=sys.stderr.write) -> dict:
    """Ask for every answer not given by a flag; an empty reply keeps the default."""
    result = dict(answers)
    for key, prompt in QUESTIONS:
        if getattr(given, key) is not None:
            continue
        if key == "shape":
            write("".join(f"  {k}: {v[1]}\n" for k, v in SHAPES.items()))
        if key == "id" and given.name is None:
            result["id"] = re.sub(r"[^a-z0-9]+", "-", result["name"].lower()).strip("-") or "system"
        reply = read(f"{prompt} [{result[key]}]: ").strip()
        if reply:
            result[key] = (
                int(reply.replace("_", "").replace(",", ""))
                if key == "subjects" and reply.replace("_", "").replace(",", "").isdigit()
                else reply
            )
    return result


def scalar(value) -> str:
    """One YAML scalar: text double-quoted and escaped, numbers as they are."""
    import yaml

    if isinstance(value, bool) or not isinstance(value, (int, str)):
        value = str(value)
    style = '"' if isinstance(value, str) else None
    return (
        yaml.safe_dump(value, default_style=style, width=10_000, allow_unicode=True)
        .removesuffix("\n...\n")
        .strip()
    )


def render(answers: dict) -> str:
    """The starter model's text for these answers."""
    template = (
        importlib.resources.files("threatmodel.templates_init")
        .joinpath(SHAPES[answers["shape"]][0])
        .read_text(encoding="utf-8")
    )
    values = {
        "system_id": answers["id"],
        "system_name": answers["name"],
        "operator_name": f"{answers['name']} operator",
        "owner": answers["owner"],
        "subjects": answers["subjects"],
        "jurisdiction": answers["jurisdiction"],
        "description": answers["description"],
    }
    return string.Template(template).substitute({k: scalar(v) for k, v in values.items()})


def run(args: argparse.Namespace) -> int:
    from threatmodel.api import check_model, load_model_data
    from threatmodel.catalog_yaml import load_catalog
    from threatmodel.console import document
    from threatmodel.errors import Position, Problem, ThreatModelError
    from threatmodel.loader import load_text
    from threatmodel.output import write_atomic

    answers = defaults({key: getattr(args, key) for key in ANSWERS})
    if not args.yes and sys.stdin.isatty():
        answers = ask(answers, args)
    if answers["shape"] not in SHAPES:
        raise ThreatModelError(
            [
                Problem(
                    message=f"unknown shape '{answers['shape']}'; choose from {', '.join(SHAPES)}",
                    pos=Position(file="init"),
                )
            ]
        )
    if not isinstance(answers["subjects"], int) or answers["subjects"] < 0:
        raise ThreatModelError(
            [
                Problem(
                    message="the number of people must be a whole number", pos=Position(file="init")
                )
            ]
        )
    text = render(answers)
    output = args.output
    display = "<init>" if output == "-" else output
    data, _ = load_text(text, display)
    check_model(load_model_data(data, display), load_catalog(()))
    if output == "-":
        document(text)
        return 0
    path = Path(output)
    if path.exists() and not args.force:
        raise ThreatModelError(
            [Problem(message="file exists; use --force to replace it", pos=Position(file=output))]
        )
    write_atomic(path, text)
    print(f"wrote {path} ({answers['shape']}); next: threatmodel analyze {path}")
    return 0
