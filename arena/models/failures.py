"""Failures: one type, classified once, whatever the transport (HTTP status, error bodies,
litellm exceptions), with the server's Retry-After."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any


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
