"""Parser inputs and results: :class:`ParseContext` in, :class:`Parsed` or :class:`ParseFailure` out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from ..actions import Action
from ..space import Bundle
from .textutil import builder

if TYPE_CHECKING:
    from ..game import Game

__all__ = ["ParseContext", "ParseFailure", "ParseResult", "Parsed", "Span", "make_parsed", "make_span"]

# "given": the move was not read from the text but given directly (a corpus's <selection> button)
Method = Literal["structured", "prose", "extractor", "given"]


@dataclass(frozen=True)
class ParseContext:
    """What the parser may know: the public game (vocabulary), who speaks, what is on the table.

    Args:
        game: the game (issues, their synonyms and units, role names and labels).
        speaker: the role whose text is parsed; resolves "I", "me", "you", "the rest".
        standing: the standing offer, if any (so "deal" or "I accept" can be read as acceptance).
        standing_by: the role that made the standing offer.
    """

    game: "Game"
    speaker: str
    standing: Bundle | None = None
    standing_by: str | None = None

    @property
    def listener(self) -> str:
        return self.game.other(self.speaker)


parse_context = builder(ParseContext)
"""``ParseContext(game, speaker, standing, standing_by)``, every field given (one per message)."""


class Span(BaseModel):
    """A stretch of the input text that supported part of the parse."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    label: str
    text: str


class Parsed(BaseModel):
    """A move read from text, with the spans it was read from and a confidence in [0, 1]."""

    model_config = ConfigDict(frozen=True)

    ok: Literal[True] = True
    action: Action
    method: Method
    confidence: float = 1.0
    spans: list[Span] = []


class ParseFailure(BaseModel):
    """No move could be read; ``reason`` is shown to the agent on its repair turn."""

    model_config = ConfigDict(frozen=True)

    ok: Literal[False] = False
    code: Literal["empty", "no_move", "bad_block", "ambiguous"]
    reason: str
    method: Method = "prose"


ParseResult = Parsed | ParseFailure


# ---------------------------------------------------------------------- fast constructors
# The parser builds a handful of these per message from values whose types it controls. Built
# here without validation when the values have exactly the types validation keeps as they are;
# anything else goes through the validating constructors. The objects are the same either way.
_new = object.__new__
_set = object.__setattr__
_SPAN_FIELDS = frozenset({"start", "end", "label", "text"})
_PARSED_FIELDS = frozenset({"action", "method", "confidence", "spans"})
_METHODS = frozenset(("structured", "prose", "extractor", "given"))


def _action_types() -> tuple[type, ...]:
    from ..actions import Accept, Offer, ProposeRegion, Reject, Say, WalkAway

    return (Offer, Accept, Reject, WalkAway, Say, ProposeRegion)


_ACTIONS = frozenset(_action_types())


def make_span(start: int, end: int, label: str, text: str) -> Span:
    """``Span(start=start, end=end, label=label, text=text)``."""
    if type(start) is not int or type(end) is not int or type(label) is not str or type(text) is not str:
        return Span(start=start, end=end, label=label, text=text)
    span = _new(Span)
    _set(span, "__dict__", {"start": start, "end": end, "label": label, "text": text})
    _set(span, "__pydantic_fields_set__", set(_SPAN_FIELDS))
    _set(span, "__pydantic_extra__", None)
    _set(span, "__pydantic_private__", None)
    return span


def make_parsed(action: Action, method: Method, confidence: float, spans: list[Span]) -> Parsed:
    """``Parsed(action=action, method=method, confidence=confidence, spans=spans)``."""
    if type(action) not in _ACTIONS or method not in _METHODS or type(confidence) is not float \
            or type(spans) is not list or any(type(s) is not Span for s in spans):
        return Parsed(action=action, method=method, confidence=confidence, spans=spans)
    parsed = _new(Parsed)
    _set(parsed, "__dict__", {"ok": True, "action": action, "method": method, "confidence": confidence,
                              "spans": list(spans)})
    _set(parsed, "__pydantic_fields_set__", set(_PARSED_FIELDS))
    _set(parsed, "__pydantic_extra__", None)
    _set(parsed, "__pydantic_private__", None)
    return parsed
