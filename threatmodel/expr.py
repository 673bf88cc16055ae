"""The condition language: parsed once into closures, evaluated with three-valued logic.

    personal_data and not encrypted_at_rest and subjects >= 1_000_000
    source.type in ['lender', 'furnisher'] and crosses('organisation')

A hand-written tokenizer and recursive-descent parser build closures directly; there is no
path from catalog text to Python's eval, exec, getattr or imports. Names are checked against
a scope at compile time, so unknown names, attribute access on values (`x.__class__`),
subscripts and calls to anything but the listed functions are compile errors with a column.

Values: True, False, None (an explicit null), numbers, strings, frozensets, and UNKNOWN
(the model does not say). Logic is Kleene's: unknown and false is false, unknown or true is
true, not unknown is unknown; a comparison with an unknown side is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import attrs


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value")


UNKNOWN = _Unknown()
KEYWORDS = {"and", "or", "not", "in", "contains", "overlaps", "true", "false", "null", "none"}
MAX_DEPTH = 40
MAX_LENGTH = 2000

# static types: bool, number, string, set, element, null, any
FUNCTIONS: dict[str, tuple[str, str]] = {
    # name: (argument kind, result type)
    "count": ("set", "number"),
    "crosses": ("boundary_kind", "bool"),
    "reaches": ("element_type", "bool"),
    "fed_by": ("element_type", "bool"),
}


class ExprError(Exception):
    """A syntax or name error in a condition, at 0-based `offset` of the text."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset


@attrs.frozen(kw_only=True)
class Scope:
    """What a condition may name: name -> static type, per prefix ('' is the element itself)."""

    names: Mapping[str, Mapping[str, str]]  # prefix -> {name: type}
    literal_checks: Mapping[str, Callable[[str], str | None]] = attrs.field(factory=dict)
    values: Mapping[str, tuple[str, ...]] = attrs.field(
        factory=dict
    )  # "name" or "p.name" -> allowed
    unavailable: Mapping[str, str] = attrs.field(factory=dict)  # prefix -> why it cannot be used


@attrs.frozen
class Requirement:
    """A test a condition cannot be true without: the value `read` gives (the name `label`)
    is known and truthy; with `among`, known and one of `among`; with `meets`, known and a
    list holding one of `meets` (a single value counts as a list of one). Leftmost conjuncts
    such as `personal_data`, `type in [...]`, `source.kind == 'actor'` or `categories
    contains 'audio'` are requirements."""

    label: str
    read: Callable[[Any], Any] = attrs.field(repr=False, eq=False)
    among: frozenset | None = None
    meets: frozenset | None = None

    def admits(self, value: Any) -> bool:
        """Whether a value read meets this requirement."""
        if value is UNKNOWN:
            return False
        if self.among is not None:
            return value in self.among
        if self.meets is not None:
            return not self.meets.isdisjoint(as_set(value))
        return bool(value)


class Test(NamedTuple):
    """One name compared with a literal (`judge` reads it): `op` is 'truthy' (a bare name),
    'falsy' (`not name`), 'in' (`name in [...]`, `name == 'text'`), 'not in', 'has'
    (`contains`, `overlaps`, `'word' in name`; `literal` is a set), '==' or '!=' (another
    literal), or an order ('<', '<=', '>', '>=')."""

    label: str
    read: Callable[[Any], Any]
    op: str
    literal: Any = None


def requirement_of(test: Test) -> Requirement | None:
    """The requirement a test makes, if any: a truthy name, one of some values (`in`), or a
    list holding one of some words (`has`)."""
    if test.op == "truthy":
        return Requirement(test.label, test.read)
    if test.op == "in":
        return Requirement(test.label, test.read, among=test.literal)
    if test.op == "has":
        return Requirement(test.label, test.read, meets=test.literal)
    return None


