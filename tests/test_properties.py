"""Property-based tests (Hypothesis): generated and mutated models, catalogs, condition
expressions and decisions files. Whatever the input: only our own error type escapes and every
problem has a position; analysis is deterministic; a control never raises a finding; removing
an element adds no finding about another; recording a decision loses nothing.

Kept fast for the normal suite; benchmarks/fuzz_campaign.py runs the same properties with
THREATMODEL_FUZZ_EXAMPLES set to thousands of examples.
"""

from __future__ import annotations

import atexit
import copy
import datetime
import functools
import json
import os
import random
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from threatmodel import engine
from threatmodel.catalog_yaml import load_catalog, scope_for
from threatmodel.concerns import by_severity, concerns
from threatmodel.engine import analyze
from threatmodel.errors import ThreatModelError
from threatmodel.expr import UNKNOWN, ExprError, compile_condition, judge
from threatmodel.graph import FACTS, ModelFacts
from threatmodel.loader import decode, load_text
from threatmodel.model import ELEMENT_KINDS
from threatmodel.model_yaml import read_model_data
from threatmodel.planner import make_plan
from threatmodel.render.json_report import render as render_json
from threatmodel.report import build_report
from threatmodel.validate import validate

with warnings.catch_warnings():  # Hypothesis imports libcst to write a patch for a failing
    warnings.simplefilter("ignore")  # example; libcst warns on import, and warnings are errors
    try:
        import hypothesis.extra._patching  # noqa: F401
    except Exception:  # pragma: no cover - an optional part of Hypothesis
        pass

from tests.helpers import FIXTURES

FUZZ = os.environ.get("THREATMODEL_FUZZ_EXAMPLES")  # set by benchmarks/fuzz_campaign.py


def _settings(examples: int) -> settings:
    return settings(
        max_examples=int(FUZZ) if FUZZ else examples,
        deadline=None,
        derandomize=not FUZZ,  # the normal suite runs the same examples every time
        # no "explain" phase: it imports modules that warn, and warnings are errors
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


SETTINGS = _settings(40)  # cheap properties
HEAVY = _settings(15)  # properties that load catalogs and analyse models
CORPUS = Path(__file__).parent / "bad_inputs"


@functools.cache
def base_catalog():
    """The engine's test catalog on the shipped vocabulary: its words and mitigations."""
    return load_catalog([FIXTURES / "catalog"], shipped_risks=False)


def vocabulary():
    return base_catalog().vocabulary


def positioned(exc: ThreatModelError) -> None:
    """Every problem names a file, a line and a column."""
    assert exc.problems, "an error without problems"
    for problem in exc.problems:
        assert problem.file and problem.line >= 1 and problem.col >= 1, str(problem)


# -- junk: any value a YAML file could hold ------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
    | st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31))
    | st.sampled_from(
        [
            "",
            "../x",
            "a b",
            "<script>",
            "=1+1",
            "\x1b[2J",
            "yes",
            "*",
            "null",
            "MIT-T-LOG",
            "actor",
            "datastore",
            "organisation",
            "purchase",
        ]
    )
)


def _containers(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)


JUNK = st.recursive(SCALARS, _containers, max_leaves=8)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place inside nested dicts and lists, as a tuple of keys and indexes."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, prefix + (index,))
    return found


def _typo(word: str, rnd: random.Random) -> str:
    if not word:
        return "x"
    i = rnd.randrange(len(word))
    return (
        rnd.choice(
            [
                word[:i] + word[i + 1 :],
                word[:i] + word[i] + word[i:],
                word[:i] + word[i:][::-1][:1] + word[i + 1 :],
                word.upper(),
            ]
        )
        or "y"
    )


@st.composite
def mutated(draw, base: Any, max_changes: int = 4) -> Any:
    """`base` with a few random changes: values replaced by junk, keys misspelt, entries
    deleted or added."""
    data = json.loads(json.dumps(base, default=str))  # a deep copy with plain types
    rnd = random.Random(draw(st.integers(0, 2**32)))
    for _ in range(draw(st.integers(1, max_changes))):
        where = draw(st.sampled_from(paths(data)))
        if not where:
            continue
        parent = data
        for step in where[:-1]:
            parent = parent[step]
        last = where[-1]
        action = draw(st.sampled_from(["replace", "replace", "delete", "typo", "add"]))
        if action == "replace":
            parent[last] = draw(JUNK)
        elif action == "delete":
            del parent[last]
        elif action == "typo" and isinstance(parent, dict):
            parent[_typo(str(last), rnd)] = parent.pop(last)
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=6))] = draw(JUNK)
        else:
            parent.insert(last, draw(JUNK))
    return data


# -- valid models, by construction -----------------------------------------------------------------


# Strategies are built once and reused: building one costs more than drawing from it.


@functools.cache
def attribute_value(name: str):
    vocab = vocabulary()
    attribute = vocab.attributes[name]
    allowed = attribute.allowed(vocab)
    kinds = {
        "bool": st.booleans(),
        "int": st.integers(0, 10**7),
        "number": st.integers(0, 10**6) | st.floats(0, 1e6, allow_nan=False),
        "string": st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
        "enum": st.sampled_from(allowed or ("x",)),
        "list": st.lists(
            st.sampled_from(allowed) if allowed else st.text("abcdefgh", min_size=1, max_size=6),
            max_size=3,
            unique=True,
        ),
    }
    value = kinds[attribute.type]
    return st.none() | value if attribute.nullable else value


