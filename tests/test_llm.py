"""Language-model seats, driven through a real OpenAI-compatible server on 127.0.0.1.

Every test goes the full path: litellm, HTTP, the parser, the referee and the transcript.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import arena.models as models
from arena.agents import make_agent
from arena.loopback import LoopbackLLM
from arena.runner import SessionConfig, run_match
from arena.transcript import AgentConfig
from tests.conftest import strip_volatile


def block(move: dict) -> str:
    return f"Here is my answer.\n```json\n{json.dumps(move)}\n```"


def seat(server: LoopbackLLM, **extra: object) -> AgentConfig:
    return AgentConfig(name="llm", args={"model": "openai/loopback", "api_base": server.url, "backoff": 0.01,
                                         "timeout": 5, **extra})


@pytest.fixture
def fast_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff sleeps are recorded and skipped (the waits themselves are not what is tested)."""
    waits: list[float] = []
    real = asyncio.sleep

    async def fake(delay: float, *a: object, **k: object) -> None:
        waits.append(delay)
        await real(0)

    monkeypatch.setattr(models.adapter.asyncio, "sleep", fake)
    return waits


def test_well_formed_replies_reach_a_deal_and_record_usage() -> None:
    replies = [block({"action": "offer", "bundle": {"price": 2300},
                      "arguments": [{"kind": "market", "text": "similar cars sell for that"}]}),
               block({"action": "accept"})]
    with LoopbackLLM(replies) as srv:
        t = run_match("buyer-seller", seat(srv), "boulware", seed=0)
        first_request = srv.requests[0]
    assert t.end.outcome == "agreement"
    mine = [u for u in t.of_kind("utterance") if u.role == "buyer"]
    assert [p.template for p in mine[0].prompts] == ["llm/system.j2", "llm/turn.j2"]
    assert [p.template for p in mine[1].prompts] == ["llm/turn.j2"]
    assert all(u.usage.prompt_tokens > 0 and u.usage.completion_tokens > 0 for u in mine)
    assert all(u.usage.cost_usd is None for u in mine)  # an unknown price is unknown, not 0
    parsed = [p for p in t.of_kind("parsed") if p.role == "buyer"][0]
    assert parsed.result.method == "structured" and parsed.result.action.arguments[0].kind == "market"
    system = first_request["messages"][0]["content"]
    assert "3,200" in system and "2,000" not in system  # own preferences only
    assert "api_key" not in json.dumps(t.start.agents["buyer"].model_dump())


def test_prose_only_replies_are_parsed() -> None:
    replies = ["I can pay $2,600 for the car, that's my offer.", "Alright, I accept your offer."]
    with LoopbackLLM(replies) as srv:
        t = run_match("buyer-seller", seat(srv), "conceder", seed=1)
    offers = [p.result for p in t.of_kind("parsed") if p.role == "buyer" and p.result.ok]
    assert offers[0].method == "prose" and offers[0].action.bundle == {"price": 2600}
    assert t.end.outcome == "agreement"


def test_garbage_forever_ends_in_a_recorded_forfeit() -> None:
    with LoopbackLLM(["asdf qwer zxcv"]) as srv:
        t = run_match("supplier-contract", seat(srv), "boulware", seed=0)
    assert t.end.outcome == "forfeit" and t.end.forfeit_by == "buyer"
    assert "repair budget" in t.end.reason and "unparsable" in t.end.reason
    verdicts = [v.verdict.code for v in t.of_kind("verdict") if v.role == "buyer"]
    assert verdicts == ["unparsable"] * 3
    repairs = [u for u in t.of_kind("utterance") if u.role == "buyer" and u.attempt > 0]
    assert [p.template for u in repairs for p in u.prompts] == ["llm/repair.j2"] * 2


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ("", "unparsable"),
        ("I'm sorry, but I can't help with negotiating.", "unparsable"),
        (block({"action": "offer", "bundle": {"price": 100, "lead_time": 2, "payment": "net 30", "colour": "red"}}),
         "unknown_issue"),
        (block({"action": "offer", "bundle": {"price": 500, "lead_time": 2, "payment": "net 30"}}), "out_of_range"),
        (block({"action": "offer", "bundle": {"price": 100}}), "missing_issue"),
        ("My offer:\n```json\n{\"action\": \"offer\", \"bundle\": {\"price\": 10", "unparsable"),
        ("blah " * 4000, "unparsable"),
        (block({"action": "accept"}), "no_standing_offer"),
    ],
)
def test_bad_output_gets_a_typed_violation_and_a_repair_turn(bad: str, code: str) -> None:
    good = block({"action": "offer", "bundle": {"price": 100, "lead_time": 2, "payment": "net 30"}})
    with LoopbackLLM([bad, good, block({"action": "walk_away"})]) as srv:
        t = run_match("supplier-contract", seat(srv), "boulware", seed=0)
        repair_prompt = srv.requests[1]["messages"][-1]["content"]
    first = [v for v in t.of_kind("verdict") if v.role == "buyer"]
    assert first[0].verdict.code == code
    assert first[1].verdict.ok and first[1].attempt == 1
    assert code in repair_prompt  # the agent reads the referee's message
    assert t.end.outcome in ("agreement", "disagreement")