@attrs.frozen(kw_only=True)
class Condition:
    """A compiled condition: call `evaluate(ctx)` for True, False or UNKNOWN. `requires`
    lists tests it cannot be true without, leftmost first (see `Requirement`). `tests`, when
    not None, are the conjuncts of a condition that is only names compared with literals
    (`personal_data and type in [...] and minimised == false`), which `judge` decides."""

    text: str
    names: tuple[str, ...]
    fn: Callable[[Any], Any] = attrs.field(repr=False, eq=False)
    requires: tuple[Requirement, ...] = attrs.field(default=(), repr=False, eq=False)
    tests: tuple[Test, ...] | None = attrs.field(default=None, repr=False, eq=False)

    def evaluate(self, ctx: Any) -> Any:
        return self.fn(ctx)


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>\d[\d_]*(?:\.\d[\d_]*)?)
  | (?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,|\.)
  | (?P<other>.)
""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPED = re.compile(r"\\(.)")


def tokenize(text: str) -> list[tuple[str, Any, int]]:
    """Split a condition into (kind, value, offset) tokens."""
    tokens: list[tuple[str, Any, int]] = []
    for match in _TOKEN.finditer(text):  # `other` takes any character: no gaps between matches
        kind = match.lastgroup
        if kind == "ws":
            continue
        raw, pos = match.group(), match.start()
        if kind == "name":
            tokens.append(("keyword" if raw in KEYWORDS else "name", raw, pos))
        elif kind == "op":
            tokens.append(("op", raw, pos))
        elif kind == "string":
            value = raw[1:-1]
            tokens.append(("string", _ESCAPED.sub(r"\1", value) if "\\" in value else value, pos))
        elif kind == "number":
            if raw.endswith("_") or "__" in raw or "_." in raw:
                raise ExprError(f"malformed number {raw!r}", pos)
            number = float(raw.replace("_", "")) if "." in raw else int(raw.replace("_", ""))
            tokens.append(("number", number, pos))
        else:
            hint = ""
            if raw in "+-*/%":
                hint = " (arithmetic is not part of the language)"
            elif raw == "=":
                hint = " (use '==' to compare)"
            elif raw in "&|!":
                hint = " (use 'and', 'or', 'not')"
            raise ExprError(f"unexpected character {raw!r}{hint}", pos)
    tokens.append(("end", None, len(text)))
    return tokens


def compile_condition(text: str, scope: Scope) -> Condition:
    """Parse and compile `text`; raises ExprError with an offset on any problem."""
    if not isinstance(text, str) or not text.strip():
        raise ExprError("condition is empty", 0)
    if len(text) > MAX_LENGTH:
        raise ExprError(f"condition is longer than {MAX_LENGTH} characters", 0)
    parser = _Parser(tokenize(text), scope)
    fn, kind = parser.parse_or()
    parser.expect_end()
    if kind not in ("bool", "any"):
        raise ExprError(f"a condition must be true or false, but this is {_article(kind)}", 0)
    return Condition(
        text=text,
        names=tuple(dict.fromkeys(parser.used)),
        fn=fn if id(fn) in parser.decisive else _truth(fn),
        requires=parser.requirements(fn),
        tests=parser.tests.get(id(fn), (None, None))[1],
    )


UNREAD = object()  # in a table of values read by label (`judge`): not read yet


def judge(
    tests: tuple[Test, ...], ctx: Any, seen: dict[str, Any], *, only_true: bool = False
) -> Any:
    """What the conjunction of `tests` gives on the subject of `ctx`, without evaluating its
    closure: True, False, or None when an unknown value leaves it open (evaluate the
    closure, which knows what is missing). With `only_true`, only whether it is true (True
    or False), reading no further than that needs. Values are read through `seen`, by name
    (each read once per subject). It gives what the closure gives: the conjunction is false
    as soon as one part is false or null, even after unknown ones (`_and`); all known, it is
    true when every part is met."""
    unknown = unmet = False
    for label, read, op, literal in tests:
        value = seen.get(label, UNREAD)
        if value is UNREAD:
            value = seen[label] = read(ctx)
        if value is UNKNOWN:
            if only_true:
                return False
            unknown = True
            continue
        if op == "in":
            met = value in literal
        elif op == "has":
            met = not literal.isdisjoint(as_set(value))
        elif op == "truthy":  # the value itself is the part: only false and null end it
            if value is None or value is False:
                return False
            unmet = unmet or not value
            continue
        elif op == "falsy":
            met = not value
        elif op == "not in":
            met = value not in literal
        elif op == "==":
            met = _equal(value, literal)
        elif op == "!=":
            met = not _equal(value, literal)
        else:
            met = _ORDERED[op](value, literal)
        if not met:
            return False
    if unknown:
        return None
    return not unmet


