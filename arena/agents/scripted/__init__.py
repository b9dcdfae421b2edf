"""Scripted negotiators that speak: each decides a move and says it in natural language."""

from .base import OwnTable, ScriptedAgent, own_table
from .injector import INJECTIONS, InjectorAgent
from .regions import RegionAgent
from .speech import speak
from .strategies import (
    AnchorAgent,
    EvenSplitAgent,
    IntegrativeAgent,
    RandomAgent,
    SubgamePerfectAgent,
    TimeDependentAgent,
    TitForTatAgent,
)
from .tradeoff import TradeOffAgent

__all__ = [
    "AnchorAgent",
    "EvenSplitAgent",
    "INJECTIONS",
    "InjectorAgent",
    "IntegrativeAgent",
    "OwnTable",
    "RandomAgent",
    "RegionAgent",
    "ScriptedAgent",
    "SubgamePerfectAgent",
    "TimeDependentAgent",
    "TitForTatAgent",
    "TradeOffAgent",
    "own_table",
    "speak",
]
