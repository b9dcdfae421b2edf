"""Alternating offers (Rubinstein 1982, with a deadline)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..actions import Action, Offer
from ..verdicts import Violation
from .base import common_violation, register_protocol
from .state import MoveRecord, NegotiationState

if TYPE_CHECKING:
    from ..game import Game

__all__ = ["AlternatingOffers"]


@register_protocol("alternating-offers")
class AlternatingOffers:
    """Players alternate; each turn one may offer, accept or reject the standing offer, talk or
    walk away.

    Rules:
        * ``first`` moves first; the turn passes after every move.
        * An offer replaces the standing offer and opens a new round; at most ``max_rounds``
          offers may be made. After the last one the other side may only accept, reject or
          walk away, and anything but an acceptance ends in disagreement (the deadline).
        * Accept takes the other side's standing offer: agreement in that offer's round.
        * Reject clears the standing offer. Walk away ends in disagreement at once.
        * Say talks without a move.
    """

    name = "alternating-offers"

    def __init__(self, game: "Game") -> None:
        self.first = game.first
        self.roles = game.role_names
        self.max_rounds = game.spec.protocol.max_rounds
        a, b = self.roles
        self._others = {a: b, b: a}

    def _other(self, role: str) -> str:
        return self.roles[1] if role == self.roles[0] else self.roles[0]

    def initial_state(self) -> NegotiationState:
        return NegotiationState(to_move=self.first)

    def legal_kinds(self, state: NegotiationState, role: str) -> list[str]:
        if state.ended or role != state.to_move:
            return []
        kinds = []
        if state.round < self.max_rounds:
            kinds.append("offer")
        if state.standing is not None and state.standing_by != role:
            kinds += ["accept", "reject"]
        kinds.append("walk_away")
        if state.round < self.max_rounds:
            kinds.append("say")
        return kinds

    def check(self, state: NegotiationState, role: str, action: Action) -> Violation | None:
        legal = self.legal_kinds(state, role)
        if isinstance(action, Offer) and not state.ended and role == state.to_move and "offer" not in legal:
            return Violation(code="deadline", message=f"All {self.max_rounds} rounds of offers are used up: "
                             "you may only accept, reject or walk away.")
        return common_violation(state, role, action, legal)

    def apply(self, state: NegotiationState, role: str, action: Action) -> NegotiationState:
        turn, rnd = state.turn + 1, state.round
        other = self._others.get(role)
        if other is None:
            other = self._other(role)
        if isinstance(action, Offer):  # the common move, and one that never ends the session
            rnd += 1
            bundle = action.bundle
            return state._evolved({
                "turn": turn, "to_move": other, "round": rnd, "standing": dict(bundle), "standing_by": role,
                "standing_round": rnd, "last_offer": {**state.last_offer, role: dict(bundle)},
                # the referee has validated the action: record it without validating it again
                "moves": [*state.moves, MoveRecord.of(turn, rnd, role, action)]})
        changes: dict[str, Any] = {"turn": turn, "to_move": other}
        if action.kind == "reject":
            changes.update(standing=None, standing_by=None)
        # the referee has validated the action: record it without validating it again
        changes["moves"] = [*state.moves, MoveRecord.of(turn, rnd, role, action)]
        s = state.evolve(**changes)
        if action.kind == "accept":
            s.end("agreement", "accepted", agreement=s.standing, agreement_round=s.standing_round)
        elif action.kind == "walk_away":
            s.end("disagreement", f"{role} walked away")
        elif action.kind == "reject":
            if s.round >= self.max_rounds:
                s.end("disagreement", "deadline")
        elif action.kind == "say" and s.round >= self.max_rounds and s.standing_by != role:
            s.end("disagreement", "deadline")
        return s

    def describe_rules(self) -> str:
        return (f"Alternating offers: {self.first} moves first and turns alternate. On your turn you may "
                f"make an offer (at most {self.max_rounds} offers in all), accept or reject the other "
                "side's standing offer, or walk away. If the last offer is not accepted, there is no deal.")
