"""Reading a reply: a JSON dict from the HTTP transport, a litellm ModelResponse otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .failures import _Failure


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
