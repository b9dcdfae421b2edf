"""The model adapter against OpenAI-compatible endpoints that answer in odd ways.

Every case runs against a real server on 127.0.0.1 (:class:`arena.loopback.LoopbackLLM`) through
both transports: the direct HTTP route and litellm. Each ends in a typed outcome: a reply (maybe
empty, with a note saying why), a retry, or a :class:`ModelError` with a one-line cause.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from email.utils import formatdate
from typing import Any

import pytest

import arena.models as models
from arena.loopback import LoopbackLLM
from arena.models import Completion, Model, ModelConfig, ModelError

TRANSPORTS = ["http", "litellm"]
OK = "I offer $2,500."
PRICED = "openai/gpt-4o-mini"  # in litellm's bundled price map


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff sleeps are recorded and skipped (the waits themselves are not what is tested)."""
    recorded: list[float] = []
    real = asyncio.sleep

    async def fake(delay: float, *a: object, **k: object) -> None:
        recorded.append(delay)
        await real(0)

    monkeypatch.setattr(models.adapter.asyncio, "sleep", fake)
    return recorded


def call(server: LoopbackLLM, transport: str, model: str = "openai/loopback", **options: Any) -> Completion:
    cfg = ModelConfig(model=model, api_base=server.url, transport=transport,  # type: ignore[arg-type]
                      **{"backoff": 0.01, "timeout": 5, "max_retries": 2, **options})
    return asyncio.run(Model(cfg).complete([{"role": "user", "content": "Your move."}]))


def fails(server: LoopbackLLM, transport: str, **options: Any) -> str:
    with pytest.raises(ModelError) as info:
        call(server, transport, **options)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message and len(message) < 700
    return message


def test_auto_transport_is_direct_http_only_for_openai_compatible_servers() -> None:
    assert Model(ModelConfig(model="openai/x", api_base="http://127.0.0.1:9/v1")).transport == "http"
    assert Model(ModelConfig(model="openai/x", api_base="http://127.0.0.1:9/v1", transport="litellm")).transport == "litellm"
    assert Model(ModelConfig(model="openai/gpt-4o-mini")).transport == "litellm"
    assert Model(ModelConfig(model="ollama/llama3.1", api_base="http://127.0.0.1:9")).transport == "litellm"
    with pytest.raises(ValueError, match="transport 'http' needs"):
        ModelConfig(model="anthropic/claude-3-5-haiku", transport="http")
    with pytest.raises(ValueError, match="transport must be"):
        ModelConfig(model="openai/x", transport="grpc")  # type: ignore[arg-type]


def test_both_transports_send_the_same_request() -> None:
    bodies, headers = [], []
    for transport in TRANSPORTS:
        with LoopbackLLM([OK]) as srv:
            c = call(srv, transport, temperature=0.3, seed=7, max_tokens=99, api_key="sk-test")
            bodies.append(srv.requests[0])
            headers.append(srv.headers[0])
        assert c.text == OK and c.usage.prompt_tokens == 2 and c.usage.completion_tokens == 3
    assert bodies[0] == bodies[1]
    assert bodies[0]["model"] == "loopback" and bodies[0]["temperature"] == 0.3 and bodies[0]["seed"] == 7
    assert all(h["authorization"] == "Bearer sk-test" for h in headers)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_null_content_is_an_empty_reply_with_a_note(transport: str) -> None:
    with LoopbackLLM([{"content": None}]) as srv:
        c = call(srv, transport)
        assert srv.calls == 1
    assert c.text == "" and c.attempts == 1 and c.finish_reason == "stop"
    assert any("empty reply" in n for n in c.notes)


def test_content_parts_are_joined() -> None:
    parts = [{"type": "text", "text": "I offer "}, {"type": "text", "text": "$2,500."}]
    with LoopbackLLM([{"content": parts}]) as srv:
        c = call(srv, "http")
    assert c.text == OK and any("part" in n for n in c.notes)


