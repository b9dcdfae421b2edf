"""Evaluators: the Pareto frontier, bargaining solutions, session metrics and frames.

Expected values are computed by hand in the comments. Logrolling: alice gets ``b, d, s`` units of
budget, deadline and scope, u_alice = b + 6d + 3s, u_bob = 6(10-b) + (10-d) + 3(10-s).
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arena.actions import Accept, Offer
from arena.game import Game, load_game, parse_spec
from arena.parsing.result import Parsed, ParseFailure
from arena.transcript import (
    AgentConfig,
    ParsedEvent,
    SessionEnd,
    SessionStart,
    StateEvent,
    Transcript,
    Usage,
    Utterance,
    VerdictEvent,
    read_transcript,
)
from arena.verdicts import Ok, Violation
from evaluators import (
    aggregate,
    bargaining_solutions,
    bootstrap_ci,
    clear_cache,
    frame,
    is_pareto_optimal,
    pareto_distance,
    pareto_frontier,
    pareto_indices,
    rubinstein_share,
    score_outcome,
    score_session,
    summary,
)


# ---------------------------------------------------------------------- helpers
def table_game(utilities: dict[str, tuple[float, float]], reservation=(0.0, 0.0)) -> Game:
    """One discrete issue ``option``; each value has an explicit (first, second) utility."""
    values = list(utilities)
    spec = {
        "name": "table-test",
        "issues": [{"name": "option", "type": "discrete", "values": values}],
        "roles": [
            {"name": "first", "reservation": reservation[0], "utility": {
                "type": "table", "entries": [{"bundle": {"option": v}, "value": u[0]} for v, u in utilities.items()]}},
            {"name": "second", "reservation": reservation[1], "utility": {
                "type": "table", "entries": [{"bundle": {"option": v}, "value": u[1]} for v, u in utilities.items()]}},
        ],
    }
    return Game(parse_spec(spec))


def random_game(sizes: list[int], seed: int, table_entries: int = 0) -> Game:
    """Integer issues with random per-value scores (linear-additive) for the first role and,
    with ``table_entries``, a non-additive table utility (random entries) for the second."""
    rng = np.random.default_rng(seed)
    issues = [{"name": f"i{k}", "type": "integer", "min": 0, "max": n - 1} for k, n in enumerate(sizes)]

    def additive() -> dict:
        return {"type": "linear-additive", "values": {
            f"i{k}": {"type": "table", "scores": {str(v): float(rng.integers(0, 1000)) for v in range(n)}}
            for k, n in enumerate(sizes)}}

    if table_entries:
        cells = rng.integers(0, sizes, size=(table_entries, len(sizes)))
        second = {"type": "table", "default": 0.0, "entries": [
            {"bundle": {f"i{k}": int(c[k]) for k in range(len(sizes))}, "value": float(rng.integers(1, 5000))}
            for c in cells]}
    else:
        second = additive()
    spec = {"name": f"random-{seed}", "issues": issues,
            "roles": [{"name": "a", "utility": additive()}, {"name": "b", "utility": second}]}
    return Game(parse_spec(spec))


def brute_frontier(u: np.ndarray) -> set[tuple[float, float]]:
    """O(N^2) reference: the set of non-dominated utility pairs."""
    pts = {tuple(map(float, p)) for p in u}
    return {p for p in pts if not any(q[0] >= p[0] and q[1] >= p[1] and q != p for q in pts)}


def make_transcript(game_name: str, bundle: dict | None, round_index: int = 1, outcome: str | None = None,
                    extra: list | None = None, seed: int = 0, agents=("boulware", "conceder")) -> Transcript:
    """A hand-made transcript: start, optional events, end (utilities as the runner records them)."""
    game = load_game(game_name, seed=seed)
    a, b = game.role_names
    start = SessionStart(session_id=f"{game_name}-{seed}-{json.dumps(bundle, sort_keys=True)}-{round_index}",
                         game=game.spec.model_dump(mode="json"), seed=seed,
                         agents={a: AgentConfig(name=agents[0]), b: AgentConfig(name=agents[1])})
    end = SessionEnd(outcome=outcome or ("agreement" if bundle is not None else "disagreement"), agreement=bundle,
                     agreement_round=round_index if bundle is not None else None,
                     utilities=game.utilities(bundle, round_index), rounds=round_index, turns=2 * round_index)
    return Transcript([start, *(extra or []), end])


def row_of(rows: list[dict], role: str) -> dict:
    return next(r for r in rows if r["role"] == role)


# ---------------------------------------------------------------------- the sweep
def test_pareto_indices_small_hand_case():
    u1 = np.array([1.0, 3.0, 2.0, 3.0, 0.0, 2.0])
    u2 = np.array([5.0, 1.0, 2.0, 0.0, 5.0, 2.0])
    # (3,1), (2,2), (1,5) are non-dominated; (3,0) is dominated by (3,1), (0,5) by (1,5);
    # the duplicate (2,2) keeps its first index (2).
    assert pareto_indices(u1, u2).tolist() == [1, 2, 0]


def test_pareto_indices_ignores_non_finite():
    u1 = np.array([np.nan, 1.0, np.inf, 0.5])
    u2 = np.array([9.0, 1.0, 0.0, 2.0])
    assert pareto_indices(u1, u2).tolist() == [1, 3]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-5, 5), st.integers(-5, 5)), min_size=1, max_size=60))
def test_frontier_properties(points):
    u = np.array(points, dtype=np.float64)
    idx = pareto_indices(u[:, 0], u[:, 1])
    front = u[idx]
    # no frontier point dominates another (and none repeats)
    for p, q in itertools.permutations(front, 2):
        assert not (q[0] >= p[0] and q[1] >= p[1])
    # every outcome is weakly dominated by some frontier point
    for p in u:
        assert np.any((front[:, 0] >= p[0]) & (front[:, 1] >= p[1]))
    assert {tuple(p) for p in front} == brute_frontier(u)


@pytest.mark.parametrize("kind", ["continuous", "ties"])
def test_prefilter_does_not_change_the_result(kind):
    rng = np.random.default_rng(7)
    n = 200_000
    if kind == "continuous":
        u1, u2 = rng.random(n), rng.random(n)
        u2 = np.where(rng.random(n) < 0.5, 1.0 - u1 + 0.01 * u2, u2)  # a dense band near the frontier
    else:
        u1 = rng.integers(0, 60, n).astype(float)
        u2 = rng.integers(0, 60, n).astype(float) - 0.5 * u1
    assert np.array_equal(pareto_indices(u1, u2), pareto_indices(u1, u2, prefilter=False))


# ---------------------------------------------------------------------- frontiers of games
def test_logrolling_frontier():
    f = pareto_frontier(load_game("logrolling"))
    # the frontier concedes deadline first (6:1 for alice), then scope (3:3), then budget (1:6)
    expected = {(6 * d, 100 - d) for d in range(11)} | {(60 + 3 * s, 90 - 3 * s) for s in range(11)} | \
               {(90 + b, 60 - 6 * b) for b in range(11)}
    assert {tuple(p) for p in f.utilities.tolist()} == expected
    assert f.exact and f.evaluated == 11 ** 3
    assert f.lo.tolist() == [0.0, 0.0] and f.hi.tolist() == [100.0, 100.0]
    # sorted by alice's utility descending, bob's ascending
    assert np.all(np.diff(f.utilities[:, 0]) < 0) and np.all(np.diff(f.utilities[:, 1]) > 0)
    deal = f.bundles()[int(np.flatnonzero((f.utilities == [75, 75]).all(axis=1))[0])]
    assert deal == {"budget": 0, "deadline": 10, "scope": 5}


def test_logrolling_integrative_deal_is_optimal_and_even_split_is_not():
    g = load_game("logrolling")
    integrative = score_outcome(g, {"budget": 0, "deadline": 10, "scope": 5})
    assert integrative.utilities == {"alice": 75.0, "bob": 75.0}
    assert integrative.pareto_optimal and integrative.pareto_distance == 0.0
    assert integrative.nash_distance == 0.0 and integrative.ks_distance == 0.0
    assert integrative.welfare_ratio == 1.0
    assert integrative.surplus_shares == {"alice": 0.5, "bob": 0.5}

    even = score_outcome(g, {"budget": 5, "deadline": 5, "scope": 5})
    assert even.utilities == {"alice": 50.0, "bob": 50.0}
    assert not even.pareto_optimal
    # nearest frontier point: (75, 75), i.e. (0.25, 0.25) away in normalized space (ranges 0..100)
    assert even.pareto_distance == pytest.approx(math.hypot(0.25, 0.25))
    assert even.welfare_ratio == pytest.approx(100 / 150)
    assert even.surplus_shares == {"alice": None, "bob": None}  # both below reservation 60


def test_logrolling_solutions():
    s = bargaining_solutions(load_game("logrolling"))
    # Nash: on the scope segment (60+3s, 90-3s) the product 3s * (30-3s) peaks at s=5; the other
    # segments leave one side below 60. KS: ideal (90, 90), equal gains at (75, 75).
    assert s.nash.tolist() == [[75.0, 75.0]] and s.nash_product == 225.0
    assert s.kalai_smorodinsky.tolist() == [[75.0, 75.0]]
    assert s.nash_outcomes == [{"budget": 0, "deadline": 10, "scope": 5}]
    # max welfare 150 along the whole scope segment
    assert s.welfare_max == 150.0 and len(s.max_welfare) == 11


def test_disagreement_point_is_scored():
    g = load_game("logrolling")
    nod = score_outcome(g, None)
    assert nod.utilities == {"alice": 60.0, "bob": 60.0}
    assert not nod.pareto_optimal
    assert nod.pareto_distance == pytest.approx(math.hypot(0.15, 0.15))  # to (75, 75)


def test_buyer_seller_zone():
    g = load_game("buyer-seller")
    f = pareto_frontier(g)
    assert len(f) == 3001  # every price: one gains exactly what the other loses
    for price in (2000, 2400, 2900, 3200):
        s = score_outcome(g, {"price": price})
        assert s.pareto_optimal and s.pareto_distance == 0.0
        # the buyer's share of the zone: (value - price) / (value - cost)
        assert s.surplus_shares["buyer"] == pytest.approx((3200 - price) / 1200)
        assert s.surplus_shares["seller"] == pytest.approx((price - 2000) / 1200)
    sol = bargaining_solutions(g)
    assert sol.nash.tolist() == [[600.0, 600.0]] and sol.nash_outcomes == [{"price": 2600}]
    assert sol.kalai_smorodinsky.tolist() == [[600.0, 600.0]]


def test_small_table_game_by_hand():
    g = table_game({"a": (10, 0), "b": (7, 4), "c": (4, 6), "d": (0, 12), "e": (3, 3)})
    s = bargaining_solutions(g)
    # e is dominated by b and c
    assert sorted(map(tuple, s.frontier.utilities.tolist())) == [(0, 12), (4, 6), (7, 4), (10, 0)]
    # Nash products: a 0, b 28, c 24, d 0 -> b
    assert s.nash.tolist() == [[7.0, 4.0]] and s.nash_outcomes == [{"option": "b"}] and s.nash_product == 28.0
    # KS: ideal (10, 12); min gain ratios a 0, b min(.7, 1/3), c min(.4, .5) = .4, d 0 -> c
    assert s.kalai_smorodinsky.tolist() == [[4.0, 6.0]]
    # max welfare: d (12)
    assert s.max_welfare.tolist() == [[0.0, 12.0]] and s.welfare_max == 12.0
    e = score_outcome(g, {"option": "e"})
    assert not e.pareto_optimal
    # normalized (by ranges 0..10 and 0..12): e=(.3, .25); nearest frontier point c=(.4, .5)
    assert e.pareto_distance == pytest.approx(math.hypot(0.1, 0.25))
    assert e.nash_distance == pytest.approx(math.hypot(0.4, 1 / 3 - 0.25))
    assert e.ks_distance == pytest.approx(math.hypot(0.1, 0.25))


def test_table_game_with_reservations():
    g = table_game({"a": (10, 0), "b": (7, 4), "c": (4, 6), "d": (0, 12)}, reservation=(1, 1))
    s = bargaining_solutions(g)
    # feasible: b and c only. Nash: b (6*3=18) over c (3*5=15).
    # KS: ideal over the feasible set (7, 6), room (6, 5): b min(1, .6)=.6, c min(.5, 1) -> b
    assert s.nash.tolist() == [[7.0, 4.0]] and s.nash_product == 18.0
    assert s.kalai_smorodinsky.tolist() == [[7.0, 4.0]]


def test_no_feasible_outcome_has_no_nash_point():
    g = table_game({"a": (10, 0), "b": (0, 10)}, reservation=(5, 5))
    s = bargaining_solutions(g)
    assert s.nash.shape == (0, 2) and s.nash_product is None and s.kalai_smorodinsky.shape == (0, 2)
    sc = score_outcome(g, None)
    assert sc.nash_distance is None and sc.ks_distance is None
    assert sc.pareto_optimal  # nothing dominates (5, 5) here


def test_ties_are_all_kept():
    g = table_game({"a": (3, 1), "b": (1, 3), "c": (0, 0)})
    s = bargaining_solutions(g)
    assert sorted(map(tuple, s.nash.tolist())) == [(1.0, 3.0), (3.0, 1.0)]
    assert score_outcome(g, {"option": "b"}).nash_distance == 0.0


def test_pareto_tolerance():
    g = load_game("logrolling")
    f = pareto_frontier(g)
    assert is_pareto_optimal(f, [75.0, 75.0 - 1e-9])      # within the tolerance
    assert not is_pareto_optimal(f, [75.0, 75.0 - 1e-3])  # beyond it
    assert pareto_distance(f, [75.0, 74.9]) == pytest.approx(0.001)


def test_split_the_pie_continuous_frontier():
    g = load_game("split-the-pie")
    f = pareto_frontier(g)
    assert not f.exact
    # every frontier point splits the whole pie
    assert np.allclose(f.utilities.sum(axis=1), 1.0)
    assert f.utilities[:, 0].max() == 1.0 and f.utilities[:, 0].min() == 0.0
    # refinement adds points between the grid's (step 0.001)
    assert len(f) > 1001
    s = score_outcome(g, {"share": 0.7143})
    assert s.pareto_optimal and s.pareto_distance == 0.0
    late = score_outcome(g, {"share": 0.7143}, round_index=3)  # delay shrinks the pie: inefficient
    assert late.utilities["buyer"] == pytest.approx(0.7143 * 0.81)
    assert not late.pareto_optimal and late.pareto_distance > 0
    assert late.welfare_ratio == pytest.approx(0.7143 * 0.81 + 0.2857 * 0.64)


def test_rubinstein_share():
    g = load_game("split-the-pie")
    x = rubinstein_share(g)
    assert x["buyer"] == pytest.approx(0.2 / 0.28) and x["seller"] == pytest.approx(1 - 0.2 / 0.28)
    assert rubinstein_share(load_game("logrolling")) is None
    assert rubinstein_share(load_game("ultimatum")) is None  # no public discounts


def test_chunked_frontier_equals_unchunked():
    g = random_game([40, 50, 100], seed=3)  # 200,000 outcomes
    assert g.space.cardinality == 200_000
    whole = pareto_frontier(g, cache=False)
    chunked = pareto_frontier(g, chunk=7_919, cache=False)
    assert whole.evaluated == chunked.evaluated == 200_000
    assert np.array_equal(whole.utilities, chunked.utilities)
    assert np.array_equal(whole.outcomes, chunked.outcomes)
    assert np.array_equal(whole.lo, chunked.lo) and np.array_equal(whole.hi, chunked.hi)
    # and both equal the brute-force frontier of the utility pairs of the whole space
    X = g.space.enumerate()
    u = np.stack([g.roles["a"].utility.evaluate(X), g.roles["b"].utility.evaluate(X)], axis=1)
    assert {tuple(p) for p in whole.utilities.tolist()} == brute_frontier(u[pareto_indices(u[:, 0], u[:, 1])])
    # each representative outcome has the utilities it stands for, and is the first in order
    assert np.array_equal(np.stack([g.roles["a"].utility.evaluate(whole.outcomes),
                                    g.roles["b"].utility.evaluate(whole.outcomes)], axis=1), whole.utilities)


def test_chunked_frontier_equals_unchunked_non_additive():
    g = random_game([20, 20, 25], seed=5, table_entries=3000)  # table utility, many ties at 0
    whole = pareto_frontier(g, cache=False)
    chunked = pareto_frontier(g, chunk=1_000, cache=False)
    assert np.array_equal(whole.utilities, chunked.utilities)
    assert np.array_equal(whole.outcomes, chunked.outcomes)
    X = g.space.enumerate()
    u = np.stack([g.roles["a"].utility.evaluate(X), g.roles["b"].utility.evaluate(X)], axis=1)
    idx = pareto_indices(u[:, 0], u[:, 1], prefilter=False)
    assert np.array_equal(X[idx], whole.outcomes)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=3), st.integers(0, 10_000), st.integers(1, 50))
def test_game_frontier_matches_brute_force(sizes, seed, chunk):
    g = random_game(sizes, seed)
    f = pareto_frontier(g, chunk=chunk, cache=False)
    X = g.space.enumerate()
    u = np.stack([g.roles["a"].utility.evaluate(X), g.roles["b"].utility.evaluate(X)], axis=1)
    assert {tuple(p) for p in f.utilities.tolist()} == brute_frontier(u)
    assert f.lo.tolist() == u.min(axis=0).tolist() and f.hi.tolist() == u.max(axis=0).tolist()


def test_frontier_is_cached_per_game_spec():
    clear_cache()
    a = pareto_frontier(load_game("logrolling"))
    b = pareto_frontier(load_game("logrolling"))
    assert a is b
    assert bargaining_solutions(load_game("logrolling")) is bargaining_solutions(load_game("logrolling"))
    assert pareto_frontier(load_game("buyer-seller")) is not a


# ---------------------------------------------------------------------- sessions
def test_score_session_split_the_pie_rubinstein():
    t = make_transcript("split-the-pie", {"share": 0.7143})
    rows = score_session(t)
    assert [r["role"] for r in rows] == ["buyer", "seller"]
    buyer, seller = row_of(rows, "buyer"), row_of(rows, "seller")
    assert buyer["rubinstein_deviation"] == pytest.approx(0.0, abs=1e-4)
    assert buyer["rubinstein_deviation"] == pytest.approx(0.7143 - 0.2 / 0.28)
    assert buyer["pie_share"] == pytest.approx(0.7143) and seller["pie_share"] == pytest.approx(0.2857)
    assert buyer["spe_share"] == pytest.approx(0.2 / 0.28) and seller["spe_share"] == pytest.approx(0.08 / 0.28)
    assert buyer["is_first"] and not seller["is_first"]
    assert buyer["pareto_optimal"] and buyer["welfare_ratio"] == pytest.approx(1.0)

    # the realized split is the agreed one, before delay costs
    late = row_of(score_session(make_transcript("split-the-pie", {"share": 0.5}, round_index=2)), "buyer")
    assert late["rubinstein_deviation"] == pytest.approx(0.5 - 0.2 / 0.28)
    assert late["utility"] == pytest.approx(0.45)
    assert not late["pareto_optimal"]

    nod = row_of(score_session(make_transcript("split-the-pie", None)), "buyer")
    assert nod["rubinstein_deviation"] is None and nod["pie_share"] is None


def test_score_session_logrolling_rows():
    t = make_transcript("logrolling", {"budget": 0, "deadline": 10, "scope": 5}, round_index=4,
                        agents=("integrative", "integrative"))
    rows = score_session(t)
    alice = row_of(rows, "alice")
    assert alice["game"] == "logrolling" and alice["seed"] == 0 and alice["session_id"] == t.start.session_id
    assert alice["agreement"] is True and alice["outcome"] == "agreement" and alice["agreement_round"] == 4
    assert json.loads(alice["deal"]) == {"budget": 0, "deadline": 10, "scope": 5}
    assert alice["utility"] == 75.0 and alice["reservation"] == 60.0 and alice["gain"] == 15.0
    assert alice["normalized_utility"] == 0.75 and alice["surplus_share"] == 0.5
    assert alice["pareto_optimal"] and alice["pareto_distance"] == 0.0 and alice["nash_distance"] == 0.0
    assert alice["social_welfare"] == 150.0 and alice["welfare_ratio"] == 1.0 and alice["max_welfare"] == 150.0
    assert alice["rubinstein_deviation"] is None
    assert alice["agent"] == "integrative" and alice["opponent"] == "integrative"
    assert alice["cost_usd"] == 0.0 and alice["tokens"] == 0 and alice["parser_accuracy"] is None

    even = row_of(score_session(make_transcript("logrolling", {"budget": 5, "deadline": 5, "scope": 5})), "bob")
    assert not even["pareto_optimal"] and even["pareto_distance"] > 0.3
    assert even["surplus_share"] is None


def test_score_session_conduct():
    offer = Offer(bundle={"price": 3000})
    extra = [
        Utterance(turn=1, attempt=0, role="seller", text="hmm", intended=offer,
                  usage=Usage(prompt_tokens=100, completion_tokens=20, cost_usd=0.01, latency_s=0.5)),
        ParsedEvent(turn=1, attempt=0, role="seller",
                    result=ParseFailure(code="no_move", reason="no move found")),
        VerdictEvent(turn=1, attempt=0, role="seller", verdict=Violation(code="unparsable", message="say a move")),
        Utterance(turn=1, attempt=1, role="seller", text="I offer $3,000.", intended=offer,
                  usage=Usage(prompt_tokens=120, completion_tokens=10, cost_usd=0.02, latency_s=0.25)),
        ParsedEvent(turn=1, attempt=1, role="seller", result=Parsed(action=offer, method="prose")),
        VerdictEvent(turn=1, attempt=1, role="seller", verdict=Ok()),
        StateEvent(turn=1, round=1, to_move="buyer", standing={"price": 3000}, standing_by="seller"),
        Utterance(turn=2, attempt=0, role="buyer", text="Deal.", intended=Accept(),
                  usage=Usage(prompt_tokens=50, completion_tokens=5, cost_usd=None)),
        ParsedEvent(turn=2, attempt=0, role="buyer", result=Parsed(action=Offer(bundle={"price": 2900}),
                                                                  method="prose")),
        VerdictEvent(turn=2, attempt=0, role="buyer", verdict=Violation(code="out_of_range", message="no")),
        VerdictEvent(turn=2, attempt=0, role="buyer", verdict=Violation(code="made_up_code", message="no")),
    ]
    rows = score_session(make_transcript("buyer-seller", {"price": 3000}, extra=extra))
    seller, buyer = row_of(rows, "seller"), row_of(rows, "buyer")
    assert seller["violations"] == 1 and seller["violation_unparsable"] == 1 and seller["violation_out_of_range"] == 0
    assert seller["parse_failures"] == 1 and seller["utterances"] == 2 and seller["repair_turns"] == 1
    assert seller["prompt_tokens"] == 220 and seller["completion_tokens"] == 30 and seller["tokens"] == 250
    assert seller["cost_usd"] == pytest.approx(0.03) and seller["latency_s"] == pytest.approx(0.75)
    assert seller["parser_moves"] == 2 and seller["parser_correct"] == 1 and seller["parser_accuracy"] == 0.5
    assert buyer["violations"] == 2 and buyer["violation_out_of_range"] == 1 and buyer["violation_made_up_code"] == 1
    assert buyer["cost_usd"] is None  # one call of unknown cost
    assert buyer["parser_accuracy"] == 0.0 and buyer["repair_turns"] == 0
    assert buyer["surplus_share"] == pytest.approx(200 / 1200) and seller["surplus_share"] == pytest.approx(1000 / 1200)


def test_forfeit_and_incomplete_sessions_score_as_no_deal():
    forfeit = make_transcript("logrolling", None, outcome="forfeit")
    row = row_of(score_session(forfeit), "alice")
    assert row["outcome"] == "forfeit" and row["agreement"] is False and row["utility"] == 60.0
    assert row["deal"] is None and row["agreement_round"] is None
    incomplete = Transcript(forfeit.events[:-1])
    row = row_of(score_session(incomplete), "bob")
    assert row["outcome"] == "incomplete" and row["utility"] == 60.0 and row["rounds"] is None


# ---------------------------------------------------------------------- frames
def sample_transcripts() -> list[Transcript]:
    ts = []
    for seed, (b, d, s) in enumerate([(0, 10, 5), (5, 5, 5), (1, 10, 4), (0, 9, 6)]):
        ts.append(make_transcript("logrolling", {"budget": b, "deadline": d, "scope": s}, seed=seed,
                                  agents=("integrative", "even-split")))
    ts.append(make_transcript("logrolling", None, seed=9, agents=("integrative", "even-split")))
    ts.append(make_transcript("buyer-seller", {"price": 2600}, agents=("boulware", "conceder")))
    return ts


def test_frame_from_objects_files_and_directories(tmp_path):
    ts = sample_transcripts()
    for k, t in enumerate(ts):
        sub = tmp_path / ("a" if k % 2 else "b")
        sub.mkdir(exist_ok=True)
        (sub / f"{k}.jsonl").write_text(t.to_jsonl(), encoding="utf-8")
    from_objects = frame(ts)
    assert len(from_objects) == 2 * len(ts)
    from_dir = frame(tmp_path)
    assert len(from_dir) == len(from_objects)
    assert sorted(from_dir["session_id"]) == sorted(from_objects["session_id"])
    one = frame(tmp_path / "b" / "0.jsonl")
    assert len(one) == 2 and read_transcript(tmp_path / "b" / "0.jsonl").start.session_id == one["session_id"][0]
    assert frame([]).empty


def test_summary():
    df = frame(sample_transcripts())
    s = summary(df)
    assert s["sessions"] == 6 and s["games"] == ["buyer-seller", "logrolling"]
    assert s["agreement_rate"] == pytest.approx(5 / 6)
    # deals: (0,10,5) and the buyer-seller price are Pareto optimal; the other three are not
    # (see test_logrolling_sample_deals_by_hand)
    assert s["pareto_optimal_rate"] == pytest.approx(2 / 5)
    deals = df.drop_duplicates("session_id")
    deals = deals[deals["agreement"]]
    assert s["pareto_optimal_rate"] == pytest.approx(deals["pareto_optimal"].mean())
    assert s["mean_pareto_distance"] == pytest.approx(df.drop_duplicates("session_id")["pareto_distance"].mean())
    assert set(s["utility_by_role"]) == {"alice", "bob", "buyer", "seller"}
    assert s["utility_by_role"]["buyer"] == 600.0
    assert s["cost_usd"] == 0.0 and s["parser_accuracy"] is None
    json.dumps(s)  # JSON-ready
    empty = summary(frame([]))
    assert empty["sessions"] == 0 and empty["agreement_rate"] is None


def test_logrolling_sample_deals_by_hand():
    # (1,10,4): alice 1+60+12=73, bob 54+0+18=72, dominated by (75, 75);
    # (0,9,6): alice 54+18=72, bob 60+1+12=73, dominated by (75, 75) too.
    g = load_game("logrolling")
    assert not score_outcome(g, {"budget": 1, "deadline": 10, "scope": 4}).pareto_optimal
    assert not score_outcome(g, {"budget": 0, "deadline": 9, "scope": 6}).pareto_optimal


def test_aggregate_bootstrap():
    df = frame(sample_transcripts())
    agg = aggregate(df, by=("agent", "game"))
    assert list(agg.columns[:3]) == ["agent", "game", "n"]
    row = agg[(agg["agent"] == "integrative") & (agg["game"] == "logrolling")].iloc[0]
    assert row["n"] == 5
    alice = df[(df["agent"] == "integrative")]["utility"]
    assert row["utility"] == pytest.approx(alice.mean())
    assert row["utility_lo"] <= row["utility"] <= row["utility_hi"]
    assert row["agreement"] == pytest.approx(0.8)
    # seeded: the same call gives the same intervals; another seed may differ
    again = aggregate(df, by=("agent", "game"))
    assert agg.equals(again)
    # single-row group: a degenerate interval
    single = agg[(agg["agent"] == "boulware")].iloc[0]
    assert single["utility_lo"] == single["utility_hi"] == single["utility"] == 600.0


def test_bootstrap_ci_matches_theory():
    x = np.random.default_rng(1).normal(10.0, 2.0, size=400)
    mean, lo, hi = bootstrap_ci(x, n_boot=4000, seed=3)
    se = x.std(ddof=1) / math.sqrt(len(x))
    assert mean == pytest.approx(x.mean())
    assert lo == pytest.approx(mean - 1.96 * se, abs=0.3 * se)
    assert hi == pytest.approx(mean + 1.96 * se, abs=0.3 * se)
    assert bootstrap_ci([None, float("nan")]) == pytest.approx((math.nan,) * 3, nan_ok=True)
    assert bootstrap_ci([True, False, True, True], seed=0)[0] == 0.75
