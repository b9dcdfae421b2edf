"""The ultimatum game: one proposal, then accept or reject."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..actions import Action
from ..verdicts import Violation
from .base import common_violation, register_protocol
from .state import MoveRecord, NegotiationState

if TYPE_CHECKING:
    from ..game import Game

__all__ = ["Ultimatum"]


@register_protocol("ultimatum")
class Ultimatum:
    """The proposer makes exactly one offer (or walks away); the responder accepts or rejects.

    Any response other than acceptance ends in disagreement.
    """

    name = "ultimatum"

    def __init__(self, game: "Game") -> None:
        self.proposer = game.first
        self.responder = game.other(game.first)

    def initial_state(self) -> NegotiationState:
        return NegotiationState(to_move=self.proposer)

    def legal_kinds(self, state: NegotiationState, role: str) -> list[str]:
        if state.ended or role != state.to_move:
            return []
        if role == self.proposer:
            return ["offer", "walk_away"]
        return ["accept", "reject", "walk_away"]

    def check(self, state: NegotiationState, role: str, action: Action) -> Violation | None:
        return common_violation(state, role, action, self.legal_kinds(state, role))

    def apply(self, state: NegotiationState, role: str, action: Action) -> NegotiationState:
        s = state.model_copy(deep=True)
        s.turn += 1
        if action.kind == "offer":
            s.round = 1
            s.standing, s.standing_by, s.standing_round = dict(action.bundle), role, 1  # type: ignore[union-attr]
            s.last_offer[role] = dict(action.bundle)  # type: ignore[union-attr]
            s.to_move = self.responder
        s.moves.append(MoveRecord(turn=s.turn, round=s.round, role=role, action=action))
        if action.kind == "accept":
            s.end("agreement", "accepted", agreement=s.standing, agreement_round=1)
        elif action.kind == "reject":
            s.end("disagreement", "rejected")
        elif action.kind == "walk_away":
            s.end("disagreement", f"{role} walked away")
        return s

    def describe_rules(self) -> str:
        return (f"Ultimatum: {self.proposer} makes exactly one offer; {self.responder} accepts it or rejects "
                "it, and a rejection means no deal for either side.")