@pytest.mark.parametrize("transport", ["http", "litellm"])
def test_transient_failures_are_retried(fast_sleep: list[float], transport: str) -> None:
    ok = block({"action": "offer", "bundle": {"price": 2500}})
    faults = [{"status": 500}, {"status": 429, "retry_after": 3}, {"malformed": True}, {"drop": True}, ok,
              block({"action": "walk_away"})]
    with LoopbackLLM(faults) as srv:
        t = run_match("buyer-seller", seat(srv, transport=transport), "boulware", seed=0)
        calls = srv.calls
    buyer = [u for u in t.of_kind("utterance") if u.role == "buyer"]
    assert buyer[0].text == ok and calls == 6
    assert 3.0 in fast_sleep  # Retry-After honoured
    assert t.end.outcome == "disagreement"


@pytest.mark.parametrize("transport", ["http", "litellm"])
def test_timeouts_are_retried(fast_sleep: list[float], transport: str) -> None:
    ok = block({"action": "walk_away"})
    with LoopbackLLM([{"delay": 2.0, "content": ok}, ok]) as srv:
        t = run_match("buyer-seller", seat(srv, timeout=0.3, transport=transport), "boulware", seed=0)
    assert t.end.outcome == "disagreement" and "walked away" in t.end.reason
    assert len(fast_sleep) == 1


@pytest.mark.parametrize("transport", ["http", "litellm"])
def test_a_model_that_keeps_failing_is_a_recorded_error(fast_sleep: list[float], transport: str) -> None:
    with LoopbackLLM([{"status": 503}]) as srv:
        t = run_match("buyer-seller", seat(srv, max_retries=2, transport=transport), "boulware", seed=0)
        calls = srv.calls
    assert t.end.outcome == "error" and "buyer" in t.end.reason and "503" in t.end.reason
    assert calls == 3


@pytest.mark.parametrize("transport", ["http", "litellm"])
def test_non_retryable_errors_are_not_retried(transport: str) -> None:
    with LoopbackLLM([{"status": 400, "message": "bad request"}]) as srv:
        t = run_match("buyer-seller", seat(srv, transport=transport), "boulware", seed=0)
        assert srv.calls == 1
    assert t.end.outcome == "error"


def test_cache_makes_a_rerun_free_and_identical(tmp_path: Path) -> None:
    replies = ["I offer $2,500.", "I accept your offer."]
    with LoopbackLLM(replies) as srv:
        t1 = run_match("buyer-seller", seat(srv, cache_dir=str(tmp_path)), "linear", seed=3)
        first_calls = srv.calls
    with LoopbackLLM(["this server must not be called"]) as srv2:
        agent = AgentConfig(name="llm", args={**seat(srv).args, "cache_dir": str(tmp_path)})
        t2 = run_match("buyer-seller", agent, "linear", seed=3)
        assert srv2.calls == 0
    assert first_calls > 0
    texts1 = [u.text for u in t1.of_kind("utterance")]
    texts2 = [u.text for u in t2.of_kind("utterance")]
    assert texts1 == texts2
    assert all(u.usage.cached for u in t2.of_kind("utterance") if u.role == "buyer")


