"""One organisation boundary around the operator's own elements; third parties outside it.

Other tools rarely say who runs what, but our risks ask whether data leaves the organisation
(`crosses('organisation')`): without an organisation boundary every flow leaves it. So every
import ends with `place`: an element is a third party when its format says so (Threagile
`out_of_scope` or an external entity on the internet, pytm `isThirdParty`, ...), when it is an
external service, when it is a person who is not the operator's staff, or when it sits in a
trust zone that is the internet or another party's (by its words). Everything else is the
operator's and goes, with the boundaries around it, into one `organisation` boundary. A
boundary holding both keeps the operator's side; the third parties are taken out of it and
noted. Boundaries form a tree, so nothing can be inside and outside at once.
"""

from __future__ import annotations

import attrs

from threatmodel.interop.mapping import first_match
from threatmodel.model import Boundary

# (words, why) for trust zones and boundaries that hold other parties' elements
THIRD_PARTY_ZONE_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        (
            "internet",
            "public internet",
            "external",
            "third party",
            "3rd party",
            "untrusted",
            "outside",
            "partner",
            "partners",
            "vendor",
            "vendors",
            "supplier",
            "customer",
            "customers",
            "user",
            "users",
            "end user",
            "end users",
        ),
        "third-party",
    ),
)
ORGANISATION_ID = "operator"


def zone_is_third_party(*texts: object) -> str | None:
    """The word that marks a zone as the internet or another party's, or None."""
    _, hit = first_match(THIRD_PARTY_ZONE_WORDS, *texts)
    return hit


def place(
    build,
    third: dict[str, str] | None = None,
    third_zones: dict[str, str] | None = None,
    name: str = "Operator",
) -> None:
    """Add the operator's organisation boundary to `build` (see the module docstring).

    `third` maps element ids to the reason the source gives for being a third party;
    `third_zones` maps boundary ids to the reason they hold only other parties' elements.
    """
    third = dict(third or {})
    third_zones = dict(third_zones or {})
    boundaries = {b.id: b for b in build.boundaries}
    parent = {m: b.id for b in build.boundaries for m in b.members}
    for element in build.elements:
        if element.id in third:
            continue
        zone = next((z for z in _ancestors(element.id, parent) if z in third_zones), None)
        if zone:
            third[element.id] = f"in {boundaries[zone].label} ({third_zones[zone]})"
        elif element.kind == "external_service":
            third[element.id] = "an external service"
        elif element.kind == "actor" and element.type != "operator_staff":
            third[element.id] = "a person or party who is not the operator's staff"
    own_elements = [e for e in build.elements if e.id not in third]
    if not own_elements:
        build.note(
            build.top(),
            "no organisation boundary: nothing in the source says which elements the operator runs",
        )
        return
    outside = _third_boundaries(build.boundaries, third, third_zones, parent)
    members: dict[str, list[str]] = {}
    not_own = set(third) | outside
    for boundary in build.boundaries:
        inside = boundary.id not in outside  # an own boundary keeps other parties out
        members[boundary.id] = []
        for member in boundary.members:
            if (member in not_own) is inside:  # on the wrong side of the organisation
                build.note(
                    boundary.pos,
                    f"taken out of their boundary to sit {'outside' if inside else 'inside'} "
                    "the organisation",
                    f"{member} out of {boundary.id}",
                )
            else:
                members[boundary.id].append(member)
    placed = {m for ms in members.values() for m in ms}
    top = [b.id for b in build.boundaries if b.id not in outside and b.id not in placed]
    top += [e.id for e in own_elements if e.id not in placed]
    new: list[Boundary] = []
    for boundary in build.boundaries:
        kind = boundary.type
        if kind == "organisation" and boundary.id not in outside:
            kind = "network"
            build.note(
                boundary.pos,
                "boundaries of the operator's own elements were given kind network "
                "(the operator's organisation boundary holds them)",
                boundary.id,
            )
        new.append(attrs.evolve(boundary, type=kind, members=tuple(members[boundary.id])))
    org_id = build.ids.claim(ORGANISATION_ID, "organisation")
    parties = sorted(third)
    new.append(
        Boundary(
            id=org_id,
            type="organisation",
            name=name,
            description="Added by the import: the organisation that runs the system. "
            "Outside it: " + (", ".join(parties) if parties else "nothing") + ".",
            members=tuple(top),
            pos=build.top(),
        )
    )
    build.boundaries = new
    where = {e.id: e.pos for e in build.elements}
    for element_id in parties:
        build.note(
            where.get(element_id, build.top()),
            "third parties outside the organisation",
            f"{element_id}: {third[element_id]}",
        )
    build.comment("boundaries", org_id, "id", "added by the import; check who is inside")


def _ancestors(subject: str, parent: dict[str, str]):
    seen = {subject}
    current = parent.get(subject)
    while current is not None and current not in seen:
        yield current
        seen.add(current)
        current = parent.get(current)


def _third_boundaries(boundaries, third, third_zones, parent) -> set[str]:
    """Boundaries outside the organisation: third-party zones, boundaries inside them, and
    boundaries whose every element (at any depth) is a third party."""
    children = {b.id: list(b.members) for b in boundaries}
    memo: dict[str, bool | None] = {}

    def all_third(boundary_id: str, seen: frozenset = frozenset()) -> bool | None:
        """True when every element below is a third party, None when there are none."""
        if boundary_id in memo:
            return memo[boundary_id]
        verdicts = []
        for member in children.get(boundary_id, ()):
            if member in children:
                if member not in seen:
                    verdicts.append(all_third(member, seen | {boundary_id}))
            else:
                verdicts.append(member in third)
        known = [v for v in verdicts if v is not None]
        memo[boundary_id] = all(known) if known else None
        return memo[boundary_id]

    outside = {b.id for b in boundaries if b.id in third_zones or all_third(b.id)}
    changed = True
    while changed:  # boundaries with no element of the operator's follow their parent out
        changed = False
        for boundary in boundaries:
            if (
                boundary.id not in outside
                and parent.get(boundary.id) in outside
                and all_third(boundary.id) is not False
            ):
                outside.add(boundary.id)
                changed = True
    return outside
