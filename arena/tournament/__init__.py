"""Tournaments: a grid of sessions run concurrently, resumably and under a cost budget.

* :mod:`arena.tournament.spec`: the YAML spec (games and seeds, competitors, pairings).
* :mod:`arena.tournament.grid`: the cells of the grid and their deterministic session ids.
* :mod:`arena.tournament.index`: the folder, its SQLite index and the atomic commit protocol.
* :mod:`arena.tournament.budget`: cost accounting and the ``--max-cost`` policy.
* :mod:`arena.tournament.runner`: the concurrent scheduler.
* :mod:`arena.tournament.progress`: run options, live progress and the result of a run.
"""

from .budget import Budget, SessionCost, session_cost
from .grid import Cell, expand_grid, pairs, session_id_for
from .index import ReconcileReport, SessionRecord, TournamentIndex
from .progress import RunOptions, TournamentProgress, TournamentResult
from .runner import TournamentRunner, run_tournament
from .spec import (
    CompetitorSpec,
    GameEntry,
    Pairings,
    Price,
    SessionOptions,
    TournamentError,
    TournamentSpec,
    load_tournament_spec,
)

__all__ = [
    "Budget",
    "Cell",
    "CompetitorSpec",
    "GameEntry",
    "Pairings",
    "Price",
    "ReconcileReport",
    "RunOptions",
    "SessionCost",
    "SessionOptions",
    "SessionRecord",
    "TournamentError",
    "TournamentIndex",
    "TournamentProgress",
    "TournamentResult",
    "TournamentRunner",
    "TournamentSpec",
    "expand_grid",
    "load_tournament_spec",
    "pairs",
    "run_tournament",
    "session_cost",
    "session_id_for",
]
