"""`threatmodel docs [TOPIC]`: print the documentation that ships with the package.

The pages are the project's docs/*.md, installed as `threatmodel/docs/` (setup.cfg), so a
model written by `threatmodel init` can point at `threatmodel docs model-format` wherever the
package is installed.
"""

from __future__ import annotations

import argparse
import importlib.resources
import sys
from pathlib import Path, PurePath


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "docs",
        help="print the bundled documentation (model format, catalogs, ...)",
        description="Print a page of the documentation that ships with threatmodel, as "
        "Markdown. Without a topic, list the topics.",
    )
    parser.add_argument("topic", nargs="?", help="the page to print, e.g. model-format")
    parser.set_defaults(run=run)


def docs_dir() -> Path:
    """The pages: inside the installed package, or `docs/` of a checkout."""
    installed = importlib.resources.files("threatmodel") / "docs"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[2] / "docs"


def topics() -> dict[str, Path]:
    """Each page by its topic name (the file name without `.md`), sorted."""
    return {path.stem: path for path in sorted(docs_dir().glob("*.md"))}


def title(path: Path) -> str:
    """A page's first heading."""
    with path.open(encoding="utf-8") as page:
        for line in page:
            if line.startswith("# "):
                return line[2:].strip()
    return ""


def run(args: argparse.Namespace) -> int:
    from threatmodel.errors import Position, Problem, ThreatModelError, did_you_mean

    pages = topics()
    if args.topic is None:
        width = max(map(len, pages))
        for name, path in pages.items():
            print(f"{name:<{width}}  {title(path)}")
        print("\n`threatmodel docs TOPIC` prints one page (Markdown).")
        return 0
    # `docs/model-format.md`, as the README links it, names the same page
    name = PurePath(args.topic).name.removesuffix(".md")
    if name not in pages:
        raise ThreatModelError(
            [
                Problem(
                    message=f"no documentation page '{args.topic}'"
                    f"{did_you_mean(name, pages)}; `threatmodel docs` lists them",
                    pos=Position(file="docs"),
                )
            ]
        )
    sys.stdout.write(pages[name].read_text(encoding="utf-8"))
    return 0