@functools.cache
def attribute_names(kind: str):
    """A few of the vocabulary's attribute names for `kind`."""
    names = tuple(sorted(vocabulary().attributes_for(kind)))
    return st.lists(st.sampled_from(names), max_size=4, unique=True) if names else st.just([])


@st.composite
def attributes(draw, kind: str):
    return {name: draw(attribute_value(name)) for name in draw(attribute_names(kind))}


@st.composite
def valid_models(draw, mitigations: tuple[str, ...]):
    """A model that is correct by construction: every reference resolves, boundaries form a
    tree, every attribute is in the vocabulary with a value of its type."""
    vocab = vocabulary()
    categories = tuple(sorted(vocab.categories))
    data = []
    for i in range(draw(st.integers(0, 4))):
        asset = {
            "id": f"d{i}",
            "categories": draw(st.lists(st.sampled_from(categories), max_size=3, unique=True)),
        }
        subjects = draw(st.none() | st.integers(0, 10**9))
        if subjects is not None:
            asset["subjects"] = subjects
        if draw(st.booleans()):
            asset["source"] = draw(st.sampled_from(vocab.data_sources))
        asset.update(draw(attributes("data")))
        data.append(asset)
    data_ids = tuple(d["id"] for d in data)
    elements = []
    for i in range(draw(st.integers(1, 7))):
        kind = draw(st.sampled_from(ELEMENT_KINDS))
        element = {"id": f"e{i}" + draw(st.sampled_from(("", ".x", ":y", "-z_1"))), "kind": kind}
        types = vocab.element_types.get(kind, ())
        if types and draw(st.booleans()):
            element["type"] = draw(st.sampled_from(types))
        if kind == "datastore" and data_ids:
            element["stores"] = draw(st.lists(st.sampled_from(data_ids), max_size=3, unique=True))
        if kind == "process" and data_ids:
            element["inputs"] = draw(st.lists(st.sampled_from(data_ids), max_size=3, unique=True))
        element.update(draw(attributes(kind)))
        elements.append(element)
    element_ids = tuple(e["id"] for e in elements)
    flows = []
    if len(element_ids) > 1:
        for i in range(draw(st.integers(0, 8))):
            source, target = draw(
                st.lists(st.sampled_from(element_ids), min_size=2, max_size=2, unique=True)
            )
            flow = {
                "id": f"f{i}",
                "from": source,
                "to": target,
                "data": draw(st.lists(st.sampled_from(data_ids), max_size=3, unique=True))
                if data_ids
                else [],
            }
            flow.update(draw(attributes("dataflow")))
            flows.append(flow)
    boundaries = []
    for i in range(draw(st.integers(0, 3))):
        boundaries.append(
            {"id": f"b{i}", "kind": draw(st.sampled_from(vocab.boundary_kinds)), "members": []}
        )
        boundaries[-1].update(draw(attributes("boundary")))
        if i:  # nest it in an earlier boundary, or leave it at the top
            parent = draw(st.integers(-1, i - 1))
            if parent >= 0:
                boundaries[parent]["members"].append(f"b{i}")
    for element_id in element_ids:
        if boundaries:
            parent = draw(st.integers(-1, len(boundaries) - 1))
            if parent >= 0:
                boundaries[parent]["members"].append(element_id)
    controls = []
    for _ in range(draw(st.integers(0, 3))):
        control = {"mitigation": draw(st.sampled_from(mitigations))}
        targets = draw(
            st.lists(
                st.sampled_from(
                    element_ids + tuple(f["id"] for f in flows) + tuple(b["id"] for b in boundaries)
                ),
                max_size=2,
                unique=True,
            )
        )
        if targets:
            control["targets"] = targets
        controls.append(control)
    system = {"id": "sys", "name": draw(st.text(max_size=10))}
    system.update(draw(attributes("system")))
    return {
        "system": system,
        "data": data,
        "elements": elements,
        "flows": flows,
        "boundaries": boundaries,
        "controls": controls,
    }


# -- generated catalogs and conditions -------------------------------------------------------------

OWN = {"id", "name", "kind", "type"}


