"""`threatmodel catalog list|show|lint`: browse and check the risk catalogs."""

from __future__ import annotations

import argparse
from collections import Counter

from threatmodel.commands.common import add_catalog_option, load_catalog, print_warnings


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "catalog",
        help="list, show or lint the catalogs",
        description="List, show or lint the risk catalogs.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    listing = actions.add_parser("list", help="risks per catalog, group and framework")
    add_catalog_option(listing)
    listing.set_defaults(run=run_list)
    show = actions.add_parser("show", help="one risk, mitigation or reference in full")
    show.add_argument("id")
    add_catalog_option(show)
    show.set_defaults(run=run_show)
    docs = actions.add_parser(
        "docs", help="the catalogs as a Markdown reference with coverage tables (docs/catalogs.md)"
    )
    add_catalog_option(docs)
    docs.set_defaults(run=run_docs)
    lint = actions.add_parser(
        "lint",
        help="check the catalogs; exit 2 on any problem",
        description="Check the catalogs: citations, descriptions, and how each risk splits "
        "its condition into scope (silence: does not apply) and when (silence: a question), "
        "measured on typical models: the init starter shapes, plus the bundled examples or "
        "the --typical models.",
    )
    lint.add_argument(
        "--typical",
        action="append",
        default=[],
        metavar="PATH",
        help="a model file or directory of models to measure the risks on, with the init "
        "starter shapes (repeatable; default: the bundled examples, in a checkout)",
    )
    lint.add_argument(
        "--explain",
        nargs="*",
        metavar="RISK",
        help="print each risk's scope and when (or those of the risks named): the facts each "
        "needs and how they fared on the typical models",
    )
    add_catalog_option(lint)
    lint.set_defaults(run=run_lint)


def run_list(args: argparse.Namespace) -> int:
    from threatmodel.render.escape import terminal

    catalog = load_catalog(args)
    by_file = Counter(r.catalog for r in catalog.risks)
    print(
        f"{len(catalog.risks)} risks, {len(catalog.mitigations)} mitigations, "
        f"{len(catalog.references)} references"
    )
    print("\nby catalog file:")
    for name, count in sorted(by_file.items()):
        print(f"  {terminal(name):32} {count:4}")
    print("\nby group:")
    for group, count in sorted(Counter(r.group for r in catalog.risks).items()):
        print(f"  {terminal(group):32} {count:4}")
    print("\nby framework (risks citing it):")
    for name, framework in catalog.frameworks.items():
        citing = sum(1 for r in catalog.risks if r.frameworks.get(name))
        print(f"  {terminal(framework.title):48} {citing:4}")
    print("\nrisks:")
    for risk in catalog.risks:
        print(
            f"  {terminal(risk.id):16} {'/'.join(risk.applies_to):18} "
            f"L{risk.likelihood} I{risk.impact}  {terminal(risk.title)}"
        )
    return 0


def run_show(args: argparse.Namespace) -> int:
    from threatmodel.errors import Position, Problem, ThreatModelError, did_you_mean
    from threatmodel.render.escape import terminal as t

    catalog = load_catalog(args)
    risk = catalog.risk(args.id)
    if risk is not None:
        print(f"{t(risk.id)}: {t(risk.title)}\n")
        print(f"{t(risk.description)}\n")
        print(f"applies to:  {', '.join(risk.applies_to)}")
        print(f"scope:       {t(risk.scope.text) if risk.scope else '(everywhere)'}")
        print(f"when:        {t(risk.condition.text) if risk.condition else '(whenever in scope)'}")
        for line in _fact_lines(catalog, risk):
            print(f"  {t(line)}")
        if risk.overlaps:
            print(f"overlaps:    {t(', '.join(risk.overlaps))}")
        print(f"likelihood:  {risk.likelihood}   impact: {risk.impact}")
        for m in risk.modifiers:
            change = ", ".join(
                f"{k} {getattr(m, k):+d}" for k in ("likelihood", "impact") if getattr(m, k)
            )
            print(f"modifier:    {change} when {t(m.condition.text)} ({t(m.why)})")
        for name, ids in risk.frameworks.items():
            print(f"{name + ':':12} {t(', '.join(ids))}")
            framework = catalog.frameworks.get(name)
            for word in ids if framework else ():
                meaning = framework.meaning(word)
                if meaning:
                    print(f"    {t(word)}: {t(meaning)}")
        for mid in risk.mitigations:
            mit = catalog.mitigations[mid]
            print(f"mitigation:  {t(mid)}: {t(mit.title)}")
        for rid in risk.references:
            ref = catalog.references[rid]
            print(f"reference:   {t(ref.title)} {t(ref.url)}")
        print(f"defined at:  {risk.pos}")
        return 0
    for table, what in ((catalog.mitigations, "mitigation"), (catalog.references, "reference")):
        item = table.get(args.id)
        if item is not None:
            print(f"{t(item.id)} ({what}): {t(item.title)}")
            for field in ("description", "fact", "url", "kind", "likelihood", "impact"):
                value = getattr(item, field, None)
                if value not in (None, ""):
                    print(f"  {field}: {t(value)}")
            users = [r.id for r in catalog.risks if args.id in r.mitigations + r.references]
            print(f"  cited by: {', '.join(users) or 'no risk'}")
            return 0
    known = [r.id for r in catalog.risks] + list(catalog.mitigations) + list(catalog.references)
    raise ThreatModelError(
        [
            Problem(
                message=f"no risk, mitigation or reference '{args.id}'"
                f"{did_you_mean(args.id, known)}",
                pos=Position(file="catalog show"),
            )
        ]
    )