def _truth(fn):
    """A condition's outcome: True, False or UNKNOWN; a bare name that is null reads as false."""

    def outcome(ctx):
        value = fn(ctx)
        return value if value is UNKNOWN or value is True or value is False else bool(value)

    return outcome


def _article(kind: str) -> str:
    return {
        "number": "a number",
        "string": "text",
        "set": "a list",
        "element": "an element",
        "null": "null",
    }.get(kind, kind)


class _Parser:
    def __init__(self, tokens: list, scope: Scope):
        self.tokens = tokens
        self.index = 0
        self.scope = scope
        self.depth = 0
        self.used: list[str] = []
        self.last: tuple | None = None  # ('name', label) or ('const', value) of the last primary
        # by id() of a compiled closure, kept beside it so that the id stays its own:
        self.leaves: dict[int, tuple[Any, str]] = {}  # a name's or call's read -> its label
        self.required: dict[int, tuple[Any, tuple[Requirement, ...]]] = {}
        self.decisive: dict[int, Any] = {}  # closures that give only True, False or UNKNOWN
        self.tests: dict[int, tuple[Any, tuple[Test, ...]]] = {}  # conjunctions of `Test`s

    def requirements(self, fn) -> tuple[Requirement, ...]:
        return self.required.get(id(fn), (None, ()))[1]

    def require(self, fn, requirements: tuple[Requirement, ...]):
        if requirements:
            self.required[id(fn)] = (fn, requirements)
        return fn

    def conjunction(self, fn, tests: tuple[Test, ...]):
        """Record that `fn` is the conjunction of `tests`."""
        self.tests[id(fn)] = (fn, tests)
        return fn

    def tested(self, fn, test: Test):
        """Record `fn` as the single `test`, and the requirement that test makes."""
        requirement = requirement_of(test)
        if requirement is not None:
            self.require(fn, (requirement,))
        return self.conjunction(fn, (test,))

    def compared(self, fn, op: str, left, right):
        """Record `fn` (`left op right`) as a `Test` when one side is a name or a function's
        value and the other a literal."""
        if isinstance(left, _Const) and op in ("==", "!="):
            left, right = right, left
        label = self.label_of(left)
        if not label or not isinstance(right, _Const):
            return fn
        literal = right.value
        if op == "==" and isinstance(literal, str):
            return self.tested(fn, Test(label, left, "in", frozenset((literal,))))
        return self.tested(fn, Test(label, left, op, literal))

    def decide(self, fn):
        """Mark `fn` as giving only True, False or UNKNOWN (an operator, not a bare name)."""
        self.decisive[id(fn)] = fn
        return fn

    def leaf(self, fn, label: str):
        self.leaves[id(fn)] = (fn, label)
        return fn

    def label_of(self, fn) -> str | None:
        return self.leaves.get(id(fn), (None, None))[1]

    # -- token helpers
    @property
    def tok(self):
        return self.tokens[self.index]

    def take(self):
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, kind: str, value: Any = None) -> bool:
        tk, tv, _ = self.tok
        return tk == kind and (value is None or tv == value)

    def expect(self, kind: str, value: Any, what: str):
        if not self.at(kind, value):
            raise ExprError(f"expected {what}, found {self.describe()}", self.tok[2])
        return self.take()

    def expect_end(self) -> None:
        if not self.at("end"):
            raise ExprError(f"unexpected {self.describe()} (missing 'and'/'or'?)", self.tok[2])

    def describe(self) -> str:
        kind, value, _ = self.tok
        if kind == "end":
            return "end of condition"
        if kind == "string":
            return f"text {value!r}"
        return f"'{value}'"

    def nest(self, offset: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"condition is nested deeper than {MAX_DEPTH} levels", offset)

    # -- grammar
    def parse_or(self):
        self.nest(self.tok[2])
        fn, kind = self.parse_and()
        parts = [fn]
        while self.at("keyword", "or"):
            offset = self.take()[2]
            right, rkind = self.parse_and()
            _need_bool(kind, "or", offset)
            _need_bool(rkind, "or", offset)
            parts.append(right)
            kind = "bool"
        self.depth -= 1
        if len(parts) == 1:
            return fn, kind
        return self.decide(_or(parts)), kind

    def parse_and(self):
        fn, kind = self.parse_not()
        parts = [fn]
        while self.at("keyword", "and"):
            offset = self.take()[2]
            right, rkind = self.parse_not()
            _need_bool(kind, "and", offset)
            _need_bool(rkind, "and", offset)
            parts.append(right)
            kind = "bool"
        if len(parts) == 1:
            return fn, kind
        every = sum((self.requirements(part) for part in parts), ())
        fn = self.decide(self.require(_and(parts), every))
        if all(id(part) in self.tests for part in parts):
            self.conjunction(fn, sum((self.tests[id(part)][1] for part in parts), ()))
        return fn, kind

    def parse_not(self):
        if self.at("keyword", "not"):
            offset = self.take()[2]
            self.nest(offset)
            operand, kind = self.parse_not()
            self.depth -= 1
            _need_bool(kind, "not", offset)
            negated = self.decide(_not(operand))
            if label := self.label_of(operand):
                self.tested(negated, Test(label, operand, "falsy"))
            return negated, "bool"
        return self.parse_comparison()

    def parse_comparison(self):
        left, lkind = self.parse_primary()
        left_info = self.last
        kind, value, offset = self.tok
        if kind == "op" and value in _COMPARE:
            self.take()
            right, rkind = self.parse_primary()
            _check_compare(value, lkind, rkind, offset)
            self.check_values(left_info, self.last, offset)
            test = self.compared(_compare(value, left, right), value, left, right)
            return self.decide(test), "bool"
        if kind == "keyword" and value in ("in", "contains", "overlaps"):
            self.take()
            right, rkind = self.parse_primary()
            self.check_values(left_info, self.last, offset)
            test = _membership(value, left, lkind, right, rkind, offset)
            label = self.label_of(left)
            if value == "in" and label and isinstance(right, _Const):
                self.tested(test, Test(label, left, "in", as_set(right.value)))
            elif value == "overlaps" and label and isinstance(right, _Const):
                self.tested(test, Test(label, left, "has", as_set(right.value)))
            elif value == "contains" and label and isinstance(right, _Const):
                self.tested(test, Test(label, left, "has", frozenset((right.value,))))
            elif value == "in" and isinstance(left, _Const) and (held := self.label_of(right)):
                self.tested(test, Test(held, right, "has", frozenset((left.value,))))
            return self.decide(test), "bool"
        if kind == "keyword" and value == "not" and self.tokens[self.index + 1][1] == "in":
            self.take()
            self.take()
            right, rkind = self.parse_primary()
            self.check_values(left_info, self.last, offset)
            test = self.decide(_not(_membership("in", left, lkind, right, rkind, offset)))
            if (label := self.label_of(left)) and isinstance(right, _Const):
                self.tested(test, Test(label, left, "not in", as_set(right.value)))
            return test, "bool"
        label = self.label_of(left)
        if label and lkind in ("bool", "any"):
            self.tested(left, Test(label, left, "truthy"))
        return left, lkind

    def check_values(self, left: tuple | None, right: tuple | None, offset: int) -> None:
        """Reject a comparison of a name with a word it can never take (a typo disables a risk)."""
        if not left or not right or {left[0], right[0]} != {"name", "const"}:
            return
        label = left[1] if left[0] == "name" else right[1]
        constant = right[1] if right[0] == "const" else left[1]
        allowed = self.scope.values.get(label)
        if not allowed:
            return
        words = constant if isinstance(constant, frozenset) else (constant,)
        for word in sorted(w for w in words if isinstance(w, str)):
            if word not in allowed:
                from threatmodel.errors import did_you_mean

                raise ExprError(
                    f"'{word}' is never a value of '{label}'{did_you_mean(word, allowed)}", offset
                )

    def parse_primary(self):
        fn, kind = self._primary()
        return fn, kind

    def _primary(self):
        self.last = None
        kind, value, offset = self.tok
        if kind == "number":
            self.take()
            return _const(value), "number"
        if kind == "string":
            self.take()
            self.last = ("const", value)
            return _const(value), "string"
        if kind == "keyword" and value in ("true", "false"):
            self.take()
            return _const(value == "true"), "bool"
        if kind == "keyword" and value in ("null", "none"):
            self.take()
            return _const(None), "null"
        if kind == "op" and value == "(":
            self.take()
            fn, inner = self.parse_or()
            self.expect("op", ")", "')'")
            return fn, inner
        if kind == "op" and value == "[":
            return self.parse_list()
        if kind == "name":
            return self.parse_name()
        raise ExprError(f"expected a value, found {self.describe()}", offset)

    def parse_list(self):
        offset = self.take()[2]
        items = []
        while not self.at("op", "]"):
            kind, value, item_offset = self.take()
            if kind not in ("string", "number") and not (
                kind == "keyword" and value in ("null", "none")
            ):
                raise ExprError("list items must be literal text or numbers", item_offset)
            items.append(None if kind == "keyword" else value)
            if not self.at("op", "]"):
                self.expect("op", ",", "',' or ']'")
        self.take()
        if len(items) > 500:
            raise ExprError("list literal has more than 500 items", offset)
        self.last = ("const", frozenset(items))
        return _const(frozenset(items)), "set"

    def parse_name(self):
        _, name, offset = self.take()
        if name.startswith("_"):
            raise ExprError(f"names starting with '_' are not allowed ('{name}')", offset)
        if self.at("op", "("):
            return self.parse_call(name, offset)
        if self.at("op", "."):
            self.take()
            if not self.at("name"):
                raise ExprError(f"expected an attribute name after '{name}.'", self.tok[2])
            _, attr, attr_offset = self.take()
            if attr.startswith("_"):
                raise ExprError(f"names starting with '_' are not allowed ('{attr}')", attr_offset)
            if self.at("op", "."):
                raise ExprError("only one level of '.' is allowed (e.g. source.type)", self.tok[2])
            if self.at("op", "("):
                raise ExprError(
                    f"'{name}.{attr}' cannot be called; only {', '.join(FUNCTIONS)} are functions",
                    self.tok[2],
                )
            table = self.scope.names.get(name)
            if table is None and name in self.scope.unavailable:
                raise ExprError(
                    f"'{name}.' cannot be used here: {self.scope.unavailable[name]}", offset
                )
            if table is None or name == "":
                from threatmodel.errors import did_you_mean

                prefixes = [p for p in self.scope.names if p]
                hint = did_you_mean(name, prefixes)
                if hint and name not in self.scope.names.get("", {}):
                    raise ExprError(f"unknown name '{name}'{hint}", offset)
                raise ExprError(
                    f"'{name}' has no attributes here"
                    + (f" (use {', '.join(p + '.' for p in prefixes)})" if prefixes else ""),
                    offset,
                )
            kind = self._lookup(table, attr, attr_offset, f"{name}.")
            label = f"{name}.{attr}"
            self.used.append(label)
            self.last = ("name", label)
            return self.leaf(_ref(name, attr, label), label), kind
        if self.at("op", "["):
            raise ExprError("subscripts are not part of the language", self.tok[2])
        if name in self.scope.names and name != "":
            raise ExprError(
                f"'{name}' is an element; name one of its attributes ({name}.type, ...)", offset
            )
        kind = self._lookup(self.scope.names.get("", {}), name, offset, "")
        self.used.append(name)
        self.last = ("name", name)
        return self.leaf(_name(name), name), kind

    def _lookup(self, table: Mapping[str, str], name: str, offset: int, prefix: str) -> str:
        if name not in table:
            from threatmodel.errors import did_you_mean

            if name in FUNCTIONS:
                raise ExprError(f"'{name}' is a function; call it as {name}(...)", offset)
            raise ExprError(f"unknown name '{prefix}{name}'{did_you_mean(name, table)}", offset)
        return table[name]

    def parse_call(self, name: str, offset: int):
        if name not in FUNCTIONS:
            from threatmodel.errors import did_you_mean

            raise ExprError(
                f"unknown function '{name}'{did_you_mean(name, FUNCTIONS)}; "
                f"the functions are {', '.join(FUNCTIONS)}",
                offset,
            )
        self.take()  # (
        arg_kind, result = FUNCTIONS[name]
        arg_offset = self.tok[2]
        if arg_kind == "set":
            arg, kind = self.parse_or()
            if kind not in ("set", "any"):
                raise ExprError(f"{name}() takes a list, not {_article(kind)}", arg_offset)
            self.expect("op", ")", "')'")
            return _count(arg), result
        token_kind, value, _ = self.take()
        if token_kind != "string":
            raise ExprError(f"{name}() takes one quoted word, e.g. {name}('...')", arg_offset)
        check = self.scope.literal_checks.get(arg_kind)
        problem = check(value) if check else None
        if problem:
            raise ExprError(f"{name}(): {problem}", arg_offset)
        self.expect("op", ")", "')' (these functions take one argument)")
        label = call_label(name, value)
        self.used.append(label)
        return self.leaf(_call(name, value, label), label), result