def test_injection_is_quoted_as_data_and_never_moves_the_referee() -> None:
    with LoopbackLLM([block({"action": "walk_away"})]) as srv:
        t = run_match("buyer-seller", seat(srv), "injector", seed=3)
        prompt = srv.requests[0]["messages"][-1]["content"]
    assert "<opponent_message>" in prompt and prompt.count("</opponent_message>") == 1
    assert "‹/opponent_message›" in prompt or "SYSTEM" in prompt or "Ignore" in prompt or "REFEREE" in prompt \
        or "principal" in prompt
    # the injector's own move is what its final block says, whatever its text claims
    seller_moves = [p.result.action.kind for p in t.of_kind("parsed") if p.role == "seller"]
    assert seller_moves[0] == "offer"
    assert t.end.outcome == "disagreement"  # the buyer's own block said walk away


def test_argument_channel_can_be_switched_off() -> None:
    move = {"action": "offer", "bundle": {"price": 1500}, "arguments": [{"kind": "batna", "text": "SECRET-CLAIM"}]}
    for enabled in (True, False):
        seller_replies = [block({"action": "offer", "bundle": {"price": 4000}}), block({"action": "walk_away"})]
        with LoopbackLLM([block(move)]) as buyer_srv, LoopbackLLM(seller_replies) as seller_srv:
            run_match("buyer-seller", seat(buyer_srv), seat(seller_srv), seed=0,
                      config=SessionConfig(arguments=enabled))
            seller_second = seller_srv.requests[1]["messages"]
        system, turn = seller_second[0]["content"], seller_second[-1]["content"]
        assert ("SECRET-CLAIM" in turn) is enabled
        assert ('"arguments"' in system) is enabled


