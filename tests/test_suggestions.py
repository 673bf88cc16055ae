"""Issue 17.3: "did you mean" in bounded time, and messages capped per kind with the count kept."""

from __future__ import annotations

import difflib

from threatmodel import errors
from threatmodel.errors import MAX_PER_KIND, Position, Problem, did_you_mean, problem_lines


def test_a_large_collection_is_compared_through_a_short_list(monkeypatch):
    """With 20,000 choices, difflib sees at most a short list for each word, and the
    suggestion is still the close one."""
    ids = [f"element-{n:05d}" for n in range(20_000)]
    seen: list[int] = []
    real = difflib.get_close_matches

    def counting(word, candidates, *args, **kwargs):
        seen.append(len(candidates))
        return real(word, candidates, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    assert did_you_mean("elemnt-01234", ids) == " (did you mean 'element-01234'?)"
    assert did_you_mean("elemnet-01234", ids) == " (did you mean 'element-01234'?)"
    assert did_you_mean("zzzz", ids) == ""
    assert max(seen) <= errors._SHORTLIST


def test_a_small_collection_is_compared_whole():
    assert did_you_mean("datastor", ["actor", "process", "datastore"]) == (
        " (did you mean 'datastore'?)"
    )
    assert did_you_mean("x" * 1_000_000, ["x"]) == ""  # a long word is cut, not compared whole


def test_the_index_of_a_collection_is_built_once(monkeypatch):
    ids = [f"e{n}" for n in range(5_000)]
    built = []
    real = errors._Index.__init__

    def init(self, *args):
        built.append(1)
        real(self, *args)

    monkeypatch.setattr(errors._Index, "__init__", init)
    for n in range(100):
        did_you_mean(f"e{n}x", ids)
    assert len(built) == 1


def test_messages_are_capped_per_kind_and_the_rest_counted():
    problems = [
        Problem(message=f"flow 'f{n}': unknown element 'x{n}'", pos=Position(file="m.yaml", line=n))
        for n in range(1, 2_001)
    ] + [Problem(message="another kind", pos=Position(file="m.yaml"))]
    lines = problem_lines(problems)
    assert len(lines) == MAX_PER_KIND + 2
    assert lines[0] == "m.yaml:1:0: flow 'f1': unknown element 'x1'"
    assert "another kind" in lines[MAX_PER_KIND]
    assert lines[-1] == "... and 1,980 more errors like 'flow 'f1': unknown element 'x1''"
