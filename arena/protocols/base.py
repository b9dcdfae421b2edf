"""The protocol contract and the protocol registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from ..actions import Action
from ..verdicts import Violation
from .state import NegotiationState

if TYPE_CHECKING:
    from ..game import Game

__all__ = ["NegotiationProtocol", "get_protocol", "protocol_names", "register_protocol"]


class NegotiationProtocol(Protocol):
    """Static rules: who may move, which moves are legal, and how a move changes the state."""

    name: str

    def initial_state(self) -> NegotiationState: ...

    def legal_kinds(self, state: NegotiationState, role: str) -> list[str]: ...

    def check(self, state: NegotiationState, role: str, action: Action) -> Violation | None: ...

    def apply(self, state: NegotiationState, role: str, action: Action) -> NegotiationState: ...

    def describe_rules(self) -> str: ...


_PROTOCOLS: dict[str, Callable[["Game"], NegotiationProtocol]] = {}


def register_protocol(name: str) -> Callable[[type], type]:
    """Register a protocol class (constructed from a Game) under ``name``."""

    def deco(cls: type) -> type:
        _PROTOCOLS[name] = cls
        return cls

    return deco


def protocol_names() -> list[str]:
    return sorted(_PROTOCOLS)


def get_protocol(game: "Game") -> NegotiationProtocol:
    """Construct the protocol named by ``game.spec.protocol.type``."""
    name = game.spec.protocol.type
    if name not in _PROTOCOLS:
        raise ValueError(f"unknown protocol {name!r}; known: {', '.join(protocol_names())}")
    return _PROTOCOLS[name](game)


def common_violation(state: NegotiationState, role: str, action: Action,
                     legal: list[str]) -> Violation | None:
    """Checks every turn-based protocol shares: game over, turn order, legal move kinds."""
    if state.ended:
        return Violation(code="game_over", message="The negotiation has already ended; no more moves.")
    if role != state.to_move:
        return Violation(code="not_your_turn", message=f"It is {state.to_move}'s turn, not yours.")
    if action.kind in ("accept", "reject") and (state.standing is None or state.standing_by == role):
        return Violation(code="no_standing_offer",
                         message="There is no offer from the other side to "
                                 f"{action.kind}. Make an offer instead.")
    if action.kind not in legal:
        return Violation(code="illegal_action",
                         message=f"You cannot {action.kind.replace('_', ' ')} now. Legal moves: {', '.join(legal)}.")
    return None
