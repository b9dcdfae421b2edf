"""Mutable negotiation state, kept apart from the static rules (the protocol) and the views."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from ..actions import Action
from ..space import Bundle

__all__ = ["MoveRecord", "NegotiationState", "Outcome"]

Outcome = Literal["agreement", "disagreement", "forfeit"]


class MoveRecord(BaseModel):
    """One applied move."""

    turn: int
    round: int
    role: str
    action: Action


class NegotiationState(BaseModel):
    """Everything that changes during a session.

    ``round`` counts offers made so far (the period of the standing offer, from 1); ``turn``
    counts applied moves. An agreement on the offer made in round k is discounted by delta^(k-1).

    Simultaneous-move protocols keep a move in ``sealed`` (role -> action) until every side has
    moved in the round; the runner adds a move to the public history only once ``sealed`` is
    empty again, so no side sees the other's sealed move before making its own. ``extra`` holds
    protocol-specific state (such as the current negotiation region); like every container here
    it is replaced on a transition, never changed in place. Turn-based protocols leave both empty.
    """

    to_move: str
    turn: int = 0
    round: int = 0
    standing: Bundle | None = None
    standing_by: str | None = None
    standing_round: int = 0
    last_offer: dict[str, Bundle] = Field(default_factory=dict)
    moves: list[MoveRecord] = Field(default_factory=list)
    ended: bool = False
    outcome: Outcome | None = None
    agreement: Bundle | None = None
    agreement_round: int | None = None
    reason: str | None = None
    forfeit_by: str | None = None
    sealed: dict[str, Action] = Field(default_factory=dict)
    extra: dict[str, Any] = Field(default_factory=dict)

    def evolve(self, **changes: Any) -> "NegotiationState":
        """A copy of this state with ``changes`` applied, leaving this state as it was.

        The copy is shallow: states share their bundles, move records and containers, so a
        transition replaces a container (``moves=[*state.moves, record]``) rather than changing
        it in place. Deep-copying the growing move list on every move made a session quadratic.
        """
        return self.model_copy(update=changes)

    def end(self, outcome: Outcome, reason: str, *, agreement: Bundle | None = None,
            agreement_round: int | None = None, forfeit_by: str | None = None) -> None:
        self.ended, self.outcome, self.reason = True, outcome, reason
        self.agreement, self.agreement_round, self.forfeit_by = agreement, agreement_round, forfeit_by