def atoms(kinds: tuple[str, ...], monotone: bool) -> list:
    """Strategies for the smallest conditions on these kinds. With `monotone`, graph facts
    appear only in positive forms (more flows and data can only make them truer), so that
    removing an element can only make such a condition less true."""
    vocab = vocabulary()
    scope = scope_for(kinds, vocab)
    system_attributes = set(vocab.attributes_for("system"))
    found = []
    for prefix, table in scope.names.items():
        for name, kind in sorted(table.items()):
            label = f"{prefix}.{name}" if prefix else name
            fact = (
                name in FACTS
                if prefix != "model"
                else name in ModelFacts.TYPES and name not in system_attributes
            )
            free = not (monotone and fact)
            allowed = scope.values.get(label)
            if kind == "bool":
                found.append(st.just(label))
                if free:
                    found.append(st.just(f"not {label}"))
            elif kind == "number":
                ops = ["<", "<=", ">", ">=", "==", "!="] if free else [">", ">="]
                found.append(
                    st.tuples(st.sampled_from(ops), st.integers(0, 10**7)).map(
                        lambda t, label=label: f"{label} {t[0]} {t[1]:_}"
                    )
                )
            elif kind == "string":
                words = st.sampled_from(allowed) if allowed else st.sampled_from(["x", "e1", "a b"])
                ops = ["==", "!="] if free else ["=="]
                if fact and monotone:
                    continue
                found.append(
                    st.tuples(st.sampled_from(ops), words).map(
                        lambda t, label=label: f"{label} {t[0]} {json.dumps(t[1])}"
                    )
                )
            elif kind == "set":
                words = st.sampled_from(allowed) if allowed else st.sampled_from(["credit", "x"])
                found.append(words.map(lambda w, label=label: f"'{w}' in {label}"))
                found.append(words.map(lambda w, label=label: f"{label} contains '{w}'"))
                found.append(st.integers(0, 4).map(lambda k, label=label: f"count({label}) >= {k}"))
                found.append(
                    st.lists(words, min_size=1, max_size=3).map(
                        lambda ws, label=label: (
                            f"{label} overlaps [{', '.join(repr(w) for w in ws)}]"
                        )
                    )
                )
                if free:
                    found.append(words.map(lambda w, label=label: f"'{w}' not in {label}"))
    types = sorted({t for k in ELEMENT_KINDS for t in vocab.element_types.get(k, ())})
    calls = [
        st.sampled_from(vocab.boundary_kinds).map(lambda k: f"crosses('{k}')"),
        st.sampled_from(types).map(lambda t: f"reaches('{t}')"),
        st.sampled_from(types).map(lambda t: f"fed_by('{t}')"),
    ]
    found += calls
    if not monotone:
        found += [c.map(lambda text: f"not {text}") for c in calls]
    return found


@functools.cache  # building the strategy is costly; it never changes
def conditions(kinds: tuple[str, ...], monotone: bool):
    """Well-formed conditions built from `atoms` with and, or (and not, unless monotone)."""
    leaf = st.one_of(atoms(kinds, monotone))

    def extend(inner):
        joined = st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        )
        return joined if monotone else joined | inner.map(lambda text: f"not ({text})")

    return st.recursive(leaf, extend, max_leaves=5)


KINDS = ELEMENT_KINDS + ("dataflow", "boundary", "system")


@st.composite
def catalogs(draw, monotone: bool = False) -> dict:
    """A catalog file's data: a few mitigations and risks with generated conditions."""
    mitigations = []
    for i in range(draw(st.integers(1, 4))):
        effect = {"likelihood": draw(st.integers(-4, 0)), "impact": draw(st.integers(-4, 0))}
        if not effect["likelihood"] and not effect["impact"]:
            effect["likelihood"] = -1
        mitigations.append({"id": f"MIT-G-{i}", "title": f"Mitigation {i}", "effect": effect})
    risks = []
    for i in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(KINDS))
        risk = {
            "id": f"G-R-{i}",
            "title": f"Risk {i}",
            "description": "generated",
            "applies_to": kind,
            "likelihood": draw(st.integers(1, 5)),
            "impact": draw(st.integers(1, 5)),
            "mitigations": draw(
                st.lists(st.sampled_from([m["id"] for m in mitigations]), max_size=3, unique=True)
            ),
        }
        if not draw(st.integers(0, 2)):
            risk["scope"] = draw(conditions((kind,), monotone))
        if draw(st.integers(0, 4)):
            risk["when"] = draw(conditions((kind,), monotone))
        modifiers = []
        for _ in range(draw(st.integers(0, 2))):
            delta = st.integers(1, 2) if monotone else st.integers(-2, 2).filter(bool)
            modifiers.append(
                {
                    "when": draw(conditions((kind,), monotone)),
                    draw(st.sampled_from(["likelihood", "impact"])): draw(delta),
                    "why": "generated",
                }
            )
        if modifiers:
            risk["modifiers"] = modifiers
        risks.append(risk)
    return {
        "catalog": {"id": "generated", "title": "Generated", "version": 1},
        "mitigations": mitigations,
        "risks": risks,
    }


@functools.cache
def scratch() -> Path:
    """A directory for generated catalogs; one path, so that reports naming it are comparable."""
    directory = Path(tempfile.mkdtemp(prefix="threatmodel-properties-"))
    atexit.register(shutil.rmtree, directory, True)
    return directory


def load_catalog_data(data: Any):
    """Load catalog data the way a user's catalog file is loaded."""
    path = scratch() / "generated.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return load_catalog([path], shipped_risks=False)


def model_of(data: dict):
    return read_model_data(data, "model.yaml")


# -- properties: no crash, every error positioned ----------------------------------------------

YAML_CHARS = st.characters(
    whitelist_categories=("L", "N", "Zs"), max_codepoint=0x2FF
) | st.sampled_from(
    list(":-[]{},#&*!|>'\"%@`?\n\t \\") + ["\ufeff", "\x00", "\x85", "\u2028", "\r"]
)


@SETTINGS
@given(st.text(YAML_CHARS, max_size=200))
def test_loader_survives_any_text(text):
    """Arbitrary text either loads or is refused with positioned problems; nothing else."""
    try:
        load_text(text, "m.yaml")
    except ThreatModelError as exc:
        positioned(exc)


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*.yaml") if p.stat().st_size < 20_000)


