"""Read catalog files into layers, merge the layers and compile every condition once."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import attrs

from threatmodel import catalog_cache
from threatmodel.catalog import (
    AttackNode,
    Band,
    Catalog,
    Checked,
    Framework,
    Mitigation,
    Modifier,
    Reference,
    Risk,
    builtin_catalog_dir,
    group_of,
)
from threatmodel.collector import no_cycle_collection
from threatmodel.errors import Collector, Position, ThreatModelError, did_you_mean, show, type_name
from threatmodel.expr import ExprError, Scope, compile_condition
from threatmodel.fields import Fields, each_mapping, position_in_scalar
from threatmodel.graph import FACTS, ModelFacts
from threatmodel.id_pattern import id_matches, pattern_problem
from threatmodel.ids import id_problem, is_clean_label, is_risk_id
from threatmodel.loader import DEFAULT_LIMITS, Limits, LMap, load_text, read_text, value_pos
from threatmodel.model import ELEMENT_KINDS, SUBJECT_KINDS
from threatmodel.vocabulary import Vocabulary, parse_vocabulary

TOP_KEYS = (
    "catalog",
    "risks",
    "mitigations",
    "references",
    "vocabulary",
    "frameworks",
    "severity",
    "disable",
)
RISK_KEYS = (
    "id",
    "title",
    "description",
    "group",
    "applies_to",
    "scope",
    "when",
    "likelihood",
    "impact",
    "modifiers",
    "frameworks",
    "mitigations",
    "references",
    "attack_tree",
    "overlaps",
    "disabled",
)
REFERENCE_KINDS = ("incident", "law", "study", "standard", "guidance")
# EU, a country code (GB, CN) or a country and region code (US-CA, US-IL)
JURISDICTION = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")
TYPE_OF = {
    "bool": "bool",
    "int": "number",
    "number": "number",
    "string": "string",
    "enum": "string",
    "list": "set",
}
MAX_TREE_DEPTH = 12


@attrs.define
class Layer:
    """What one catalog file contributes, before merging."""

    file: str
    text: str = ""  # the file as read (within the limits), to place messages inside values
    vocabulary: Vocabulary | None = None
    risks: list = attrs.Factory(list)  # (Fields, id) pairs, compiled after merging vocabularies
    mitigations: list = attrs.Factory(list)
    references: list = attrs.Factory(list)
    frameworks: list = attrs.Factory(list)
    bands: list = attrs.Factory(list)
    disable: list = attrs.Factory(list)  # (id, position)


BASE_FILES = ("vocabulary.yaml", "frameworks.yaml", "severity.yaml")


def catalog_files(paths: list[Path | str], shipped_risks: bool = True) -> list[tuple[Path, str]]:
    """Shipped catalog files first, then each user path (a file or a directory, sorted).

    With `shipped_risks=False` only the shipped vocabulary, frameworks and severity bands are
    used, so a user's catalog can stand alone.
    """
    found: list[tuple[Path, str]] = []
    for path in sorted(builtin_catalog_dir().glob("*.yaml")):
        if shipped_risks or path.name in BASE_FILES:
            found.append((path, f"catalogs/{path.name}"))
    problems = []
    from threatmodel.errors import Problem

    for raw in paths:
        path = Path(raw)
        try:  # the file system may refuse the name itself (too long, a NUL byte)
            if path.is_dir():
                files = sorted(list(path.glob("*.yaml")) + list(path.glob("*.yml")))
                found.extend((f, str(f)) for f in files)
            elif path.is_file():
                found.append((path, str(path)))
            else:
                problems.append(
                    Problem(message="catalog path not found", pos=Position(file=str(raw)))
                )
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            problems.append(
                Problem(
                    message=f"cannot read this catalog path: {reason}", pos=Position(file=str(raw))
                )
            )
    if problems:
        raise ThreatModelError(problems)
    return found


def load_catalog(
    paths: tuple = (), limits: Limits = DEFAULT_LIMITS, *, shipped_risks: bool = True
) -> Catalog:
    """Load the shipped catalogs plus `paths`; raises ThreatModelError listing every problem.

    `limits` bound each user catalog file; the shipped ones are trusted and always read with
    the default limits, so that lowering a limit cannot break them.
    """
    with no_cycle_collection():  # trees, then risks and compiled conditions: no cycles
        return _load(paths, limits, shipped_risks)


def _load(paths: tuple, limits: Limits, shipped_risks: bool) -> Catalog:
    out = Collector()
    files = catalog_files(list(paths), shipped_risks)
    shipped = builtin_catalog_dir().resolve()
    layers = []
    for path, display in files:
        own = path.resolve().parent == shipped
        bounds = DEFAULT_LIMITS if own else limits
        try:
            text = read_text(path, display, bounds)
            data = catalog_cache.tree(path.name, text, display) if own else None
            if data is None:
                data, _ = load_text(text, display, bounds)
        except ThreatModelError as exc:
            out.problems.extend(exc.problems)
            continue
        layers.append(_read_layer(data, display, out))
        layers[-1].text = text
    out.raise_if_errors()
    catalog = _merge(layers, out)
    out.raise_if_errors()
    return catalog


def _read_layer(data: Any, display: str, out: Collector) -> Layer:
    layer = Layer(file=display)
    if not isinstance(data, dict):
        out.error(
            Position(file=display, line=1, col=1),
            f"a catalog file must be a mapping (catalog, risks, mitigations, ...), "
            f"not {type_name(data)}",
        )
        return layer
    fields = Fields(data, out, "catalog")
    fields.reject_unknown(TOP_KEYS)
    header = fields.mapping("catalog")
    if header is not None:
        head = Fields(header, out, "catalog")
        head.reject_unknown(("id", "title", "version", "description"))
    vocab = fields.mapping("vocabulary")
    if vocab is not None:
        layer.vocabulary = parse_vocabulary(vocab, out)
    for _, item in each_mapping(fields.raw("risks"), out, "risks", fields.at("risks")):
        risk = Fields(item, out, "risk")
        risk_id = risk.ident("id")
        risk.what = f"risk '{risk_id}'" if risk_id else "risk"
        risk.reject_unknown(RISK_KEYS)
        layer.risks.append((risk, risk_id))
    for _, item in each_mapping(
        fields.raw("mitigations"), out, "mitigations", fields.at("mitigations")
    ):
        layer.mitigations.append(_mitigation(Fields(item, out, "mitigation")))
    for _, item in each_mapping(
        fields.raw("references"), out, "references", fields.at("references")
    ):
        layer.references.append(_reference(Fields(item, out, "reference")))
    frameworks = fields.mapping("frameworks") or LMap(fields.pos)
    for name in frameworks:
        layer.frameworks.append(_framework(name, frameworks, out))
    severity = fields.mapping("severity")
    if severity is not None:
        sev = Fields(severity, out, "severity")
        sev.reject_unknown(("bands",))
        for _, item in each_mapping(sev.raw("bands"), out, "bands", sev.at("bands")):
            layer.bands.append(_band(Fields(item, out, "severity band")))
    ids = fields.id_list("disable")
    layer.disable = [
        (i, value_pos(fields.map.get("disable"), n, fields.at("disable")))
        for n, i in enumerate(ids)
    ]
    return layer


def _mitigation(fields: Fields) -> Mitigation:
    fields.reject_unknown(("id", "title", "description", "effect"))
    mit_id = fields.ident("id")
    fields.what = f"mitigation '{mit_id}'"
    effect = fields.mapping("effect")
    likelihood = impact = 0
    if effect is None:
        fields.out.error(
            fields.pos, f"mitigation '{mit_id}': 'effect' is required (e.g. {{likelihood: -1}})"
        )
    else:
        eff = Fields(effect, fields.out, f"mitigation '{mit_id}' effect")
        eff.reject_unknown(("likelihood", "impact"))
        likelihood = eff.integer("likelihood", low=-4, high=0) or 0
        impact = eff.integer("impact", low=-4, high=0) or 0
        if not likelihood and not impact and "likelihood" not in effect and "impact" not in effect:
            fields.out.error(
                fields.at("effect"), f"mitigation '{mit_id}': effect needs likelihood and/or impact"
            )
    return Mitigation(
        id=mit_id,
        title=fields.text("title", required=True),
        description=fields.text("description"),
        likelihood=likelihood,
        impact=impact,
        pos=fields.pos,
    )


def _reference(fields: Fields) -> Reference:
    fields.reject_unknown(("id", "kind", "title", "fact", "url", "jurisdiction", "checked"))
    ref_id = fields.ident("id")
    fields.what = f"reference '{ref_id}'"
    kind = fields.word("kind", required=True)
    if kind and kind not in REFERENCE_KINDS:
        fields.out.error(
            fields.at("kind"),
            f"reference '{ref_id}': kind must be one of "
            f"{', '.join(REFERENCE_KINDS)}{did_you_mean(kind, REFERENCE_KINDS)}",
        )
    url = fields.text("url")
    if url and not re.fullmatch(r"https?://[^\s<>\"']+", url):
        fields.out.error(fields.at("url"), f"reference '{ref_id}': url must be an http(s) address")
    jurisdiction = fields.word("jurisdiction")
    if jurisdiction and not JURISDICTION.fullmatch(jurisdiction):
        fields.error(
            "jurisdiction",
            f"reference '{ref_id}': jurisdiction must be a country code (GB, CN), EU, or a "
            f"country and region code (US-CA), not '{show(jurisdiction)}'",
        )
        jurisdiction = ""
    return Reference(
        id=ref_id,
        kind=kind,
        title=fields.text("title", required=True),
        fact=fields.text("fact"),
        url=url,
        jurisdiction=jurisdiction,
        checked=_checked(fields),
        pos=fields.pos,
    )


def _checked(fields: Fields) -> Checked | None:
    """`checked: {date: 2026-12-06, source: where the fact was checked}`."""
    raw = fields.mapping("checked")
    if raw is None:
        return None
    sub = Fields(raw, fields.out, f"{fields.what} checked", pos=fields.at("checked"))
    sub.reject_unknown(("date", "source"))
    date = sub.raw("date")
    source = sub.text("source", required=True)
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        sub.error("date", f"{sub.what}: 'date' must be a date such as 2026-12-06")
        return None
    return Checked(date=date, source=source) if source else None


def _framework(name: str, section: LMap, out: Collector) -> Framework:
    item = section[name]
    problem = id_problem(name, "frameworks", "name")
    if problem:
        out.error(section.key_pos[name], problem)
    if not isinstance(item, dict):
        out.error(section.val_pos[name], f"framework '{name}' must be a mapping")
        return Framework(id=name, title=name)
    fields = Fields(item, out, f"framework '{name}'")
    fields.reject_unknown(
        ("title", "ids", "pattern", "names", "categories", "definitions", "parents")
    )
    pattern = fields.text("pattern") or None
    if pattern:
        problem = pattern_problem(pattern)
        if problem:
            out.error(fields.at("pattern"), f"framework '{name}': {problem}")
            pattern = None
    tables: dict[str, dict[str, str]] = {"names": {}, "definitions": {}, "parents": {}}
    for key in ("names", "categories", "definitions", "parents"):
        table = fields.mapping(key) or LMap(fields.pos)
        for word, value in table.items():
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                out.error(
                    value_pos(table, word, fields.at(key)),
                    f"framework '{name}': {key}.{word} must be text, not {type_name(value)}",
                )
                continue
            tables["names" if key == "categories" else key][str(word)] = " ".join(
                str(value).split()
            )
    ids = []
    for index, item in enumerate(fields.sequence("ids") or ()):
        where = value_pos(fields.map["ids"], index, fields.at("ids"))
        if not isinstance(item, (str, int)) or isinstance(item, bool):
            out.error(where, f"framework '{name}': ids must be text, not {type_name(item)}")
            continue
        if not is_clean_label(str(item)):
            out.error(
                where,
                f"framework '{name}': id {show(item)} must be one line of text without control "
                "characters or spaces at either end",
            )
            continue
        ids.append(str(item))
    return Framework(
        id=name,
        title=fields.text("title") or name,
        ids=tuple(ids),
        pattern=pattern,
        names=tables["names"],
        definitions=tables["definitions"],
        parents=tables["parents"],
        pos=section.key_pos[name],
    )


def _band(fields: Fields) -> Band:
    fields.reject_unknown(("name", "min", "sarif_level", "security_severity"))
    name = fields.ident("name")
    fields.what = f"severity band '{name}'" if name else fields.what
    level = fields.word("sarif_level") or "warning"
    if level not in ("error", "warning", "note", "none"):
        fields.out.error(
            fields.at("sarif_level"),
            f"{fields.what}: sarif_level must be error, warning, note or none",
        )
    security = fields.raw("security_severity", 5.0)
    if (
        not isinstance(security, (int, float))
        or isinstance(security, bool)
        or not 0 <= security <= 10
    ):
        fields.out.error(
            fields.at("security_severity"),
            f"{fields.what}: security_severity must be a number from 0 to 10",
        )
        security = 5.0
    return Band(
        name=name,
        min=fields.integer("min", low=1, high=25, required=True) or 1,
        sarif_level=level,
        security_severity=float(security),
    )


# -- merging and compiling ---------------------------------------------------------------------


def _merge(layers: list[Layer], out: Collector) -> Catalog:
    vocabulary = Vocabulary()
    for layer in layers:
        if layer.vocabulary is not None:
            vocabulary = vocabulary.merge(layer.vocabulary, out)
    frameworks: dict[str, Framework] = {}
    mitigations: dict[str, Mitigation] = {}
    references: dict[str, Reference] = {}
    bands: list[Band] = []
    for layer in layers:
        for framework in layer.frameworks:
            frameworks[framework.id] = framework
        _unique(layer.mitigations, mitigations, "mitigation", out)
        _unique(layer.references, references, "reference", out)
        if layer.bands:
            bands = sorted(layer.bands, key=lambda b: -b.min)
    if not bands:
        bands = [
            Band(name="high", min=12, sarif_level="error", security_severity=8.0),
            Band(name="medium", min=6),
            Band(name="low", min=1, sarif_level="note", security_severity=2.5),
        ]
    compiler = _RiskCompiler(
        vocabulary,
        frameworks,
        mitigations,
        references,
        out,
        {layer.file: layer.text for layer in layers},
    )
    risks: dict[str, Risk] = {}
    seen_in_layer: set[str] = set()
    disabled: list[str] = []
    for layer in layers:
        seen_in_layer.clear()
        for fields, risk_id in layer.risks:
            if risk_id in seen_in_layer:
                out.error(fields.pos, f"duplicate risk id '{risk_id}' in {layer.file}")
                continue
            seen_in_layer.add(risk_id)
            shipped_dup = (
                risk_id in risks
                and layer.file.startswith("catalogs/")
                and risks[risk_id].pos.file.startswith("catalogs/")
            )
            if shipped_dup:
                out.error(
                    fields.pos, f"duplicate risk id '{risk_id}' (also at {risks[risk_id].pos})"
                )
                continue
            if fields.raw("disabled") is True:
                risks.pop(risk_id, None)
                disabled.append(risk_id)
                continue
            risk = compiler.risk(fields, risk_id, layer.file)
            if risk is not None:
                risks[risk_id] = risk
        for risk_id, pos in layer.disable:
            if risk_id not in risks:
                out.warn(
                    pos, f"disable: no risk '{risk_id}' to disable{did_you_mean(risk_id, risks)}"
                )
            risks.pop(risk_id, None)
            disabled.append(risk_id)
    for risk in risks.values():
        for other in risk.overlaps:
            if other not in risks and other not in disabled:
                out.error(
                    risk.pos,
                    f"risk '{risk.id}': 'overlaps' names unknown risk '{other}'"
                    f"{did_you_mean(other, risks)}",
                )
    return Catalog(
        risks=tuple(sorted(risks.values(), key=lambda r: r.id)),
        mitigations=mitigations,
        references=references,
        frameworks=frameworks,
        vocabulary=vocabulary,
        bands=tuple(bands),
        files=tuple(layer.file for layer in layers),
        disabled=tuple(disabled),
        warnings=tuple(out.warnings),
    )


def _unique(items: list, table: dict, what: str, out: Collector) -> None:
    local: set[str] = set()
    for item in items:
        if not item.id:
            continue
        if item.id in local:
            out.error(item.pos, f"duplicate {what} id '{item.id}' (also at {table[item.id].pos})")
            continue
        local.add(item.id)
        table[item.id] = item


def scope_for(kinds: tuple[str, ...], vocabulary: Vocabulary) -> Scope:
    """What a condition on these kinds may name: names valid for every one of the kinds."""
    tables = [_names_for(kind, vocabulary) for kind in kinds]
    names = {n: t for n, t in tables[0].items() if all(n in table for table in tables[1:])}
    prefixes: dict[str, dict[str, str]] = {"": names}
    values: dict[str, tuple[str, ...]] = {}
    element_types = tuple(t for k in ELEMENT_KINDS for t in vocabulary.element_types.get(k, ()))
    if kinds == ("dataflow",):
        endpoint: dict[str, str] = {}
        for kind in ELEMENT_KINDS:
            endpoint.update(_names_for(kind, vocabulary))
        prefixes["source"] = prefixes["target"] = endpoint
        values["source.type"] = values["target.type"] = element_types
    model = {
        n: TYPE_OF[a.type] for n, a in vocabulary.attributes.items() if "system" in a.applies_to
    }
    model.update(ModelFacts.TYPES)
    prefixes["model"] = model
    type_values = (
        tuple(t for k in kinds for t in vocabulary.element_types.get(k, ()))
        if "boundary" not in kinds
        else tuple(vocabulary.boundary_kinds)
    )
    if type_values and "system" not in kinds and "dataflow" not in kinds:
        values["type"] = type_values
    for name, attribute in vocabulary.attributes.items():
        allowed = attribute.allowed(vocabulary)
        if allowed:
            for prefix, table in prefixes.items():
                if name in table:
                    values[f"{prefix}.{name}" if prefix else name] = allowed
    categories = tuple(vocabulary.categories)
    for name in FACTS:
        if FACTS[name].type == "set" and name.endswith("categories"):
            for prefix, table in prefixes.items():
                if name in table:
                    values[f"{prefix}.{name}" if prefix else name] = categories
    checks = {
        "boundary_kind": lambda word: (
            None
            if word in vocabulary.boundary_kinds
            else f"unknown boundary kind '{word}'{did_you_mean(word, vocabulary.boundary_kinds)}"
        ),
        "element_type": lambda word: (
            None
            if word in element_types + ELEMENT_KINDS
            else f"unknown element type '{word}'{did_you_mean(word, element_types + ELEMENT_KINDS)}"
        ),
    }
    why = "only a risk that applies to dataflow alone can name a flow's source and target"
    unavailable = {} if "source" in prefixes else {"source": why, "target": why}
    return Scope(names=prefixes, literal_checks=checks, values=values, unavailable=unavailable)


def _names_for(kind: str, vocabulary: Vocabulary) -> dict[str, str]:
    names = {"id": "string", "name": "string", "kind": "string", "type": "string"}
    names.update({n: f.type for n, f in FACTS.items() if kind in f.kinds})
    names.update(
        {n: TYPE_OF[a.type] for n, a in vocabulary.attributes.items() if kind in a.applies_to}
    )
    return names


class _RiskCompiler:
    """Turns a risk's fields into a Risk, checking every reference and compiling conditions."""

    def __init__(
        self,
        vocabulary,
        frameworks,
        mitigations,
        references,
        out: Collector,
        sources: dict[str, str] | None = None,
    ):
        self.sources = sources or {}  # each file's text, as read
        self.vocabulary = vocabulary
        self.frameworks = frameworks
        self.mitigations = mitigations
        self.references = references
        self.out = out
        self.scopes: dict[tuple[str, ...], Scope] = {}

    def risk(self, fields: Fields, risk_id: str, catalog: str) -> Risk | None:
        out = self.out
        if risk_id and "id" not in fields.failed and not is_risk_id(risk_id):
            out.error(
                fields.at("id"),
                f"risk id '{risk_id}' must be upper case words joined by "
                "'-', e.g. SRS-SEC-02 or ACME-PAY-1",
            )
        kinds = fields.id_list("applies_to")
        if not kinds:
            out.error(
                fields.pos,
                f"{fields.what}: 'applies_to' is required "
                f"(one or more of {', '.join(SUBJECT_KINDS)})",
            )
        for index, kind in enumerate(kinds):
            if kind not in SUBJECT_KINDS:
                out.error(
                    value_pos(fields.map.get("applies_to"), index, fields.at("applies_to")),
                    f"{fields.what}: unknown kind '{kind}'{did_you_mean(kind, SUBJECT_KINDS)}",
                )
        kinds = tuple(k for k in kinds if k in SUBJECT_KINDS)
        scope = self._scope(kinds) if kinds else None
        applies = self._condition(fields, "scope", scope) if "scope" in fields.map else None
        condition = self._condition(fields, "when", scope) if "when" in fields.map else None
        modifiers = []
        for _, item in each_mapping(
            fields.raw("modifiers"), out, "modifiers", fields.at("modifiers")
        ):
            modifiers.append(self._modifier(Fields(item, out, f"{fields.what} modifier"), scope))
        mitigations = self._known(fields, "mitigations", self.mitigations, "mitigation")
        references = self._known(fields, "references", self.references, "reference")
        tree = None
        tree_map = fields.mapping("attack_tree")
        if tree_map is not None:
            tree = self._tree(tree_map, fields.what, 0, root=True)
        risk = Risk(
            id=risk_id,
            title=fields.text("title", required=True),
            description=fields.text("description"),
            group=fields.word("group") or group_of(risk_id),
            applies_to=kinds,
            scope=applies,
            condition=condition,
            likelihood=fields.integer("likelihood", low=1, high=5, required=True) or 1,
            impact=fields.integer("impact", low=1, high=5, required=True) or 1,
            modifiers=tuple(m for m in modifiers if m is not None),
            frameworks=self._frameworks(fields),
            mitigations=mitigations,
            references=references,
            attack_tree=tree,
            overlaps=fields.id_list("overlaps"),
            catalog=catalog,
            pos=fields.pos,
        )
        return risk if kinds and risk_id else None

    def _scope(self, kinds: tuple[str, ...]) -> Scope:
        if kinds not in self.scopes:
            self.scopes[kinds] = scope_for(kinds, self.vocabulary)
        return self.scopes[kinds]

    def _condition(self, fields: Fields, key: str, scope: Scope | None):
        text = fields.raw(key)
        where = fields.at(key)
        if not isinstance(text, str):
            self.out.error(
                where, f"{fields.what}: '{key}' must be a quoted condition, not {type_name(text)}"
            )
            return None
        if scope is None:
            return None
        try:
            return compile_condition(text, scope)
        except ExprError as exc:
            self.out.error(
                self._offset_pos(where, text, exc.offset), f"{fields.what}: {exc.message}"
            )
            return None

    def _offset_pos(self, where: Position, text: str, offset: int) -> Position:
        """The file position of character `offset` of a condition written at `where`."""
        source = self.sources.get(where.file)
        found = position_in_scalar(source, where, text, offset) if source is not None else None
        if found is not None:
            return found
        line = where.line + text.count("\n", 0, offset)
        col = where.col + offset if line == where.line else offset - text.rfind("\n", 0, offset)
        return Position(file=where.file, line=line, col=col)

    def _modifier(self, fields: Fields, scope: Scope | None) -> Modifier | None:
        fields.reject_unknown(("when", "likelihood", "impact", "why"))
        if "when" not in fields.map:
            self.out.error(fields.pos, f"{fields.what}: 'when' is required")
            return None
        condition = self._condition(fields, "when", scope)
        likelihood = fields.integer("likelihood", low=-4, high=4) or 0
        impact = fields.integer("impact", low=-4, high=4) or 0
        given = [fields.map.get(k) for k in ("likelihood", "impact") if k in fields.map]
        if not likelihood and not impact and all(v in (0, None) for v in given):  # else reported
            self.out.error(
                fields.pos, f"{fields.what}: give a non-zero 'likelihood' and/or 'impact'"
            )
        why = fields.text("why", required=True)
        if condition is None:
            return None
        return Modifier(
            condition=condition, likelihood=likelihood, impact=impact, why=why, pos=fields.pos
        )

    def _known(self, fields: Fields, key: str, table: dict, what: str) -> tuple[str, ...]:
        ids = fields.id_list(key)
        for index, item in enumerate(ids):
            if item not in table:
                self.out.error(
                    value_pos(fields.map.get(key), index, fields.at(key)),
                    f"{fields.what}: unknown {what} '{item}'{did_you_mean(item, table)}",
                )
        return ids

    def _frameworks(self, fields: Fields) -> dict[str, tuple[str, ...]]:
        section = fields.mapping("frameworks") or LMap(fields.pos)
        result: dict[str, tuple[str, ...]] = {}
        for name in section:
            framework = self.frameworks.get(name)
            where = section.val_pos[name]
            if framework is None:
                self.out.error(
                    section.key_pos[name],
                    f"{fields.what}: unknown framework '{name}'"
                    f"{did_you_mean(name, self.frameworks)}",
                )
                continue
            values = section[name]
            if isinstance(values, (str, int)):
                values = [values]
            if not isinstance(values, list):
                self.out.error(where, f"{fields.what}: frameworks.{name} must be a list")
                continue
            ids = []
            for index, value in enumerate(values):
                value = str(value)
                valid = value in framework.ids if framework.ids else True
                if framework.pattern and not id_matches(framework.pattern, value):
                    valid = False
                if not valid:
                    self.out.error(
                        value_pos(values, index, where),
                        f"{fields.what}: '{value}' is not a {framework.title} id"
                        f"{did_you_mean(value, framework.ids)}",
                    )
                    continue
                ids.append(value)
            result[name] = tuple(ids)
        return result

    def _tree(self, node: Any, what: str, depth: int, root: bool = False) -> AttackNode | None:
        if not isinstance(node, dict):
            return None
        fields = Fields(node, self.out, f"{what} attack tree")
        fields.reject_unknown(("goal", "step", "any", "all", "blocked_by"))
        if depth > MAX_TREE_DEPTH:
            self.out.error(fields.pos, f"{fields.what}: deeper than {MAX_TREE_DEPTH} levels")
            return None
        label = (
            fields.text("goal" if root else "step") or fields.text("step") or fields.text("goal")
        )
        gates = [g for g in ("any", "all") if g in node]
        if len(gates) > 1:
            self.out.error(fields.pos, f"{fields.what}: a node has 'any' or 'all', not both")
        blocked = fields.word("blocked_by") or None
        if blocked and blocked not in self.mitigations:
            self.out.error(
                fields.at("blocked_by"),
                f"{fields.what}: unknown mitigation '{blocked}'"
                f"{did_you_mean(blocked, self.mitigations)}",
            )
        children = []
        if gates:
            for _, child in each_mapping(
                fields.raw(gates[0]), self.out, gates[0], fields.at(gates[0])
            ):
                built = self._tree(child, what, depth + 1)
                if built is not None:
                    children.append(built)
        if not label and not gates:
            self.out.error(fields.pos, f"{fields.what}: a leaf needs 'step' (or 'goal' at the top)")
        return AttackNode(
            label=label or ("any of" if gates == ["any"] else "all of"),
            gate=gates[0] if gates else None,
            children=tuple(children),
            blocked_by=blocked,
        )
