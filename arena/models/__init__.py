"""The one provider adapter (``arena.models``): any model litellm can reach, chosen by a model string.

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

Modules: ``config`` (ModelConfig, Completion, the errors), ``adapter`` (Model: the retry loop,
limits, cache and cost), ``failures`` (classifying failures), ``replies`` (reading replies),
``http`` (the direct transport), ``litellm_route`` (litellm and its price map).
"""

from .adapter import Model
from .config import Completion, MissingKeyError, ModelConfig, ModelError, Transport
from .litellm_route import price_per_token

__all__ = ["Completion", "MissingKeyError", "Model", "ModelConfig", "ModelError", "Transport", "price_per_token"]
