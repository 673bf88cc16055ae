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
    lint = actions.add_parser("lint", help="check the catalogs; exit 2 on any problem")
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
        print(f"when:        {t(risk.condition.text) if risk.condition else '(always)'}")
        print(f"likelihood:  {risk.likelihood}   impact: {risk.impact}")
        for m in risk.modifiers:
            change = ", ".join(
                f"{k} {getattr(m, k):+d}" for k in ("likelihood", "impact") if getattr(m, k)
            )
            print(f"modifier:    {change} when {t(m.condition.text)} ({t(m.why)})")
        for name, ids in risk.frameworks.items():
            print(f"{name + ':':12} {t(', '.join(ids))}")
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
    from threatmodel.lint import lint

    catalog = load_catalog(args)
    problems = lint(catalog)
    print_warnings(list(catalog.warnings) + problems)
    errors = [p for p in problems if p.severity == "error"]
    print(
        f"{len(catalog.risks)} risks, {len(catalog.mitigations)} mitigations, "
        f"{len(catalog.references)} references: "
        f"{len(errors)} errors, {len(problems) - len(errors)} warnings"
    )
    return 2 if errors else 0


def run_docs(args: argparse.Namespace) -> int:
    import sys

    from threatmodel.render.catalog_docs import render

    sys.stdout.write(render(load_catalog(args)))
    return 0
