"""Conformance suite: every shipped game with its protocol."""

import random

import pytest

from arena.actions import Accept, Offer, Reject, Say, WalkAway
from arena.game import available_games, load_game
from arena.parsing.result import Parsed, ParseFailure
from arena.protocols import get_protocol
from arena.referee import Referee
from arena.runner import run_match
from tests.conftest import strip_volatile

GAMES = sorted(available_games())


def _random_legal(game, protocol, state, rng):
    role = state.to_move
    sampler = getattr(protocol, "sample_move", None)  # a protocol may supply its own random legal moves
    if sampler is not None:
        return role, sampler(state, role, rng)
    kinds = protocol.legal_kinds(state, role)
    kind = rng.choice(kinds)
    if kind == "offer":
        X = game.space.enumerate()
        return role, Offer(bundle=game.space.from_row(X[rng.randrange(len(X))]))
    return role, {"accept": Accept(), "reject": Reject(), "walk_away": WalkAway(), "say": Say()}[kind]


@pytest.mark.parametrize("name", GAMES)
def test_random_legal_play_terminates_and_every_legal_move_is_ok(name: str) -> None:
    for seed in range(30):
        game = load_game(name, seed=seed)
        protocol = get_protocol(game)
        referee = Referee(game, protocol)
        rng = random.Random(seed)
        state = protocol.initial_state()
        steps = 0
        while not state.ended:
            role, action = _random_legal(game, protocol, state, rng)
            assert referee.judge(state, role, Parsed(action=action, method="structured")).ok
            state = protocol.apply(state, role, action)
            steps += 1
            assert steps <= 4 * game.spec.protocol.max_rounds + 4, "protocol does not terminate"
        assert state.outcome in ("agreement", "disagreement")
        if state.outcome == "agreement":
            assert game.space.problems(state.agreement) == []


@pytest.mark.parametrize("name", GAMES)
def test_illegal_moves_get_the_right_code(name: str) -> None:
    game = load_game(name, seed=0)
    protocol = get_protocol(game)
    ref = Referee(game, protocol)
    s = protocol.initial_state()
    first, second = game.first, game.other(game.first)
    good = game.space.from_row(game.space.enumerate()[0])

    def code(role, action):
        v = ref.judge(s, role, Parsed(action=action, method="structured"))
        return None if v.ok else v.code

    assert code(second, Offer(bundle=good)) == "not_your_turn"
    assert code(first, Accept()) == "no_standing_offer"
    assert code(first, Reject()) == "no_standing_offer"
    assert code(first, Offer(bundle={**good, "colour": "red"})) == "unknown_issue"
    missing = dict(good)
    missing.pop(game.space.names[0])
    assert code(first, Offer(bundle=missing)) == "missing_issue"
    issue = game.space.issues[0]
    high = getattr(issue, "max", None)
    if high is not None:
        assert code(first, Offer(bundle={**good, issue.name: high + 1})) == "out_of_range"
        assert code(first, Offer(bundle={**good, issue.name: "lots"})) == "wrong_type"
    failure = ParseFailure(code="no_move", reason="nothing")
    assert ref.judge(s, first, failure).code == "unparsable"
    assert code(first, Offer(bundle=good)) is None
    s = protocol.apply(s, first, Offer(bundle=good))
    assert code(first, Accept()) == "not_your_turn"
    if protocol.name == "region-recursive":
        # simultaneous rounds: the first offer is sealed, so there is nothing to accept yet; the
        # same contract from the other side overlaps it, and the round ends in agreement on it
        assert code(second, Accept()) == "no_standing_offer"
        assert code(second, Offer(bundle=good)) is None
        s = protocol.apply(s, second, Offer(bundle=good))
    else:
        assert code(second, Accept()) is None
        s = protocol.apply(s, second, Accept())
    assert s.ended and s.outcome == "agreement" and s.agreement == good
    assert code(first, Offer(bundle=good)) == "game_over"
    assert code(second, WalkAway()) == "game_over"


def test_alternating_offers_deadline() -> None:
    game = load_game("buyer-seller")
    protocol = get_protocol(game)
    ref = Referee(game, protocol)
    s = protocol.initial_state()
    roles = [game.first, game.other(game.first)]
    for k in range(game.spec.protocol.max_rounds):
        s = protocol.apply(s, roles[k % 2], Offer(bundle={"price": 2000 + k}))
    responder = s.to_move
    assert protocol.legal_kinds(s, responder) == ["accept", "reject", "walk_away"]
    v = ref.judge(s, responder, Parsed(action=Offer(bundle={"price": 2500}), method="prose"))
    assert v.code == "deadline"
    end = protocol.apply(s, responder, Reject())
    assert end.ended and end.outcome == "disagreement" and end.reason == "deadline"
    deal = protocol.apply(s, responder, Accept())
    assert deal.agreement_round == game.spec.protocol.max_rounds


def test_ultimatum_is_one_shot() -> None:
    game = load_game("ultimatum")
    protocol = get_protocol(game)
    s = protocol.initial_state()
    assert protocol.legal_kinds(s, "proposer") == ["offer", "walk_away"]
    s = protocol.apply(s, "proposer", Offer(bundle={"dollars": 60}))
    assert protocol.legal_kinds(s, "responder") == ["accept", "reject", "walk_away"]
    rejected = protocol.apply(s, "responder", Reject())
    assert rejected.ended and rejected.outcome == "disagreement"
    assert game.utilities(None) == {"proposer": 0.0, "responder": 0.0}


@pytest.mark.parametrize("name", GAMES)
def test_same_seed_same_transcript_and_sessions_end(name: str) -> None:
    for a, b in [("random", "random"), ("boulware", "tit-for-tat")]:
        t1 = run_match(name, a, b, seed=7)
        t2 = run_match(name, a, b, seed=7)
        assert strip_volatile(t1.to_jsonl()) == strip_volatile(t2.to_jsonl())
        assert t1.end is not None and t1.end.outcome in ("agreement", "disagreement", "forfeit")
    t3 = run_match(name, "random", "random", seed=8)
    assert strip_volatile(t3.to_jsonl()) != strip_volatile(run_match(name, "random", "random", seed=7).to_jsonl())