@SETTINGS
@given(
    st.sampled_from(corpus_files()),
    st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=3)), min_size=1, max_size=4),
)
def test_loader_survives_mutated_corpus_bytes(path, edits):
    """Corpus files with bytes overwritten, inserted or cut load or fail with positions."""
    data = bytearray(path.read_bytes())
    for offset, chunk in edits:
        at = offset % (len(data) + 1)
        data[at : at + len(chunk) % 2] = chunk
    try:
        load_text(decode(bytes(data), "m.yaml"), "m.yaml")
    except ThreatModelError as exc:
        positioned(exc)


@SETTINGS
@given(st.data())
def test_messy_models_fail_only_with_positioned_problems(data):
    """Valid models with random damage are analysed or refused with positioned problems."""
    model = data.draw(valid_models(tuple(base_catalog().mitigations)))
    damaged = data.draw(mutated(model))
    try:
        analyze(model_of(damaged), base_catalog())
    except ThreatModelError as exc:
        positioned(exc)


@HEAVY
@given(st.data())
def test_messy_catalogs_fail_only_with_positioned_problems(data):
    """Generated catalogs with random damage load or are refused with positioned problems,
    and whatever loads can analyse a valid model."""
    damaged = data.draw(mutated(data.draw(catalogs())))
    try:
        catalog = load_catalog_data(damaged)
    except ThreatModelError as exc:
        positioned(exc)
        return
    if catalog.mitigations:
        analyze(model_of(data.draw(valid_models(tuple(catalog.mitigations)))), catalog)


TOKENS = [
    "and",
    "or",
    "not",
    "in",
    "contains",
    "overlaps",
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    "==",
    "!=",
    "<",
    ">=",
    "true",
    "null",
    "1_000",
    "2.5",
    "'x'",
    '"y"',
    "personal_data",
    "subjects",
    "categories",
    "source",
    "model",
    "type",
    "count",
    "crosses",
    "reaches",
    "__class__",
    "eval",
    "x",
    "*",
    "=",
    "'",
    "\\",
    "\n",
    "é",
    "1__0",
    "0x1F",
    "lambda",
    ":",
]


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=25), st.sampled_from(KINDS))
def test_condition_token_soup_fails_only_with_an_offset(tokens, kind):
    """Any sequence of tokens compiles or is refused with an offset inside the text."""
    text = " ".join(tokens)
    try:
        condition = compile_condition(text, scope_for((kind,), vocabulary()))
    except ExprError as exc:
        assert 0 <= exc.offset <= len(text) and exc.message
    else:
        assert condition.text == text


class FakeContext:
    """Values drawn at random for the names a condition reads, each of its declared type
    (or null where the model may say null), or UNKNOWN."""

    CHOICES = {
        "bool": [True, False, None],
        "number": [None, 0, 7, 10**7, 2.5],
        "string": [None, "x", "e1", "credit"],
        "set": [frozenset(), frozenset({"credit", "x"}), frozenset({"health"})],
    }

    def __init__(self, rnd: random.Random, scope):
        self.rnd = rnd
        self.scope = scope
        self.values: dict[str, Any] = {}

    def _value(self, prefix: str, name: str) -> Any:
        label = f"{prefix}.{name}" if prefix else name
        if label not in self.values:
            kind = self.scope.names.get(prefix, {}).get(name, "bool")
            self.values[label] = self.rnd.choice(self.CHOICES.get(kind, [None]) + [UNKNOWN])
        return self.values[label]

    def get(self, name):
        return self._value("", name)

    def get_ref(self, prefix, name, label):
        return self._value(prefix, name)

    def call(self, function, argument, label):
        if label not in self.values:
            self.values[label] = self.rnd.choice([True, False, UNKNOWN])
        return self.values[label]


def kleene_not(value):
    return UNKNOWN if value is UNKNOWN else not value


@SETTINGS
@given(st.data(), st.sampled_from(KINDS), st.integers(0, 2**32))
def test_generated_conditions_are_three_valued(data, kind, seed):
    """Well-formed conditions compile, evaluate to True, False or UNKNOWN for any values,
    and obey Kleene logic: not, and, or behave as their truth tables say."""
    scope = scope_for((kind,), vocabulary())
    left = data.draw(conditions((kind,), False))
    right = data.draw(conditions((kind,), False))
    ctx = FakeContext(random.Random(seed), scope)
    value = {}
    for name, text in (
        ("a", left),
        ("b", right),
        ("not a", f"not ({left})"),
        ("a and b", f"({left}) and ({right})"),
        ("a or b", f"({left}) or ({right})"),
    ):
        value[name] = compile_condition(text, scope).evaluate(ctx)
        assert value[name] is True or value[name] is False or value[name] is UNKNOWN, text
    a, b = value["a"], value["b"]
    assert value["not a"] is kleene_not(a)
    assert value["a and b"] is (
        False if a is False or b is False else UNKNOWN if UNKNOWN in (a, b) else True
    )
    assert value["a or b"] is (
        True if a is True or b is True else UNKNOWN if UNKNOWN in (a, b) else False
    )