_COMPARE = ("==", "!=", "<", "<=", ">", ">=")


def _need_bool(kind: str, op: str, offset: int) -> None:
    if kind not in ("bool", "any"):
        hint = ""
        if kind == "number":
            hint = " (compare it, e.g. 'x > 0')"
        elif kind == "set":
            hint = " (use count(x) > 0 or 'value' in x)"
        elif kind == "string":
            hint = " (compare it, e.g. x == 'value')"
        raise ExprError(f"'{op}' needs true/false operands, not {_article(kind)}{hint}", offset)


def _check_compare(op: str, left: str, right: str, offset: int) -> None:
    kinds = {left, right} - {"any"}
    if op in ("==", "!="):
        if "set" in kinds and len(kinds) > 1:
            raise ExprError(
                f"cannot compare a list with {op}; use 'in', 'contains' or 'overlaps'", offset
            )
        return
    if kinds - {"number", "null"}:
        raise ExprError(
            f"'{op}' compares numbers, not {', '.join(_article(k) for k in sorted(kinds))}", offset
        )


# -- closures -------------------------------------------------------------------------


class _Const:
    """A literal: the same value on every subject (membership tests read it once)."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __call__(self, ctx: Any) -> Any:
        return self.value


def _const(value: Any):
    return _Const(value)


def _name(name: str):
    return lambda ctx: ctx.get(name)


def _ref(prefix: str, name: str, label: str):
    return lambda ctx: ctx.get_ref(prefix, name, label)


def call_label(function: str, argument: str) -> str:
    """How evidence and the memo of a subject's facts name a graph function's value."""
    return f"{function}({argument!r})"


def _call(function: str, argument: str, label: str):
    return lambda ctx: ctx.call(function, argument, label)


def _count(arg):
    def count(ctx):
        value = arg(ctx)
        if value is UNKNOWN:
            return UNKNOWN
        return len(value) if isinstance(value, (frozenset, tuple, list, set)) else 0

    return count


def _and(parts):
    """`a and b and c ...` as one closure, giving what the nested pairs `(a and b) and c`
    give, in the same order of reading: false as soon as a part is false or null."""
    first, rest = parts[0], tuple(parts[1:])

    def every(ctx):
        a = first(ctx)
        for part in rest:
            if a is False or a is None:  # null reads as false
                return False
            b = part(ctx)
            if b is False or b is None:
                return False
            a = UNKNOWN if a is UNKNOWN or b is UNKNOWN else bool(a) and bool(b)
        return a

    return every


def _or(parts):
    """`a or b or c ...` as one closure, giving what the nested pairs `(a or b) or c` give:
    true as soon as a part is true."""
    first, rest = parts[0], tuple(parts[1:])

    def some(ctx):
        a = first(ctx)
        for part in rest:
            if a is True:
                return True
            b = part(ctx)
            if b is True:
                return True
            a = UNKNOWN if a is UNKNOWN or b is UNKNOWN else bool(a) or bool(b)
        return a

    return some


def _not(operand):
    def negate(ctx):
        value = operand(ctx)
        if value is UNKNOWN:
            return UNKNOWN
        return not value

    return negate


def _ordered(op: str):
    compare = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }[op]

    def check(a, b):
        if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
            return False
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
            return False
        return compare(a, b)

    return check


_ORDERED = {op: _ordered(op) for op in ("<", "<=", ">", ">=")}


def _equal(a: Any, b: Any) -> bool:
    """Equality in which true is not 1 and false is not 0."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _compare(op: str, left, right):
    if op in ("==", "!=") and isinstance(right, _Const):
        return _equals_literal(left, right.value, op == "==")
    if op in ("==", "!=") and isinstance(left, _Const):
        return _equals_literal(right, left.value, op == "==")
    if op == "==":
        test = _equal
    elif op == "!=":

        def test(a, b):
            return not _equal(a, b)
    else:
        test = _ordered(op)

    def comparison(ctx):
        a = left(ctx)
        if a is UNKNOWN:
            return UNKNOWN
        b = right(ctx)
        if b is UNKNOWN:
            return UNKNOWN
        return test(a, b)

    return comparison


