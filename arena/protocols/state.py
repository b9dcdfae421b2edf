"""Mutable negotiation state, kept apart from the static rules (the protocol) and the views."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from ..actions import Action
from ..space import Bundle

__all__ = ["MoveRecord", "NegotiationState", "Outcome"]

Outcome = Literal["agreement", "disagreement", "forfeit"]

_new = object.__new__
_set = object.__setattr__
_RECORD_FIELDS = frozenset({"turn", "round", "role", "action"})


class MoveRecord(BaseModel):
    """One applied move."""

    turn: int
    round: int
    role: str
    action: Action

    @classmethod
    def of(cls, turn: int, round: int, role: str, action: Action) -> "MoveRecord":
        """A record of a move the referee has already validated, built without validating it
        again: the same object ``MoveRecord(turn=..., round=..., role=..., action=...)`` gives
        for a validated action and int turn and round (pydantic keeps a model instance as is)."""
        record = _new(cls)
        _set(record, "__dict__", {"turn": turn, "round": round, "role": role, "action": action})
        _set(record, "__pydantic_fields_set__", set(_RECORD_FIELDS))
        _set(record, "__pydantic_extra__", None)
        _set(record, "__pydantic_private__", None)
        return record


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

        Like ``model_copy(update=changes)`` (the changes are not validated), minus its generic
        copying machinery: this runs on every move.
        """
        return self._evolved(changes)

    def _evolved(self, changes: dict[str, Any]) -> "NegotiationState":
        """:meth:`evolve` with the changes given as a dict (not copied, not validated)."""
        if self.__pydantic_extra__ is not None or self.__pydantic_private__ is not None:
            return self.model_copy(update=changes)  # a subclass with extras or private attributes
        new = _new(type(self))
        values = self.__dict__.copy()
        values.update(changes)
        _set(new, "__dict__", values)
        _set(new, "__pydantic_fields_set__", self.__pydantic_fields_set__ | changes.keys())
        _set(new, "__pydantic_extra__", None)
        _set(new, "__pydantic_private__", None)
        return new

    def end(self, outcome: Outcome, reason: str, *, agreement: Bundle | None = None,
            agreement_round: int | None = None, forfeit_by: str | None = None) -> None:
        self.ended, self.outcome, self.reason = True, outcome, reason
        self.agreement, self.agreement_round, self.forfeit_by = agreement, agreement_round, forfeit_by
