"""Parser inputs and results: :class:`ParseContext` in, :class:`Parsed` or :class:`ParseFailure` out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from ..actions import Action
from ..space import Bundle

if TYPE_CHECKING:
    from ..game import Game

__all__ = ["ParseContext", "ParseFailure", "ParseResult", "Parsed", "Span"]

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
