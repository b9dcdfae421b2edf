"""Referee verdicts: ``Ok`` or ``Violation(code, message)``.

A violation's message is written for the agent: it is what the agent reads on its repair turn.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["VIOLATION_CODES", "Ok", "Verdict", "Violation"]

VIOLATION_CODES = (
    "unparsable",         # the parser found no move in the text
    "not_your_turn",      # the other side is to move
    "game_over",          # the negotiation has already ended
    "no_standing_offer",  # accept/reject with no offer from the other side on the table
    "deadline",           # no offers may be made any more
    "illegal_action",     # this kind of move is not allowed by the protocol here
    "unknown_issue",      # the bundle names an issue the game does not have
    "missing_issue",      # the bundle leaves an issue out
    "out_of_range",       # a value outside the range or list
    "wrong_type",         # a value of the wrong type (text for a number, ...)
)


class Ok(BaseModel):
    """The move is legal."""

    model_config = ConfigDict(frozen=True)
    ok: Literal[True] = True


class Violation(BaseModel):
    """The move is not legal; ``message`` tells the agent why and what it may do instead."""

    model_config = ConfigDict(frozen=True)
    ok: Literal[False] = False
    code: str
    message: str


Verdict = Ok | Violation