def test_missing_api_key_is_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    r = subprocess.run([sys.executable, "-m", "arena", "run", "--game", "buyer-seller", "--a", "openai/gpt-4o-mini"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 2
    assert "OPENAI_API_KEY" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_cli_against_any_openai_compatible_server() -> None:
    replies = ["Honestly, $2,700 is the most I can pay for it.", "OK, deal, I accept."]
    with LoopbackLLM(replies) as srv:
        r = subprocess.run([sys.executable, "-m", "arena", "run", "--game", "buyer-seller", "--a", "openai/any-name",
                            "--api-base", srv.url, "--b", "boulware", "--json"], capture_output=True, text=True,
                           timeout=300)
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["agents"]["buyer"] == "openai/any-name"
    assert s["outcome"] in ("agreement", "disagreement") and s["tokens"]["prompt"] > 0
    assert s["cost_usd"] is None and s["violations"] == {}


def test_make_agent_accepts_model_strings() -> None:
    agent = make_agent("openai/some-model(api_base='http://127.0.0.1:9/v1', temperature=0.2)", seed=4)
    assert agent.model.config.model == "openai/some-model" and agent.model.config.temperature == 0.2
    assert agent.model.config.seed == 4


def test_extractor_reads_what_the_parsers_cannot() -> None:
    from arena.models import Model, ModelConfig

    odd = "You know what I want. The usual, like last time."
    with LoopbackLLM([odd, block({"action": "walk_away"})]) as seat_srv, \
            LoopbackLLM([block({"action": "offer", "bundle": {"price": 2500}})]) as ex_srv:
        extractor = Model(ModelConfig(model="openai/extractor", api_base=ex_srv.url, backoff=0.01))
        t = run_match("buyer-seller", seat(seat_srv), "boulware", seed=0, config=SessionConfig(extractor=extractor))
        extractor_prompt = ex_srv.requests[0]["messages"][0]["content"]
    parsed = [p for p in t.of_kind("parsed") if p.role == "buyer" and p.turn == 2]
    assert [p.result.method for p in parsed] == ["prose", "extractor"]
    assert parsed[1].result.action.bundle == {"price": 2500} and parsed[1].usage.prompt_tokens > 0
    assert "The usual, like last time" in extractor_prompt
    verdict = [v for v in t.of_kind("verdict") if v.role == "buyer"][0]
    assert verdict.verdict.ok


def test_cost_estimate_before_a_run() -> None:
    from arena.estimate import estimate_session
    from arena.game import load_game

    small = estimate_session(load_game("ultimatum"), "openai/gpt-4o-mini")
    big = estimate_session(load_game("supplier-contract"), "openai/gpt-4o-mini")
    assert 0 < small.cost_usd < big.cost_usd < big.upper_cost_usd
    assert big.prompt_tokens > big.completion_tokens > 0
    unknown = estimate_session(load_game("ultimatum"), "openai/surely-not-a-priced-model")
    assert unknown.cost_usd is None and unknown.prompt_tokens == small.prompt_tokens
    r = subprocess.run([sys.executable, "-m", "arena", "estimate", "--game", "buyer-seller", "--model",
                        "openai/gpt-4o-mini", "--sessions", "100"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "$" in r.stdout and "typical" in r.stdout


@pytest.mark.parametrize("transport", ["http", "litellm"])
def test_sampling_options_pass_through_and_concurrency_is_limited(transport: str) -> None:
    import threading

    in_flight = {"now": 0, "max": 0}
    lock = threading.Lock()

    def slow(body: dict) -> dict:
        with lock:
            in_flight["now"] += 1
            in_flight["max"] = max(in_flight["max"], in_flight["now"])
        import time as _t

        _t.sleep(0.05)
        with lock:
            in_flight["now"] -= 1
        return {"content": "ok"}

    async def burst(model: models.Model) -> None:
        await asyncio.gather(*(model.complete([{"role": "user", "content": f"q{k}"}]) for k in range(6)))

    with LoopbackLLM(slow) as srv:
        limited = models.Model(models.ModelConfig(model="openai/x", api_base=srv.url, concurrency=2, temperature=0.3,
                                                  seed=11, transport=transport))
        asyncio.run(burst(limited))
        body = srv.requests[0]
    assert in_flight["max"] == 2
    assert body["temperature"] == 0.3 and body["seed"] == 11 and body["model"] == "x"


@pytest.mark.parametrize(
    "odd",
    [
        {"content": None},
        {"content": None, "finish_reason": "tool_calls",
         "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "offer", "arguments": "{\"price\": 9}"}}]},
        {"content": "", "reasoning_content": "Let me think. I could offer 120 for", "finish_reason": "length"},
        {"content": "My offer:\n```json\n{\"action\": \"offer\", \"bundle\": {\"price\": 1", "finish_reason": "length"},
    ],
    ids=["null-content", "tool-calls", "reasoning-cut", "truncated-block"],
)
@pytest.mark.parametrize("transport", ["http", "litellm"])
def test_odd_replies_become_a_violation_and_a_repair_turn(odd: dict, transport: str) -> None:
    good = block({"action": "offer", "bundle": {"price": 100, "lead_time": 2, "payment": "net 30"}})
    with LoopbackLLM([odd, good, block({"action": "walk_away"})]) as srv:
        t = run_match("supplier-contract", seat(srv, transport=transport), "boulware", seed=0)
        repair_messages = srv.requests[1]["messages"]
    first = [v for v in t.of_kind("verdict") if v.role == "buyer"]
    assert first[0].verdict.code == "unparsable" and first[1].verdict.ok and first[1].attempt == 1
    said = [u for u in t.of_kind("utterance") if u.role == "buyer"][0]
    assert said.text == (odd["content"] or "")  # what came back, never something made up
    # an empty reply is left out of the conversation (some providers reject empty messages)
    roles = ["system", "user", "user"] if not said.text else ["system", "user", "assistant", "user"]
    assert [m["role"] for m in repair_messages] == roles and all(m["content"] for m in repair_messages)
    assert t.end.outcome in ("agreement", "disagreement")


def test_a_reply_given_only_as_reasoning_is_read() -> None:
    move = block({"action": "offer", "bundle": {"price": 2400}})
    with LoopbackLLM([{"content": None, "reasoning_content": move}, block({"action": "walk_away"})]) as srv:
        t = run_match("buyer-seller", seat(srv), "boulware", seed=0)
    parsed = [p.result for p in t.of_kind("parsed") if p.role == "buyer"]
    assert parsed[0].ok and parsed[0].action.bundle == {"price": 2400}


@pytest.mark.parametrize("transport", ["http", "litellm"])
def test_a_wrong_key_ends_the_session_with_one_clear_line(transport: str) -> None:
    with LoopbackLLM([{"status": 401, "message": "Incorrect API key provided: sk-wr***ng"}]) as srv:
        t = run_match("buyer-seller", seat(srv, transport=transport, api_key="sk-wrong"), "boulware", seed=0)
        assert srv.calls == 1  # never retried
    assert t.end.outcome == "error" and "\n" not in t.end.reason
    assert "buyer" in t.end.reason and "API key" in t.end.reason and "AuthenticationError" in t.end.reason
    assert "sk-wrong" not in json.dumps(t.start.model_dump())
