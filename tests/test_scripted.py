"""The scripted negotiators reach the outcomes theory predicts, through their own words."""

import pytest

from arena.agents import AgentError, agent_names, make_agent, parse_agent_spec
from arena.runner import run_match
from evaluators import parser_accuracy

REQUIRED = {"boulware", "linear", "conceder", "tit-for-tat", "spe", "integrative", "anchor", "even-split", "random"}


def test_registry_names() -> None:
    assert REQUIRED <= set(agent_names())


def test_spe_split_the_pie_ends_in_round_one_at_the_rubinstein_share() -> None:
    t = run_match("split-the-pie", "spe", "spe", seed=0)
    assert t.end.outcome == "agreement" and t.end.agreement_round == 1
    assert t.end.agreement["share"] == pytest.approx(0.7143, abs=1e-4)
    assert t.end.utilities["buyer"] == pytest.approx((1 - 0.8) / (1 - 0.72), abs=1e-4)


@pytest.mark.parametrize("seed", range(5))
def test_integrative_traders_find_the_logrolling_deal(seed: int) -> None:
    t = run_match("logrolling", "integrative", "integrative", seed=seed)
    assert t.end.outcome == "agreement"
    assert t.end.utilities == {"alice": 75.0, "bob": 75.0}


def test_even_splitters_split_evenly() -> None:
    t = run_match("logrolling", "even-split", "even-split", seed=0)
    assert t.end.utilities == {"alice": 50.0, "bob": 50.0}


def test_boulware_concedes_less_than_conceder() -> None:
    """Against the same opponent, a Boulware seller ends with a higher price than a Conceder."""
    hard = [run_match("buyer-seller", "boulware", "linear", seed=s).end for s in range(5)]
    soft = [run_match("buyer-seller", "conceder", "linear", seed=s).end for s in range(5)]
    assert all(e.outcome == "agreement" for e in hard + soft)
    assert min(e.utilities["buyer"] for e in hard) > max(e.utilities["buyer"] for e in soft)


def test_anchor_first_offer_then_schedule() -> None:
    # the seller moves first in buyer-seller; --b seats the seller (the game's second role)
    t = run_match("buyer-seller", "boulware", "anchor(value=3900)", seed=0)
    first = t.of_kind("utterance")[0]
    assert first.role == "seller" and first.intended.bundle == {"price": 3900}
    control = run_match("buyer-seller", "boulware", "anchor", seed=0)
    anchored = [u.intended for u in t.of_kind("utterance") if u.role == "seller"]
    control_offers = [u.intended for u in control.of_kind("utterance") if u.role == "seller"]
    assert anchored[0] != control_offers[0]
    assert anchored[1] == control_offers[1]  # from the second move on, the same schedule


def test_scripted_moves_are_logged_and_read_back() -> None:
    t = run_match("supplier-contract", "linear", "tit-for-tat", seed=2)
    utterances = t.of_kind("utterance")
    assert utterances and all(u.intended is not None and len(u.prompts) == 1 for u in utterances)
    assert all(u.prompts[0].template.startswith("scripted/") and len(u.prompts[0].sha256) == 64 for u in utterances)
    acc = parser_accuracy([t])
    assert acc.moves == len(utterances) and acc.accuracy == 1.0


def test_bad_agent_specs() -> None:
    with pytest.raises(AgentError, match="boulware"):
        make_agent("no-such-agent")
    with pytest.raises(AgentError, match="arguments"):
        make_agent("linear(e=)")
    with pytest.raises(AgentError, match="bad arguments"):
        make_agent("linear(colour=1)")
    assert parse_agent_spec("anchor(value=2900, e=0.5)").args == {"value": 2900, "e": 0.5}


def test_spe_refuses_other_games() -> None:
    t = run_match("logrolling", "spe", "linear", seed=0)
    assert t.end.outcome == "error" and "pie" in t.end.reason
