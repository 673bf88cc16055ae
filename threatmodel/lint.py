"""Catalog checks beyond loading: what loads fine but would mislead a reviewer."""

from __future__ import annotations

from threatmodel.catalog import Catalog, tree_mitigations
from threatmodel.errors import Problem


def lint(catalog: Catalog) -> list[Problem]:
    """Problems of a loaded catalog: unused or uncited entries, risks missing what reviewers need."""
    problems: list[Problem] = []

    def error(pos, message):
        problems.append(Problem(message=message, pos=pos))

    def warn(pos, message):
        problems.append(Problem(message=message, pos=pos, severity="warning"))

    cited_mitigations = set()
    cited_references = set()
    for risk in catalog.risks:
        cited_mitigations.update(risk.mitigations)
        cited_mitigations.update(tree_mitigations(risk.attack_tree))
        cited_references.update(risk.references)
        if not risk.description:
            error(risk.pos, f"risk '{risk.id}' has no description")
        if not risk.mitigations:
            error(risk.pos, f"risk '{risk.id}' names no mitigation")
        for mitigation in tree_mitigations(risk.attack_tree):
            if mitigation not in risk.mitigations:
                warn(
                    risk.pos,
                    f"risk '{risk.id}': attack tree step is blocked by '{mitigation}', "
                    "which the risk does not list among its mitigations",
                )
        if not any(risk.frameworks.values()):
            warn(risk.pos, f"risk '{risk.id}' cites no framework id")
    for mitigation in catalog.mitigations.values():
        if mitigation.id not in cited_mitigations:
            warn(mitigation.pos, f"mitigation '{mitigation.id}' is not cited by any risk")
    for reference in catalog.references.values():
        if reference.id not in cited_references:
            warn(reference.pos, f"reference '{reference.id}' is not cited by any risk")
    return sorted(problems, key=lambda p: (p.pos, p.message))
