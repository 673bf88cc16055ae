"""Findings packed into plain tuples, to cross from a forked child back to its parent.

The parent holds the same catalog and model as the child, so a finding goes as its risk's
position in the catalog and its subject's in a list both sides have, the positions of its
score and harm in tables sent once (findings share those records), its evidence, and the
fields of what it lacks and of its modifiers. Plain tuples pickle and unpickle in C; the
attrs records would each go through Python (about twice the time to send a model's
findings). `unpack` remakes the findings exactly, with one `Harm` per harm, as analysis
makes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import attrs

from threatmodel.catalog import Catalog
from threatmodel.findings import AppliedModifier, Finding, Harm, Scored
from threatmodel.graph import Missing

T = TypeVar("T")
_HARM = tuple(field.name for field in attrs.fields(Harm))
_MODIFIER = tuple(field.name for field in attrs.fields(AppliedModifier))
_MISSING = tuple(field.name for field in attrs.fields(Missing))


@attrs.frozen
class Packed:
    """Findings by group (a group: confirmed findings, undecided ones, and a list the
    packer passes through), with the tables of scores and harms they point into."""

    groups: dict[int, tuple[list[tuple], list[tuple], Any]]
    scores: list[Scored]
    harms: list[tuple]


class Packer:
    """Packs groups of findings one at a time (`add`), sharing one table of scores and
    one of harms, then gives them as `Packed` (`packed`)."""

    def __init__(self, catalog: Catalog):
        self._risks = {id(risk): index for index, risk in enumerate(catalog.risks)}
        self._scores: dict[int, int] = {}  # by the id of a record: its position in the table
        self._harms: dict[int, int] = {}
        self._packed = Packed({}, [], [])

    def add(
        self,
        group: int,
        findings: list[Finding],
        undecided: list[Finding],
        subjects: Sequence[Any],
        extra: Any = None,
    ) -> None:
        """Pack a group of findings on `subjects` (they are sent by position there)."""
        at = {id(subject): index for index, subject in enumerate(subjects)}
        self._packed.groups[group] = (self._pack(findings, at), self._pack(undecided, at), extra)

    def packed(self) -> Packed:
        return self._packed

    def _pack(self, findings: list[Finding], subjects: dict[int, int]) -> list[tuple]:
        risks = self._risks
        return [
            (
                risks[id(f.risk)],
                subjects[id(f.element)],
                self._position(f.scored, self._scores, self._packed.scores, None),
                self._position(f.harm, self._harms, self._packed.harms, _HARM),
                f.evidence,
                tuple([_fields(m, _MISSING) for m in f.missing]),
                tuple([_fields(m, _MODIFIER) for m in f.modifiers]),
            )
            for f in findings
        ]

    @staticmethod
    def _position(record: Any, known: dict[int, int], table: list, names: tuple | None) -> int:
        """The position of a shared record in its table (added, as its fields when `names`
        are given, the first time it is seen)."""
        position = known.get(id(record))
        if position is None:
            position = known[id(record)] = len(table)
            table.append(record if names is None else _fields(record, names))
        return position


def unpack(
    packed: Packed,
    catalog: Catalog,
    subjects: Mapping[int, Sequence[Any]],
    harms: dict[tuple, Harm],
) -> dict[int, tuple[list[Finding], list[Finding], Any]]:
    """The groups of findings `packed` holds, remade: `subjects` are each group's as they
    were packed; `harms` is this process's table of harms by data and exposure (as
    `engine._harm` keeps it), which gains any it lacked, so that equal harms are one
    record."""
    risks, scores = catalog.risks, packed.scores
    harm_table = []
    for fields in packed.harms:
        values = dict(zip(_HARM, fields, strict=True))
        key = (values["data_assets"], values["exposure"])
        harm = harms.get(key)
        if harm is None:
            harm = harms[key] = Harm(**values)
        harm_table.append(harm)

    def remade(sent: list[tuple], on: Sequence[Any], status: str) -> list[Finding]:
        made = []
        for risk_at, subject_at, score_at, harm_at, evidence, missing, modifiers in sent:
            risk, subject = risks[risk_at], on[subject_at]
            made.append(
                Finding(
                    id=f"{risk.id}@{subject.id}",
                    risk=risk,
                    element=subject,
                    status=status,
                    scored=scores[score_at],
                    evidence=evidence,
                    missing=tuple([_remade(Missing, _MISSING, m) for m in missing]),
                    modifiers=tuple([_remade(AppliedModifier, _MODIFIER, m) for m in modifiers]),
                    harm=harm_table[harm_at],
                )
            )
        return made

    return {
        group: (
            remade(findings, subjects[group], "confirmed"),
            remade(undecided, subjects[group], "possible"),
            extra,
        )
        for group, (findings, undecided, extra) in packed.groups.items()
    }


def _fields(record: Any, names: tuple[str, ...]) -> tuple:
    return tuple([getattr(record, name) for name in names])


def _remade(kind: type[T], names: tuple[str, ...], values: tuple) -> T:
    return kind(**dict(zip(names, values, strict=True)))
