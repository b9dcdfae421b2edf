"""The region-recursive protocol: sealed simultaneous rounds, validation, recursion, thresholds,
the leaf rule and the deadline."""

from __future__ import annotations

import asyncio
import json
from itertools import pairwise

import pytest

from arena.actions import Accept, Offer, ProposeRegion, Reject, WalkAway
from arena.agents.base import Reply
from arena.agents.scripted.regions import RegionAgent, levels_needed
from arena.game import load_game
from arena.generators_nonlinear import nonlinear_template
from arena.parsing.result import Parsed
from arena.protocols import get_protocol
from arena.referee import Referee
from arena.runner import run_session
from arena.transcript import AgentConfig


def game(n: int = 2, rounds: int = 10, integer: bool = False, **public: float):
    spec = nonlinear_template("linear", n, max_rounds=rounds, integer=integer)
    if public:
        spec = spec.model_copy(update={"public": {"region_protocol": public}})
    return load_game(spec, seed=0)


def box(lo: float, hi: float, n: int = 2) -> ProposeRegion:
    names = ["price", "quantity", "delivery", "warranty"][:n]
    return ProposeRegion(region={k: [lo, hi] for k in names})


def test_proposals_are_validated_against_the_current_space_and_the_size_cap() -> None:
    g = game()
    p = get_protocol(g)
    ref = Referee(g, p)
    s = p.initial_state()

    def code(action, role="buyer"):
        v = ref.judge(s, role, Parsed(action=action, method="structured"))
        return None if v.ok else v.code

    assert code(box(10, 40)) is None
    assert code(ProposeRegion(region={"price": [10, 40]})) == "missing_issue"
    assert code(ProposeRegion(region={"price": [10, 40], "quantity": [1, 2], "colour": [1, 2]})) == "unknown_issue"
    assert code(ProposeRegion(region={"price": [10, 40], "quantity": ["lots", 2]})) == "wrong_type"
    assert code(ProposeRegion(region={"price": [10, 40], "quantity": [1, 2, 3]})) == "wrong_type"
    assert code(box(40, 10)) == "out_of_range"                 # runs backwards
    assert code(box(-5, 10)) == "out_of_range"                 # outside the space
    assert code(box(10, 70)) == "region_too_large"             # 60 wide: the cap is 50 at first
    assert code(Offer(bundle={"price": 5, "quantity": 5})) is None
    assert code(Offer(bundle={"price": 500, "quantity": 5})) == "out_of_range"
    assert code(Accept()) == code(Reject()) == "no_standing_offer"
    assert code(box(10, 40), role="seller") == "not_your_turn"
    integer = game(integer=True)
    ip = get_protocol(integer)
    assert ip.check(ip.initial_state(), "buyer", box(10.5, 20)).code == "wrong_type"


def test_overlap_recursion_narrows_the_space_and_the_cap_follows_it() -> None:
    g = game()
    p = get_protocol(g)
    s = p.apply(p.initial_state(), "buyer", box(10, 50))
    assert s.sealed and s.to_move == "seller" and p.view(s, "seller")["standing"] is None
    s = p.apply(s, "seller", box(30, 70))
    assert not s.sealed and s.round == 1 and not s.ended
    assert p.current(s) == {"price": (30.0, 50.0), "quantity": (30.0, 50.0)}
    view = p.view(s, "buyer")
    assert view["depth"] == 1 and view["last"]["event"] == "the proposals overlap"
    assert view["max_width"]["price"] == pytest.approx(20.0 * p.size_fraction(2))
    assert p.check(s, "buyer", box(10, 40)).code == "out_of_range"  # the old space is gone


def test_accepting_adopts_the_standing_region_and_precedence_breaks_double_acceptance() -> None:
    g = game()
    p = get_protocol(g)
    s = p.apply(p.apply(p.initial_state(), "buyer", box(0, 20)), "seller", box(60, 80))
    assert p.standing(s) == {"buyer": {"price": (0.0, 20.0), "quantity": (0.0, 20.0)},
                             "seller": {"price": (60.0, 80.0), "quantity": (60.0, 80.0)}}
    assert "accept" in p.legal_kinds(s, "buyer") and "reject" in p.legal_kinds(s, "buyer")
    one = p.apply(p.apply(s, "buyer", Accept()), "seller", box(0, 10))
    assert p.current(one)["price"] == (60.0, 80.0) and p.view(one, "buyer")["standing"] is None
    both = p.apply(p.apply(s, "buyer", Accept()), "seller", Accept())  # round 2: the second role has precedence
    assert p.current(both)["price"] == (0.0, 20.0)
    kept = p.apply(p.apply(s, "buyer", Reject()), "seller", box(25, 45))
    assert p.standing(kept)["buyer"]["price"] == (0.0, 20.0)  # a rejection keeps one's own proposal


