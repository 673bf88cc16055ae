"""Catalog classes: risks, modifiers, mitigations, references, severity bands; and the layers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from pathlib import Path

import attrs

from threatmodel.errors import Position
from threatmodel.expr import Condition
from threatmodel.vocabulary import Vocabulary

_PYTHON = Position(file="<python>")


@attrs.frozen(kw_only=True)
class Modifier:
    """A change to likelihood and/or impact when its own condition holds."""

    condition: Condition
    likelihood: int = 0
    impact: int = 0
    why: str = ""
    pos: Position = attrs.field(default=_PYTHON, eq=False)


@attrs.frozen(kw_only=True)
class AttackNode:
    """A goal or step of an attack tree; `gate` is 'any' or 'all' for inner nodes."""

    label: str
    gate: str | None = None
    children: tuple[AttackNode, ...] = ()
    blocked_by: str | None = None


@attrs.frozen(kw_only=True)
class Risk:
    """A failure the catalog knows, when it applies and how bad it is."""

    id: str
    title: str
    description: str = ""
    group: str = ""
    applies_to: tuple[str, ...]
    scope: Condition | None = None  # when the risk applies at all; unknown means it does not
    condition: Condition | None = None  # `when`: the risk proper; unknown raises a question
    likelihood: int
    impact: int
    modifiers: tuple[Modifier, ...] = ()
    frameworks: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    mitigations: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    attack_tree: AttackNode | None = None
    overlaps: tuple[str, ...] = ()  # risks that name the same gap: one concern with them
    catalog: str = ""
    pos: Position = attrs.field(default=_PYTHON, eq=False)


@attrs.frozen(kw_only=True)
class Mitigation:
    """A control that lowers risks; `likelihood`/`impact` are its (non-positive) effect."""

    id: str
    title: str
    description: str = ""
    likelihood: int = 0
    impact: int = 0
    pos: Position = attrs.field(default=_PYTHON, eq=False)


@attrs.frozen(kw_only=True)
class Checked:
    """When a reference's fact was last checked, and in which source."""

    date: datetime.date
    source: str


# EU law also binds a model that names a member state (or an EEA state) instead of "EU"
EU_MEMBERS = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "IS",
        "LI",
        "NO",
    ]
)


# codes models often write for a country whose ISO 3166 code differs
ALIASES = {"UK": "GB", "EL": "GR"}


@attrs.frozen(kw_only=True)
class Reference:
    """An incident, law article, study or standard that a risk cites; a law names the
    jurisdiction whose law it is (EU, GB, US, US-CA, CN, ...)."""

    id: str
    kind: str
    title: str
    fact: str = ""
    url: str = ""
    jurisdiction: str = ""
    checked: Checked | None = None
    pos: Position = attrs.field(default=_PYTHON, eq=False)

    def applies_in(self, jurisdictions: Iterable[str]) -> bool:
        """Whether this reference binds a system in `jurisdictions` (codes such as EU, DE,
        US-CA). References without a jurisdiction, and any reference when nothing is
        known, apply; a national law binds its states (US binds US-CA), never the reverse."""
        codes = {ALIASES.get(c.upper(), c.upper()) for c in jurisdictions}
        if not self.jurisdiction or not codes:
            return True
        own = self.jurisdiction.upper()
        return any(
            code == own
            or code.startswith(own + "-")
            or (own == "EU" and code.split("-")[0] in EU_MEMBERS)
            for code in codes
        )


@attrs.frozen(kw_only=True)
class Framework:
    """A taxonomy risks cite: its valid ids (or an id pattern), display names, and for the
    privacy taxonomies each id's meaning in its source and the id it falls under."""

    id: str
    title: str
    ids: tuple[str, ...] = ()
    pattern: str | None = None
    names: Mapping[str, str] = attrs.field(factory=dict)
    definitions: Mapping[str, str] = attrs.field(factory=dict)
    parents: Mapping[str, str] = attrs.field(factory=dict)
    pos: Position = attrs.field(default=_PYTHON, eq=False)

    def meaning(self, word: str) -> str | None:
        """The source's definition of an id, with the id it falls under, or None."""
        definition = self.definitions.get(word)
        if definition is None:
            return None
        parent = self.parents.get(word)
        return f"(a kind of {parent}) {definition}" if parent else definition


@attrs.frozen(kw_only=True)
class Band:
    """A severity band: scores (likelihood x impact) from `min` up get this name."""

    name: str
    min: int
    sarif_level: str = "warning"
    security_severity: float = 5.0


@attrs.frozen(kw_only=True)
class Catalog:
    """All loaded layers merged: what the engine matches a model against."""

    risks: tuple[Risk, ...]
    mitigations: Mapping[str, Mitigation]
    references: Mapping[str, Reference]
    frameworks: Mapping[str, Framework]
    vocabulary: Vocabulary
    bands: tuple[Band, ...]
    files: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    warnings: tuple = ()
    _by_id: Mapping[str, Risk] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {risk.id: risk for risk in self.risks})

    def band(self, score: int) -> Band:
        """The severity band a likelihood x impact score falls in."""
        for band in self.bands:
            if score >= band.min:
                return band
        return self.bands[-1]

    def severity_rank(self, name: str) -> int:
        """Higher for worse severities; -1 for an unknown name."""
        names = self.severities
        return len(names) - names.index(name) if name in names else -1

    @property
    def severities(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.bands)

    def risk(self, risk_id: str) -> Risk | None:
        return self._by_id.get(risk_id)


def builtin_catalog_dir() -> Path:
    """The shipped catalogs: inside the installed package, or `catalogs/` of a checkout."""
    installed = Path(__file__).parent / "catalogs"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "catalogs"


def group_of(risk_id: str) -> str:
    """The group part of a risk id: SRS-SEC-02 -> SEC, TM-S-001 -> S."""
    parts = risk_id.split("-")
    return parts[1] if len(parts) >= 3 else ""


def tree_mitigations(node: AttackNode | None) -> list[str]:
    """All mitigation ids named by an attack tree."""
    if node is None:
        return []
    found = [node.blocked_by] if node.blocked_by else []
    for child in node.children:
        found.extend(tree_mitigations(child))
    return found
