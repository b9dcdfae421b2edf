"""Bargaining solutions of a game and the distances of an outcome to them.

Definitions (two roles; ``u_i`` utility, ``r_i`` reservation utility of role ``i``; utilities of
*points of the space* are undiscounted; the disagreement outcome is the point ``(r_1, r_2)``):

* **Feasible set**: outcomes with ``u_i >= r_i`` for both roles (individually rational).
* **Nash point**: argmax of ``(u_1 - r_1) * (u_2 - r_2)`` over the feasible set. It is always
  attained on the Pareto frontier, so it is searched there. Ties (products equal within a
  relative 1e-12) are all kept; a distance to "the Nash point" is to the nearest of them.
* **Kalai-Smorodinsky point**: with the ideal point ``I_i = max u_i`` over the feasible set, the
  feasible frontier point maximizing ``min_i (u_i - r_i) / (I_i - r_i)`` (the discrete form of
  "equal shares of the possible gains"; a role with ``I_i == r_i`` is left out of the minimum).
  Ties are kept as for the Nash point.
* **Max social welfare**: the largest ``u_1 + u_2`` over the whole space (also attained on the
  frontier).
* **Normalized utility space**: each role's utility min-max normalized by its minimum and maximum
  over the whole outcome space, ``(u_i - min_i) / (max_i - min_i)``. Every distance here is a
  Euclidean distance in that space.
* **Pareto optimal**: an outcome's utility pair is Pareto optimal when no frontier point beats it
  by more than ``tol`` (normalized) for one role while being no more than ``tol`` worse for the
  other. **Pareto distance** is 0 for a Pareto-optimal pair, otherwise the distance to the
  nearest frontier point.

The utility pair scored for a session is the *realized* one: an agreement reached in round ``k``
is worth ``u_i * delta_i ** (k - 1)`` (the game's discounts), so delay counts as inefficiency
against the (undiscounted) frontier; no agreement is the disagreement point ``(r_1, r_2)``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from arena.space import Bundle, Value

from .pareto import Frontier, game_key, pareto_frontier

__all__ = [
    "OutcomeScores",
    "Solutions",
    "bargaining_solutions",
    "distance_to",
    "is_pareto_optimal",
    "kalai_smorodinsky_indices",
    "max_welfare_indices",
    "nash_indices",
    "pareto_distance",
    "realized_utilities",
    "score_outcome",
]

PARETO_TOL = 1e-6
_TIE_RTOL = 1e-12


# ---------------------------------------------------------------------- solution points
def _feasible(frontier: Frontier, reservation: np.ndarray) -> np.ndarray:
    slack = 1e-12 * frontier.span
    return np.all(frontier.utilities >= reservation - slack, axis=1)


def _argmax_ties(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    if not mask.any():
        return np.empty(0, dtype=np.int64)
    v = np.where(mask, values, -np.inf)
    best = v.max()
    return np.flatnonzero(mask & (v >= best - _TIE_RTOL * max(1.0, abs(best))))


def nash_indices(frontier: Frontier, reservation: Any) -> np.ndarray:
    """Frontier indices of the Nash bargaining point(s); empty when no outcome is feasible."""
    r = np.asarray(reservation, dtype=np.float64)
    gains = np.clip(frontier.utilities - r, 0.0, None)
    return _argmax_ties(gains[:, 0] * gains[:, 1], _feasible(frontier, r))


def kalai_smorodinsky_indices(frontier: Frontier, reservation: Any) -> np.ndarray:
    """Frontier indices of the Kalai-Smorodinsky point(s); empty when no outcome is feasible."""
    r = np.asarray(reservation, dtype=np.float64)
    feasible = _feasible(frontier, r)
    if not feasible.any():
        return np.empty(0, dtype=np.int64)
    ideal = frontier.utilities[feasible].max(axis=0)
    room = ideal - r
    gains = np.clip(frontier.utilities - r, 0.0, None)
    ratios = np.where(room > 0, gains / np.where(room > 0, room, 1.0), np.inf)
    score = ratios.min(axis=1)
    score = np.where(np.isfinite(score), score, 0.0)  # no role can gain anything: all tie
    return _argmax_ties(score, feasible)


def max_welfare_indices(frontier: Frontier) -> np.ndarray:
    """Frontier indices of the outcome(s) with the largest ``u_1 + u_2``."""
    if len(frontier) == 0:
        return np.empty(0, dtype=np.int64)
    return _argmax_ties(frontier.utilities.sum(axis=1), np.ones(len(frontier), dtype=bool))


# ---------------------------------------------------------------------- distances
def distance_to(frontier: Frontier, utilities: Any, points: np.ndarray) -> float | None:
    """Smallest normalized Euclidean distance from ``utilities`` to any of ``points`` (k x 2)."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if pts.shape[0] == 0:
        return None
    d = frontier.normalize(pts) - frontier.normalize(np.asarray(utilities, dtype=np.float64))
    return float(np.sqrt((d * d).sum(axis=1)).min())


