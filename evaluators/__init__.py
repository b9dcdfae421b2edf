"""Evaluators: pure functions of transcripts (and the game specs they carry).

* :mod:`evaluators.pareto`: the Pareto frontier over a game's whole outcome space.
* :mod:`evaluators.solutions`: Nash, Kalai-Smorodinsky and max-welfare points; distances.
* :mod:`evaluators.metrics`: one session's scores, one row per role.
* :mod:`evaluators.frame`: many sessions into a DataFrame, bootstrap aggregates, a summary.
* :mod:`evaluators.parsing`: parser accuracy against scripted agents' intended moves.
* :mod:`evaluators.rnp`: the RNP experiment's per-session scores, table, plot and report.
"""

from .frame import aggregate, bootstrap_ci, frame, iter_transcripts, summary
from .metrics import agent_label, rubinstein_share, score_session
from .pareto import Frontier, clear_cache, game_key, pareto_frontier, pareto_indices
from .parsing import ParserAccuracy, parser_accuracy, same_action
from .rnp import rnp_table, score_cell, write_rnp_report
from .solutions import (
    OutcomeScores,
    Solutions,
    bargaining_solutions,
    distance_to,
    is_pareto_optimal,
    kalai_smorodinsky_indices,
    max_welfare_indices,
    nash_indices,
    pareto_distance,
    realized_utilities,
    score_outcome,
)

__all__ = [
    "Frontier",
    "OutcomeScores",
    "ParserAccuracy",
    "Solutions",
    "agent_label",
    "aggregate",
    "bargaining_solutions",
    "bootstrap_ci",
    "clear_cache",
    "distance_to",
    "frame",
    "game_key",
    "is_pareto_optimal",
    "iter_transcripts",
    "kalai_smorodinsky_indices",
    "max_welfare_indices",
    "nash_indices",
    "pareto_distance",
    "pareto_frontier",
    "pareto_indices",
    "parser_accuracy",
    "realized_utilities",
    "rnp_table",
    "rubinstein_share",
    "same_action",
    "score_cell",
    "score_outcome",
    "score_session",
    "summary",
    "write_rnp_report",
]
