"""Region agents reach agreements that the parser reads back; the trade-off agent; LLM seats
propose ranges in words."""

from __future__ import annotations

import numpy as np
import pytest

from arena.actions import Offer
from arena.agents.base import Message, Observation
from arena.agents.scripted.tradeoff import TradeOffAgent
from arena.game import load_game
from arena.generators_nonlinear import nonlinear_template
from arena.runner import run_match
from evaluators import score_session


@pytest.mark.parametrize("name", ["bell-4", "ces-3", "hypercube-4"])
def test_region_agents_agree_and_are_understood(name: str) -> None:
    agreed = 0
    for seed in range(3):
        t = run_match(name, "region", "region", seed=seed)
        rows = score_session(t)
        agreed += t.end.outcome == "agreement"
        assert all(r["parser_accuracy"] == 1.0 and r["violations"] == 0 for r in rows)
        assert any(e.result.action.kind == "propose_region" for e in t.of_kind("parsed"))
        if t.end.outcome == "agreement":
            assert t.game().space.problems(t.end.agreement) == []
    assert agreed == 3


def test_region_agent_with_integer_issues() -> None:
    g = load_game(nonlinear_template("hypercube", 2, integer=True, max_rounds=30), seed=3)
    t = run_match(g, "region", "region", seed=3)
    assert t.end.outcome == "agreement" and all(isinstance(v, int) for v in t.end.agreement.values())


def test_region_agent_plays_time_dependent_outside_region_protocols() -> None:
    t = run_match("buyer-seller", "region", "boulware", seed=0)
    assert t.end.outcome in ("agreement", "disagreement") and t.end.turns > 1


def test_trade_off_picks_the_most_similar_outcome_on_its_iso_utility_band() -> None:
    game = load_game(nonlinear_template("linear", 2, protocol="alternating-offers", integer=True), seed=0)
    agent = TradeOffAgent(seed=0, band=0.05)
    obs = Observation(game=game, role="buyer", utility=game.roles["buyer"].utility, reservation=0.0, discount=1.0,
                      brief="", legal=["offer"], round=3, max_rounds=10, turn=4, standing=None, standing_by=None,
                      history=[Message(turn=1, role="seller", text="", action=Offer(bundle={"price": 0, "quantity": 0}))])
    pick = agent.choose(obs, 0.6)
    u = game.roles["buyer"].utility
    X = game.space.enumerate()
    ux = u.evaluate(X)
    band = (ux >= 0.6 - 1e-9) & (ux <= ux[ux >= 0.6 - 1e-9].min() + 0.05 * (ux.max() - ux.min()))
    sim = TradeOffAgent.similarity(X[band], np.zeros(2), np.array([100.0, 100.0]))
    assert u(pick) >= 0.6 - 1e-9 and TradeOffAgent.similarity(game.space.to_row(pick)[None], np.zeros(2),
                                                               np.array([100.0, 100.0]))[0] == pytest.approx(sim.max())


def test_trade_off_agents_agree_in_alternating_offers() -> None:
    g = load_game(nonlinear_template("ces", 2, protocol="alternating-offers", max_rounds=40), seed=0)
    t = run_match(g, "trade-off", "trade-off", seed=0)
    assert t.end.outcome == "agreement" and score_session(t)[0]["pareto_distance"] < 0.1


def test_a_model_seat_proposes_ranges_in_words() -> None:
    from arena.loopback import LoopbackLLM
    from arena.transcript import AgentConfig

    replies = ["I propose a price between 10 and 40, quantity from 10 to 40, delivery 10 to 40 and warranty 10 to 40.",
               ('Narrower:\n```json\n{"action": "propose_region", "region": {"price": [20, 30], "quantity": [20, 30], '
                '"delivery": [20, 30], "warranty": [20, 30]}}\n```'),
               "I accept your proposal."]
    with LoopbackLLM(replies) as srv:
        seat = AgentConfig(name="llm", args={"model": "openai/loopback", "api_base": srv.url, "backoff": 0.01,
                                             "timeout": 5})
        t = run_match("bell-4", seat, "region", seed=0)
        first = srv.requests[0]["messages"]
    parsed = [e.result for e in t.of_kind("parsed") if e.role == "buyer"]
    assert parsed[0].method == "prose" and parsed[0].action.region["price"] == [10, 40]
    assert parsed[1].method == "structured" and parsed[1].action.region["warranty"] == [20, 30]
    assert parsed[2].action.kind == "accept"
    mine = [u for u in t.of_kind("utterance") if u.role == "buyer"]
    assert [p.template for p in mine[0].prompts] == ["llm/region_system.j2", "llm/region_turn.j2"]
    assert "propose_region" in first[0]["content"] and "Current negotiation space" in first[1]["content"]