def is_pareto_optimal(frontier: Frontier, utilities: Any, tol: float = PARETO_TOL) -> bool:
    """True when no frontier point dominates ``utilities`` by more than ``tol`` (normalized)."""
    if len(frontier) == 0:
        return True
    f = frontier.normalize(frontier.utilities)
    u = frontier.normalize(np.asarray(utilities, dtype=np.float64))
    dominated = np.all(f >= u - tol, axis=1) & np.any(f > u + tol, axis=1)
    return not bool(dominated.any())


def pareto_distance(frontier: Frontier, utilities: Any, tol: float = PARETO_TOL) -> float:
    """0 for a Pareto-optimal utility pair, else the normalized distance to the nearest frontier point."""
    if is_pareto_optimal(frontier, utilities, tol):
        return 0.0
    return float(distance_to(frontier, utilities, frontier.utilities))  # type: ignore[arg-type]


# ---------------------------------------------------------------------- per game
@dataclass(frozen=True, eq=False)
class Solutions:
    """Everything about a game that scoring needs, computed once per game.

    Attributes:
        frontier: the Pareto frontier (see :mod:`evaluators.pareto`).
        roles: the two role names (column order of every utility pair).
        reservation: ``(2,)`` reservation utilities: the disagreement point.
        nash: ``(k, 2)`` Nash point(s), empty when no outcome is individually rational.
        kalai_smorodinsky: ``(k, 2)`` Kalai-Smorodinsky point(s), likewise.
        max_welfare: ``(k, 2)`` point(s) of maximal ``u_1 + u_2``.
        nash_product: the maximal ``(u_1 - r_1)(u_2 - r_2)``, or None.
        welfare_max: the maximal ``u_1 + u_2`` over the space.
    """

    frontier: Frontier
    roles: tuple[str, str]
    reservation: np.ndarray
    nash: np.ndarray
    kalai_smorodinsky: np.ndarray
    max_welfare: np.ndarray
    nash_product: float | None
    welfare_max: float
    _nash_idx: np.ndarray
    _ks_idx: np.ndarray
    _mw_idx: np.ndarray

    def _bundles(self, idx: np.ndarray) -> list[Bundle]:
        return [self.frontier.space.from_row(self.frontier.outcomes[i]) for i in idx]

    @property
    def nash_outcomes(self) -> list[Bundle]:
        """Representative outcome(s) of the Nash point(s)."""
        return self._bundles(self._nash_idx)

    @property
    def kalai_smorodinsky_outcomes(self) -> list[Bundle]:
        return self._bundles(self._ks_idx)

    @property
    def max_welfare_outcomes(self) -> list[Bundle]:
        return self._bundles(self._mw_idx)


_CACHE: OrderedDict[str, Solutions] = OrderedDict()
_LOCK = threading.Lock()


def _clear() -> None:
    with _LOCK:
        _CACHE.clear()