@SETTINGS
@given(st.data(), st.sampled_from(KINDS), st.integers(0, 2**32), st.sampled_from(("and", "or")))
def test_a_chain_reads_and_decides_as_nested_pairs(data, kind, seed, word):
    """`a and b and c` (one closure over the chain) gives what `(a and b) and c` gives, and
    reads the same names in the same order: the evidence and the questions stay the same."""
    scope = scope_for((kind,), vocabulary())
    parts = [data.draw(conditions((kind,), False)) for _ in range(data.draw(st.integers(3, 5)))]
    flat = f" {word} ".join(f"({part})" for part in parts)
    nested = f"({parts[0]})"
    for part in parts[1:]:
        nested = f"({nested} {word} ({part}))"
    outcomes = []
    for text in (flat, nested):
        ctx = FakeContext(random.Random(seed), scope)
        outcomes.append((compile_condition(text, scope).evaluate(ctx), list(ctx.values.items())))
    assert outcomes[0] == outcomes[1], flat


class LaxContext(FakeContext):
    """A `FakeContext` whose true-or-false names may also hold 0 or an empty list, which
    are false without being false (`every` treats them apart)."""

    CHOICES = {**FakeContext.CHOICES, "bool": [True, False, None, 0, frozenset()]}


@functools.cache
def literal_atoms(kind: str):
    """Comparisons of a name with a literal that `atoms` does not write: lists, true, false
    and null on either side, `not in` a list."""
    scope = scope_for((kind,), vocabulary())
    found = []
    for prefix, table in scope.names.items():
        for name, value_kind in sorted(table.items()):
            label = f"{prefix}.{name}" if prefix else name
            if value_kind in ("string", "number", "any"):
                words = list(scope.values.get(label, ())[:2]) or ["x", "e1"]
                listed = ", ".join(json.dumps(w) for w in words + [7, None])
                found.append(st.just(f"{label} in [{listed}]"))
                found.append(st.just(f"{label} not in [{listed}]"))
            for literal in ("true", "false", "null"):
                if value_kind in ("bool", "any"):
                    found += [st.just(f"{label} == {literal}"), st.just(f"{literal} != {label}")]
    return found


@_settings(150)  # cheap, and the cases that tell `judge` from the closure are rare
@given(st.data(), st.sampled_from(KINDS), st.integers(0, 2**32))
def test_a_conjunction_of_tests_is_judged_as_its_closure_evaluates_it(data, kind, seed):
    """Where a condition is only names compared with literals, `judge` gives what the
    closure gives, or None (open) where that is not true and `judge` read an unknown value;
    the names read for a true one are those the closure reads, in its order (the evidence)."""
    scope = scope_for((kind,), vocabulary())
    names = sorted(n for n, value_kind in scope.names[""].items() if value_kind == "bool")
    part = st.one_of(*atoms((kind,), False), *literal_atoms(kind))
    if names:  # bare names half the time: where 0 and [] differ from false
        part = st.sampled_from(names) | part
    parts = data.draw(st.lists(part, min_size=1, max_size=5))
    condition = compile_condition(" and ".join(parts), scope)
    assume(condition.tests is not None)  # a part such as count(x) >= 1 is not a test
    ctx = LaxContext(random.Random(seed), scope)
    outcome = condition.evaluate(ctx)
    values = dict(ctx.values)  # what the closure read, in its order
    judging = LaxContext(random.Random(seed), scope)
    judged = judge(condition.tests, judging, {})
    only_true = judge(condition.tests, LaxContext(random.Random(seed), scope), {}, only_true=True)
    assert only_true is (outcome is True), parts
    if judged is None:  # open: the engine evaluates the closure
        assert outcome is not True and UNKNOWN in judging.values.values(), parts
    else:
        assert judged is outcome, parts
    if outcome is True:
        assert list(dict.fromkeys(test.label for test in condition.tests)) == list(values)


@SETTINGS
@given(st.data(), st.sampled_from(KINDS), st.integers(0, 2**32))
def test_a_condition_is_true_only_where_its_requirements_hold(data, kind, seed):
    """Each requirement a condition declares (the tests the engine indexes risks by) admits
    the value it reads wherever the condition is true."""
    scope = scope_for((kind,), vocabulary())
    text = data.draw(conditions((kind,), False))
    if data.draw(st.booleans()):
        text = f"({data.draw(conditions((kind,), False))}) and ({text})"
    condition = compile_condition(text, scope)
    ctx = FakeContext(random.Random(seed), scope)
    if condition.evaluate(ctx) is not True:
        return
    for requirement in condition.requires:
        value = requirement.read(ctx)
        assert value is not UNKNOWN, (text, requirement)
        if requirement.among is not None:
            assert value in requirement.among, (text, requirement, value)
        elif requirement.meets is not None:  # a list holding one of them
            assert isinstance(value, frozenset), (text, requirement, value)
            assert value & requirement.meets, (text, requirement, value)
        else:
            assert value, (text, requirement)
        assert requirement.admits(value)


# -- properties: analysis ------------------------------------------------------------------------


@pytest.mark.fresh_catalogs
@HEAVY
@given(st.data())
def test_the_scope_index_skips_only_risks_out_of_scope(data):
    """Analysis that probes only the risks `Screen` admits gives what probing every risk on
    every subject gives."""
    model = model_of(data.draw(valid_models(("MIT-G-0",))))
    catalog = load_catalog_data(data.draw(catalogs()))
    screened = render_json(build_report(analyze(model, catalog)))
    with mock.patch.object(engine.Screen, "of", every_risk):
        assert render_json(build_report(analyze(model, catalog))) == screened