@pytest.mark.filterwarnings("ignore::UserWarning")  # litellm's own serializer complains about the list
def test_content_parts_through_litellm_are_a_readable_malformed_answer(waits: list[float]) -> None:
    # litellm's own response validation rejects a list content: retried, then a clear error
    with LoopbackLLM([{"content": [{"type": "text", "text": OK}]}]) as srv:
        message = fails(srv, "litellm")
        assert srv.calls == 3
    assert "Invalid response object" in message and "after 3 attempts" in message


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_reasoning_only_reply_is_used_when_the_model_finished(transport: str) -> None:
    with LoopbackLLM([{"content": None, "reasoning_content": "Thinking done. " + OK}]) as srv:
        c = call(srv, transport)
    assert c.text == "Thinking done. " + OK and any("reasoning" in n for n in c.notes)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_reasoning_is_ignored_when_there_is_content_or_it_was_cut(transport: str) -> None:
    with LoopbackLLM([{"content": OK, "reasoning_content": "my reservation is 2,000"},
                      {"content": "", "reasoning_content": "Let me think about $2,4", "finish_reason": "length"}]) as srv:
        with_content, cut = call(srv, transport), call(srv, transport)
    assert with_content.text == OK and with_content.notes == []
    assert cut.text == "" and cut.finish_reason == "length"
    assert any("not used" in n for n in cut.notes) and any("max_tokens" in n for n in cut.notes)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_tool_calls_instead_of_content_are_an_empty_reply(transport: str) -> None:
    tool = [{"id": "call_1", "type": "function", "function": {"name": "make_offer", "arguments": '{"price": 2500}'}}]
    with LoopbackLLM([{"content": None, "tool_calls": tool, "finish_reason": "tool_calls"}]) as srv:
        c = call(srv, transport)
    assert c.text == "" and c.finish_reason == "tool_calls"
    assert any("make_offer" in n and "no tools" in n for n in c.notes)


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("bad", [{"choices": []}, {"omit": ["choices"]}])
def test_no_choices_is_retried_then_a_model_error(transport: str, bad: dict[str, Any], waits: list[float]) -> None:
    with LoopbackLLM([bad, OK]) as srv:
        c = call(srv, transport)
    assert c.text == OK and c.attempts == 2 and "choices" in c.errors[0]
    with LoopbackLLM([bad]) as srv:
        message = fails(srv, transport)
        assert srv.calls == 3
    assert "choices" in message and "after 3 attempts" in message


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_missing_usage_is_zero_tokens_and_unknown_cost(transport: str) -> None:
    with LoopbackLLM([OK, {"content": OK, "omit": ["usage"]}]) as srv:
        full = call(srv, transport, model=PRICED)
        bare = call(srv, transport, model=PRICED)
    assert full.usage.cost_usd is not None and full.usage.cost_usd > 0  # the price is known...
    assert bare.text == OK and (bare.usage.prompt_tokens, bare.usage.completion_tokens) == (0, 0)
    assert bare.usage.cost_usd is None  # ...but not what was used: unknown, never 0
    assert any("no usage" in n for n in bare.notes)


def test_partial_usage_keeps_what_was_reported_and_the_cost_unknown() -> None:
    with LoopbackLLM([{"content": OK, "usage": {"prompt_tokens": 7}}]) as srv:
        c = call(srv, "http", model=PRICED)
    assert (c.usage.prompt_tokens, c.usage.completion_tokens, c.usage.cost_usd) == (7, 0, None)
    assert any("partial usage" in n for n in c.notes)


def test_both_transports_price_a_call_alike() -> None:
    costs = []
    for transport in TRANSPORTS:
        with LoopbackLLM([OK]) as srv:
            costs.append(call(srv, transport, model=PRICED).usage.cost_usd)
    price = models.price_per_token(PRICED)
    assert price is not None and costs[0] == pytest.approx(2 * price[0] + 3 * price[1])
    assert costs[1] == pytest.approx(costs[0])


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_html_with_status_200_is_retried_then_named(transport: str, waits: list[float]) -> None:
    page = {"body": "<!DOCTYPE html>\n<html><body><h1>Welcome to nginx!</h1></body></html>"}
    with LoopbackLLM([page, OK]) as srv:
        assert call(srv, transport).text == OK
    with LoopbackLLM([page]) as srv:
        message = fails(srv, transport)
    assert "Welcome to nginx" in message and "after 3 attempts" in message


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_error_object_with_status_200(transport: str, waits: list[float]) -> None:
    overloaded = {"json": {"error": {"message": "model overloaded", "code": 503}}}
    with LoopbackLLM([overloaded, OK]) as srv:
        c = call(srv, transport)
    assert c.text == OK and c.attempts == 2 and "overloaded" in c.errors[0]
    with LoopbackLLM([{"json": {"error": "Model not loaded"}}]) as srv:
        message = fails(srv, transport)
        assert srv.calls == 1  # no code that says "try again": final
    assert "Model not loaded" in message or "Error in response object" in message


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(("status", "words"), [
    (400, "context too long"), (401, "API key"), (403, "not allowed"), (404, "model name and api_base"),
    (413, "too large"), (422, "rejected the request"),
])
def test_client_errors_are_final_with_a_one_line_cause(transport: str, status: int, words: str) -> None:
    with LoopbackLLM([{"status": status, "message": "context too long\n<br>see docs"}]) as srv:
        message = fails(srv, transport)
        assert srv.calls == 1
    assert words in message and message.startswith("openai/loopback: ") and "attempts" not in message


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_retry_after_as_an_http_date(transport: str, waits: list[float]) -> None:
    later = formatdate(time.time() + 60, usegmt=True)
    with LoopbackLLM([{"status": 429, "retry_after": later}, OK]) as srv:
        c = call(srv, transport, backoff_max=120)
    assert c.text == OK and c.attempts == 2 and "RateLimitError" in c.errors[0]
    assert len(waits) == 1 and 50 < waits[0] <= 60


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_retry_after_is_capped_by_backoff_max(transport: str, waits: list[float]) -> None:
    with LoopbackLLM([{"status": 429, "retry_after": 3600}, OK]) as srv:
        assert call(srv, transport, backoff_max=7).text == OK
    assert waits == [7]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_503_then_success(transport: str, waits: list[float]) -> None:
    with LoopbackLLM([{"status": 503, "message": "warming up"}, OK]) as srv:
        c = call(srv, transport)
        assert srv.calls == 2
    assert c.text == OK and c.attempts == 2 and len(c.errors) == 1 and "warming up" in c.errors[0]
    assert len(waits) == 1 and 0 < waits[0] < 1


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_connection_reset_mid_body_is_retried(transport: str, waits: list[float]) -> None:
    with LoopbackLLM([{"reset": True, "content": "x" * 5000}, OK]) as srv:
        c = call(srv, transport)
        assert srv.calls == 2
    assert c.text == OK and c.attempts == 2


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("slow", [{"delay": 1.5}, {"stall": 1.5}], ids=["before-headers", "mid-body"])
def test_a_server_slower_than_the_timeout(transport: str, slow: dict[str, Any], waits: list[float]) -> None:
    with LoopbackLLM([{**slow, "content": "late"}, OK]) as srv:
        c = call(srv, transport, timeout=0.3)
    assert c.text == OK and c.attempts == 2 and "imeout" in c.errors[0]
    with LoopbackLLM([{**slow, "content": "late"}]) as srv:
        message = fails(srv, transport, timeout=0.3, max_retries=1)
    assert "imeout" in message and "after 2 attempts" in message


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_truncated_reply_is_kept_and_noted(transport: str) -> None:
    cut = 'I offer:\n```json\n{"action": "offer", "bundle": {"pri'
    with LoopbackLLM([{"content": cut, "finish_reason": "length"}]) as srv:
        c = call(srv, transport)
    assert c.text == cut and c.finish_reason == "length" and any("max_tokens" in n for n in c.notes)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_very_long_reply_arrives_whole(transport: str) -> None:
    long = "word " * 200_000 + OK
    with LoopbackLLM([long]) as srv:
        c = call(srv, transport)
    assert c.text == long and c.usage.completion_tokens == 200_003