def _equals_literal(read, literal: Any, equal: bool):
    """`x == literal` (or `!=` when not `equal`): what `_compare` gives, with the literal's
    half of `_equal` worked out once."""
    literal_is_bool = isinstance(literal, bool)

    def equals_literal(ctx):
        value = read(ctx)
        if value is UNKNOWN:
            return UNKNOWN
        same = value == literal and isinstance(value, bool) == literal_is_bool
        return same if equal else not same

    return equals_literal


def as_set(value: Any) -> frozenset:
    if isinstance(value, frozenset):
        return value
    if isinstance(value, (tuple, list, set)):
        return frozenset(value)
    return frozenset() if value is None else frozenset((value,))


def _membership(op: str, left, lkind: str, right, rkind: str, offset: int):
    if op == "in":
        if rkind not in ("set", "any"):
            raise ExprError(f"'in' needs a list on its right, not {_article(rkind)}", offset)
        if lkind == "set":
            raise ExprError("'in' tests one value; to compare two lists use 'overlaps'", offset)
        return _in(left, right)
    if op == "contains":
        if lkind not in ("set", "any"):
            raise ExprError(f"'contains' needs a list on its left, not {_article(lkind)}", offset)
        if rkind == "set":
            raise ExprError(
                "'contains' tests one value; to compare two lists use 'overlaps'", offset
            )
        return _in(right, left)
    if lkind not in ("set", "any") or rkind not in ("set", "any"):
        raise ExprError("'overlaps' needs a list on both sides", offset)
    return _overlaps(left, right)


def _in(item, collection):
    if isinstance(collection, _Const):
        members = as_set(collection.value)

        def member_of_literal(ctx):
            value = item(ctx)
            if value is UNKNOWN:
                return UNKNOWN
            return value in members

        return member_of_literal

    def member(ctx):
        coll = collection(ctx)
        if coll is UNKNOWN:
            return UNKNOWN
        value = item(ctx)
        if value is UNKNOWN:
            return UNKNOWN
        return value in as_set(coll)

    return member


def _overlaps(left, right):
    if isinstance(right, _Const):
        members = as_set(right.value)

        def overlaps_literal(ctx):
            a = left(ctx)
            if a is UNKNOWN:
                return UNKNOWN
            return not members.isdisjoint(as_set(a))

        return overlaps_literal

    def overlap(ctx):
        a = left(ctx)
        if a is UNKNOWN:
            return UNKNOWN
        b = right(ctx)
        if b is UNKNOWN:
            return UNKNOWN
        return bool(as_set(a) & as_set(b))

    return overlap
