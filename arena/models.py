"""The one provider adapter: any model litellm can reach, chosen by a model string.

``openai/gpt-4o-mini``, ``anthropic/claude-...``, ``gemini/...``, ``ollama/llama3.1``, or
``openai/<name>`` plus ``api_base`` for any OpenAI-compatible server (vLLM, llama.cpp, LM Studio).
One class for every vendor: retries with exponential backoff and jitter on 429, 5xx, timeouts,
dropped connections and malformed responses (honouring Retry-After, in seconds or as an HTTP
date), a concurrency limit per model, token and cost accounting (an unknown price is recorded as
unknown, never as 0), and an optional disk cache keyed by model, messages and parameters.

Transports (``ModelConfig.transport``). Every vendor model string goes through litellm, imported
lazily (it takes seconds). An ``openai/<name>`` model with an ``api_base`` is posted directly to
``{api_base}/chat/completions`` by default (``transport="auto"``), unless an environment proxy
applies to that URL (litellm honours proxies; the direct route does not); ``"litellm"`` forces
litellm for it too, ``"http"`` forces the direct route. The direct route is HTTP/1.1 over asyncio
with keep-alive connections pooled per event loop, framed by h11 (a dependency of httpx, so always
installed with litellm and openai). The reason is the arena's own CPU and event loop: on the
2-core benchmark machine a litellm call costs ~4-7 ms of CPU, an httpx ``AsyncClient`` POST
~0.7 ms alone and ~5 ms at 64 calls in flight (its pool does not scale), an aiohttp or a direct
POST ~0.15 ms; and the direct route writes the request in the caller's own step, where aiohttp
(on Python < 3.12) schedules a writer task, one more event-loop wait per call (+5% tournament
efficiency at concurrency 64). Both routes share the retry loop, the limits, the cache and the
cost rules below (cost: litellm's own figure, ``_hidden_params["response_cost"]``, on its route;
on the direct route the tokens times :func:`price_per_token`, cached).

How replies are read (both transports):

* ``message.content`` as a string, or a list of parts whose ``text`` (or ``refusal``) pieces are
  joined; ``null`` is an empty reply.
* An empty content with a ``reasoning_content`` (or ``reasoning``) text, as some vLLM and
  DeepSeek servers send when their reasoning parser takes the whole output: the reasoning text
  is the reply, unless the reply was cut at ``max_tokens`` (``finish_reason: "length"``), when
  the reasoning is an unfinished draft and the reply stays empty. With a content, the reasoning
  is never used (never shown to the opponent).
* ``tool_calls`` instead of content: the arena offers no tools, so the reply is empty.
* An empty reply is not an error: the referee records it as unparsable and gives a repair turn.
  Each such case, and a truncated reply, leaves a note in :attr:`Completion.notes`.
* No ``choices``, a 200 body that is not JSON (an HTML page), or a 200 JSON ``{"error": ...}``
  with a retryable code are malformed answers: retried, then a :class:`ModelError`. An ``error``
  object without a retryable code is final at once.
* HTTP 400, 401 (the key is wrong), 402, 403, 404, 413, 422: final at once, with a one-line
  cause. 408, 409, 429 and 5xx: retried.
* ``usage`` missing or partial: the missing counts are recorded as 0 (the transcript's
  :class:`~arena.transcript.Usage` holds integers) and the cost as unknown (None).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from .transcript import Usage

__all__ = ["Completion", "MissingKeyError", "Model", "ModelConfig", "ModelError", "price_per_token"]

Transport = Literal["auto", "litellm", "http"]


class ModelError(RuntimeError):
    """A model call failed for good (after retries, or with a non-retryable error)."""


class MissingKeyError(ModelError):
    """The provider needs an API key that is not set; the message names the variable."""


@dataclass(frozen=True)
class ModelConfig:
    """How to call one model.

    Args:
        model: litellm model string, e.g. ``openai/gpt-4o-mini`` or ``ollama/llama3.1``.
        api_base: base URL of an OpenAI-compatible server (``http://127.0.0.1:8000/v1``).
        api_key: key to send (default: the provider's environment variable).
        temperature: sampling temperature (None: the provider's default).
        seed: sampling seed, passed through to providers that honour it.
        max_tokens: cap on the completion length.
        timeout: seconds per attempt.
        max_retries: retries after the first attempt on transient errors.
        backoff: base delay in seconds of the exponential backoff (doubled per retry, with jitter).
        backoff_max: cap of one delay.
        concurrency: calls in flight at once for this model (shared by every seat using it).
        cache_dir: folder of the response cache (None: no cache).
        transport: ``"auto"`` (direct HTTP for ``openai/<name>`` with an ``api_base``, litellm
            otherwise), ``"litellm"`` or ``"http"`` (``openai/<name>`` with an ``api_base`` only).
    """

    model: str
    api_base: str | None = None
    api_key: str | None = None
    temperature: float | None = None
    seed: int | None = None
    max_tokens: int | None = 1024
    timeout: float = 120.0
    max_retries: int = 4
    backoff: float = 1.0
    backoff_max: float = 30.0
    concurrency: int = 16
    cache_dir: str | None = None
    transport: Transport = "auto"

    def __post_init__(self) -> None:
        if self.transport not in ("auto", "litellm", "http"):
            raise ValueError(f"transport must be 'auto', 'litellm' or 'http', not {self.transport!r}")
        if self.transport == "http" and not (self.api_base and self.model.startswith("openai/")):
            raise ValueError("transport 'http' needs an openai/<name> model and an api_base "
                             f"(got model {self.model!r}, api_base {self.api_base!r})")

    def public(self) -> dict[str, Any]:
        """The config without secrets, as recorded in transcripts."""
        return {k: v for k, v in asdict(self).items() if k != "api_key" and v is not None}


@dataclass
class Completion:
    """A model's answer with its usage.

    ``errors`` are the failed attempts before this answer (one line each); ``notes`` say how an
    odd answer was read (empty content, reasoning used as the reply, truncation, tool calls,
    missing usage); ``finish_reason`` is the server's.
    """

    text: str
    usage: Usage
    attempts: int = 1
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    finish_reason: str | None = None


# ---------------------------------------------------------------------------------------------
# failures: one type, classified once, whatever the transport

class _Failure(Exception):
    """One failed attempt: a one-line cause, whether another attempt may help, and how long the
    server asked us to wait."""

    def __init__(self, cause: str, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.retryable = retryable
        self.retry_after = retry_after


_STATUS_NAMES = {400: "BadRequestError", 401: "AuthenticationError", 402: "PaymentRequiredError",
                 403: "PermissionDeniedError", 404: "NotFoundError", 408: "Timeout", 409: "ConflictError",
                 413: "RequestTooLargeError", 422: "UnprocessableEntityError", 429: "RateLimitError",
                 500: "InternalServerError", 502: "BadGatewayError", 503: "ServiceUnavailableError",
                 504: "GatewayTimeoutError"}
_STATUS_HINTS = {
    401: "the server rejected the API key; check api_key (or the provider's key variable, e.g. OPENAI_API_KEY)",
    402: "the account behind the key has no credit left",
    403: "the key is not allowed to use this model or endpoint",
    404: "check the model name and api_base (an OpenAI-compatible base URL usually ends in /v1)",
    413: "the request is too large for the server (the conversation may exceed what it accepts)",
    422: "the server rejected the request's parameters",
}
_FINAL_ERROR_NAMES = ("AuthenticationError", "BadRequestError", "NotFoundError", "PermissionDeniedError",
                      "ContextWindowExceededError", "ContentPolicyViolationError", "UnsupportedParamsError",
                      "UnprocessableEntityError", "PaymentRequiredError")
_RETRYABLE_NAMES = ("RateLimitError", "InternalServerError", "ServiceUnavailableError", "BadGatewayError",
                    "Timeout", "APITimeoutError", "APIConnectionError", "APIError")


def _retryable_status(status: int) -> bool:
    return status in (408, 409, 429) or status >= 500


def _one_line(text: Any, limit: int = 300) -> str:
    """A server's or library's message as one short line (no tracebacks, no HTML layout)."""
    s = str(text)
    cut = s.find("Traceback (most recent call last)")
    if cut >= 0:
        s = s[:cut]
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _parse_retry_after(value: Any) -> float | None:
    """Seconds to wait from a Retry-After value: a number of seconds or an HTTP date."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(str(value)).timestamp() - time.time())
        except (TypeError, ValueError, IndexError, OverflowError):
            return None


def _retry_after_from(headers: Any) -> float | None:
    if not headers:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            wait = _parse_retry_after(ms)
            if wait is not None:
                return wait / 1000.0
        return _parse_retry_after(headers.get("retry-after") or headers.get("Retry-After"))
    except AttributeError:
        return None


def _status_failure(status: int, message: str, retry_after: float | None = None) -> _Failure:
    name = _STATUS_NAMES.get(status, "APIStatusError")
    hint = _STATUS_HINTS.get(status)
    cause = f"HTTP {status} {name}: " + (f"{hint} (server: {message})" if hint else message)
    return _Failure(_one_line(cause, 400), _retryable_status(status), retry_after)


def _error_message(data: Any) -> str:
    """The message of an OpenAI-style error body (``{"error": {"message": ...}}``) or the body."""
    err = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(err, dict):
        return _one_line(err.get("message") or err.get("detail") or json.dumps(err))
    return _one_line(err)


def _error_body_failure(err: Any) -> _Failure:
    """HTTP 200 whose JSON is ``{"error": ...}``: classified by its code when it has one."""
    code = None
    if isinstance(err, dict):
        for key in ("code", "status", "status_code"):
            value = err.get(key)
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                code = int(value)
                break
        kind = str(err.get("type") or err.get("code") or "").lower()
        if code is None and any(w in kind for w in ("rate_limit", "overloaded", "server_error", "timeout")):
            code = 503
    message = _error_message({"error": err})
    if code is not None:
        f = _status_failure(code, message)
        return _Failure(f"HTTP 200 with an error object: {f.cause}", f.retryable)
    return _Failure(_one_line(f"HTTP 200 with an error object: {message}", 400), False)


_LITELLM_NOISE = re.compile(r"^(?:(?:litellm\.)?[A-Za-z]+(?:Error|Exception|Timeout): |[A-Za-z]+Exception - )+")


def _litellm_failure(exc: BaseException) -> _Failure:
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    wait = None
    for headers in (getattr(exc, "litellm_response_headers", None), getattr(getattr(exc, "response", None), "headers", None)):
        wait = _retry_after_from(headers)
        if wait is not None:
            break
    raw = _one_line(exc)
    message = _LITELLM_NOISE.sub("", raw) or raw  # "litellm.XError: XError: OpenAIException - msg" -> msg
    hint = _STATUS_HINTS.get(status) if isinstance(status, int) else None
    cause = _one_line(f"{name}: " + (f"{hint} ({message})" if hint else message), 400)
    if name in _FINAL_ERROR_NAMES:
        retryable = False
    elif isinstance(status, int) and 400 <= status < 600:
        retryable = _retryable_status(status)
    else:
        retryable = name in _RETRYABLE_NAMES or isinstance(exc, (TimeoutError, ConnectionError, asyncio.TimeoutError))
    return _Failure(cause, retryable, wait)


# ---------------------------------------------------------------------------------------------
# reading a reply (a JSON dict from the HTTP transport, a litellm ModelResponse otherwise)

def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _part_text(part: Any) -> str:
    if isinstance(part, str):
        return part
    for key in ("text", "refusal"):
        value = _get(part, key)
        if isinstance(value, str):
            return value
        if isinstance(_get(value, "value"), str):  # {"text": {"value": ...}}
            return _get(value, "value")
    return ""


@dataclass
class _Reply:
    text: str
    finish_reason: str | None
    notes: list[str]
    prompt_tokens: int | None
    completion_tokens: int | None


def _read_reply(response: Any) -> _Reply:
    """The text, finish reason, notes and reported token counts of a chat completion.

    Raises:
        _Failure: the response has no choices (retryable).
    """
    choices = _get(response, "choices")
    if not isinstance(choices, list) or not choices:
        what = "an empty 'choices' list" if isinstance(choices, list) else "no 'choices'"
        raise _Failure(f"malformed response: {what}", True)
    choice = choices[0]
    message = _get(choice, "message") or {}
    finish = _get(choice, "finish_reason")
    finish = str(finish) if finish is not None else None
    notes: list[str] = []
    content = _get(message, "content")
    if isinstance(content, list):
        text = "".join(_part_text(p) for p in content)
        notes.append(f"content came as {len(content)} part(s); their text was joined")
    elif isinstance(content, str):
        text = content
    else:
        text = ""
    if not text:
        refusal = _get(message, "refusal")
        if isinstance(refusal, str) and refusal:
            text = refusal
            notes.append("the model refused (message.refusal)")
    if not text.strip():
        reasoning = _get(message, "reasoning_content") or _get(message, "reasoning")
        tools = _get(message, "tool_calls") or _get(message, "function_call")
        if isinstance(reasoning, str) and reasoning.strip():
            if finish == "length":
                notes.append("empty content; the reasoning text was cut at max_tokens, so it is not used")
            else:
                text = reasoning
                notes.append("empty content: the reply is the message's reasoning text")
        if tools and not text:
            names = []
            for call in tools if isinstance(tools, list) else [tools]:
                fn = _get(call, "function") or call
                names.append(str(_get(fn, "name") or "?"))
            notes.append(f"the model called tool(s) {', '.join(names)} instead of answering; the arena "
                         "offers no tools, so the reply is empty")
        if not text.strip():
            notes.append(f"empty reply (finish_reason {finish!r})")
    if finish == "length":
        notes.append("the reply was cut at max_tokens (finish_reason 'length')")
    usage = _get(response, "usage")

    def count(name: str) -> int | None:
        value = _get(usage, name) if usage is not None else None
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    prompt, completion = count("prompt_tokens"), count("completion_tokens")
    if usage is None:
        notes.append("the server reported no usage: tokens recorded as 0, cost unknown")
    elif prompt is None or completion is None:
        notes.append("the server reported partial usage: missing counts recorded as 0, cost unknown")
    return _Reply(text, finish, notes, prompt, completion)


# ---------------------------------------------------------------------------------------------
# litellm, imported lazily

_litellm: Any = None
_SEMAPHORES: dict[tuple[str, str | None], tuple[asyncio.AbstractEventLoop, asyncio.Semaphore]] = {}
_PRICES: dict[str, tuple[float, float] | None] = {}


def _lib() -> Any:
    global _litellm
    if _litellm is None:
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never download the price map
        import litellm

        litellm.suppress_debug_info = True
        litellm.telemetry = False
        import logging

        for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy"):
            logging.getLogger(name).setLevel(logging.ERROR)
        _litellm = litellm
    return _litellm


def price_per_token(model: str) -> tuple[float, float] | None:
    """(input, output) USD per token from litellm's bundled price map, or None if unknown."""
    if model in _PRICES:
        return _PRICES[model]
    try:
        info = _lib().get_model_info(model)
    except Exception:  # unknown to the price map
        info = {}
    cin, cout = info.get("input_cost_per_token"), info.get("output_cost_per_token")
    price = None if cin is None or cout is None else (float(cin), float(cout))
    _PRICES[model] = price
    return price


def _semaphore(cfg: ModelConfig) -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    key = (cfg.model, cfg.api_base)
    held = _SEMAPHORES.get(key)
    if held is None or held[0] is not loop:
        held = (loop, asyncio.Semaphore(cfg.concurrency))
        _SEMAPHORES[key] = held
    return held[1]


# ---------------------------------------------------------------------------------------------
# the direct HTTP transport: HTTP/1.1 (h11 framing) over asyncio, pooled per event loop

class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection. The request goes out in the caller's own step (no
    writer task) and the answer completes one future: the fewest event-loop hops per call."""

    def __init__(self) -> None:
        import h11

        self._h11 = h11
        self.h = h11.Connection(h11.CLIENT)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[tuple[int, dict[str, str], bytes]] | None = None
        self.closed = False
        self.got_bytes = False
        self._status = 0
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []

    # asyncio callbacks
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.got_bytes = True
        try:
            self.h.receive_data(data)
        except RuntimeError:  # data after the connection was marked closed
            self.abort()
            return
        self._pump()

    def eof_received(self) -> bool:
        self.closed = True
        try:
            self.h.receive_data(b"")
        except RuntimeError:
            pass
        self._pump()
        self._fail(ConnectionResetError("the server closed the connection"))
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(exc or ConnectionResetError("the connection was closed"))

    # the exchange
    def _fail(self, exc: BaseException) -> None:
        w = self.waiter
        if w is not None and not w.done():
            w.set_exception(exc)

    def _pump(self) -> None:
        h11 = self._h11
        while True:
            try:
                event = self.h.next_event()
            except h11.RemoteProtocolError as exc:
                if self.closed:  # the server hung up mid-answer
                    self._fail(ConnectionResetError(_one_line(exc, 200)))
                else:
                    self._fail(_Failure(f"APIConnectionError: the answer is not valid HTTP ({_one_line(exc, 200)})",
                                        True))
                self.abort()
                return
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return
            if isinstance(event, h11.Response):
                self._status = event.status_code
                self._headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in event.headers}
            elif isinstance(event, h11.Data):
                self._body.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                w = self.waiter
                if w is not None and not w.done():
                    w.set_result((self._status, self._headers, b"".join(self._body)))
                return
            elif isinstance(event, h11.ConnectionClosed):
                self._fail(ConnectionResetError("the server closed the connection before answering"))
                return
            # InformationalResponse (1xx): skipped

    def request(self, target: str, headers: list[tuple[str, str]], body: bytes) -> asyncio.Future[tuple[int, dict[str, str], bytes]]:
        h11 = self._h11
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self._status, self._headers, self._body = 0, {}, []
        data = self.h.send(h11.Request(method="POST", target=target, headers=headers))
        data += self.h.send(h11.Data(data=body))  # type: ignore[operator]
        data += self.h.send(h11.EndOfMessage())  # type: ignore[operator]
        self.transport.write(data)
        return self.waiter

    def timed_out(self) -> None:
        self._fail(asyncio.TimeoutError())

    def reusable(self) -> bool:
        h11 = self._h11
        if self.closed or self.h.our_state is not h11.DONE or self.h.their_state is not h11.DONE:
            return False
        self.h.start_next_cycle()
        self.got_bytes = False
        return True

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()


_POOLS: dict[asyncio.AbstractEventLoop, dict[tuple[str, str, int], list[_Connection]]] = {}
_KEEPERS: dict[asyncio.AbstractEventLoop, Any] = {}
_SSL: list[Any] = []


async def _keeper(pools: dict[tuple[str, str, int], list[_Connection]]) -> Any:
    """An async generator that owns a loop's idle connections: ``asyncio.run`` closes every live
    async generator of its loop before closing the loop, and so closes them cleanly."""
    try:
        yield
    finally:
        for idle in pools.values():
            for conn in idle:
                conn.abort()
        pools.clear()


async def _pool() -> dict[tuple[str, str, int], list[_Connection]]:
    loop = asyncio.get_running_loop()
    pools = _POOLS.get(loop)
    if pools is None:
        for old in [lp for lp in list(_POOLS) if lp.is_closed()]:  # loops that are gone
            _POOLS.pop(old, None)
            _KEEPERS.pop(old, None)
        pools = _POOLS[loop] = {}
        keeper = _KEEPERS[loop] = _keeper(pools)
        await keeper.__anext__()
    return pools


def _ssl_context() -> Any:
    if not _SSL:
        import ssl

        _SSL.append(ssl.create_default_context())
    return _SSL[0]


async def _http_post(url: str, headers: dict[str, str], body: bytes, timeout: float) -> tuple[int, dict[str, str], bytes]:
    """POST ``body`` to ``url``; the status, the headers (lower-case names) and the body.

    Raises:
        _Failure: the connection failed or the answer did not come in ``timeout`` seconds.
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Failure(f"invalid api_base URL {url!r} (expected http://host:port/...)", False)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    key = (parts.scheme, parts.hostname, port)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    idle = (await _pool()).setdefault(key, [])
    conn = None
    while idle:
        candidate = idle.pop()
        if not candidate.closed:
            conn = candidate
            break
    try:
        if conn is None:
            _, conn = await asyncio.wait_for(
                loop.create_connection(_Connection, parts.hostname, port, ssl=_ssl_context() if secure else None,
                                       server_hostname=parts.hostname if secure else None), timeout)
    except asyncio.TimeoutError:
        raise _Failure(f"Timeout: no connection to {parts.hostname}:{port} within {timeout:g} s", True) from None
    except OSError as exc:
        import ssl

        final = isinstance(exc, ssl.SSLCertVerificationError)
        raise _Failure(f"APIConnectionError: cannot connect to {parts.hostname}:{port} "
                       f"({type(exc).__name__}: {_one_line(exc, 200)})", not final) from None
    host = parts.netloc.rsplit("@", 1)[-1]
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = [("Host", host), ("Content-Length", str(len(body))), *headers.items()]
    timer = loop.call_at(deadline, conn.timed_out)
    try:
        status, rheaders, raw = await conn.request(target, request, body)
    except asyncio.TimeoutError:
        conn.abort()
        raise _Failure(f"Timeout: no complete answer within {timeout:g} s", True) from None
    except _Failure:
        conn.abort()
        raise
    except OSError as exc:
        conn.abort()
        what = "the connection was lost before the answer was complete" if conn.got_bytes else \
            "the connection was closed before any answer"
        raise _Failure(f"APIConnectionError: {what} ({type(exc).__name__}: {_one_line(exc, 200) or 'reset'})",
                       True) from None
    except BaseException:  # cancelled: the connection's state is unknown
        conn.abort()
        raise
    finally:
        timer.cancel()
    if conn.reusable():
        idle.append(conn)
    else:
        conn.abort()
    encoding = rheaders.get("content-encoding", "identity").lower()
    if encoding in ("gzip", "deflate"):
        import zlib

        try:
            raw = zlib.decompress(raw, 31 if encoding == "gzip" else 15)
        except zlib.error:
            pass  # left as is: reported as not JSON below
    return status, rheaders, raw


_PROXIED: dict[str, bool] = {}


def _proxied(url: str) -> bool:
    """Whether the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) sends ``url``
    through a proxy; the direct transport does not speak to proxies, litellm does. Read once per
    URL and process, as HTTP clients read it once per client."""
    if url not in _PROXIED:
        import urllib.request
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        proxies = urllib.request.getproxies_environment()
        _PROXIED[url] = bool(proxies.get(parts.scheme) or proxies.get("all")) and \
            not urllib.request.proxy_bypass_environment(parts.hostname or "", proxies)
    return _PROXIED[url]


async def _post_http(cfg: ModelConfig, messages: list[dict[str, str]]) -> dict[str, Any]:
    assert cfg.api_base is not None
    body: dict[str, Any] = {"model": cfg.model.split("/", 1)[1], "messages": messages}
    for name in ("temperature", "seed", "max_tokens"):
        value = getattr(cfg, name)
        if value is not None:
            body[name] = value
    key = cfg.api_key or os.environ.get("OPENAI_API_KEY") or "sk-no-key-needed"
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", "Accept": "application/json",
               "Accept-Encoding": "gzip, deflate", "User-Agent": "negotiation-arena"}
    url = cfg.api_base.rstrip("/") + "/chat/completions"
    status, rheaders, raw = await _http_post(url, headers, json.dumps(body).encode(), cfg.timeout)
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if status != 200:
        message = _error_message(data) if data is not None else _one_line(raw.decode("utf-8", "replace")) or "(no body)"
        raise _status_failure(status, message, _retry_after_from(rheaders))
    if not isinstance(data, dict):
        kind = rheaders.get("content-type", "no content type")
        raise _Failure(_one_line(f"malformed response: HTTP 200 with a body that is not a JSON object ({kind}): "
                                 f"{raw[:120].decode('utf-8', 'replace')!r}", 400), True)
    if data.get("error") and not data.get("choices"):
        raise _error_body_failure(data["error"])
    return data


async def _post_litellm(cfg: ModelConfig, params: dict[str, Any], messages: list[dict[str, str]]) -> Any:
    try:
        return await _lib().acompletion(messages=messages, **params)
    except Exception as exc:  # classified here; never escapes unclassified
        raise _litellm_failure(exc) from None


def _litellm_cost(response: Any) -> float | None:
    hidden = getattr(response, "_hidden_params", None) or {}
    cost = hidden.get("response_cost") if isinstance(hidden, dict) else None
    if isinstance(cost, (int, float)) and not isinstance(cost, bool):
        return float(cost)  # litellm computed it already
    try:
        return float(_lib().completion_cost(completion_response=response))
    except Exception:  # litellm raises for models missing from its price map: unknown, not 0
        return None


class Model:
    """An async chat model (litellm, or direct HTTP for OpenAI-compatible servers).

    Args:
        config: the model and call options.
    """

    def __init__(self, config: ModelConfig) -> None:
        self.config = config
        cfg = config
        self.transport: str = cfg.transport
        if cfg.transport == "auto":
            base = (cfg.api_base or "").lower()
            direct = cfg.model.startswith("openai/") and base.startswith(("http://", "https://")) \
                and not _proxied(base)
            if direct:
                try:
                    import h11  # noqa: F401  (an httpx dependency, so always there with litellm and openai)
                except ImportError:
                    direct = False
            self.transport = "http" if direct else "litellm"

    def check_keys(self) -> None:
        """Raise :class:`MissingKeyError` naming the environment variable a provider needs."""
        cfg = self.config
        if cfg.api_key or cfg.api_base:
            return
        info = _lib().validate_environment(model=cfg.model)
        missing = [k for k in info.get("missing_keys", []) if "KEY" in k or "TOKEN" in k]
        if missing:
            raise MissingKeyError(f"model {cfg.model!r} needs the environment variable {missing[0]} "
                                  "(or pass --api-base for an OpenAI-compatible server)")

    # ------------------------------------------------------------------ cache
    def _cache_path(self, messages: list[dict[str, str]]) -> Path | None:
        cfg = self.config
        if not cfg.cache_dir:
            return None
        key = json.dumps({"model": cfg.model, "api_base": cfg.api_base, "messages": messages,
                          "temperature": cfg.temperature, "seed": cfg.seed, "max_tokens": cfg.max_tokens},
                         sort_keys=True)
        digest = hashlib.sha256(key.encode()).hexdigest()
        return Path(cfg.cache_dir) / digest[:2] / f"{digest}.json"

    def _params(self) -> dict[str, Any]:
        cfg = self.config
        params: dict[str, Any] = {"model": cfg.model, "timeout": cfg.timeout, "max_retries": 0}
        if cfg.api_base:
            params["api_base"] = cfg.api_base
            params["api_key"] = cfg.api_key or os.environ.get("OPENAI_API_KEY") or "sk-no-key-needed"
        elif cfg.api_key:
            params["api_key"] = cfg.api_key
        for name in ("temperature", "seed", "max_tokens"):
            value = getattr(cfg, name)
            if value is not None:
                params[name] = value
        return params

    async def _attempt(self, messages: list[dict[str, str]]) -> tuple[_Reply, Any]:
        """One call through the transport: the reply read, and the raw response."""
        if self.transport == "http":
            data = await _post_http(self.config, messages)
            return _read_reply(data), data
        response = await _post_litellm(self.config, self._params(), messages)
        reply = _read_reply(response)
        # litellm fills a usage object in even when the server sent none: a chat prompt is never
        # 0 tokens, so 0 prompt tokens means the server did not say
        if not reply.prompt_tokens:
            reply.prompt_tokens = None
            if not any("usage" in n for n in reply.notes):
                reply.notes.append("the server reported no usage: tokens recorded as 0, cost unknown")
        return reply, response

    def _cost(self, reply: _Reply, response: Any) -> float | None:
        """The call's cost in USD; None when the price or the token counts are unknown."""
        if reply.prompt_tokens is None or reply.completion_tokens is None:
            return None
        if self.transport == "litellm":
            return _litellm_cost(response)
        price = price_per_token(self.config.model)
        return None if price is None else reply.prompt_tokens * price[0] + reply.completion_tokens * price[1]

    # ------------------------------------------------------------------ call
    async def complete(self, messages: list[dict[str, str]]) -> Completion:
        """One chat completion, with retries, the concurrency limit and the cache.

        Raises:
            MissingKeyError: the provider's API key is not set.
            ModelError: the call failed for good; the message says why, in one line.
        """
        path = self._cache_path(messages)
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                usage = Usage(**{**data["usage"], "cached": True, "latency_s": 0.0, "cost_usd": 0.0})
                return Completion(text=data["text"], usage=usage, attempts=0, notes=list(data.get("notes", [])),
                                  finish_reason=data.get("finish_reason"))
            except (OSError, ValueError, KeyError, TypeError):
                pass  # a broken cache entry is a miss
        self.check_keys()
        cfg = self.config
        errors: list[str] = []
        for attempt in range(cfg.max_retries + 1):
            try:
                async with _semaphore(cfg):
                    started = time.perf_counter()
                    reply, response = await self._attempt(messages)
            except _Failure as failure:
                errors.append(failure.cause)
                if not failure.retryable or attempt == cfg.max_retries:
                    raise ModelError(f"{cfg.model}: {failure.cause}"
                                     + (f" (after {attempt + 1} attempts)" if attempt else "")) from None
                wait = failure.retry_after
                if wait is None:
                    wait = min(cfg.backoff_max, cfg.backoff * 2 ** attempt) * (0.5 + random.random())
                await asyncio.sleep(min(wait, cfg.backoff_max))
                continue
            latency = time.perf_counter() - started
            usage = Usage(prompt_tokens=reply.prompt_tokens or 0, completion_tokens=reply.completion_tokens or 0,
                          cost_usd=self._cost(reply, response), latency_s=latency)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps({"text": reply.text, "usage": usage.model_dump(), "notes": reply.notes,
                                           "finish_reason": reply.finish_reason}), encoding="utf-8")
                tmp.replace(path)
            return Completion(text=reply.text, usage=usage, attempts=attempt + 1, errors=errors, notes=reply.notes,
                              finish_reason=reply.finish_reason)
        raise ModelError(f"{cfg.model}: no attempts were made")  # pragma: no cover
