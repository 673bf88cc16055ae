"""The condition language: operators, three-valued logic, and refusal of anything eval-like."""

from __future__ import annotations

import pytest

from threatmodel.expr import UNKNOWN, ExprError, Scope, compile_condition

SCOPE = Scope(
    names={
        "": {
            "flag": "bool",
            "other": "bool",
            "n": "number",
            "tags": "set",
            "word": "string",
            "type": "string",
        },
        "source": {"type": "string", "vetted": "bool"},
        "model": {"decision_domains": "set"},
    },
    literal_checks={
        "boundary_kind": lambda w: (
            None if w in ("organisation", "jurisdiction") else f"unknown boundary kind '{w}'"
        ),
        "element_type": lambda w: None,
    },
    values={"type": ("scoring", "matching"), "source.type": ("lender", "merchant")},
)


class Ctx:
    """A stand-in evaluation context: names map to values, anything absent is UNKNOWN."""

    def __init__(self, **values):
        self.values = values
        self.calls = []

    def get(self, name):
        return self.values.get(name, UNKNOWN)

    def get_ref(self, prefix, name, label):
        assert label == f"{prefix}.{name}"
        return self.values.get(label, UNKNOWN)

    def call(self, function, argument, label):
        self.calls.append(label)
        return self.values.get(label, UNKNOWN)


def run(text: str, **values):
    return compile_condition(text, SCOPE).evaluate(Ctx(**values))


class TestOperators:
    @pytest.mark.parametrize(
        "text, values, expected",
        [
            ("flag and n >= 1_000_000", {"flag": True, "n": 2_000_000}, True),
            ("flag and n >= 1_000_000", {"flag": True, "n": 999_999}, False),
            ("n > 2.5", {"n": 3}, True),
            ("n == null", {"n": None}, True),
            ("n != null", {"n": None}, False),
            ("n > 10", {"n": None}, False),
            ("word == 'x'", {"word": "x"}, True),
            ('word == "x"', {"word": "y"}, False),
            ("flag == 1", {"flag": True}, False),
            ("'a' in tags", {"tags": frozenset({"a", "b"})}, True),
            ("'c' not in tags", {"tags": frozenset({"a"})}, True),
            ("tags contains 'b'", {"tags": frozenset({"a", "b"})}, True),
            ("tags overlaps ['x', 'a']", {"tags": frozenset({"a"})}, True),
            ("tags overlaps ['x']", {"tags": frozenset({"a"})}, False),
            ("type in ['scoring', 'matching']", {"type": "matching"}, True),
            ("count(tags) >= 2", {"tags": frozenset({"a", "b"})}, True),
            (
                "count(model.decision_domains) == 3",
                {"model.decision_domains": frozenset("abc")},
                True,
            ),
            (
                "source.type == 'lender' and not source.vetted",
                {"source.type": "lender", "source.vetted": False},
                True,
            ),
            ("crosses('organisation')", {"crosses('organisation')": True}, True),
            ("not (flag or other)", {"flag": False, "other": False}, True),
        ],
    )
    def test_operators(self, text, values, expected):
        """Each operator gives the expected result on known values."""
        assert run(text, **values) is expected


class TestThreeValuedLogic:
    @pytest.mark.parametrize(
        "text, values, expected",
        [
            ("flag", {}, UNKNOWN),
            ("not flag", {}, UNKNOWN),
            ("flag and other", {"other": False}, False),
            ("flag and other", {"other": True}, UNKNOWN),
            ("flag or other", {"other": True}, True),
            ("flag or other", {"other": False}, UNKNOWN),
            ("n > 3", {}, UNKNOWN),
            ("'a' in tags", {}, UNKNOWN),
            ("count(tags) > 0", {}, UNKNOWN),
            ("word == 'x' or flag", {"word": "x"}, True),
        ],
    )
    def test_kleene_logic(self, text, values, expected):
        """Missing attributes are unknown, and unknown propagates as in Kleene's logic."""
        assert run(text, **values) is expected

    def test_false_short_circuits_before_unknown_calls(self):
        """'false and ...' does not evaluate its right side."""
        ctx = Ctx(flag=False)
        assert compile_condition("flag and crosses('jurisdiction')", SCOPE).evaluate(ctx) is False
        assert ctx.calls == []