def run_lint(args: argparse.Namespace) -> int:
    from threatmodel.lint import lint, splits
    from threatmodel.render.escape import terminal as t

    catalog = load_catalog(args)
    typical = _typical_models(args, catalog)
    problems = lint(catalog, typical)
    if args.explain is not None:
        chosen = [catalog.risk(i) for i in args.explain] or list(catalog.risks)
        unknown = [i for i, risk in zip(args.explain, chosen, strict=False) if risk is None]
        if unknown:
            from threatmodel.errors import Position, Problem, ThreatModelError

            raise ThreatModelError(
                [
                    Problem(message=f"no risk '{i}'", pos=Position(file="catalog lint"))
                    for i in unknown
                ]
            )
        measured = splits(catalog, typical)
        print(f"measured on {len(typical)} typical models\n")
        for risk in chosen:
            split = measured[risk.id]
            print(f"{t(risk.id)}: {t(risk.title)} ({', '.join(risk.applies_to)})")
            print(f"  scope: {t(risk.scope.text) if risk.scope else '(everywhere)'}")
            print(f"  when:  {t(risk.condition.text) if risk.condition else '(whenever in scope)'}")
            for line in _fact_lines(catalog, risk):
                print(f"    {t(line)}")
            lacking = ", ".join(f"{fact} {n}" for fact, n in split.missing)
            print(
                f"  typical models: in scope on {split.in_scope}, decided on {split.decided}, "
                f"undecided on {split.undecided}"
                + (f" (for want of {t(lacking)})" if lacking else "")
            )
            print()
    print_warnings(list(catalog.warnings) + problems)
    errors = [p for p in problems if p.severity == "error"]
    print(
        f"{len(catalog.risks)} risks, {len(catalog.mitigations)} mitigations, "
        f"{len(catalog.references)} references: "
        f"{len(errors)} errors, {len(problems) - len(errors)} warnings"
    )
    return 2 if errors else 0


def run_docs(args: argparse.Namespace) -> int:
    from threatmodel.console import document
    from threatmodel.render.catalog_docs import render

    document(render(load_catalog(args)))
    return 0


def _fact_lines(catalog, risk) -> list[str]:
    """One line per fact a risk's scope and when name: where a model gets it, and what a
    model that leaves it out gets (in the scope: that part of the scope does not hold, and
    nothing is asked; in the when: a question)."""
    from threatmodel.lint import facts

    lines = []
    for part in ("scope", "when"):
        for fact in facts(catalog, risk, part):
            if fact.source != "attribute":
                note = f"{fact.source}: {fact.detail}" if fact.detail else fact.source
            elif part == "scope":
                note = "attribute; left out, that part of the scope does not hold (no question)"
            else:
                note = f"attribute; left out, asked: {fact.detail}"
            lines.append(f"{part:5}  {fact.name:28} {note}")
    return lines


def _typical_models(args: argparse.Namespace, catalog) -> list:
    """The models lint measures risks on: the init starter shapes, plus --typical models (or,
    without them, the bundled examples of a checkout)."""
    from pathlib import Path

    from threatmodel import run
    from threatmodel.api import load_model_data
    from threatmodel.catalog import builtin_catalog_dir
    from threatmodel.commands.common import sources_from
    from threatmodel.commands.init import SHAPES, defaults, render
    from threatmodel.loader import load_text

    models = []
    for shape in SHAPES:
        answers = defaults({"shape": shape})
        data, _ = load_text(render(answers), f"<init --shape {shape}>")
        models.append(load_model_data(data, f"<init --shape {shape}>"))
    paths = [Path(p) for p in args.typical]
    if not paths:
        examples = builtin_catalog_dir().parent / "examples"
        paths = [examples] if (examples / "README.md").is_file() else []
    sources = sources_from(args)
    for path in paths:
        files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        models.extend(run.read_model(f, sources) for f in files)
    return models
