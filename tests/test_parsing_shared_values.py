"""Values that several issues share (every ANL domain's issues take valueA..valueE; an Energy
domain's issues all take "0 kW".."100 kW"): the issue named beside a value decides which it is."""

from __future__ import annotations

import pytest

from arena.game import Game, GameSpec
from arena.parsing import ParseContext, parse
from arena.runner import run_match

VALUES = ["valueA", "valueB", "valueC"]


def _game() -> Game:
    issues = [{"name": n, "type": "discrete", "values": VALUES} for n in ("issueA", "issueB", "issueC")]
    table = {"type": "table", "scores": {"valueA": 1.0, "valueB": 0.5, "valueC": 0.0}}
    flipped = {"type": "table", "scores": {"valueA": 0.0, "valueB": 0.5, "valueC": 1.0}}
    roles = [{"name": name, "utility": {"type": "linear-additive", "weights": {"issueA": 1, "issueB": 2, "issueC": 3},
                                        "values": {i["name"]: t for i in issues}}}
             for name, t in (("a", table), ("b", flipped))]
    return Game(GameSpec.model_validate({"name": "shared", "narrative": "A test.", "issues": issues, "roles": roles}))


@pytest.mark.parametrize("text", [
    "issueA: valueB, issueB: valueC, issueC: valueA",
    "issueA of valueB, issueB of valueC and issueC of valueA",
    "valueB issueA, valueC issueB and valueA issueC",
    "I propose issueA: valueB issueB: valueC issueC: valueA.",
    "How about issueC at valueA, issueA at valueB and issueB at valueC?",
])
def test_the_issue_named_beside_a_shared_value_owns_it(text: str) -> None:
    r = parse(text, ParseContext(_game(), "a"))
    assert r.ok and r.action.kind == "offer", r
    assert r.action.bundle == {"issueA": "valueB", "issueB": "valueC", "issueC": "valueA"}


def test_a_shared_value_with_no_issue_beside_it_is_not_guessed() -> None:
    r = parse("issueA: valueB, issueB: valueC, and valueA", ParseContext(_game(), "a"))
    assert not (r.ok and r.action.kind == "offer" and "issueC" in r.action.bundle)


def test_scripted_negotiators_reach_a_deal_over_shared_values() -> None:
    t = run_match(_game(), "boulware", "conceder", seed=1)
    assert t.end.outcome == "agreement"
    assert not [v for v in t.of_kind("verdict") if not v.verdict.ok]
