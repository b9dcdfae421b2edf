"""Tournaments with model seats, through a real OpenAI-compatible server on 127.0.0.1: failures
after retries, --retry-failed, per-model limits and the --max-cost budget."""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path
from typing import Any

import pytest

from arena import models
from arena.loopback import LoopbackLLM
from arena.tournament import (
    RunOptions,
    TournamentError,
    TournamentIndex,
    TournamentRunner,
    load_tournament_spec,
    run_tournament,
)
from tests.test_tournament import check_folder


def block(move: dict) -> str:
    return f"Here is my answer.\n```json\n{json.dumps(move)}\n```"


def negotiator(body: dict[str, Any]) -> str:
    """Opens with an offer, accepts whatever comes next (in buyer-seller and ultimatum)."""
    turns = sum(1 for m in body.get("messages", []) if m.get("role") == "assistant")
    if turns:
        return block({"action": "accept"})
    system = str(body["messages"][0].get("content", ""))
    return block({"action": "offer", "bundle": {"dollars": 60} if "dollars" in system else {"price": 2600}})


def model(name: str, url: str, price: float | None = None, **options: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "agent": "openai/loopback",
                            "options": {"api_base": url, "max_retries": 1, "backoff": 0.001, "backoff_max": 0.001,
                                        "timeout": 10, **options}}
    if price is not None:
        spec["price"] = {"input": price, "output": price}
    return spec


def test_a_model_that_keeps_failing_is_recorded_and_replayed_with_retry_failed(tmp_path: Path) -> None:
    out = tmp_path / "t"
    with LoopbackLLM([{"status": 500, "message": "the GPU caught fire"}]) as broken:
        data = {"games": ["buyer-seller"], "seeds": 2, "competitors": [model("m", broken.url), "boulware", "linear"]}
        result = run_tournament(load_tournament_spec(data), out)
        calls = broken.calls
    # m meets two opponents, 2 seeds, both orders: 8 failed sessions; the scripted pair plays fine
    assert (result.failed, result.ok, result.total) == (8, 4, 12)
    assert calls == 8 * 2  # each failing session: the first call and one retry
    assert all("InternalServerError" in e and "after 2 attempts" in e for _, e in result.failures)
    again = run_tournament(load_tournament_spec(data), out, RunOptions(resume=True))
    assert again.ran == 0 and again.failed == 8  # --resume alone leaves recorded failures alone
    with LoopbackLLM(negotiator) as healthy:
        fixed = {**data, "competitors": [model("m", healthy.url), "boulware", "linear"]}
        retried = run_tournament(load_tournament_spec(fixed), out, RunOptions(retry_failed=True))
    assert (retried.ran, retried.ok, retried.failed) == (8, 12, 0)
    with TournamentIndex(out, lock=False) as index:
        rows = index.records().values()
    assert sorted(r.attempts for r in rows) == [1] * 4 + [2] * 8
    assert all(r.tokens > 0 for r in rows if "m" in (r.first, r.second))
    check_folder(out, {r.session_id for r in rows})


def test_transient_faults_are_retried_by_the_adapter(tmp_path: Path) -> None:
    faults: dict[str, int] = {"left": 3}

    def flaky(body: dict[str, Any]) -> Any:
        if faults["left"] > 0:
            faults["left"] -= 1
            return {"status": 429, "retry_after": 0} if faults["left"] % 2 else {"drop": True}
        return negotiator(body)

    with LoopbackLLM(flaky) as srv:
        data = {"games": ["buyer-seller"], "seeds": 1, "concurrency": 1,
                "competitors": [model("m", srv.url, max_retries=3), "boulware"]}
        result = run_tournament(load_tournament_spec(data), tmp_path / "t")
    assert (result.ok, result.failed) == (2, 0)


def test_per_model_limits_cap_calls_in_flight(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = {"now": 0, "max": 0}
    real = models.Model.complete

    async def counting(self: models.Model, messages: list[dict[str, str]]) -> models.Completion:
        state["now"] += 1
        state["max"] = max(state["max"], state["now"])
        try:
            return await real(self, messages)
        finally:
            state["now"] -= 1

    monkeypatch.setattr(models.Model, "complete", counting)
    with LoopbackLLM(negotiator, latency=0.01) as srv:
        data = {"games": ["buyer-seller"], "seeds": 3, "concurrency": 6, "model_limits": {"openai/loopback": 2},
                "competitors": [model("m", srv.url), "boulware", "linear", "conceder"]}
        result = run_tournament(load_tournament_spec(data), tmp_path / "t")
    assert result.ok == result.total == 3 * 6 * 2
    assert state["max"] == 2


def _budget_spec(url: str) -> dict[str, Any]:
    # two model competitors with one price: every session costs the same
    return {"games": ["ultimatum"], "seeds": 4, "concurrency": 3,
            "competitors": [model("a", url, price=100, temperature=0.1), model("b", url, price=100, temperature=0.2)]}


def test_max_cost_stops_before_the_budget_and_resume_goes_on(tmp_path: Path) -> None:
    out = tmp_path / "t"
    with LoopbackLLM(negotiator) as srv:
        spec = load_tournament_spec(_budget_spec(srv.url))
        runner = TournamentRunner(spec, out, RunOptions(max_cost=0.0))
        budget = runner.estimate(runner.cells[0])  # the first session must fit
        runner.options = RunOptions(max_cost=budget)
        result = asyncio.run(runner.run())
        with TournamentIndex(out, lock=False) as index:
            costs = [r.cost_usd for r in index.records().values()]
        assert result.stopped == "budget" and result.pending == result.total - result.ok > 0
        session = costs[0]
        assert all(math.isclose(c, session) for c in costs)  # type: ignore[arg-type]
        assert result.ok == int(budget // session) and result.cost_usd <= budget
        more = run_tournament(spec, out, RunOptions(resume=True, max_cost=budget * 100))
    assert more.complete and more.stopped is None and more.ok == more.total == 8


def test_max_cost_refuses_unknown_prices(tmp_path: Path) -> None:
    with LoopbackLLM(negotiator) as srv:
        data = {"games": ["ultimatum"], "competitors": [model("a", srv.url), "boulware"]}
        with pytest.raises(TournamentError, match="price of 'openai/loopback'"):
            run_tournament(load_tournament_spec(data), tmp_path / "t", RunOptions(max_cost=1.0))
        result = run_tournament(load_tournament_spec(data), tmp_path / "u")
    assert result.ok == 2 and result.unknown_cost == 2  # without a budget: counted as unknown
