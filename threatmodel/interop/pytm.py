"""pytm's JSON output (`tm.py --json FILE`) -> SystemModel, without importing or running pytm.

pytm dumps its TM object: `boundaries`, `actors` and `assets` (or `elements`), `flows` and
`data`, each element naming its boundary, and each flow its `source`, `sink` and `data`, by
**name**. So names must be unique; they become our ids. pytm has no "unknown": every control
defaults to false, and pytm's own rules read false as "absent", so mapped controls carry their
false values over as they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from threatmodel.interop.build import Builder, ImportResult
from threatmodel.interop.mapping import boundary_kind_for, categories_for, type_for
from threatmodel.interop.source import read_source
from threatmodel.loader import LMap, value_pos
from threatmodel.model import Boundary, DataAsset, DataFlow, Element, System

CLASS_KINDS = {
    "Actor": "actor",
    "Process": "process",
    "SetOfProcesses": "process",
    "Server": "process",
    "Lambda": "process",
    "Asset": "process",
    "Datastore": "datastore",
    "ExternalEntity": "external_service",
}
DATASTORE_TYPES = {
    "SQL": "database",
    "NOSQL": "database",
    "FILE_SYSTEM": "file_store",
    "BUCKET": "file_store",
    "AWS_S3": "file_store",
    "LDAP": "identity_vault",
}
CLASSIFICATION = {
    "PUBLIC": "public",
    "RESTRICTED": "restricted",
    "SENSITIVE": "confidential",
    "SECRET": "strictly_confidential",
    "TOP_SECRET": "strictly_confidential",
}
# pytm control or attribute -> (our attribute, kinds it is carried to)
ELEMENT_CONTROLS = {
    "isEncryptedAtRest": ("encrypted_at_rest", ("datastore",)),
    "usesMFA": ("mfa", ("actor", "external_service")),
}
NOT_MAPPED = (
    "assumptions",
    "OS",
    "onAWS",
    "onRDS",
    "isHardened",
    "sourceFiles",
    "port",
    "isShared",
    "hasWriteAccess",
    "usesVPN",
    "usesCache",
    "usesXMLParser",
    "usesSessionTokens",
    "codeType",
    "environment",
    "implementsAPI",
)


def import_pytm(path: Path | str) -> ImportResult:
    """Read the JSON that pytm's `--json` option writes; raises ThreatModelError when broken."""
    data, _ = read_source(path)
    return from_data(data, str(path))


def _enum(value: Any) -> str:
    """'Classification.SECRET' -> 'SECRET'."""
    return str(value).rsplit(".", 1)[-1] if value not in (None, "") else ""


def from_data(data: Any, display: str) -> ImportResult:
    build = Builder(display, "pytm")
    if not isinstance(data, LMap):
        build.error(build.top(), "pytm JSON output must be an object with 'flows' and elements")
        build.out.raise_if_errors()
    if not any(k in data for k in ("flows", "actors", "assets", "elements")):
        build.error(
            data.pos,
            "this does not look like pytm's JSON output: no 'flows', 'actors', "
            "'assets' or 'elements' (write it with `python3 tm.py --json FILE`)",
        )
    reader = _Reader(build, data)
    system = reader.system()
    reader.data()
    reader.boundaries()
    reader.elements()
    reader.memberships()
    reader.flows()
    return build.finish(system)