def test_refused_connection_is_retried_then_an_error(waits: list[float]) -> None:
    with LoopbackLLM([OK]) as srv:
        url = srv.url
    cfg = ModelConfig(model="openai/loopback", api_base=url, backoff=0.01, max_retries=1)
    with pytest.raises(ModelError, match="APIConnectionError.*after 2 attempts"):
        asyncio.run(Model(cfg).complete([{"role": "user", "content": "hi"}]))


def test_pooled_connections_are_closed_with_their_event_loop(recwarn: pytest.WarningsRecorder,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    import gc

    warnings.simplefilter("always", ResourceWarning)
    with LoopbackLLM([OK]) as srv:
        for _ in range(3):  # a new event loop each time: new connections, the old ones closed
            assert call(srv, "http").text == OK
        assert len(set(srv.peers)) == 3
        gc.collect()
        assert all(c.closed for c in gc.get_objects() if isinstance(c, models.http._Connection))
    gc.collect()
    assert not [w for w in recwarn if "nclosed" in str(w.message)]
    assert "nclosed" not in caplog.text


@pytest.mark.parametrize("closing", [{"close": True}, {"headers": {"Connection": "close"}}], ids=["silent", "header"])
def test_connections_are_reused_unless_the_server_closes_them(closing: dict[str, Any]) -> None:
    async def three(url: str) -> list[Completion]:
        model = Model(ModelConfig(model="openai/loopback", api_base=url, transport="http", max_retries=0))
        out = []
        for _ in range(3):
            out.append(await model.complete([{"role": "user", "content": "hi"}]))
            await asyncio.sleep(0.05)  # the server's close reaches us before the next call
        return out

    with LoopbackLLM([OK]) as srv:
        kept = asyncio.run(three(srv.url))
        assert [c.text for c in kept] == [OK] * 3 and len(set(srv.peers)) == 1  # one keep-alive connection
    with LoopbackLLM([{"content": OK, **closing}]) as srv:
        closed = asyncio.run(three(srv.url))
        assert [(c.text, c.attempts) for c in closed] == [(OK, 1)] * 3 and len(set(srv.peers)) == 3


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


def test_https_endpoints_are_verified(certificate: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models.http, "_SSL", [])  # the context is made once per process: make it anew
    with LoopbackLLM([OK], tls=certificate) as srv:
        assert srv.url.startswith("https://")
        message = fails(srv, "http")  # a certificate nobody vouches for: final, not retried
        assert srv.calls == 0
    assert "CERTIFICATE_VERIFY_FAILED" in message or "certificate verify failed" in message
    assert "after" not in message
    monkeypatch.setattr(models.http, "_SSL", [])
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])  # as behind a company's own CA
    with LoopbackLLM([OK, "and again"], tls=certificate) as srv:
        async def two() -> list[str]:
            model = Model(ModelConfig(model="openai/loopback", api_base=srv.url, transport="http", max_retries=0))
            return [(await model.complete([{"role": "user", "content": "hi"}])).text for _ in range(2)]

        assert asyncio.run(two()) == [OK, "and again"]
        assert len(set(srv.peers)) == 1  # one TLS connection, kept alive
    monkeypatch.setattr(models.http, "_SSL", [])
