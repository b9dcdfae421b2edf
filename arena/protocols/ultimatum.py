"""The ultimatum game: one proposal, then accept or reject."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..actions import Action, Offer
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
        turn, rnd = state.turn + 1, state.round
        changes: dict[str, Any] = {"turn": turn}
        if isinstance(action, Offer):
            rnd = 1
            changes.update(round=rnd, standing=dict(action.bundle), standing_by=role, standing_round=rnd,
                           last_offer={**state.last_offer, role: dict(action.bundle)}, to_move=self.responder)
        changes["moves"] = [*state.moves, MoveRecord.of(turn, rnd, role, action)]
        s = state.evolve(**changes)
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