def every_risk(risks) -> engine.Screen:
    return engine.Screen(free=tuple(range(len(risks))), reads=())


@SETTINGS
@given(st.data())
def test_valid_models_validate_cleanly(data):
    """A model correct by construction passes validation: no false alarms."""
    catalog = base_catalog()
    model = model_of(data.draw(valid_models(tuple(catalog.mitigations))))
    try:
        validate(model, catalog)
    except ThreatModelError as exc:
        raise AssertionError(f"false alarm: {exc}") from None


@pytest.mark.fresh_catalogs
@HEAVY
@given(st.data())
def test_analysis_is_deterministic(data):
    """The same model and catalog, loaded and analysed twice, give byte-identical JSON."""
    model_data = data.draw(valid_models(("MIT-G-0",)))
    catalog_data = data.draw(catalogs())
    first = render_json(
        build_report(analyze(model_of(model_data), load_catalog_data(catalog_data)))
    )
    second = render_json(
        build_report(analyze(model_of(model_data), load_catalog_data(catalog_data)))
    )
    assert first == second


def severity_rank(result, finding) -> int:
    return result.catalog.severity_rank(finding.severity)


@HEAVY
@given(st.data())
def test_adding_a_control_never_raises_a_finding(data):
    """With one more control in place, the same findings fire and none gets a higher
    score or severity."""
    catalog = load_catalog_data(data.draw(catalogs()))
    model_data = data.draw(valid_models(tuple(catalog.mitigations)))
    before = analyze(model_of(model_data), catalog)
    ids = [s["id"] for key in ("elements", "flows", "boundaries") for s in model_data[key]]
    control = {"mitigation": data.draw(st.sampled_from(sorted(catalog.mitigations)))}
    targets = data.draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))
    if targets:
        control["targets"] = targets
    model_data["controls"].append(control)
    after = analyze(model_of(model_data), catalog)
    assert [f.id for f in after.findings] == [f.id for f in before.findings] or sorted(
        f.id for f in after.findings
    ) == sorted(f.id for f in before.findings)
    old = {f.id: f for f in before.findings}
    for finding in after.findings:
        previous = old[finding.id]
        assert finding.status == previous.status
        assert finding.score <= previous.score, finding.id
        assert severity_rank(after, finding) <= severity_rank(before, previous), finding.id


@HEAVY
@given(st.data())
def test_an_undecided_finding_names_what_is_missing(data):
    """A finding the model cannot decide (its condition is unknown) always lists the facts
    the model lacks, so it becomes a question; confirmed findings list nothing missing."""
    catalog = load_catalog_data(data.draw(catalogs()))
    result = analyze(model_of(data.draw(valid_models(tuple(catalog.mitigations)))), catalog)
    assert all(f.confirmed and not f.missing for f in result.findings)
    for finding in result.undecided:
        assert not finding.confirmed and finding.missing, finding.id


@HEAVY
@given(st.data())
def test_the_plan_predicts_exactly_what_analysis_gives(data):
    """Putting a plan's steps in place as controls and analysing the model again gives the
    open concerns by severity and the people exposed that the plan predicted for that step."""
    catalog = load_catalog_data(data.draw(catalogs()))
    model_data = data.draw(valid_models(tuple(catalog.mitigations)))
    result = analyze(model_of(model_data), catalog)
    target = data.draw(st.sampled_from(catalog.severities))
    plan = make_plan(result, target)
    for step, action in enumerate(plan.actions, 1):
        changed = copy.deepcopy(model_data)
        changed["controls"] += [
            {"mitigation": a.mitigation, "targets": list(a.targets)} for a in plan.actions[:step]
        ]
        again = analyze(model_of(changed), catalog)
        open_concerns = [c for c in concerns(again.findings, catalog) if c.open]
        assert by_severity(open_concerns, catalog, only_open=True) == action.after
        threshold = catalog.severity_rank(target)
        people = max(
            (
                f.harm.subjects or 0
                for f in again.findings
                if f.open and catalog.severity_rank(f.severity) >= threshold
            ),
            default=0,
        )
        assert people == action.people_exposed


def test_an_attribute_that_does_not_apply_is_false_when_used_alone():
    """`target.report_verification` on a flow into an actor (which has no such attribute)
    is false, like `target.report_verification == true`: no finding, certainly not a
    'possible' one that names nothing to fill in."""
    catalog = load_catalog_data(
        {
            "mitigations": [{"id": "MIT-G-0", "title": "m", "effect": {"likelihood": -1}}],
            "risks": [
                {
                    "id": "G-R-0",
                    "title": "alone",
                    "applies_to": "dataflow",
                    "likelihood": 3,
                    "impact": 3,
                    "when": "target.report_verification",
                },
                {
                    "id": "G-R-1",
                    "title": "compared",
                    "applies_to": "dataflow",
                    "likelihood": 3,
                    "impact": 3,
                    "when": "target.report_verification == true",
                },
            ],
        }
    )
    model = model_of(
        {
            "system": {"id": "s"},
            "data": [{"id": "d", "categories": ["purchase"]}],
            "elements": [{"id": "a", "kind": "actor"}, {"id": "b", "kind": "actor"}],
            "flows": [{"id": "f", "from": "a", "to": "b", "data": ["d"]}],
        }
    )
    assert [f.id for f in analyze(model, catalog).findings] == []


