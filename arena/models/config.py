"""What a model call is configured with and what it returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ..transcript import Usage

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
