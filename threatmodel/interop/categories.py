"""The data categories of an imported data asset: what the source states first, words last.

Every importer asks `decide` with what its format states explicitly (categories it names, a
flag such as pytm's isCredentials, Threagile's `usage: devops`) and what speaks against
personal data (Threagile or pytm classification 'public', OTM confidentiality 0, pytm
`isPII: false`). A guess from words is the last resort; it never gives a personal category
against a statement that the data is public or not personal; and `record` writes every guess
into the model as a comment naming the word it came from.
"""

from __future__ import annotations

import attrs

from threatmodel.errors import Position
from threatmodel.interop.mapping import NOT_PERSONAL, categories_for


@attrs.frozen
class Categories:
    """Categories for one asset and where they came from (a comment for the model)."""

    values: tuple[str, ...] = ()
    why: str = ""  # "from isCredentials", "guessed from the word 'customer'", ...
    guessed: bool = False
    blocked: tuple[
        str, ...
    ] = ()  # personal categories the words suggested but a statement ruled out


def decide(
    *,
    stated: tuple[str, ...] = (),
    stated_why: str = "",
    not_personal: str = "",
    texts: tuple = (),
    refine: bool = False,
) -> Categories:
    """`stated` categories win; otherwise a guess from `texts`, without personal categories
    when `not_personal` says why the data is not about people. With `refine`, a statement that
    only says "personal" (a 'pii' tag) is completed by the personal categories the words give."""
    found, hits = categories_for(*texts)
    if stated and refine:
        extra = [
            (c, h)
            for c, h in zip(found, hits, strict=True)
            if c not in stated and c not in NOT_PERSONAL
        ]
        if extra:
            return Categories(
                values=tuple(dict.fromkeys(stated + tuple(c for c, _ in extra))),
                why=f"from {stated_why}; {_guessed(extra)}",
                guessed=True,
            )
    if stated:
        return Categories(values=tuple(dict.fromkeys(stated)), why=f"from {stated_why}")
    if not found:
        return Categories()
    pairs = list(zip(found, hits, strict=True))
    if not_personal:
        kept = [(c, h) for c, h in pairs if c in NOT_PERSONAL]
        blocked = tuple(c for c, _ in pairs if c not in NOT_PERSONAL)
        why = _guessed(kept) + (f"; not personal: {not_personal}" if kept else "")
        return Categories(
            values=tuple(c for c, _ in kept), why=why, guessed=bool(kept), blocked=blocked
        )
    return Categories(values=found, why=_guessed(pairs), guessed=True)


def _guessed(pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return ""
    words = sorted({h for _, h in pairs})
    quoted = ", ".join(f"'{w}'" for w in words)
    return f"guessed from the word{'s' if len(words) > 1 else ''} {quoted}"


def record(build, asset_id: str, pos: Position, result: Categories, not_personal: str = "") -> None:
    """Notes and the model comment for one asset's categories."""
    if result.values:
        build.comment(
            "data", asset_id, "categories", result.why + ("; check" if result.guessed else "")
        )
        if result.guessed:
            build.note(
                pos,
                "data categories guessed from words (check them)",
                f"{asset_id}: {', '.join(result.values)} ({result.why.removeprefix('guessed ')})",
            )
    if result.blocked:
        build.note(
            pos,
            "personal categories not guessed because the source says the data is not personal",
            f"{asset_id}: not {', '.join(result.blocked)} ({not_personal})",
        )
    if not result.values:
        reason = f" ({not_personal})" if not_personal else ""
        build.note(
            pos, "nothing says what kind of data this is: set 'categories'", asset_id + reason
        )