def test_a_null_name_is_false_inside_and_too():
    """A name that holds null reads as false alone, so `x and y` is false whatever y is, as
    `x == true and y` is: no 'possible' finding asking for y."""
    from threatmodel.expr import Scope

    scope = Scope(names={"": {"x": "bool", "y": "bool"}})

    class Values:
        def get(self, name):
            return {"x": None, "y": UNKNOWN}[name]

    for text in ("x", "x == true and y", "x and y", "y and x"):
        assert compile_condition(text, scope).evaluate(Values()) is False, text


def without_element(model_data: dict, element_id: str) -> dict:
    """The model with one element gone, and every flow, membership and target naming it."""
    data = json.loads(json.dumps(model_data))
    data["elements"] = [e for e in data["elements"] if e["id"] != element_id]
    data["flows"] = [f for f in data["flows"] if element_id not in (f["from"], f["to"])]
    for boundary in data["boundaries"]:
        boundary["members"] = [m for m in boundary["members"] if m != element_id]
    controls = []
    for control in data["controls"]:
        if "targets" in control:
            control["targets"] = [
                t
                for t in control["targets"]
                if t != element_id
                and t
                in {f["id"] for f in data["flows"]}
                | {e["id"] for e in data["elements"]}
                | {b["id"] for b in data["boundaries"]}
            ]
            if not control["targets"]:
                continue  # no targets would make it a control on everything
        controls.append(control)
    data["controls"] = controls
    return data


@HEAVY
@given(st.data())
def test_removing_an_element_adds_no_finding_about_another(data):
    """Removing an element (and its flows) never confirms a finding about another element
    that was not confirmed before nor raises one's severity, and a new 'needs information'
    finding appears only where the removal took information away (on an element that
    exchanged data with the removed one, or a flow touching such an element), for catalogs
    whose graph facts appear only in positive forms."""
    catalog = load_catalog_data(data.draw(catalogs(monotone=True)))
    model_data = data.draw(valid_models(tuple(catalog.mitigations)))
    gone = data.draw(st.sampled_from([e["id"] for e in model_data["elements"]]))
    before = analyze(model_of(model_data), catalog)
    after = analyze(model_of(without_element(model_data, gone)), catalog)
    touching = [f for f in model_data["flows"] if gone in (f["from"], f["to"])]
    removed = {gone} | {f["id"] for f in touching}
    neighbours = {f["from"] for f in touching} | {f["to"] for f in touching}
    informed = neighbours | {
        f["id"] for f in model_data["flows"] if neighbours & {f["from"], f["to"]}
    }
    old = {f.id: f for f in before.findings}
    for finding in after.findings:
        assert finding.element_id not in removed
        previous = old.get(finding.id)
        if finding.confirmed:
            assert previous is not None and previous.confirmed, f"new finding {finding.id}"
            assert severity_rank(after, finding) <= severity_rank(before, previous), finding.id
        elif previous is None:
            assert finding.element_id in informed, f"new possible finding {finding.id}"


# -- properties: the decisions file ----------------------------------------------------------------

FINDING_IDS = st.from_regex(r"\A[A-Z]{1,4}-[A-Z]{1,4}-[0-9]{1,2}@[a-z][a-z0-9.-]{0,6}\Z")
TEXT = st.text(st.characters(blacklist_categories=("Cs",), max_codepoint=0xFFFF), max_size=40)
DATES = st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31))


@st.composite
def decision_fields(draw, partial: bool = False) -> dict:
    from threatmodel.tracking import STATUSES

    fields = {
        "status": draw(st.sampled_from(STATUSES)),
        "justification": draw(TEXT),
        "owner": draw(TEXT),
        "date": draw(DATES),
        "ticket": draw(TEXT),
    }
    if partial:
        fields = {k: v for k, v in fields.items() if draw(st.booleans())}
        for key in draw(st.lists(st.sampled_from(["owner", "ticket", "expires"]), max_size=2)):
            fields[key] = None  # remove the field
    return fields


