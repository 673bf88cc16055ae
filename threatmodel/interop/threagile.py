"""Threagile YAML -> SystemModel: technical assets, data assets, communication links, boundaries.

Threagile keys its assets by title (`data_assets: {Title: {id: ...}}`), nests communication
links under the technical asset that opens them, and describes security with CIA classes,
technologies and protocols. The tables below say how each maps onto our vocabulary; what has
no equivalent becomes a note. docs/interop.md shows the same tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from threatmodel.interop.build import Builder, ImportResult
from threatmodel.interop.mapping import categories_for, source_for, type_for
from threatmodel.interop.source import read_source
from threatmodel.loader import LMap, value_pos
from threatmodel.model import Boundary, DataAsset, DataFlow, Element, System

KINDS = {"external-entity": "external_service", "process": "process", "datastore": "datastore"}

# Threagile technology -> our element type, per kind (absent: inferred from words, or none)
TECHNOLOGY_TYPES = {
    "datastore": {
        "database": "database",
        "identity-store-database": "identity_vault",
        "identity-store-ldap": "identity_vault",
        "ldap-server": "identity_vault",
        "data-lake": "data_lake",
        "big-data-platform": "data_lake",
        "file-server": "file_store",
        "local-file-system": "file_store",
        "block-storage": "file_store",
        "artifact-registry": "file_store",
        "sourcecode-repository": "file_store",
        "search-index": "database",
        "monitoring": "log",
    },
    "process": {
        "web-service-rest": "api",
        "web-service-soap": "api",
        "application-server": "api",
        "web-server": "api",
        "web-application": "api",
        "gateway": "api",
        "reverse-proxy": "api",
        "load-balancer": "api",
        "identity-provider": "authentication",
        "report-engine": "reporting",
        "batch-processing": "analytics",
        "stream-processing": "analytics",
        "big-data-platform": "analytics",
        "cms": "publication",
        "mail-server": "messaging",
        "message-queue": "messaging",
    },
    "external_service": {"identity-provider": "identity_provider"},
    "actor": {"devops-client": "operator_staff"},
}
# Threagile's technologies that carry `storing_end_user_data`
STORING_END_USER_DATA = frozenset(
    {
        "block-storage",
        "database",
        "erp",
        "file-server",
        "local-file-system",
        "mail-server",
        "message-queue",
        "stream-processing",
    }
)
HUMAN_CLIENTS = frozenset({"browser", "desktop", "mobile-app", "client-system", "devops-client"})
ENCRYPTED_AT_REST = {
    "none": False,
    "transparent": True,
    "data-with-symmetric-shared-key": True,
    "data-with-asymmetric-shared-key": True,
    "data-with-end-user-individual-key": True,
}
ENCRYPTED_PROTOCOLS = frozenset(
    {"https", "wss", "ssh", "ssh-tunnel", "ftps", "sftp", "scp", "ldaps"}
)
UNENCRYPTED_PROTOCOLS = frozenset(
    {
        "http",
        "ws",
        "ftp",
        "jdbc",
        "odbc",
        "sql-access-protocol",
        "nosql-access-protocol",
        "binary",
        "text",
        "smtp",
        "pop3",
        "imap",
        "ldap",
        "jms",
        "nfs",
        "smb",
        "iiop",
        "jrmp",
        "mqtt",
        "xmpp",
        "reverse-proxy-web-protocol",
        "nrpe",
    }
)
AUTHENTICATION = {
    "none": (False, "none"),
    "credentials": (True, None),
    "session-id": (True, None),
    "token": (True, None),
    "client-certificate": (True, "mtls"),
    "two-factor": (True, "mfa"),
    "externalized": (True, None),
}
BOUNDARY_KINDS = {
    "network-on-prem": "network",
    "network-dedicated-hoster": "network",
    "network-virtual-lan": "network",
    "network-cloud-provider": "cloud_account",
    "network-cloud-security-group": "network",
    "network-policy-namespace-isolation": "network",
    "execution-environment": "physical",
}
CONFIDENTIALITY = {
    "public": "public",
    "internal": "internal",
    "restricted": "restricted",
    "confidential": "confidential",
    "strictly-confidential": "strictly_confidential",
}

IGNORED_TOP = (
    "threagile_version",
    "date",
    "contributors",
    "management_summary_comment",
    "business_criticality",
    "technical_overview",
    "questions",
    "abuse_cases",
    "security_requirements",
    "tags_available",
    "shared_runtimes",
    "individual_risk_categories",
    "risk_tracking",
    "includes",
)
LINK_IGNORED = (
    "authorization",
    "vpn",
    "ip_filtered",
    "readonly",
    "usage",
    "tags",
    "diagram_tweak_weight",
    "diagram_tweak_constraint",
)


def import_threagile(path: Path | str) -> ImportResult:
    """Read a Threagile YAML model; raises ThreatModelError when it is broken."""
    data, _ = read_source(path)
    return from_data(data, str(path))


def from_data(data: Any, display: str) -> ImportResult:
    build = Builder(display, "threagile")
    if not isinstance(data, LMap):
        build.error(build.top(), "a Threagile model must be a mapping with 'technical_assets'")
        build.out.raise_if_errors()
    if "technical_assets" not in data and "data_assets" not in data:
        build.error(
            data.pos,
            "this does not look like a Threagile model: no 'technical_assets' "
            "or 'data_assets' (is it another format? see --from)",
        )
    reader = _Reader(build, data)
    system = reader.system()
    reader.data_assets()
    reader.technical_assets()
    reader.links()
    reader.boundaries()
    return build.finish(system)


class _Reader:
    def __init__(self, build: Builder, data: LMap):
        self.b = build
        self.data = data
        self.assets: list[tuple[str, LMap, str]] = []  # (title, mapping, our id)

    def system(self) -> System:
        b, data = self.b, self.data
        title = b.text(data, "title", "model", required=True) or "threagile-model"
        system_id = b.ids.claim(title.lower(), "system")
        author = b.mapping(data, "author", "model")
        overview = b.mapping(data, "business_overview", "model")
        for key in IGNORED_TOP:
            if key in data and data[key] not in (None, "", [], {}):
                b.note(b.key_at(data, key), "Threagile sections with no equivalent", key)
        for key in data:
            if key.startswith("diagram_tweak"):
                b.note(
                    b.key_at(data, key), "diagram tweaks (threatmodel lays out its own diagrams)"
                )
        return System(
            id=system_id,
            name=title,
            owner=b.text(author, "name", "author") if author else "",
            description=b.text(overview, "description", "business_overview") if overview else "",
            pos=data.pos,
            field_pos={"id": b.at(data, "title"), "name": b.at(data, "title")},
        )

    def _section(self, key: str):
        section = self.b.mapping(self.data, key, "model")
        for title, item in (section or {}).items():
            where = value_pos(section, title, section.pos)
            if not isinstance(item, dict):
                self.b.error(
                    where, f"{key}: '{title}' must be a mapping, not a {type(item).__name__}"
                )
                continue
            yield title, item

    def data_assets(self) -> None:
        b = self.b
        for title, item in self._section("data_assets"):
            raw = b.text(item, "id", f"data asset '{title}'", required=True) or title
            asset_id = b.claim(raw, b.at(item, "id"), "data asset", data=True)
            description = b.text(item, "description", f"data asset '{title}'")
            tags = [t for t, _ in b.texts(item, "tags", f"data asset '{title}'")]
            categories, hits = categories_for(raw, title, description, tags)
            usage = b.text(item, "usage", f"data asset '{title}'")
            if not categories and usage == "devops":
                categories, hits = ("configuration",), ("usage: devops",)
            if categories:
                b.note(
                    item.pos,
                    "data categories inferred from words (check them)",
                    f"{asset_id}: {', '.join(categories)} (from {', '.join(hits)})",
                )
            elif b.text(item, "confidentiality", "") not in ("", "public"):
                b.note(
                    item.pos, "nothing says what kind of data this is: set 'categories'", asset_id
                )
            attributes, fpos = {}, {}
            self._confidentiality(item, attributes, fpos)
            origin = b.text(item, "origin", f"data asset '{title}'")
            source, _ = source_for(origin) if origin else (None, None)
            if origin and not source:
                b.note(b.at(item, "origin"), "origin with no matching data source", repr(origin))
            if item.get("quantity"):
                b.note(
                    b.at(item, "quantity"),
                    "Threagile quantity is not a number of people: set 'subjects'",
                    f"{asset_id}: {item['quantity']}",
                )
            for key in ("owner", "integrity", "availability", "justification_cia_rating"):
                if item.get(key) not in (None, ""):
                    b.note(b.key_at(item, key), "data asset fields with no equivalent", key)
            b.data.append(
                DataAsset(
                    id=asset_id,
                    name=title,
                    description=description,
                    categories=categories,
                    source=source,
                    attributes=attributes,
                    pos=item.pos,
                    field_pos={"id": b.at(item, "id"), **fpos},
                )
            )

    def _confidentiality(self, item: LMap, attributes: dict, fpos: dict) -> None:
        value = item.get("confidentiality")
        if value in (None, ""):
            return
        if value not in CONFIDENTIALITY:
            self.b.error(
                self.b.at(item, "confidentiality"),
                f"unknown confidentiality '{value}' (use one of {', '.join(CONFIDENTIALITY)})",
            )
            return
        self.b.use_confidentiality()
        attributes["confidentiality"] = CONFIDENTIALITY[value]
        fpos["confidentiality"] = self.b.at(item, "confidentiality")

    def _data_refs(self, item: LMap, key: str, what: str) -> list[str]:
        ids = []
        for raw, where in self.b.texts(item, key, what):
            found = self.b.data_ids.get(raw)
            if found is None:
                self.b.error(where, f"{what}: unknown data asset '{raw}' in '{key}'")
                continue
            ids.append(found)
        return ids

    def technical_assets(self) -> None:
        b = self.b
        for title, item in self._section("technical_assets"):
            what = f"technical asset '{title}'"
            raw = b.text(item, "id", what, required=True) or title
            element_id = b.claim(raw, b.at(item, "id"), "element")
            self.assets.append((title, item, element_id))
            kind = self._kind(item, what)
            technology = b.text(item, "technology", what)
            description = b.text(item, "description", what)
            attributes, fpos = {}, {"id": b.at(item, "id")}
            self._confidentiality(item, attributes, fpos)
            element_type = self._type(item, kind, technology, title, description, element_id)
            stored = self._data_refs(item, "data_assets_stored", what)
            processed = self._data_refs(item, "data_assets_processed", what)
            stores, inputs = (), ()
            if kind == "datastore":
                stores = tuple(stored)
                encryption = b.text(item, "encryption", what)
                if encryption in ENCRYPTED_AT_REST:
                    attributes["encrypted_at_rest"] = ENCRYPTED_AT_REST[encryption]
                    fpos["encrypted_at_rest"] = b.at(item, "encryption")
                elif encryption:
                    b.error(b.at(item, "encryption"), f"{what}: unknown encryption '{encryption}'")
            elif kind == "process":
                inputs = tuple(dict.fromkeys(processed + stored))
                if stored:
                    b.note(
                        b.at(item, "data_assets_stored"),
                        "a process that stores data: its "
                        "stored assets became inputs; model "
                        "the storage as a datastore",
                        element_id,
                    )
            if (
                technology in STORING_END_USER_DATA
                and not stored
                and kind in ("process", "datastore")
            ):
                b.note(
                    b.at(item, "technology"),
                    "technology stores end-user data but no data_assets_stored are listed",
                    element_id,
                )
            internet = b.flag(item, "internet", what)
            if internet is not None and kind in ("process", "datastore"):
                attributes["publicly_reachable"] = internet
                fpos["publicly_reachable"] = b.at(item, "internet")
            if b.flag(item, "out_of_scope", what):
                b.note(
                    b.at(item, "out_of_scope"),
                    "out-of-scope assets were imported like the others",
                    element_id,
                )
            redundant = b.flag(item, "redundant", what)
            if redundant is not None and kind in ("process", "datastore"):
                attributes["redundant"] = redundant
                fpos["redundant"] = b.at(item, "redundant")
            for key in (
                "size",
                "machine",
                "multi_tenant",
                "custom_developed_parts",
                "data_formats_accepted",
                "owner",
                "integrity",
                "availability",
                "justification_cia_rating",
            ):
                if item.get(key) not in (None, "", []):
                    b.note(b.key_at(item, key), "technical asset fields with no equivalent", key)
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

    def _kind(self, item: LMap, what: str) -> str:
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
        b = self.b
        guess, hit = type_for(kind, title, element_id, description)
        if guess is None and TECHNOLOGY_TYPES.get(kind, {}).get(technology):
            return TECHNOLOGY_TYPES[kind][technology]
        if kind == "actor" and guess is None:
            guess = "operator_staff" if b.text(item, "usage", "") == "devops" else "data_subject"
            hit = "usage: " + (b.text(item, "usage", "") or "business")
        if guess:
            b.note(
                b.at(item, "technology") if technology else item.pos,
                "element types inferred from names and technologies (check them)",
                f"{element_id}: {guess} (from {hit})",
            )
        elif technology:
            b.note(
                b.at(item, "technology"),
                "technology with no matching element type",
                f"{element_id}: {technology}",
            )
        return guess

    def links(self) -> None:
        b = self.b
        for title, item, source in self.assets:
            links = b.mapping(item, "communication_links", f"technical asset '{title}'")
            for link_title, link in (links or {}).items():
                where = value_pos(links, link_title, links.pos)
                if not isinstance(link, dict):
                    b.error(where, f"communication link '{link_title}' must be a mapping")
                    continue
                self._link(source, link_title, link)

    def _link(self, source: str, title: str, link: LMap) -> None:
        b = self.b
        what = f"communication link '{title}'"
        raw_target = b.text(link, "target", what, required=True)
        target = b.ids.get(raw_target) if raw_target else None
        if raw_target and (target is None or target not in {a[2] for a in self.assets}):
            b.error(b.at(link, "target"), f"{what}: unknown target '{raw_target}'")
            return
        if not target:
            return
        attributes, fpos = {}, {}
        protocol = b.text(link, "protocol", what)
        if protocol:
            attributes["protocol"] = protocol
            fpos["protocol"] = b.at(link, "protocol")
            encrypted = _encrypted(protocol)
            if encrypted is None:
                b.note(
                    b.at(link, "protocol"),
                    "protocol says nothing about encryption in transit",
                    protocol,
                )
            else:
                attributes["encrypted_in_transit"] = encrypted
                fpos["encrypted_in_transit"] = b.at(link, "protocol")
        authentication = b.text(link, "authentication", what)
        if authentication in AUTHENTICATION:
            authenticated, strength = AUTHENTICATION[authentication]
            attributes["authenticated"] = authenticated
            fpos["authenticated"] = b.at(link, "authentication")
            if strength:
                attributes["auth_strength"] = strength
                fpos["auth_strength"] = b.at(link, "authentication")
        elif authentication:
            b.error(
                b.at(link, "authentication"), f"{what}: unknown authentication '{authentication}'"
            )
        for key in LINK_IGNORED:
            if link.get(key) not in (None, "", [], False):
                b.note(b.key_at(link, key), "communication link fields with no equivalent", key)
        sent = self._data_refs(link, "data_assets_sent", what)
        received = self._data_refs(link, "data_assets_received", what)
        description = b.text(link, "description", what)
        flow_id = b.ids.claim(f"{source}-{title}", "flow")
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
                for raw, where in b.texts(item, key, what):
                    found = b.ids.get(raw)
                    if found is None:
                        b.error(where, f"{what}: unknown id '{raw}' in '{key}'")
                        continue
                    members.append(found)
            b.boundaries.append(
                Boundary(
                    id=boundary_id,
                    type=kind,
                    name=title,
                    description=b.text(item, "description", what),
                    members=tuple(members),
                    pos=item.pos,
                    field_pos={
                        "id": b.at(item, "id"),
                        "kind": b.at(item, "type"),
                        "members": b.at(item, "technical_assets_inside"),
                    },
                )
            )


def _encrypted(protocol: str) -> bool | None:
    if protocol in ENCRYPTED_PROTOCOLS or protocol.endswith("-encrypted"):
        return True
    if protocol in UNENCRYPTED_PROTOCOLS:
        return False
    return None
