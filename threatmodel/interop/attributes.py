"""Attributes an imported model declares in its own `vocabulary:` section.

Some things other tools state have no attribute in the shipped vocabulary but are worth
keeping: a CIA class, Threagile's usage and tags, where a people count came from. An import
that carries one declares it in the imported model's vocabulary (only the ones it uses), so
the model validates and the value travels with it. No shipped risk reads them; reviewers do.
"""

from __future__ import annotations

from threatmodel.interop.mapping import CONFIDENTIALITY
from threatmodel.vocabulary import Attribute

EVERYTHING = frozenset({"data", "actor", "process", "datastore", "external_service"})
CRITICALITY = ("archive", "operational", "important", "critical", "mission_critical")


def _attribute(name: str, type_: str, applies_to, meaning: str, values=()) -> Attribute:
    return Attribute(
        name=name,
        type=type_,
        values=tuple(values) or None,
        applies_to=frozenset(applies_to),
        meaning=meaning,
    )


IMPORTED = {
    a.name: a
    for a in (
        _attribute(
            "confidentiality",
            "enum",
            EVERYTHING,
            "confidentiality class carried over from the imported model",
            CONFIDENTIALITY,
        ),
        _attribute(
            "integrity",
            "enum",
            EVERYTHING,
            "integrity criticality carried over from the imported model",
            CRITICALITY,
        ),
        _attribute(
            "availability",
            "enum",
            EVERYTHING,
            "availability criticality carried over from the imported model",
            CRITICALITY,
        ),
        _attribute(
            "usage",
            "enum",
            EVERYTHING | {"dataflow"},
            "business data and traffic, or devops (build, deploy, operate)",
            ("business", "devops"),
        ),
        _attribute(
            "tags",
            "list",
            EVERYTHING | {"dataflow", "boundary"},
            "tags carried over from the imported model",
        ),
        _attribute(
            "subjects_estimated_from",
            "string",
            {"data"},
            "what the `subjects` estimate was made from (it is not a count)",
        ),
        _attribute(
            "vpn",
            "bool",
            {"dataflow"},
            "the flow runs through a VPN",
        ),
        _attribute(
            "ip_filtered",
            "bool",
            {"dataflow"},
            "only known addresses may open the flow",
        ),
        _attribute(
            "readonly",
            "bool",
            {"dataflow"},
            "the flow only reads: the source cannot change what the target holds",
        ),
    )
}
