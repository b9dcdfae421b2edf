"""Ranges in text: prose and structured region proposals, read back from scripted speech."""

from __future__ import annotations

import random

import pytest

from arena.actions import Accept, ProposeRegion
from arena.agents.scripted.speech import region_move, speak
from arena.game import load_game
from arena.generators_nonlinear import nonlinear_template
from arena.parsing import ParseContext, Parsed, parse
from arena.parsing.ranges import find_ranges
from arena.prompting import render, template_names

GAME = load_game("bell-4", seed=1)
CTX = ParseContext(GAME, "buyer")


def region_of(text: str, ctx: ParseContext = CTX) -> dict | None:
    res = parse(text, ctx)
    assert isinstance(res, Parsed), res
    return res.action.region if isinstance(res.action, ProposeRegion) else None


@pytest.mark.parametrize(("text", "expected"), [
    ("I propose a price between 40 and 50, quantity from 20 to 30, a delivery of exactly 12 and warranty 60-70.",
     {"price": [40, 50], "quantity": [20, 30], "delivery": [12, 12], "warranty": [60, 70]}),
    ("price between 40 and 50 and a quantity from 20.5 to 30.25 and delivery [1, 2] and 3 to 4 for the warranty",
     {"price": [40, 50], "quantity": [20.5, 30.25], "delivery": [1, 2], "warranty": [3, 4]}),
    (("Your price between 40 and 50 is too high. Price between 10 and 20, quantity in the range 1-2, "
      "delivery anywhere from three to four, warranty fixed at 5."),
     {"price": [10, 20], "quantity": [1, 2], "delivery": [3, 4], "warranty": [5, 5]}),
    ("Not between 40 and 50 for price; price from 5 to 9 instead.", {"price": [5, 9]}),
])
def test_prose_ranges(text: str, expected: dict) -> None:
    assert region_of(text) == expected


def test_structured_regions() -> None:
    block = ('```json\n{"action": "propose_region", "region": {"Price": [40, 50], "quantity": {"min": 1, "max": 2}, '
             '"delivery": "3 to 4", "warranty": 7, "colour": [1, 2]}}\n```')
    assert region_of(block) == {"price": [40, 50], "quantity": [1, 2], "delivery": [3.0, 4.0], "warranty": [7, 7],
                                "colour": [1, 2]}  # unknown issues are kept for the referee
    offer_of_ranges = '<move>{"action": "offer", "bundle": {"price": [1, 2], "quantity": [3, 4]}}</move>'
    assert region_of(offer_of_ranges) == {"price": [1, 2], "quantity": [3, 4]}
    later = 'First {"action": "propose_region", "region": {"price": [1, 2]}} then ```json\n{"action": "accept"}\n```'
    assert parse(later, CTX).action == Accept()  # the last block wins


def test_points_and_moves_still_parse_as_before() -> None:
    point = parse("a price of 40, a quantity of 20, a delivery of 3 and a warranty of 5", CTX)
    assert point.action.kind == "offer" and point.action.bundle == {"price": 40, "quantity": 20, "delivery": 3,
                                                                    "warranty": 5}
    assert parse("I accept your proposal.", CTX).action.kind == "accept"
    assert parse("No deal, I'm walking away.", CTX).action.kind == "walk_away"
    # outside region games nothing changes: ranges are not read as regions
    plain = load_game(nonlinear_template("linear", 2, protocol="alternating-offers"), seed=0)
    res = parse("a price between 40 and 50, a quantity of 20", ParseContext(plain, "buyer"))
    assert res.ok and res.action.kind == "offer"


def test_find_ranges_needs_between_for_and() -> None:
    assert [(float(r.lo.value), float(r.hi.value)) for r in find_ranges("between 1 and 2, 3 to 4, 5-6, [7, 8]")] == \
        [(1, 2), (3, 4), (5, 6), (7, 8)]
    assert find_ranges("a price of 40 and a quantity of 50") == []


def test_scripted_region_speech_reads_back_exactly() -> None:
    templates = [n for n in template_names("scripted") if n.split("/")[-1].startswith("propose_region_")]
    assert len(templates) >= 3
    total = correct = 0
    for name, seed in [("bell-4", 0), ("ces-3", 1), ("hypercube-4", 2)]:
        g = load_game(name, seed=seed)
        integer = load_game(nonlinear_template("hypercube", 2, integer=True), seed=seed)
        for gg in (g, integer):
            rng = random.Random(seed)
            for k in range(120):
                region = {}
                for issue in gg.space.issues:
                    a = rng.uniform(issue.min, issue.max)
                    b = a if rng.random() < 0.2 else rng.uniform(a, issue.max)
                    region[issue.name] = [a, b]
                action = region_move(gg, region)  # all single values: the contract itself
                speaker = gg.role_names[k % 2]
                text = speak(action, gg, speaker, rng, opening=k % 3 == 0).text
                res = parse(text, ParseContext(gg, speaker))
                total += 1
                correct += isinstance(res, Parsed) and res.action == action
    assert correct / total >= 0.99


def test_region_accept_templates_read_as_acceptance() -> None:
    names = [n for n in template_names("scripted") if n.split("/")[-1].startswith("region_accept_")]
    assert names
    for name in names:
        assert parse(render(name).text, CTX).action.kind == "accept"
    assert parse(speak(Accept(), GAME, "buyer", random.Random(0)).text, CTX).action.kind == "accept"


def test_malformed_ranges_reach_the_referee_as_wrong_types() -> None:
    from arena.protocols import get_protocol
    from arena.referee import Referee

    text = '{"action": "propose_region", "region": {"price": [[1, 2], {"a": 1}], "quantity": null, ' \
           '"delivery": true, "warranty": "lots"}}'
    res = parse(text, CTX)
    assert isinstance(res, Parsed) and res.action.kind == "propose_region"
    protocol = get_protocol(GAME)
    assert Referee(GAME, protocol).judge(protocol.initial_state(), "buyer", res).code == "wrong_type"
