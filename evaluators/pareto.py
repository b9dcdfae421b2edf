"""The Pareto frontier of a two-role game, over its whole outcome space.

The frontier is the set of *non-dominated utility pairs*: ``(u1, u2)`` is on it when no outcome
gives one role more utility without giving the other less. Utilities are the roles' undiscounted
(round-one) utilities, evaluated with the games' vectorized utility functions over encoded outcome
matrices, never outcome by outcome.

How it is computed:

* **Discrete spaces, exactly.** The space is enumerated in chunks (``OutcomeSpace.iter_chunks``),
  so spaces of 10^7 outcomes and more never sit in memory at once. Each chunk is reduced to its
  own non-dominated candidates, the candidates of all chunks are merged, and the merge is reduced
  again. A point dominated inside its chunk is dominated in the whole space, so this is exact.
* **The two-party sweep** (:func:`pareto_indices`) sorts by the first utility (descending, ties by
  the second, descending) and keeps a point when its second utility beats the running maximum of
  everything before it: O(N log N). A linear-time prefilter first drops points that are strictly
  dominated by the best point of a higher band of first utility, so the sort only sees the few
  points near the frontier.
* **Continuous (or mixed) spaces, approximately.** A dense grid (each continuous issue at its
  spec ``resolution``, coarsened when the grid would exceed ``max_grid`` outcomes), then local
  refinement: around a spread of frontier outcomes, finer local grids of the continuous issues
  are evaluated and merged, twice, each time at a finer step.

Each unique frontier utility pair is represented by one outcome: the first in enumeration order
(the lowest mixed-radix index) among those that attain it. Results are cached per game, keyed by
the game's issues, roles and utilities, because the same game is scored many times.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from arena.space import Bundle, ContinuousIssue, OutcomeSpace

__all__ = [
    "Frontier",
    "clear_cache",
    "game_key",
    "pareto_frontier",
    "pareto_indices",
]

DEFAULT_CHUNK = 1 << 20
DEFAULT_MAX_GRID = 2_000_000
_PREFILTER_BINS = 4096


# ---------------------------------------------------------------------- the sweep
def _prefilter(u1: np.ndarray, u2: np.ndarray) -> np.ndarray:
    """Indices of the points that survive a linear-time strict-dominance filter.

    The range of ``u1`` is cut into bands; a point is dropped when some band of strictly higher
    ``u1`` holds a point whose ``u2`` is at least as large: that point has strictly more ``u1``
    (bands are ordered and the band map is monotone) and no less ``u2``, so it strictly dominates.
    The same is done with the roles swapped. Only strictly dominated points are dropped, so the
    frontier, and the choice of representative among equal pairs, is unchanged.
    """
    n = u1.shape[0]
    keep = np.arange(n)
    if n < 4 * _PREFILTER_BINS:
        return keep
    for a, b in ((u1, u2), (u2, u1)):
        a_k, b_k = a[keep], b[keep]
        lo, hi = float(a_k.min()), float(a_k.max())
        if not hi > lo:
            continue
        bins = ((a_k - lo) * (_PREFILTER_BINS / (hi - lo))).astype(np.int64)
        np.minimum(bins, _PREFILTER_BINS - 1, out=bins)
        best = np.full(_PREFILTER_BINS + 1, -np.inf)
        np.maximum.at(best, bins, b_k)
        # above[k] = max of b over bands strictly above k
        above = np.maximum.accumulate(best[::-1])[::-1][1:]
        keep = keep[b_k > above[bins]]
    return keep


def pareto_indices(u1: np.ndarray, u2: np.ndarray, prefilter: bool = True) -> np.ndarray:
    """Indices of the non-dominated points among ``(u1[i], u2[i])`` (both maximized).

    A point is dominated when another is at least as good for both and strictly better for one.
    Points with equal utility pairs do not dominate each other; only the first of them (lowest
    index) is returned. The result is ordered by ``u1`` descending (so ``u2`` ascending).
    Non-finite utilities are ignored.

    Args:
        u1: the first role's utilities.
        u2: the second role's utilities, same length.
        prefilter: run the linear-time strict-dominance filter before sorting (same result).

    Returns:
        An integer array of indices into ``u1``/``u2``.
    """
    u1 = np.asarray(u1, dtype=np.float64)
    u2 = np.asarray(u2, dtype=np.float64)
    if u1.shape != u2.shape or u1.ndim != 1:
        raise ValueError("u1 and u2 must be 1-d arrays of the same length")
    base = np.arange(u1.shape[0])
    finite = np.isfinite(u1) & np.isfinite(u2)
    if not finite.all():
        base = base[finite]
    if base.size == 0:
        return base
    if prefilter:
        base = base[_prefilter(u1[base], u2[base])]
    a, b = u1[base], u2[base]
    order = np.lexsort((-b, -a))  # stable: among equal pairs the lowest index comes first
    s2 = b[order]
    keep = np.empty(order.shape[0], dtype=bool)
    keep[0] = True
    if order.shape[0] > 1:
        keep[1:] = s2[1:] > np.maximum.accumulate(s2)[:-1]
    return base[order[keep]]


# ---------------------------------------------------------------------- the result
@dataclass(frozen=True, eq=False)
class Frontier:
    """The Pareto frontier of a game, plus the utility ranges found while computing it.

    Attributes:
        roles: the two role names; column ``k`` of ``utilities`` belongs to ``roles[k]``.
        utilities: ``(k, 2)`` unique non-dominated utility pairs, by the first role's utility
            descending (so the second role's ascending).
        outcomes: ``(k, n_issues)`` encoded outcome rows, one representative per pair.
        space: the outcome space the rows belong to.
        lo: ``(2,)`` each role's minimum utility over the whole (evaluated) space.
        hi: ``(2,)`` each role's maximum utility over the whole (evaluated) space.
        evaluated: how many outcomes were evaluated.
        exact: True for discrete spaces (every outcome evaluated), False for grids + refinement.
    """

    roles: tuple[str, str]
    utilities: np.ndarray
    outcomes: np.ndarray
    space: OutcomeSpace
    lo: np.ndarray
    hi: np.ndarray
    evaluated: int
    exact: bool
    _bundles: list[Bundle] = field(default_factory=list, repr=False)

    def __len__(self) -> int:
        return int(self.utilities.shape[0])

    @property
    def span(self) -> np.ndarray:
        """``hi - lo`` per role, with 1 where a role's utility is constant (no scaling)."""
        s = self.hi - self.lo
        return np.where(s > 0, s, 1.0)

    def normalize(self, utilities: Any) -> np.ndarray:
        """Min-max normalize utility pairs (shape ``(..., 2)``) by each role's range over the space."""
        return (np.asarray(utilities, dtype=np.float64) - self.lo) / self.span

    def bundles(self) -> list[Bundle]:
        """The representative outcome of every frontier point, as named bundles."""
        if not self._bundles and len(self):
            self._bundles.extend(self.space.from_row(r) for r in self.outcomes)
        return list(self._bundles)


# ---------------------------------------------------------------------- cache
_CACHE: OrderedDict[tuple[str, tuple[Any, ...]], Frontier] = OrderedDict()
_CACHE_SIZE = 128
_LOCK = threading.Lock()


def game_key(game: Any) -> str:
    """A digest of what a game's scores depend on: issues, role names, utilities, reservations,
    discounts and public knowledge (not narratives or briefs)."""
    spec = game.spec
    data = {
        "issues": [i.model_dump(mode="json") for i in spec.issues],
        "roles": [{"name": r.name, "utility": r.utility.model_dump(mode="json"),
                   "reservation": r.reservation, "discount": r.discount} for r in spec.roles],
        "public": spec.public,
    }
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def clear_cache() -> None:
    """Forget every cached frontier (and every cached solution set)."""
    with _LOCK:
        _CACHE.clear()
    from .solutions import _clear

    _clear()


# ---------------------------------------------------------------------- enumeration
def _grid_resolution(space: OutcomeSpace, max_grid: int) -> int | None:
    """Resolution for continuous issues: theirs if the grid fits in ``max_grid``, else coarser."""
    if space.is_discrete or space.cardinality <= max_grid:
        return None
    cont = [i for i in space.issues if isinstance(i, ContinuousIssue)]
    fixed = int(np.prod([i.size for i in space.issues if not isinstance(i, ContinuousIssue)] or [1]))
    per = int((max_grid / max(fixed, 1)) ** (1.0 / len(cont)))
    return max(2, min(per, max(i.resolution for i in cont)))


def _chunks(space: OutcomeSpace, chunk: int, resolution: int | None) -> Iterator[np.ndarray]:
    if space.cardinality <= chunk and resolution is None:
        yield space.enumerate()
    else:
        yield from space.iter_chunks(chunk, resolution)


def _evaluate(game: Any, roles: tuple[str, str], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    u1 = np.asarray(game.roles[roles[0]].utility.evaluate(rows), dtype=np.float64)
    u2 = np.asarray(game.roles[roles[1]].utility.evaluate(rows), dtype=np.float64)
    return u1, u2


class _Scan:
    """Accumulates non-dominated candidates and utility ranges over batches of outcomes."""

    def __init__(self, n_issues: int) -> None:
        self.u1: list[np.ndarray] = []
        self.u2: list[np.ndarray] = []
        self.rows: list[np.ndarray] = []
        self.lo = np.array([np.inf, np.inf])
        self.hi = np.array([-np.inf, -np.inf])
        self.evaluated = 0
        self.n_issues = n_issues

    def add(self, rows: np.ndarray, u1: np.ndarray, u2: np.ndarray) -> None:
        self.evaluated += rows.shape[0]
        fin1, fin2 = u1[np.isfinite(u1)], u2[np.isfinite(u2)]
        if fin1.size:
            self.lo[0] = min(self.lo[0], fin1.min())
            self.hi[0] = max(self.hi[0], fin1.max())
        if fin2.size:
            self.lo[1] = min(self.lo[1], fin2.min())
            self.hi[1] = max(self.hi[1], fin2.max())
        idx = pareto_indices(u1, u2)
        self.u1.append(u1[idx])
        self.u2.append(u2[idx])
        self.rows.append(rows[idx])

    def merge(self) -> tuple[np.ndarray, np.ndarray]:
        """Reduce the candidates of every batch (in batch order) to the frontier."""
        if not self.u1:
            return np.empty((0, 2)), np.empty((0, self.n_issues))
        u1, u2 = np.concatenate(self.u1), np.concatenate(self.u2)
        rows = np.concatenate(self.rows)
        idx = pareto_indices(u1, u2, prefilter=False)
        self.u1, self.u2, self.rows = [u1[idx]], [u2[idx]], [rows[idx]]
        return np.stack([u1[idx], u2[idx]], axis=1), rows[idx]


def _refine(game: Any, roles: tuple[str, str], space: OutcomeSpace, scan: _Scan, resolution: int | None,
            rounds: int, points: int, budget: int, seed: int) -> None:
    """Local refinement around frontier outcomes, along the continuous issues only."""
    cols = [k for k, i in enumerate(space.issues) if isinstance(i, ContinuousIssue)]
    if not cols:
        return
    lows = np.array([space.issues[k].min for k in cols])
    highs = np.array([space.issues[k].max for k in cols])
    res = np.array([resolution or space.issues[k].resolution for k in cols], dtype=np.float64)
    step = (highs - lows) / np.maximum(res - 1, 1)
    rng = np.random.default_rng(seed)
    per_point = max(8, budget // max(points, 1))
    m = int(min(21, max(3, np.floor(per_point ** (1.0 / len(cols))))))
    use_grid = m ** len(cols) <= per_point
    for _ in range(rounds):
        _, rows = scan.merge()
        if rows.shape[0] == 0:
            return
        pick = np.unique(np.linspace(0, rows.shape[0] - 1, min(points, rows.shape[0])).round().astype(np.int64))
        centers = rows[pick]
        if use_grid:
            axes = [np.linspace(-1.0, 1.0, m)] * len(cols)
            offsets = np.stack([g.ravel() for g in np.meshgrid(*axes, indexing="ij")], axis=1)
        else:
            offsets = rng.uniform(-1.0, 1.0, size=(per_point, len(cols)))
        offsets = offsets * step  # (n_off, n_cols)
        local = np.repeat(centers, offsets.shape[0], axis=0)
        local[:, cols] += np.tile(offsets, (centers.shape[0], 1))
        local[:, cols] = np.clip(local[:, cols], lows, highs)
        u1, u2 = _evaluate(game, roles, local)
        scan.add(local, u1, u2)
        step = step * (2.0 / max(m - 1, 2)) if use_grid else step / 4.0


# ---------------------------------------------------------------------- the entry point
def pareto_frontier(game: Any, *, chunk: int = DEFAULT_CHUNK, max_grid: int = DEFAULT_MAX_GRID,
                    refine_rounds: int = 2, refine_points: int = 256, refine_budget: int = 200_000,
                    cache: bool = True) -> Frontier:
    """The Pareto frontier of ``game``'s two roles over its whole outcome space.

    Args:
        game: an ``arena.game.Game`` with exactly two roles.
        chunk: outcomes evaluated per batch (memory bound; the result does not depend on it).
        max_grid: for spaces with continuous issues, the largest grid evaluated before refinement.
        refine_rounds: refinement rounds for continuous issues (0 disables refinement).
        refine_points: frontier outcomes refined around per round.
        refine_budget: outcomes evaluated per refinement round.
        cache: reuse (and store) the result for games with the same :func:`game_key` (a digest of
            the spec: pass ``cache=False`` for a game whose utility objects were changed after it
            was built from its spec).

    Returns:
        A :class:`Frontier`; exact for discrete spaces.
    """
    key = None
    if cache:
        key = (game_key(game), (max_grid, refine_rounds, refine_points, refine_budget))
        with _LOCK:
            hit = _CACHE.get(key)
            if hit is not None:
                _CACHE.move_to_end(key)
                return hit
    names = list(game.role_names)
    if len(names) != 2:
        raise ValueError(f"the Pareto frontier is defined here for two roles, not {len(names)}")
    roles: tuple[str, str] = (names[0], names[1])
    space: OutcomeSpace = game.space
    resolution = _grid_resolution(space, max_grid)
    scan = _Scan(len(space.issues))
    for rows in _chunks(space, max(1, int(chunk)), resolution):
        u1, u2 = _evaluate(game, roles, rows)
        scan.add(rows, u1, u2)
    if not space.is_discrete and refine_rounds > 0:
        _refine(game, roles, space, scan, resolution, refine_rounds, refine_points, refine_budget, seed=0)
    utilities, rows = scan.merge()
    utilities.setflags(write=False)
    rows.setflags(write=False)
    lo = np.where(np.isfinite(scan.lo), scan.lo, 0.0)
    hi = np.where(np.isfinite(scan.hi), scan.hi, 0.0)
    result = Frontier(roles=roles, utilities=utilities, outcomes=rows, space=space,
                      lo=lo, hi=hi, evaluated=scan.evaluated, exact=space.is_discrete)
    if key is not None:
        with _LOCK:
            _CACHE[key] = result
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return result
