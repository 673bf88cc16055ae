"""Threagile YAML -> SystemModel: technical assets, data assets, communication links, boundaries.

Threagile keys its assets by title (`data_assets: {Title: {id: ...}}`), nests communication
links under the technical asset that opens them, and describes security with CIA classes,
technologies and protocols. What a field states is mapped first (technology, usage, tags,
confidentiality, quantity, out_of_scope, authentication, authorization, vpn, readonly, ...);
words are the last resort. Fields with no equivalent are listed with their lines. The
operator's assets go into one organisation boundary; out-of-scope assets and external
entities on the internet stay outside it. docs/interop.md shows the tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from threatmodel.errors import Position
from threatmodel.interop import categories as cats
from threatmodel.interop.build import Builder, ImportResult
from threatmodel.interop.mapping import NOT_PERSONAL, source_for, type_for
from threatmodel.interop.organisation import place
from threatmodel.interop.source import read_source
from threatmodel.interop.threagile_includes import read_threagile
from threatmodel.interop.threagile_tables import (
    ASSET_MAPPED,
    AUTHENTICATION,
    AUTHORIZATION,
    BOUNDARY_KINDS,
    BOUNDARY_MAPPED,
    CONFIDENTIALITY,
    CRITICALITY,
    DATA_MAPPED,
    ENCRYPTED_AT_REST,
    ENCRYPTED_PROTOCOLS,
    GENERIC_TYPES,
    HUMAN_CLIENTS,
    KINDS,
    LINK_MAPPED,
    MODEL_MAPPED,
    QUANTITY,
    STORING_END_USER_DATA,
    TAG_CATEGORIES,
    TECHNOLOGY_TYPES,
    UNENCRYPTED_PROTOCOLS,
)
from threatmodel.loader import DEFAULT_LIMITS, Limits, LMap, value_pos
from threatmodel.model import Boundary, DataAsset, DataFlow, Element, ElementKind, System


def import_threagile(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> ImportResult:
    """Read a Threagile YAML model and its includes; raises ThreatModelError when broken."""
    return from_source(read_source(path, limits)[0], path, limits)


def from_source(data: Any, path: Path | str, limits: Limits = DEFAULT_LIMITS) -> ImportResult:
    """The model from the already-read main file `data`, with its includes merged in."""
    data, files, notes = read_threagile(path, limits, data)
    return from_data(data, str(path), tuple(files), notes)


def looks_like(data: Any) -> str | None:
    """The key that marks `data` as a Threagile model, or None."""
    if not isinstance(data, dict):
        return None
    for key in ("technical_assets", "data_assets", "threagile_version", "trust_boundaries"):
        if key in data:
            return key
    return None


def from_data(
    data: Any, display: str, files: tuple[str, ...] | None = None, notes=()
) -> ImportResult:
    build = Builder(display, "threagile")
    build.notes.extend(notes)
    if not isinstance(data, LMap):
        build.error(build.top(), "a Threagile model must be a mapping with 'technical_assets'")
        build.out.raise_if_errors()
    if not looks_like(data):
        build.error(
            data.pos,
            "this does not look like a Threagile model: no 'technical_assets', "
            "'data_assets' or 'threagile_version' (is it another format? see --from)",
        )
    reader = _Reader(build, data)
    system = reader.system()
    reader.data_assets()
    reader.technical_assets()
    reader.links()
    reader.boundaries()
    reader.subjects()
    place(build, reader.third, name="Operator")
    return build.finish(system, files)


class _Reader:
    def __init__(self, build: Builder, data: LMap):
        self.b = build
        self.data = data
        self.assets: list[tuple[str, LMap, str, str]] = []  # (title, mapping, our id, kind)
        self.asset_ids: set[str] = set()  # our ids of the assets, once they are all read
        self.third: dict[str, str] = {}  # element id -> why it is a third party
        self.quantities: dict[str, tuple[str, Position]] = {}  # data id -> quantity, where
        self.readonly: dict[str, list[bool]] = {}  # element id -> readonly of its links

    # -- helpers
    def _section(self, key: str):
        section = self.b.mapping(self.data, key, "model")
        if section is None:
            return
        for title, item in section.items():
            where = value_pos(section, title, section.pos)
            if not isinstance(item, dict):
                self.b.error(
                    where, f"{key}: '{title}' must be a mapping, not a {type(item).__name__}"
                )
                continue
            yield title, item

    def _enum(self, item: LMap, key: str, table: dict, what: str) -> Any:
        value = self.b.text(item, key, what)
        if not value:
            return None
        if value not in table:
            self.b.error(
                self.b.at(item, key),
                f"{what}: unknown {key} '{value}' (use one of {', '.join(table)})",
            )
            return None
        return table[value]

    def _cia(self, item: LMap, what: str, attributes: dict, fpos: dict) -> None:
        for key, table in (
            ("confidentiality", CONFIDENTIALITY),
            ("integrity", CRITICALITY),
            ("availability", CRITICALITY),
        ):
            value = self._enum(item, key, table, what)
            if value is not None:
                attributes[self.b.declare(key)] = value
                fpos[key] = self.b.at(item, key)

    def _common(self, item: LMap, what: str, attributes: dict, fpos: dict) -> None:
        """usage, tags and the CIA classes, shared by data, technical assets and links."""
        self._cia(item, what, attributes, fpos)
        usage = self._enum(item, "usage", {"business": "business", "devops": "devops"}, what)
        if usage is not None:
            attributes[self.b.declare("usage")] = usage
            fpos["usage"] = self.b.at(item, "usage")
        tags = [text for text, _ in self.b.entries(item, "tags", what)]
        if tags:
            attributes[self.b.declare("tags")] = tuple(tags)
            fpos["tags"] = self.b.at(item, "tags")

    def _data_refs(self, item: LMap, key: str, what: str) -> list[str]:
        ids = []
        for raw, at in self.b.entries(item, key, what):
            found = self.b.data_ids.get(raw)
            if found is None:
                where = self.b.entry_at(item, key, at)
                self.b.error(where, f"{what}: unknown data asset '{raw}' in '{key}'")
                continue
            ids.append(found)
        return ids

    # -- sections
    def system(self) -> System:
        b, data = self.b, self.data
        title = b.text(data, "title", "model", required=True) or "threagile-model"
        system_id = b.ids.claim(title.lower(), "system")
        author = b.mapping(data, "author", "model")
        overview = b.mapping(data, "business_overview", "model")
        b.unmapped(data, MODEL_MAPPED, "model")
        b.unmapped(author, ("name",), "author")
        b.unmapped(overview, ("description",), "business_overview")
        return System(
            id=system_id,
            name=title,
            owner=b.text(author, "name", "author") if author else "",
            description=b.text(overview, "description", "business_overview") if overview else "",
            pos=data.pos,
            field_pos={"id": b.at(data, "title"), "name": b.at(data, "title")},
        )

    def data_assets(self) -> None:
        b = self.b
        for title, item in self._section("data_assets"):
            what = f"data asset '{title}'"
            raw = b.text(item, "id", what, required=True) or title
            asset_id = b.claim(raw, b.at(item, "id"), "data asset", data=True)
            description = b.text(item, "description", what)
            attributes: dict[str, Any] = {}
            fpos: dict[str, Position] = {"id": b.at(item, "id")}
            self._common(item, what, attributes, fpos)
            decision, not_personal = self._categories(item, attributes, raw, title, description)
            cats.record(b, asset_id, item.pos, decision, not_personal)
            origin = b.text(item, "origin", what)
            source, hit = source_for(origin) if origin else (None, None)
            if origin and not source:
                b.note(b.at(item, "origin"), "origin with no matching data source", repr(origin))
            elif source:
                b.comment("data", asset_id, "source", f"from origin '{origin}' (word '{hit}')")
            quantity = b.text(item, "quantity", what)
            if quantity and quantity not in QUANTITY:
                b.error(
                    b.at(item, "quantity"),
                    f"{what}: unknown quantity '{quantity}' (use one of {', '.join(QUANTITY)})",
                )
            elif quantity:
                self.quantities[asset_id] = (quantity, b.at(item, "quantity"))
            b.unmapped(item, DATA_MAPPED, "data asset")
            b.data.append(
                DataAsset(
                    id=asset_id,
                    name=title,
                    description=description,
                    categories=decision.values,
                    source=source,
                    attributes=attributes,
                    pos=item.pos,
                    field_pos={**fpos, "categories": item.pos, "source": b.at(item, "origin")},
                )
            )

    def _categories(self, item, attributes, raw, title, description):
        """What the asset holds: tags naming a category, then usage, then words."""
        tags = attributes.get("tags", ())
        stated = tuple(
            dict.fromkeys(TAG_CATEGORIES[t.lower()] for t in tags if t.lower() in TAG_CATEGORIES)
        )
        if stated:
            why = f"the tag{'s' if len(tags) > 1 else ''} {', '.join(tags)}"
            texts = (raw, title, description)
            return cats.decide(stated=stated, stated_why=why, texts=texts, refine=True), ""
        if attributes.get("usage") == "devops":
            return cats.decide(stated=("configuration",), stated_why="usage: devops"), ""
        not_personal = ""
        if attributes.get("confidentiality") == "public":
            not_personal = "confidentiality: public"
        return cats.decide(not_personal=not_personal, texts=(raw, title, description, tags)), (
            not_personal
        )

    def technical_assets(self) -> None:
        b = self.b
        for title, item in self._section("technical_assets"):
            what = f"technical asset '{title}'"
            raw = b.text(item, "id", what, required=True) or title
            element_id = b.claim(raw, b.at(item, "id"), "element")
            kind = self._kind(item, what)
            self.assets.append((title, item, element_id, kind))
            technology = b.text(item, "technology", what)
            description = b.text(item, "description", what)
            attributes: dict[str, Any] = {}
            fpos: dict[str, Position] = {"id": b.at(item, "id")}
            self._common(item, what, attributes, fpos)
            element_type = self._type(item, kind, technology, title, description, element_id)
            stored = self._data_refs(item, "data_assets_stored", what)
            processed = self._data_refs(item, "data_assets_processed", what)
            stores: tuple[str, ...] = ()
            inputs: tuple[str, ...] = ()
            mapped = list(ASSET_MAPPED)
            if kind == "datastore":
                stores = tuple(stored)
                encrypted = self._enum(item, "encryption", ENCRYPTED_AT_REST, what)
                if encrypted is not None:
                    attributes["encrypted_at_rest"] = encrypted
                    fpos["encrypted_at_rest"] = b.at(item, "encryption")
                mapped.append("encryption")
            elif kind == "process":
                inputs = tuple(dict.fromkeys(processed + stored))
                if stored:
                    b.note(
                        b.at(item, "data_assets_stored"),
                        "processes that store data: their stored assets became inputs; "
                        "model the storage as a datastore",
                        element_id,
                    )
            elif processed or stored:
                b.note(
                    b.at(item, "data_assets_processed"),
                    "data an external entity or client handles: it shows on the flows to "
                    "and from it",
                    element_id,
                )
            if b.text(item, "encryption", what) == "none":
                mapped.append("encryption")  # says nothing for a process or a client
            if technology in STORING_END_USER_DATA and not stored and kind != "actor":
                b.note(
                    b.at(item, "technology"),
                    "technology stores end-user data but no data_assets_stored are listed",
                    element_id,
                )
            internet = b.flag(item, "internet", what)
            if internet is not None and kind in ("process", "datastore"):
                attributes["publicly_reachable"] = internet
                fpos["publicly_reachable"] = b.at(item, "internet")
            redundant = b.flag(item, "redundant", what)
            if redundant is not None and kind in ("process", "datastore"):
                attributes["redundant"] = redundant
                fpos["redundant"] = b.at(item, "redundant")
            self._third_party(item, element_id, kind, internet, what)
            b.unmapped(item, mapped, "technical asset")
            b.elements.append(
                Element(
                    id=element_id,
                    kind=kind,
                    type=element_type,
                    name=title,
                    description=description,
                    stores=stores,
                    inputs=inputs,
                    attributes=attributes,
                    pos=item.pos,
                    field_pos=fpos,
                )
            )

    def _third_party(self, item, element_id, kind, internet, what) -> None:
        if self.b.flag(item, "out_of_scope", what):
            why = self.b.text(item, "justification_out_of_scope", what)
            self.third[element_id] = "out_of_scope" + (f": {why}" if why else "")
        elif internet and kind in ("actor", "external_service"):
            self.third[element_id] = "an external entity on the internet"

    def _kind(self, item: LMap, what: str) -> ElementKind:
        b = self.b
        raw = b.text(item, "type", what, required=True)
        if raw and raw not in KINDS:
            b.error(
                b.at(item, "type"),
                f"{what}: unknown type '{raw}' (use external-entity, process or datastore)",
            )
        kind = KINDS.get(raw, "process")
        human = b.flag(item, "used_as_client_by_human", what)
        if kind == "external_service" and (
            human or b.text(item, "technology", what) in HUMAN_CLIENTS
        ):
            kind = "actor"
        return kind

    def _type(self, item, kind, technology, title, description, element_id) -> str | None:
        """A purpose the words name (scoring, list, ...), then the technology, then usage
        (staff), then a generic type from words. The technology says how, not what for: a
        batch job that computes scores is `scoring`, not `analytics`."""
        b = self.b
        guess, hit = type_for(kind, title, element_id, description)
        stated = TECHNOLOGY_TYPES.get(kind, {}).get(technology)
        if stated and (guess is None or guess in GENERIC_TYPES):
            b.comment("elements", element_id, "type", f"from technology '{technology}'")
            return stated
        if kind == "actor" and guess is None and b.text(item, "usage", "") == "devops":
            b.comment("elements", element_id, "type", "from usage: devops")
            return "operator_staff"
        if guess:
            b.comment("elements", element_id, "type", f"guessed from the word '{hit}'; check")
            b.note(
                item.pos,
                "element types guessed from words (check them)",
                f"{element_id}: {guess} (from '{hit}')",
            )
        elif technology or kind == "actor":
            b.note(
                b.at(item, "technology") if technology else item.pos,
                "nothing says what type this element is: set 'type'",
                f"{element_id}" + (f" (technology {technology})" if technology else ""),
            )
        return guess

    def links(self) -> None:
        b = self.b
        self.asset_ids = {a[2] for a in self.assets}
        for title, item, source, _ in self.assets:
            links = b.mapping(item, "communication_links", f"technical asset '{title}'")
            if links is None:
                continue
            for link_title, link in links.items():
                where = value_pos(links, link_title, links.pos)
                if not isinstance(link, LMap):
                    b.error(where, f"communication link '{link_title}' must be a mapping")
                    continue
                self._link(source, link_title, link)
        self._can_write()

    def _link(self, source: str, title: str, link: LMap) -> None:
        b = self.b
        what = f"communication link '{title}'"
        raw_target = b.text(link, "target", what, required=True)
        target = b.ids.get(raw_target) if raw_target else None
        if raw_target and (target is None or target not in self.asset_ids):
            b.error(b.at(link, "target"), f"{what}: unknown target '{raw_target}'")
            return
        if not target:
            return
        attributes: dict[str, Any] = {}
        fpos: dict[str, Position] = {}
        self._common(link, what, attributes, fpos)
        protocol = b.text(link, "protocol", what)
        encrypted = None
        if protocol:
            attributes["protocol"] = protocol
            fpos["protocol"] = b.at(link, "protocol")
            encrypted = _encrypted(protocol)
            if encrypted is None:
                b.note(
                    b.at(link, "protocol"),
                    "protocols that say nothing about encryption in transit",
                    protocol,
                )
        for key in ("vpn", "ip_filtered", "readonly"):
            value = b.flag(link, key, what)
            if value is not None:
                attributes[b.declare(key)] = value
                fpos[key] = b.at(link, key)
        through_vpn = attributes.get("vpn") is True and encrypted is not True
        if through_vpn:
            encrypted = True
        if encrypted is not None:
            attributes["encrypted_in_transit"] = encrypted
            fpos["encrypted_in_transit"] = b.at(link, "protocol")
        self._authentication(link, what, attributes, fpos)
        self.readonly.setdefault(source, []).append(attributes.get("readonly") is True)
        sent = self._data_refs(link, "data_assets_sent", what)
        received = self._data_refs(link, "data_assets_received", what)
        b.unmapped(link, LINK_MAPPED, "communication link")
        description = b.text(link, "description", what)
        flow_id = b.ids.claim(f"{source}-{title}", "flow")
        if through_vpn:
            b.comment("flows", flow_id, "encrypted_in_transit", "through a VPN")
        b.flows.append(
            DataFlow(
                id=flow_id,
                source=source,
                target=target,
                data=tuple(sent),
                name=title,
                description=description,
                attributes=attributes,
                pos=link.pos,
                field_pos={
                    "from": link.pos,
                    "to": b.at(link, "target"),
                    "data": b.at(link, "data_assets_sent"),
                    **fpos,
                },
            )
        )
        if received:
            back_id = b.ids.claim(f"{source}-{title}-response", "flow")
            b.flows.append(
                DataFlow(
                    id=back_id,
                    source=target,
                    target=source,
                    data=tuple(received),
                    name=f"{title} (response)",
                    description=description,
                    attributes=dict(attributes),
                    pos=link.pos,
                    field_pos={
                        "from": b.at(link, "target"),
                        "to": link.pos,
                        "data": b.at(link, "data_assets_received"),
                        **fpos,
                    },
                )
            )

    def _authentication(self, link: LMap, what: str, attributes: dict, fpos: dict) -> None:
        b = self.b
        authentication = self._enum(link, "authentication", {k: k for k in AUTHENTICATION}, what)
        strength = None
        if authentication is not None:
            authenticated, strength = AUTHENTICATION[authentication]
            attributes["authenticated"] = authenticated
            fpos["authenticated"] = b.at(link, "authentication")
        authorization = self._enum(link, "authorization", {k: k for k in AUTHORIZATION}, what)
        if strength is None and authentication not in (None, "none") and authorization:
            strength = AUTHORIZATION[authorization]
            where = "authorization"
        else:
            where = "authentication"
        if strength:
            attributes["auth_strength"] = strength
            fpos["auth_strength"] = b.at(link, where)

    def _can_write(self) -> None:
        """A party whose every link is readonly cannot change records (`can_write: false`)."""
        for index, element in enumerate(self.b.elements):
            links = self.readonly.get(element.id)
            if element.kind in ("actor", "external_service") and links and all(links):
                attributes = {**element.attributes, "can_write": False}
                self.b.elements[index] = _evolve(element, attributes=attributes)

    def boundaries(self) -> None:
        b = self.b
        pending = []
        for title, item in self._section("trust_boundaries"):
            what = f"trust boundary '{title}'"
            raw = b.text(item, "id", what, required=True) or title
            boundary_id = b.claim(raw, b.at(item, "id"), "boundary")
            raw_kind = b.text(item, "type", what)
            kind = BOUNDARY_KINDS.get(raw_kind)
            if kind is None:
                kind = "network"
                b.note(
                    b.at(item, "type") if raw_kind else item.pos,
                    "unknown trust boundary type; assumed network",
                    f"{boundary_id}: {raw_kind}",
                )
            pending.append((title, item, boundary_id, kind))
        for title, item, boundary_id, kind in pending:
            what = f"trust boundary '{title}'"
            members = []
            for key in ("technical_assets_inside", "trust_boundaries_nested"):
                for raw, at in b.entries(item, key, what):
                    found = b.ids.get(raw)
                    if found is None:
                        b.error(b.entry_at(item, key, at), f"{what}: unknown id '{raw}' in '{key}'")
                        continue
                    members.append(found)
            attributes: dict[str, Any] = {}
            tags = [text for text, _ in b.entries(item, "tags", what)]
            if tags:
                attributes[b.declare("tags")] = tuple(tags)
            b.unmapped(item, BOUNDARY_MAPPED, "trust boundary")
            b.boundaries.append(
                Boundary(
                    id=boundary_id,
                    type=kind,
                    name=title,
                    description=b.text(item, "description", what),
                    members=tuple(members),
                    attributes=attributes,
                    pos=item.pos,
                    field_pos={
                        "id": b.at(item, "id"),
                        "kind": b.at(item, "type"),
                        "members": b.at(item, "technical_assets_inside"),
                    },
                )
            )

    def subjects(self) -> None:
        """`quantity` as an estimate of how many people a personal data asset is about."""
        b = self.b
        for index, asset in enumerate(b.data):
            quantity, where = self.quantities.get(asset.id, ("", b.top()))
            if asset.categories and all(c in NOT_PERSONAL for c in asset.categories):
                if quantity:
                    b.note(
                        where,
                        "quantity of data that is not about people (not used)",
                        f"{asset.id}: {quantity}",
                    )
                continue
            if not quantity:
                b.note(
                    asset.pos, "fill in how many people the data is about ('subjects')", asset.id
                )
                continue
            estimate, band = QUANTITY[quantity]
            text = f"Threagile quantity: {quantity} ({band})"
            b.data[index] = _evolve(
                asset,
                subjects=estimate,
                attributes={**asset.attributes, b.declare("subjects_estimated_from"): text},
                field_pos={**asset.field_pos, "subjects": where},
            )
            b.comment(
                "data",
                asset.id,
                "subjects",
                f"estimate: the lower end of Threagile quantity '{quantity}' ({band}); "
                "replace it with a count",
            )
            b.note(
                where,
                "people counts estimated from Threagile quantity (replace them)",
                f"{asset.id}: {estimate:,} ({quantity})",
            )


def _evolve(obj, **changes):
    import attrs

    return attrs.evolve(obj, **changes)


def _encrypted(protocol: str) -> bool | None:
    if protocol in ENCRYPTED_PROTOCOLS or protocol.endswith("-encrypted"):
        return True
    if protocol in UNENCRYPTED_PROTOCOLS:
        return False
    return None