def test_a_point_or_a_leaf_sized_space_ends_in_agreement() -> None:
    g = game()
    p = get_protocol(g)
    point = {"price": 12.5, "quantity": 40.0}
    s = p.apply(p.apply(p.initial_state(), "buyer", Offer(bundle=point)), "seller", box(10, 50))
    assert s.ended and s.outcome == "agreement" and s.agreement == point and s.agreement_round == 1
    s = p.apply(p.apply(p.initial_state(), "buyer", box(10, 10.5)), "seller", box(10.2, 40))
    assert s.ended and s.agreement == {"price": 10.35, "quantity": 10.35}


def test_deadline_and_walk_away_end_in_disagreement() -> None:
    g = game(rounds=3)
    p = get_protocol(g)
    s = p.initial_state()
    for _ in range(3):
        s = p.apply(p.apply(s, "buyer", box(0, 10)), "seller", box(80, 90))
    assert s.ended and s.outcome == "disagreement" and s.reason == "deadline" and s.round == 3
    w = p.apply(p.apply(p.initial_state(), "buyer", box(0, 10)), "seller", WalkAway())
    assert w.ended and w.reason == "seller walked away"
    first = p.apply(p.initial_state(), "buyer", WalkAway())
    assert first.ended and not first.sealed


def test_region_sizes_and_agent_thresholds_decay_over_time() -> None:
    p = get_protocol(game(rounds=20, size_max=0.6, size_min=0.1, size_decay=4.0))
    sizes = [p.size_fraction(k) for k in range(1, 21)]
    assert sizes[0] == pytest.approx(0.6) and all(a > b for a, b in pairwise(sizes))
    assert sizes[-1] == pytest.approx(0.1 + 0.5 * 2.718281828 ** -4.0)
    agent = RegionAgent()
    ths = [agent.thresholds(t / 10) for t in range(11)]
    assert all(a[0] > b[0] and a[1] > b[1] for a, b in pairwise(ths))
    assert [agent.level(t / 10, 1.0, 0.0) for t in (0, 5, 10)] == pytest.approx([1.0, 0.5, 0.0])
    view = {"size_fraction": 0.5, "space": {"price": [0, 8]}, "leaf": {"price": 1.0}}
    assert levels_needed(view) == 3


class Seat:
    """A test seat that says a fixed sequence of structured moves and records what it saw."""

    def __init__(self, moves: list[dict]) -> None:
        self.moves, self.seen = list(moves), []
        self.config = AgentConfig(name="seat")

    async def act(self, obs):
        self.seen.append(obs)
        return Reply(text="```json\n" + json.dumps(self.moves.pop(0)) + "\n```")


def test_the_runner_reveals_sealed_moves_only_when_the_round_resolves() -> None:
    g = game(rounds=2)
    region = {"action": "propose_region", "region": {"price": [0, 10], "quantity": [0, 10]}}
    other = {"action": "propose_region", "region": {"price": [60, 70], "quantity": [60, 70]}}
    buyer, seller = Seat([region, {"action": "accept"}]), Seat([other, other])
    t = asyncio.run(run_session(g, {"buyer": buyer, "seller": seller}, seed=0))
    first_look = seller.seen[0]
    assert first_look.history == [] and first_look.protocol_view["standing"] is None  # the buyer's move is sealed
    assert [m.role for m in buyer.seen[1].history] == ["buyer", "seller"]
    assert buyer.seen[1].protocol_view["standing"]["price"] == [60.0, 70.0]
    assert t.end.outcome == "disagreement" and t.end.reason == "deadline" and t.end.rounds == 2
    kinds = [e.result.action.kind for e in t.of_kind("parsed")]
    assert kinds == ["propose_region", "propose_region", "accept", "propose_region"]


def test_the_protocol_refuses_discrete_issues() -> None:
    from arena.game import GameError, GameSpec, RoleSpec
    from arena.utility import LinearAdditiveSpec

    spec = GameSpec(name="disc", issues=[{"name": "terms", "type": "discrete", "values": ["a", "b"]}],
                    roles=[RoleSpec(name="a", utility=LinearAdditiveSpec(values={})),
                           RoleSpec(name="b", utility=LinearAdditiveSpec(values={}))],
                    protocol={"type": "region-recursive"})
    with pytest.raises(GameError, match="numeric issues"):
        get_protocol(load_game(spec))
