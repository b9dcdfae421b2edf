"""The referee: judges a parse result against the protocol and the outcome space.

It is deterministic and never calls a model. Its :class:`Violation` messages are written for the
agent, which reads them on its repair turn.
"""

from __future__ import annotations

from .actions import Offer
from .game import Game
from .parsing.result import ParseFailure, ParseResult
from .protocols import NegotiationProtocol, NegotiationState
from .verdicts import VIOLATION_CODES, Ok, Verdict, Violation

__all__ = ["Ok", "Referee", "VIOLATION_CODES", "Verdict", "Violation"]

_OK = Ok()  # frozen: one instance serves every legal move


class Referee:
    """Validates moves: parse result -> protocol rules -> outcome space.

    Args:
        game: the game (its outcome space bounds every offer).
        protocol: the protocol whose rules decide which moves are legal.
    """

    def __init__(self, game: Game, protocol: NegotiationProtocol) -> None:
        self.game, self.protocol = game, protocol

    def judge(self, state: NegotiationState, role: str, result: ParseResult) -> Verdict:
        """Return :class:`Ok` or the first :class:`Violation` of ``result`` in ``state``."""
        if isinstance(result, ParseFailure):
            return Violation(code="unparsable",
                             message=f"I could not read a move in your message ({result.reason}). "
                                     "State your move clearly: an offer with a value for every issue, "
                                     "or accept, reject, or walk away.")
        action = result.action
        broken = self.protocol.check(state, role, action)
        if broken is not None:
            return broken
        if isinstance(action, Offer):
            problems = self.game.space.problems(action.bundle)
            if problems:
                detail = "; ".join(p.message for p in problems)
                return Violation(code=problems[0].code,
                                 message=f"Your offer is not a valid deal: {detail}. "
                                         f"Every offer must give a value for each of: {', '.join(self.game.space.names)}.")
        return _OK
