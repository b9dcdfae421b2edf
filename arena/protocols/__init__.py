"""Negotiation protocols: legal moves per state and state transitions (alternating offers,
ultimatum, and the simultaneous region-recursive protocol)."""

from .alternating import AlternatingOffers
from .base import NegotiationProtocol, get_protocol, protocol_names, register_protocol
from .region import RegionParams, RegionRecursive
from .state import MoveRecord, NegotiationState, Outcome
from .ultimatum import Ultimatum

__all__ = [
    "AlternatingOffers",
    "MoveRecord",
    "NegotiationProtocol",
    "NegotiationState",
    "Outcome",
    "RegionParams",
    "RegionRecursive",
    "Ultimatum",
    "get_protocol",
    "protocol_names",
    "register_protocol",
]