def bargaining_solutions(game: Any, cache: bool = True, **frontier_options: Any) -> Solutions:
    """The frontier and the Nash, Kalai-Smorodinsky and max-welfare points of ``game`` (cached).

    Args:
        game: an ``arena.game.Game`` with two roles.
        cache: reuse (and store) the result per :func:`evaluators.pareto.game_key`.
        **frontier_options: passed to :func:`evaluators.pareto.pareto_frontier`.
    """
    key = game_key(game) + repr(sorted(frontier_options.items()))
    if cache:
        with _LOCK:
            hit = _CACHE.get(key)
            if hit is not None:
                _CACHE.move_to_end(key)
                return hit
    f = pareto_frontier(game, cache=cache, **frontier_options)
    roles = f.roles
    r = np.array([float(game.roles[n].reservation) for n in roles])
    ni, ki, wi = nash_indices(f, r), kalai_smorodinsky_indices(f, r), max_welfare_indices(f)
    product = None
    if ni.size:
        g = np.clip(f.utilities[ni[0]] - r, 0.0, None)
        product = float(g[0] * g[1])
    sol = Solutions(frontier=f, roles=roles, reservation=r, nash=f.utilities[ni], kalai_smorodinsky=f.utilities[ki],
                    max_welfare=f.utilities[wi], nash_product=product,
                    welfare_max=float(f.utilities[wi[0]].sum()) if wi.size else float("nan"),
                    _nash_idx=ni, _ks_idx=ki, _mw_idx=wi)
    if cache:
        with _LOCK:
            _CACHE[key] = sol
            while len(_CACHE) > 128:
                _CACHE.popitem(last=False)
    return sol


# ---------------------------------------------------------------------- per outcome
def realized_utilities(game: Any, bundle: Mapping[str, Value] | None, round_index: int | None = 1) -> dict[str, float]:
    """Each role's realized utility: discounted by the agreement round, or its reservation for no deal."""
    return game.utilities(dict(bundle) if bundle is not None else None, int(round_index or 1))


@dataclass(frozen=True)
class OutcomeScores:
    """How good one outcome (a realized utility pair) is, relative to the game's solutions.

    Attributes:
        utilities: realized utility per role.
        normalized: per role, ``(u_i - min_i) / (max_i - min_i)`` over the whole space.
        gains: per role, ``u_i - r_i``.
        surplus_shares: per role, ``(u_i - r_i) / sum_j (u_j - r_j)`` when that sum is > 0, else None.
        pareto_optimal: see the module docstring.
        pareto_distance: see the module docstring.
        nash_distance: distance to the nearest Nash point (None if there is none).
        ks_distance: distance to the nearest Kalai-Smorodinsky point (None if there is none).
        social_welfare: ``u_1 + u_2``.
        max_welfare: the largest ``u_1 + u_2`` over the space.
        welfare_ratio: ``social_welfare / max_welfare`` when ``max_welfare > 0``, else None.
    """

    utilities: dict[str, float]
    normalized: dict[str, float]
    gains: dict[str, float]
    surplus_shares: dict[str, float | None]
    pareto_optimal: bool
    pareto_distance: float
    nash_distance: float | None
    ks_distance: float | None
    social_welfare: float
    max_welfare: float
    welfare_ratio: float | None


def score_outcome(game: Any, bundle: Mapping[str, Value] | None = None, round_index: int | None = 1, *,
                  utilities: Mapping[str, float] | None = None, tol: float = PARETO_TOL) -> OutcomeScores:
    """Score an agreement (``bundle`` reached in ``round_index``) or, with ``bundle=None``, no deal.

    Args:
        game: the game.
        bundle: the agreed outcome, or None for the disagreement point.
        round_index: the round of the agreement (discounts apply from round 2 on).
        utilities: score this realized utility pair (role -> utility) instead of computing it.
        tol: Pareto tolerance in normalized utility space.
    """
    sol = bargaining_solutions(game)
    roles = sol.roles
    u_map = dict(utilities) if utilities is not None else realized_utilities(game, bundle, round_index)
    u = np.array([float(u_map[n]) for n in roles])
    f = sol.frontier
    norm = f.normalize(u)
    gains = u - sol.reservation
    total = float(gains.sum())
    shares = {n: (float(g / total) if total > 0 else None) for n, g in zip(roles, gains)}
    welfare = float(u.sum())
    return OutcomeScores(
        utilities={n: float(x) for n, x in zip(roles, u)},
        normalized={n: float(x) for n, x in zip(roles, norm)},
        gains={n: float(x) for n, x in zip(roles, gains)},
        surplus_shares=shares,
        pareto_optimal=is_pareto_optimal(f, u, tol),
        pareto_distance=pareto_distance(f, u, tol),
        nash_distance=distance_to(f, u, sol.nash),
        ks_distance=distance_to(f, u, sol.kalai_smorodinsky),
        social_welfare=welfare,
        max_welfare=sol.welfare_max,
        welfare_ratio=welfare / sol.welfare_max if sol.welfare_max > 0 else None,
    )
