"""Evaluators on real sessions: transcripts written by ``run_match`` with scripted agents."""

from __future__ import annotations

import json
import math

import pytest

from arena.game import available_games
from arena.runner import run_match
from arena.transcript import read_transcript
from evaluators import aggregate, frame, score_session, summary


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A small grid of sessions written to disk, one per (game, pairing, seed)."""
    out = tmp_path_factory.mktemp("runs")
    pairings = [("integrative", "boulware"), ("boulware", "conceder"), ("random", "linear")]
    ts = []
    for game in sorted(available_games()):
        for a, b in pairings:
            for seed in (0, 1):
                ts.append(run_match(game, a, b, seed=seed, out=out / game / f"{a}-{b}-{seed}.jsonl"))
    return out, ts


def test_rows_agree_with_the_recorded_session(runs):
    _, ts = runs
    for t in ts:
        rows = score_session(t)
        assert [r["role"] for r in rows] == t.game().role_names
        for r in rows:
            assert r["session_id"] == t.start.session_id and r["seed"] == t.start.seed
            assert r["outcome"] == t.end.outcome and r["agreement"] == (t.end.outcome == "agreement")
            # the evaluators recompute utilities from the game; they match what the runner recorded
            assert r["utility"] == pytest.approx(t.end.utilities[r["role"]], abs=1e-9)
            assert r["pareto_distance"] >= 0.0
            assert (r["pareto_distance"] == 0.0) == r["pareto_optimal"]
            assert 0.0 <= r["normalized_utility"] <= 1.0 + 1e-9 or not r["agreement"]
            assert r["parser_moves"] >= 1 and 0.0 <= r["parser_accuracy"] <= 1.0
            assert r["cost_usd"] == 0.0 and r["tokens"] == 0  # scripted agents make no model calls
            assert r["repair_turns"] <= r["utterances"]
            json.dumps({k: v for k, v in r.items()})  # rows are JSON-ready


def test_frame_from_a_directory_equals_frame_from_objects(runs):
    out, ts = runs
    from_dir = frame(out).sort_values(["session_id", "role"]).reset_index(drop=True)
    from_objects = frame(ts).sort_values(["session_id", "role"]).reset_index(drop=True)
    assert len(from_dir) == 2 * len(ts)
    assert from_dir.equals(from_objects)
    assert set(from_dir["game"]) == set(available_games())


def test_aggregate_and_summary_on_real_runs(runs):
    out, _ = runs
    df = frame(out)
    agg = aggregate(df, by=("agent", "game"), n_boot=500)
    assert not agg.empty and (agg["n"] > 0).all()
    ok = agg.dropna(subset=["utility"])
    assert ((ok["utility_lo"] <= ok["utility"] + 1e-9) & (ok["utility"] <= ok["utility_hi"] + 1e-9)).all()
    s = summary(df)
    assert s["sessions"] == len(df) // 2
    assert 0.0 <= s["agreement_rate"] <= 1.0
    assert s["parser_accuracy"] is not None and 0.0 <= s["parser_accuracy"] <= 1.0
    json.dumps(s)


def test_integrative_pair_finds_the_integrative_deal(tmp_path):
    t = run_match("logrolling", "integrative", "integrative", seed=0, out=tmp_path / "t.jsonl")
    rows = score_session(read_transcript(tmp_path / "t.jsonl"))
    assert rows == score_session(t)  # the file and the in-memory transcript score alike
    assert rows[0]["agreement"]
    assert {r["role"]: r["utility"] for r in rows} == {"alice": 75.0, "bob": 75.0}
    assert rows[0]["pareto_optimal"] and rows[0]["nash_distance"] == 0.0 and rows[0]["welfare_ratio"] == 1.0


def test_subgame_perfect_agents_have_no_rubinstein_deviation():
    t = run_match("split-the-pie", "spe", "spe", seed=0)
    rows = score_session(t)
    buyer = next(r for r in rows if r["role"] == "buyer")
    assert buyer["agreement"] and buyer["agreement_round"] == 1
    assert buyer["rubinstein_deviation"] == pytest.approx(0.0, abs=1e-3)
    assert buyer["pareto_optimal"]
    assert not math.isnan(buyer["pie_share"])
