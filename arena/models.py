"""The one provider adapter: any model litellm can reach, chosen by a model string.

``openai/gpt-4o-mini``, ``anthropic/claude-...``, ``gemini/...``, ``ollama/llama3.1``, or
``openai/<name>`` plus ``api_base`` for any OpenAI-compatible server (vLLM, llama.cpp, LM Studio).
One class for every vendor: retries with exponential backoff and jitter on 429, 5xx, timeouts and
dropped connections (honouring Retry-After), a concurrency limit per model, token and cost
accounting (an unknown price is recorded as unknown, never as 0), and an optional disk cache
keyed by model, messages and parameters. litellm is imported lazily (it takes seconds).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .transcript import Usage

__all__ = ["Completion", "MissingKeyError", "Model", "ModelConfig", "ModelError", "price_per_token"]

_RETRYABLE = ("RateLimitError", "InternalServerError", "ServiceUnavailableError", "BadGatewayError", "Timeout",
              "APIConnectionError", "APIError")


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

    def public(self) -> dict[str, Any]:
        """The config without secrets, as recorded in transcripts."""
        return {k: v for k, v in asdict(self).items() if k != "api_key" and v is not None}


@dataclass
class Completion:
    """A model's answer with its usage."""

    text: str
    usage: Usage
    attempts: int = 1
    errors: list[str] = field(default_factory=list)


_litellm: Any = None
_SEMAPHORES: dict[tuple[str, str | None], tuple[asyncio.AbstractEventLoop, asyncio.Semaphore]] = {}


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


def _semaphore(cfg: ModelConfig) -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    key = (cfg.model, cfg.api_base)
    held = _SEMAPHORES.get(key)
    if held is None or held[0] is not loop:
        held = (loop, asyncio.Semaphore(cfg.concurrency))
        _SEMAPHORES[key] = held
    return held[1]


def _retry_after(exc: BaseException) -> float | None:
    for headers in (getattr(exc, "litellm_response_headers", None), getattr(getattr(exc, "response", None), "headers", None)):
        if not headers:
            continue
        try:
            value = headers.get("retry-after") or headers.get("Retry-After")
        except AttributeError:
            continue
        if value is None:
            continue
        try:
            return max(0.0, float(value))
        except ValueError:
            from email.utils import parsedate_to_datetime

            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
            except (TypeError, ValueError):
                return None
    return None


def _retryable(exc: BaseException) -> bool:
    name = type(exc).__name__
    if name in ("AuthenticationError", "BadRequestError", "NotFoundError", "PermissionDeniedError",
                "ContextWindowExceededError", "ContentPolicyViolationError", "UnsupportedParamsError"):
        return False
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and (status == 429 or status == 408 or status >= 500):
        return True
    return name in _RETRYABLE or isinstance(exc, (TimeoutError, ConnectionError, asyncio.TimeoutError))


class Model:
    """An async chat model behind litellm.

    Args:
        config: the model and call options.
    """

    def __init__(self, config: ModelConfig) -> None:
        self.config = config

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

    # ------------------------------------------------------------------ call
    async def complete(self, messages: list[dict[str, str]]) -> Completion:
        """One chat completion, with retries, the concurrency limit and the cache.

        Raises:
            MissingKeyError: the provider's API key is not set.
            ModelError: the call failed for good; the message says why.
        """
        path = self._cache_path(messages)
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                usage = Usage(**{**data["usage"], "cached": True, "latency_s": 0.0, "cost_usd": 0.0})
                return Completion(text=data["text"], usage=usage, attempts=0)
            except (OSError, ValueError, KeyError, TypeError):
                pass  # a broken cache entry is a miss
        self.check_keys()
        lib = _lib()
        cfg = self.config
        errors: list[str] = []
        for attempt in range(cfg.max_retries + 1):
            started = time.perf_counter()
            try:
                async with _semaphore(cfg):
                    started = time.perf_counter()
                    response = await lib.acompletion(messages=messages, **self._params())
            except Exception as exc:  # classified below; never escapes unclassified
                errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
                if not _retryable(exc) or attempt == cfg.max_retries:
                    raise ModelError(f"{cfg.model}: {errors[-1]}"
                                     + (f" (after {attempt + 1} attempts)" if attempt else "")) from None
                wait = _retry_after(exc)
                if wait is None:
                    wait = min(cfg.backoff_max, cfg.backoff * 2 ** attempt) * (0.5 + random.random())
                await asyncio.sleep(min(wait, cfg.backoff_max))
                continue
            latency = time.perf_counter() - started
            text = _content(response)
            usage = Usage(prompt_tokens=_usage(response, "prompt_tokens"),
                          completion_tokens=_usage(response, "completion_tokens"),
                          cost_usd=_cost(lib, response), latency_s=latency)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps({"text": text, "usage": usage.model_dump()}), encoding="utf-8")
                tmp.replace(path)
            return Completion(text=text, usage=usage, attempts=attempt + 1, errors=errors)
        raise ModelError(f"{cfg.model}: no attempts were made")  # pragma: no cover


def _content(response: Any) -> str:
    try:
        content = response.choices[0].message.content
    except (AttributeError, IndexError, KeyError, TypeError):
        return ""
    return content if isinstance(content, str) else ""


def _usage(response: Any, name: str) -> int:
    try:
        return int(getattr(response.usage, name) or 0)
    except (AttributeError, TypeError, ValueError):
        return 0


def _cost(lib: Any, response: Any) -> float | None:
    try:
        return float(lib.completion_cost(completion_response=response))
    except Exception:  # litellm raises for models missing from its price map: unknown, not 0
        return None


def price_per_token(model: str) -> tuple[float, float] | None:
    """(input, output) USD per token from litellm's bundled price map, or None if unknown."""
    try:
        info = _lib().get_model_info(model)
    except Exception:  # unknown to the price map
        return None
    cin, cout = info.get("input_cost_per_token"), info.get("output_cost_per_token")
    if cin is None or cout is None:
        return None
    return float(cin), float(cout)