class _Reader:
    def __init__(self, build: Builder, data: LMap):
        self.b = build
        self.src = data
        self.names: dict[str, str] = {}  # element or boundary name -> our id
        self.data_names: dict[str, str] = {}  # data name -> our data id
        self.parent: dict[str, tuple[str, Any]] = {}  # our id -> (boundary name, position)
        self.boundary_ids: list[str] = []

    def system(self) -> System:
        b, src = self.b, self.src
        name = b.text(src, "name", "TM") or Path(b.display).stem
        for key in ("assumptions", "findings", "excluded_findings", "threatsExcluded"):
            if src.get(key):
                b.note(
                    b.key_at(src, key),
                    "pytm findings, assumptions and exclusions are not "
                    "imported (threatmodel finds its own)",
                    f"{key}: {len(src[key])}",
                )
        return System(
            id=b.ids.claim(name.lower(), "system"),
            name=name,
            description=b.text(src, "description", "TM"),
            pos=src.pos,
            field_pos={"name": b.at(src, "name")},
        )

    def _named(self, key: str):
        for index, item in enumerate(self.b.sequence(self.src, key, "TM")):
            where = value_pos(self.src[key], index, self.src.pos)
            if not isinstance(item, dict):
                self.b.error(where, f"{key}[{index + 1}] must be an object")
                continue
            name = self.b.text(item, "name", f"{key}[{index + 1}]", required=True)
            if name:
                yield name, item

    def data(self) -> None:
        b = self.b
        for name, item in self._named("data"):
            if name in self.data_names:
                b.error(
                    b.at(item, "name"),
                    f"two data items are named '{name}'; pytm refers to "
                    "data by name, so names must be unique",
                )
                continue
            data_id = b.data_ids.claim(name.lower(), "data")
            self.data_names[name] = data_id
            description = b.text(item, "description", f"data '{name}'")
            categories, hits = categories_for(name, description)
            if b.flag(item, "isCredentials", f"data '{name}'") and "credentials" not in categories:
                categories, hits = categories + ("credentials",), hits + ("isCredentials",)
            personal = b.flag(item, "isPII", f"data '{name}'")
            if personal and not categories:
                categories, hits = ("identity",), ("isPII",)
            if categories:
                b.note(
                    item.pos,
                    "data categories inferred from words and flags (check them)",
                    f"{data_id}: {', '.join(categories)} (from {', '.join(hits)})",
                )
            elif personal is not False:
                b.note(
                    item.pos, "nothing says what kind of data this is: set 'categories'", data_id
                )
            attributes, fpos = {}, {}
            level = CLASSIFICATION.get(_enum(item.get("classification")))
            if level:
                b.use_confidentiality()
                attributes["confidentiality"] = level
                fpos["confidentiality"] = b.at(item, "classification")
            for key in (
                "format",
                "credentialsLife",
                "isStored",
                "isSourceEncryptedAtRest",
                "isDestEncryptedAtRest",
            ):
                if item.get(key) not in (None, "", False) and _enum(item.get(key)) != "NONE":
                    b.note(b.key_at(item, key), "pytm data fields with no equivalent", key)
            b.data.append(
                DataAsset(
                    id=data_id,
                    name=name,
                    description=description,
                    categories=categories,
                    attributes=attributes,
                    pos=item.pos,
                    field_pos={"id": b.at(item, "name"), **fpos},
                )
            )

    def _claim_name(self, name: str, item: LMap, what: str) -> str | None:
        if name in self.names:
            self.b.error(
                self.b.at(item, "name"),
                f"two elements or boundaries are named '{name}'; "
                "pytm refers to them by name, so names must be unique",
            )
            return None
        new = self.b.ids.claim(name.lower(), what)
        self.names[name] = new
        return new

    def boundaries(self) -> None:
        b = self.b
        self.boundary_items = []
        for name, item in self._named("boundaries"):
            boundary_id = self._claim_name(name, item, "boundary")
            if boundary_id is None:
                continue
            kind, hit = boundary_kind_for(name, b.text(item, "description", ""))
            b.note(
                item.pos,
                "boundary kinds inferred from names (pytm has none)",
                f"{boundary_id}: {kind}" + (f" (from {hit})" if hit else " (default)"),
            )
            self.boundary_ids.append(boundary_id)
            self._parent(boundary_id, item)
            self.boundary_items.append((boundary_id, kind, name, item))

    def _parent(self, our_id: str, item: LMap) -> None:
        parent = item.get("inBoundary")
        if isinstance(parent, dict):  # some pytm versions nest the boundary object
            parent = parent.get("name")
        if parent not in (None, ""):
            self.parent[our_id] = (str(parent), self.b.at(item, "inBoundary"))

    def elements(self) -> None:
        seen: set[int] = set()
        keys = ("elements",) if "elements" in self.src else ("actors", "assets")
        for key in keys:
            for name, item in self._named(key):
                if item.get("__class__") == "Boundary" or id(item) in seen:
                    continue
                seen.add(id(item))
                if key == "elements" and "sink" in item:
                    continue  # flows listed among elements by some versions
                self._element(name, item)

    def _element(self, name: str, item: LMap) -> None:
        b = self.b
        cls = b.text(item, "__class__", f"element '{name}'")
        kind = CLASS_KINDS.get(cls)
        if kind is None:
            kind = "process"
            b.note(
                b.at(item, "__class__") if cls else item.pos,
                "pytm element class with no equivalent kind; imported as a process",
                f"{name}: {cls or 'no __class__'}",
            )
        element_id = self._claim_name(name, item, "element")
        if element_id is None:
            return
        self._parent(element_id, item)
        description = b.text(item, "description", f"element '{name}'")
        controls = item.get("controls") if isinstance(item.get("controls"), dict) else item
        attributes, fpos = {}, {"id": b.at(item, "name")}
        element_type, hit = None, None
        if kind == "actor" and item.get("isAdmin") is True:
            element_type, hit = "operator_staff", "isAdmin"
        if kind == "datastore":
            element_type = DATASTORE_TYPES.get(_enum(item.get("type")))
            hit = f"type {_enum(item.get('type'))}" if element_type else None
            if element_type is None and item.get("storesLogData") is True:
                element_type, hit = "log", "storesLogData"
        if element_type is None:
            element_type, hit = type_for(kind, name, description)
        if element_type:
            b.note(
                item.pos,
                "element types inferred from names and flags (check them)",
                f"{element_id}: {element_type} (from {hit})",
            )
        for control, (attribute, kinds) in ELEMENT_CONTROLS.items():
            value = controls.get(control, item.get(control)) if isinstance(controls, dict) else None
            if kind in kinds and isinstance(value, bool):
                attributes[attribute] = value
                fpos[attribute] = b.at(controls, control)
        access = controls.get("hasAccessControl") if isinstance(controls, dict) else None
        if kind in ("datastore", "process") and access is False:
            attributes["access_control"] = "none"
            fpos["access_control"] = b.at(controls, "hasAccessControl")
        if kind == "datastore" and (item.get("storesPII") or item.get("storesSensitiveData")):
            b.note(
                b.key_at(item, "storesPII"),
                "a datastore flagged storesPII or "
                "storesSensitiveData: what it stores comes from "
                "the data on flows into it",
                element_id,
            )
        if item.get("inScope") is False:
            b.note(
                b.at(item, "inScope"),
                "out-of-scope elements were imported like the others",
                element_id,
            )
        for key in NOT_MAPPED:
            if item.get(key) not in (None, "", [], False, -1):
                b.note(b.key_at(item, key), "pytm element fields with no equivalent", key)
        stores = (
            tuple(self._data_list(item, "data", f"element '{name}'")) if kind == "datastore" else ()
        )
        b.elements.append(
            Element(
                id=element_id,
                kind=kind,
                type=element_type,
                name=name,
                description=description,
                stores=stores,
                attributes=attributes,
                pos=item.pos,
                field_pos=fpos,
            )
        )

    def _data_list(self, item: LMap, key: str, what: str) -> list[str]:
        found = []
        for raw, where in self.b.texts(item, key, what):
            data_id = self.data_names.get(raw)
            if data_id is None:
                self.b.error(where, f"{what}: unknown data '{raw}'")
                continue
            found.append(data_id)
        return found

    def memberships(self) -> None:
        b = self.b
        members: dict[str, list[str]] = {bid: [] for bid in self.boundary_ids}
        for our_id, (parent, where) in self.parent.items():
            parent_id = self.names.get(parent)
            if parent_id not in members:
                b.error(where, f"inBoundary names unknown boundary '{parent}'")
                continue
            members[parent_id].append(our_id)
        for boundary_id, kind, name, item in self.boundary_items:
            b.boundaries.append(
                Boundary(
                    id=boundary_id,
                    type=kind,
                    name=name,
                    description=b.text(item, "description", ""),
                    members=tuple(members[boundary_id]),
                    pos=item.pos,
                    field_pos={"id": b.at(item, "name"), "kind": item.pos},
                )
            )

    def flows(self) -> None:
        b = self.b
        element_ids = {e.id for e in b.elements}
        stores = {e.id: list(e.stores) for e in b.elements if e.kind == "datastore"}
        for name, item in self._named("flows"):
            what = f"flow '{name}'"
            ends = []
            for key in ("source", "sink"):
                raw = item.get(key)
                if isinstance(raw, dict):
                    raw = raw.get("name")
                end = self.names.get(raw) if isinstance(raw, str) else None
                if end is None or end not in element_ids:
                    b.error(b.at(item, key), f"{what}: '{key}' names unknown element {raw!r}")
                ends.append(end)
            data = self._data_list(item, "data", what)
            if None in ends:
                continue
            attributes, fpos = {}, {}
            controls = item.get("controls") if isinstance(item.get("controls"), dict) else item
            encrypted = controls.get("isEncrypted")
            if isinstance(encrypted, bool):
                attributes["encrypted_in_transit"] = encrypted
                fpos["encrypted_in_transit"] = b.at(controls, "isEncrypted")
            source_auth = controls.get("authenticatesSource")
            dest_auth = controls.get("authenticatesDestination")
            if isinstance(source_auth, bool) and isinstance(dest_auth, bool):
                attributes["authenticated"] = source_auth and dest_auth
                fpos["authenticated"] = b.at(controls, "authenticatesSource")
            protocol = b.text(item, "protocol", what)
            if protocol:
                attributes["protocol"] = protocol
                fpos["protocol"] = b.at(item, "protocol")
            for key in ("usesVPN", "tlsVersion", "isResponse", "usesSessionTokens"):
                value = item.get(key) or (controls.get(key) if isinstance(controls, dict) else None)
                if value not in (None, False, "") and _enum(value) != "NONE":
                    b.note(b.key_at(item, key), "pytm flow fields with no equivalent", key)
            if ends[1] in stores:
                stores[ends[1]].extend(d for d in data if d not in stores[ends[1]])
            flow_id = b.ids.claim(name.lower(), "flow")
            b.flows.append(
                DataFlow(
                    id=flow_id,
                    source=ends[0],
                    target=ends[1],
                    data=tuple(data),
                    name=name,
                    description=b.text(item, "note", what) or b.text(item, "description", what),
                    attributes=attributes,
                    pos=item.pos,
                    field_pos={
                        "from": b.at(item, "source"),
                        "to": b.at(item, "sink"),
                        "data": b.at(item, "data"),
                        **fpos,
                    },
                )
            )
        self.b.elements = [
            e if e.id not in stores else _with_stores(e, stores[e.id]) for e in self.b.elements
        ]


def _with_stores(element: Element, stores: list[str]) -> Element:
    return attrs.evolve(element, stores=tuple(stores))