def yaml_scalar(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return json.dumps(value)  # JSON strings are YAML double-quoted scalars


@st.composite
def decisions_files(draw) -> tuple[str, dict, list[str]]:
    """A decisions file's text with comments everywhere, its entries and its comment lines."""
    keys = draw(st.lists(FINDING_IDS, min_size=1, max_size=4, unique=True))
    # what a YAML file may hold unescaped: no control, unassigned or line-separator characters
    comment = st.text(
        st.characters(
            blacklist_categories=("Cs", "Cc", "Cn", "Co", "Zl", "Zp"), max_codepoint=0xFFFD
        ),
        max_size=30,
    ).map(lambda t: "# " + " ".join(t.split()))
    lines, comments, entries = [], [], {}

    def maybe_comment(indent: str) -> None:
        if draw(st.booleans()):
            line = indent + draw(comment)
            lines.append(line)
            comments.append(line)

    maybe_comment("")
    lines.append("decisions:")
    for key in keys:
        maybe_comment("  ")
        fields = draw(decision_fields())
        entries[key] = fields
        lines.append(f"  {key}:")
        for name, value in fields.items():
            lines.append(f"    {name}: {yaml_scalar(value)}")
            maybe_comment("    ")
    maybe_comment("")
    return "\n".join(lines) + "\n", entries, comments


@SETTINGS
@given(decisions_files(), st.data())
def test_recording_a_decision_loses_no_comment_or_entry(file, data):
    """Creating or updating one entry keeps every comment line, leaves every other entry as
    it was, and reads back with exactly the fields asked for."""
    from threatmodel.tracking import record_decision

    text, entries, comments = file
    key = data.draw(st.sampled_from(sorted(entries)) | FINDING_IDS)
    fields = data.draw(decision_fields(partial=key in entries))
    assume(key not in entries or fields)
    new_text = record_decision(text, "d.yaml", key, fields)
    new_lines = new_text.splitlines()
    for line in comments:
        assert line in new_lines, f"comment lost: {line!r}"
    loaded, _ = load_text(new_text, "d.yaml")
    section = loaded["decisions"]
    assert set(section) == set(entries) | {key}
    for other, values in entries.items():
        if other != key:
            assert dict(section[other]) == values
    expected = dict(entries.get(key, {}))
    expected.update(fields)
    assert dict(section[key]) == {k: v for k, v in expected.items() if v is not None}


# -- JSON imports (issue 17): values exactly as json reads them, each at its own token --------

_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)


def _offset(text: str, pos) -> int:
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[: pos.line - 1]) + pos.col - 1


@SETTINGS
@given(value=_JSON_VALUES, indent=st.sampled_from([None, 0, 1, "\t"]), ascii=st.booleans())
def test_json_values_and_their_positions(value, indent, ascii):
    """What an importer reads from JSON equals what `json` reads, and every key and value
    carries the position of its own token (a string's text, just after its quote)."""
    from threatmodel.interop.source import read_json_text
    from threatmodel.loader import LList, LMap

    text = json.dumps({"v": value}, indent=indent, ensure_ascii=ascii)
    data = read_json_text(text, "t.json")
    assert data == {"v": value}
    stack = [data]
    while stack:
        node = stack.pop()
        places = (
            [(node.key_pos[k], k) for k in node] + [(node.val_pos[k], node[k]) for k in node]
            if isinstance(node, LMap)
            else list(zip(node.item_pos, node, strict=True))
        )
        for pos, item in places:
            at = _offset(text, pos)
            if isinstance(item, str):
                assert text[at - 1] == '"', (pos, item)
            else:
                assert text[at] == json.dumps(item, ensure_ascii=ascii)[0], (pos, item)
            if isinstance(item, (LMap, LList)):
                stack.append(item)


@SETTINGS
@given(
    value=_JSON_VALUES,
    edits=st.lists(
        st.tuples(
            st.integers(0, 10**6),
            st.sampled_from(
                [
                    '"',
                    "\\",
                    "[",
                    "{",
                    "]",
                    "}",
                    ",",
                    ":",
                    "\\ud800",
                    "9" * 120,
                    "NaN",
                    "\n",
                    "",
                    "\t",
                ]
            ),
        ),
        max_size=4,
    ),
)
def test_broken_json_is_a_positioned_error(value, edits):
    """Any edit of a JSON file (brackets, quotes, escapes, lone surrogates, long numbers) is
    read or refused with ThreatModelError, never another exception."""
    from threatmodel.interop.source import read_json_text
    from threatmodel.loader import Limits

    text = json.dumps({"v": value})
    for where, insert in edits:
        at = where % (len(text) + 1)
        text = text[:at] + insert + text[at + (insert == "") :]
    try:
        read_json_text(text, "t.json", Limits(max_depth=8, max_nodes=200, max_scalar_chars=50))
    except ThreatModelError as exc:
        assert exc.problems and all(p.pos.file == "t.json" for p in exc.problems)


# -- user templates (issue 17): whatever an expression asks, rendering ends in bounds ----------

_PIECES = st.sampled_from(
    ["0", "1", "7", "10", "10**9", "99999", "-3", "2.5", '"a"', '"%9d"', '"{:>9}"', "[1, 2]"]
)
_EXPRESSIONS = st.recursive(
    _PIECES,
    lambda inner: (
        st.tuples(inner, st.sampled_from(["*", "**", "%", "+", "/", "//"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        )
        | st.tuples(
            inner, st.sampled_from(["center", "indent", "truncate", "batch", "format"]), inner
        ).map(lambda t: f"({t[0]}|{t[1]}({t[2]}))")
        | inner.map(lambda e: f"range({e})|list|length")
    ),
    max_leaves=6,
)


@SETTINGS
@given(expression=_EXPRESSIONS)
def test_a_user_template_expression_renders_or_is_refused(expression, tmp_path_factory):
    """Any mix of arithmetic, repetition, formatting, ranges and sized filters in a user
    template renders a bounded page or is refused as bad input, never another exception."""
    import jinja2

    from threatmodel.render import html, sandbox

    env = html.environment(tmp_path_factory.getbasetemp())
    try:
        page = sandbox.render_bounded(env.from_string("{{ " + expression + " }}").generate())
    except (sandbox.TemplateRefused, jinja2.TemplateError, TypeError, AttributeError):
        return  # html.render reports each as a template problem, exit 2
    assert len(page) <= sandbox.MAX_ITEMS * 10
