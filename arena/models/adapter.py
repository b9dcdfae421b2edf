"""The adapter: the retry loop, the concurrency limit, the cache and the cost rules over both
transports."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import time
from pathlib import Path
from typing import Any

from ..transcript import Usage
from .config import Completion, MissingKeyError, ModelConfig, ModelError
from .failures import (_error_body_failure, _error_message, _Failure, _litellm_failure, _one_line,
                       _retry_after_from, _status_failure)
from .http import _http_post, _proxied
from .litellm_route import _lib, price_per_token
from .replies import _read_reply, _Reply

_SEMAPHORES: dict[tuple[str, str | None], tuple[asyncio.AbstractEventLoop, asyncio.Semaphore]] = {}


def _semaphore(cfg: ModelConfig) -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    key = (cfg.model, cfg.api_base)
    held = _SEMAPHORES.get(key)
    if held is None or held[0] is not loop:
        held = (loop, asyncio.Semaphore(cfg.concurrency))
        _SEMAPHORES[key] = held
    return held[1]


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
