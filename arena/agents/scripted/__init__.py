"""Scripted negotiators that speak: each decides a move and says it in natural language."""

from .base import OwnTable, ScriptedAgent, own_table
from .injector import INJECTIONS, InjectorAgent
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

__all__ = [
    "AnchorAgent",
    "EvenSplitAgent",
    "INJECTIONS",
    "InjectorAgent",
    "IntegrativeAgent",
    "OwnTable",
    "RandomAgent",
    "ScriptedAgent",
    "SubgamePerfectAgent",
    "TimeDependentAgent",
    "TitForTatAgent",
    "own_table",
    "speak",
]
