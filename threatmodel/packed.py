"""Findings packed into plain tuples, to cross from a forked child back to its parent.

The parent holds the same catalog and model as the child, so a finding goes as its risk's
position in the catalog and its subject's in a list both sides have, its score (a record
findings share, which pickle sends once), its evidence, the fields of what it lacks, and
the positions of its harm and of its set of modifiers in tables where each is sent once (at
5,000 elements, 38,000 findings have 6,000 distinct harms and 1,000 distinct sets of
modifiers). Plain tuples pickle and unpickle in C; the attrs records would each go through
Python (about twice the time to send a model's findings). `unpack` remakes the findings
exactly, with one `Harm` per harm, as analysis makes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from threatmodel.catalog import Catalog
from threatmodel.findings import AppliedModifier, Finding, Harm
from threatmodel.graph import Missing

T = TypeVar("T")
_HARM = tuple(field.name for field in attrs.fields(Harm))
_MODIFIER = tuple(field.name for field in attrs.fields(AppliedModifier))
_MISSING = tuple(field.name for field in attrs.fields(Missing))


@attrs.frozen
class Packed:
    """Findings by group (a group: confirmed findings, undecided ones, and a value the
    packer passes through), with the tables they point into."""

    groups: dict[int, tuple[list[tuple], list[tuple], Any]]
    harms: list[tuple] = attrs.Factory(list)  # each Harm's fields
    modifiers: list[tuple] = attrs.Factory(list)  # each finding's, as AppliedModifier fields


class Packer:
    """Packs groups of findings one at a time (`add`), sharing one table of harms and one
    of sets of modifiers, then gives them as `Packed` (`packed`)."""

    def __init__(self, catalog: Catalog):
        self._risks = {id(risk): index for index, risk in enumerate(catalog.risks)}
        self._harms: dict[int, int] = {}  # position in the table by the record's id
        # position in the table by the fields' repr: equal fields of other types (1, 1.0 and
        # True; 0.0 and -0.0) are told apart, as a value's own equality would not
        self._modifiers: dict[str, int] = {}
        self._packed = Packed({})

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
                f.scored,
                self._harm_at(f.harm),
                f.evidence,
                tuple([_fields(m, _MISSING) for m in f.missing]),
                self._modifiers_at(f.modifiers),
            )
            for f in findings
        ]

    def _harm_at(self, harm: Harm) -> int:
        return _position(id(harm), self._harms, self._packed.harms, lambda: _fields(harm, _HARM))

    def _modifiers_at(self, modifiers: tuple[AppliedModifier, ...]) -> int:
        fields = tuple([_fields(m, _MODIFIER) for m in modifiers])
        return _position(repr(fields), self._modifiers, self._packed.modifiers, lambda: fields)


def _position(key: Any, known: dict, table: list, value: Callable[[], Any]) -> int:
    """The position of `key`'s value in its table, where `value()` is added the first time
    the key is met."""
    position = known.get(key)
    if position is None:
        position = known[key] = len(table)
        table.append(value())
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
    risks = catalog.risks
    modifier_table = [
        tuple([_remade(AppliedModifier, _MODIFIER, m) for m in modifiers])
        for modifiers in packed.modifiers
    ]
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
        for risk_at, subject_at, scored, harm_at, evidence, missing, modifiers_at in sent:
            risk, subject = risks[risk_at], on[subject_at]
            made.append(
                Finding(
                    id=f"{risk.id}@{subject.id}",
                    risk=risk,
                    element=subject,
                    status=status,
                    scored=scored,
                    evidence=evidence,
                    missing=tuple([_remade(Missing, _MISSING, m) for m in missing]),
                    modifiers=modifier_table[modifiers_at],
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
