"""Cross-cutting session rules as small composable policies (repair budget, turn limit)."""

from __future__ import annotations

from dataclasses import dataclass

from .protocols import NegotiationState

__all__ = ["RepairBudget", "SessionPolicy", "TurnLimit"]


@dataclass(frozen=True)
class RepairBudget:
    """How many repair attempts an agent gets per turn after a violation (default 2)."""

    per_turn: int = 2

    def exhausted(self, repairs_used: int) -> bool:
        return repairs_used > self.per_turn


class SessionPolicy:
    """A rule checked after every applied move; it may end the session."""

    def after_move(self, state: NegotiationState) -> NegotiationState:  # pragma: no cover - interface
        return state


@dataclass(frozen=True)
class TurnLimit(SessionPolicy):
    """End in disagreement after ``max_turns`` moves (guards against endless talk)."""

    max_turns: int

    def after_move(self, state: NegotiationState) -> NegotiationState:
        if not state.ended and state.turn >= self.max_turns:
            state = state.model_copy(deep=True)
            state.end("disagreement", "turn limit")
        return state
