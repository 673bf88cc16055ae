"""Findings packed into plain tuples, to cross from a forked child back to its parent.

The parent holds the same catalog and model as the child, so a finding goes as its risk's
position in the catalog and its subject's in a list both sides have, the fields of what it
lacks, and positions in tables where each value is sent once: its score and harm (records
findings share), its evidence and its modifiers (at 5,000 elements, 38,000 findings show
5,000 distinct evidences and 1,000 distinct sets of modifiers). Plain tuples pickle and
unpickle in C; the attrs records would each go through Python (about twice the time to send
a model's findings). `unpack` remakes the findings exactly, with one `Harm` per harm, as
analysis makes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
    """Findings by group (a group: confirmed findings, undecided ones, and a value the
    packer passes through), with the tables they point into."""

    groups: dict[int, tuple[list[tuple], list[tuple], Any]]
    scores: list[Scored] = attrs.Factory(list)
    harms: list[tuple] = attrs.Factory(list)  # each Harm's fields
    evidence: list[tuple] = attrs.Factory(list)
    modifiers: list[tuple] = attrs.Factory(list)  # each finding's, as AppliedModifier fields


class Packer:
    """Packs groups of findings one at a time (`add`), sharing one table of scores and
    one of harms, then gives them as `Packed` (`packed`)."""

    def __init__(self, catalog: Catalog):
        self._risks = {id(risk): index for index, risk in enumerate(catalog.risks)}
        # positions in the tables: of a shared record by its id, of a value by the value
        self._scores: dict[int, int] = {}
        self._harms: dict[int, int] = {}
        self._evidence: dict[tuple, int] = {}
        self._modifiers: dict[tuple, int] = {}
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
        risks, packed = self._risks, self._packed
        return [
            (
                risks[id(f.risk)],
                subjects[id(f.element)],
                _by_id(f.scored, self._scores, packed.scores, lambda scored: scored),
                _by_id(f.harm, self._harms, packed.harms, lambda harm: _fields(harm, _HARM)),
                _by_value(f.evidence, self._evidence, packed.evidence, lambda shown: shown),
                tuple([_fields(m, _MISSING) for m in f.missing]),
                _by_value(f.modifiers, self._modifiers, packed.modifiers, _modifier_fields),
            )
            for f in findings
        ]


def _by_id(record: Any, known: dict[int, int], table: list, sent: Callable[[Any], Any]) -> int:
    """The position of a shared record in its table, where it is added (as `sent` gives
    it) the first time it is met."""
    position = known.get(id(record))
    if position is None:
        position = known[id(record)] = len(table)
        table.append(sent(record))
    return position


def _by_value(value: Any, known: dict, table: list, sent: Callable[[Any], Any]) -> int:
    """The position of a value in its table, where an equal value is added (as `sent`
    gives it) the first time one is met; a value that cannot be hashed is added each time."""
    try:
        position = known.get(value)
    except TypeError:
        table.append(sent(value))
        return len(table) - 1
    if position is None:
        position = known[value] = len(table)
        table.append(sent(value))
    return position


def _modifier_fields(modifiers: tuple[AppliedModifier, ...]) -> tuple[tuple, ...]:
    return tuple([_fields(m, _MODIFIER) for m in modifiers])


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
    risks, scores, evidences = catalog.risks, packed.scores, packed.evidence
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
        for risk_at, subject_at, score_at, harm_at, evidence_at, missing, modifiers_at in sent:
            risk, subject = risks[risk_at], on[subject_at]
            made.append(
                Finding(
                    id=f"{risk.id}@{subject.id}",
                    risk=risk,
                    element=subject,
                    status=status,
                    scored=scores[score_at],
                    evidence=evidences[evidence_at],
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
