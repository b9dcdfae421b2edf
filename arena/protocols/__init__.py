"""Negotiation protocols: legal moves per state and state transitions."""

from .alternating import AlternatingOffers
from .base import NegotiationProtocol, get_protocol, protocol_names, register_protocol
from .state import MoveRecord, NegotiationState, Outcome
from .ultimatum import Ultimatum

__all__ = [
    "AlternatingOffers",
    "MoveRecord",
    "NegotiationProtocol",
    "NegotiationState",
    "Outcome",
    "Ultimatum",
    "get_protocol",
    "protocol_names",
    "register_protocol",
]