class TestRefusals:
    @pytest.mark.parametrize(
        "text, offset, message",
        [
            ("__class__", 0, "names starting with '_' are not allowed ('__class__')"),
            ("flag.__class__", 5, "names starting with '_' are not allowed ('__class__')"),
            ("word.upper", 0, "'word' has no attributes here (use source., model.)"),
            ("source.__globals__", 7, "names starting with '_' are not allowed ('__globals__')"),
            (
                "eval('1')",
                0,
                "unknown function 'eval'; the functions are count, crosses, reaches, fed_by",
            ),
            ("__import__('os')", 0, "names starting with '_' are not allowed ('__import__')"),
            (
                "open('/etc/passwd')",
                0,
                "unknown function 'open'; the functions are count, crosses, reaches, fed_by",
            ),
            (
                "source.type()",
                11,
                "'source.type' cannot be called; only count, crosses, reaches, fed_by "
                "are functions",
            ),
            ("tags[0]", 4, "subscripts are not part of the language"),
            ("lambda: 1", 6, "unexpected character ':'"),
            ("n + 1 > 2", 2, "unexpected character '+' (arithmetic is not part of the language)"),
            ("flag = true", 5, "unexpected character '=' (use '==' to compare)"),
            ("flag && other", 5, "unexpected character '&' (use 'and', 'or', 'not')"),
            ("flag and", 8, "expected a value, found end of condition"),
            ("(flag", 5, "expected ')', found end of condition"),
            ("flag other", 5, "unexpected 'other' (missing 'and'/'or'?)"),
            ("flg", 0, "unknown name 'flg' (did you mean 'flag'?)"),
            ("sorce.type == 'x'", 0, "unknown name 'sorce' (did you mean 'source'?)"),
            ("source.typ == 'x'", 7, "unknown name 'source.typ' (did you mean 'type'?)"),
            ("source.type.x == 1", 11, "only one level of '.' is allowed (e.g. source.type)"),
            ("n", 0, "a condition must be true or false, but this is a number"),
            (
                "n and flag",
                2,
                "'and' needs true/false operands, not a number (compare it, e.g. 'x > 0')",
            ),
            (
                "tags and flag",
                5,
                "'and' needs true/false operands, not a list (use count(x) > 0 or 'value' in x)",
            ),
            ("word > 3", 5, "'>' compares numbers, not a number, text"),
            ("count(n) > 1", 6, "count() takes a list, not a number"),
            ("crosses(word)", 8, "crosses() takes one quoted word, e.g. crosses('...')"),
            ("crosses('planet')", 8, "crosses(): unknown boundary kind 'planet'"),
            (
                "type == 'scorng'",
                5,
                "'scorng' is never a value of 'type' (did you mean 'scoring'?)",
            ),
            (
                "source.type in ['lender', 'lendr']",
                12,
                "'lendr' is never a value of 'source.type' (did you mean 'lender'?)",
            ),
            ("'1' + '1'", 4, "unexpected character '+' (arithmetic is not part of the language)"),
            ("", 0, "condition is empty"),
        ],
    )
    def test_rejected_with_offset(self, text, offset, message):
        """Anything outside the language is a compile error with its offset and a clear message."""
        with pytest.raises(ExprError) as excinfo:
            compile_condition(text, SCOPE)
        assert (excinfo.value.offset, excinfo.value.message) == (offset, message)

    def test_deep_nesting_is_refused(self):
        """Pathological nesting is refused instead of exhausting the stack."""
        with pytest.raises(ExprError) as excinfo:
            compile_condition("(" * 500 + "flag" + ")" * 500, SCOPE)
        assert "nested deeper than" in excinfo.value.message

    def test_compiled_condition_is_closures_not_code(self):
        """The compiled condition holds a Python closure, never source text handed to eval."""
        condition = compile_condition("flag and n > 1", SCOPE)
        assert callable(condition.fn) and condition.fn.__code__.co_name == "every"
        assert condition.names == ("flag", "n")
        bare = compile_condition("flag", SCOPE)  # a bare name is read as true or false
        assert bare.fn.__code__.co_name == "outcome"


class TestRequirements:
    """The tests a condition cannot be true without, which the engine indexes risks by."""

    @pytest.mark.parametrize(
        "text, among, meets",
        [
            ("type in ['scoring'] and flag", frozenset({"scoring"}), None),
            ("type == 'scoring'", frozenset({"scoring"}), None),
            ("tags contains 'a' and flag", None, frozenset({"a"})),
            ("'a' in tags", None, frozenset({"a"})),
            ("tags overlaps ['a', 'b']", None, frozenset({"a", "b"})),
        ],
    )
    def test_a_value_test_is_a_requirement(self, text, among, meets):
        first = compile_condition(text, SCOPE).requires[0]
        assert (first.among, first.meets) == (among, meets)

    @pytest.mark.parametrize(
        "text, value, admitted",
        [
            ("tags contains 'a'", frozenset({"a", "b"}), True),
            ("tags contains 'a'", frozenset({"b"}), False),
            ("tags contains 'a'", frozenset(), False),
            ("tags contains 'a'", None, False),
            ("tags contains 'a'", UNKNOWN, False),
            ("'a' in tags", frozenset({"a"}), True),
            ("tags overlaps ['a', 'b']", frozenset({"b", "c"}), True),
            ("tags overlaps ['a', 'b']", frozenset({"c"}), False),
        ],
    )
    def test_a_requirement_admits_what_its_condition_needs(self, text, value, admitted):
        """Admitted exactly where the test can be true: where it is false or unknown, the
        risk is out of scope and need not be probed."""
        condition = compile_condition(text, SCOPE)
        (requirement,) = condition.requires
        assert requirement.admits(value) is admitted
        assert (condition.evaluate(Ctx(tags=value)) is True) is admitted

    def test_an_alternative_or_a_negation_is_no_requirement(self):
        for text in ("tags contains 'a' or flag", "not (tags contains 'a')", "'a' not in tags"):
            assert compile_condition(text, SCOPE).requires == (), text
