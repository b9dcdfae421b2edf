"""Shared machinery of scripted negotiators: own-utility tables, offer choice, speaking."""

from __future__ import annotations

import bisect
import itertools
import math
import random
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ...actions import Action, Argument, Offer, ProposeRegion, make_offer
from ...game import Game
from ...space import Bundle, DiscreteIssue, IntegerIssue, Value
from ...transcript import AgentConfig, PromptRef
from ...utility import LinearAdditiveUtility, TableUtility
from ..base import Observation, Reply
from .speech import pick_argument, region_move, round_for_speech, speak

__all__ = ["OwnTable", "ScriptedAgent", "own_table", "row_index"]


@dataclass
class OwnTable:
    """The whole outcome space with one role's utilities, for fast offer selection."""

    X: np.ndarray          # encoded outcomes (N, k)
    u: np.ndarray          # own utility of each outcome (N,)
    order: np.ndarray      # indices sorted by utility, ascending
    scale: np.ndarray      # per-issue range, to normalise distances
    best: int              # index of the best outcome
    priority: list[str]    # issue names, most important first
    u_max: float           # u[best]
    u_min: float           # the lowest utility
    ascending: list[float]  # u[order]: the utilities in ascending order, for binary search
    exact: bool            # whether u at a bundle's row is exactly the utility of that bundle
    shared: "_GameTables | None" = field(default=None, repr=False, compare=False)  # the game's tables
    _order_list: list[int] | None = field(default=None, repr=False, compare=False)

    @property
    def order_list(self) -> list[int]:
        """``order`` as a Python list (built on first use)."""
        if self._order_list is None:
            self._order_list = self.order.tolist()
        return self._order_list


@dataclass
class _GameTables:
    """Per-game data shared by both roles' tables: the enumerated space and how to index it."""

    X: np.ndarray
    grids: list[np.ndarray]  # the distinct values of each column of X, ascending
    codes: list[tuple[str, dict[Value, int], int]]  # per issue: name, value -> grid position, stride
    tables: dict[str, OwnTable]
    issues: list[tuple[str, object]] = field(default_factory=list)  # per column: issue name, its encode
    scale: list[float] = field(default_factory=list)  # per column: range of the grid (1.0 when flat)
    space_issues: list = field(default_factory=list)  # the space's issues, in column order
    _scan: "_Scan | None" = None

    def scan(self) -> "_Scan | None":
        """Row codes and distance terms for scanning windows in Python (discrete spaces of at
        most ``_ROWS_MAX`` outcomes with fewer than 8 issues; else None), built on first use."""
        if self._scan is None and len(self.X) <= _ROWS_MAX and len(self.grids) <= _SEQUENTIAL_SUM_MAX \
                and all(positions for _, positions, _ in self.codes):
            self._scan = _Scan(self)
        return self._scan


class _Scan:
    """A discrete space as Python data for distance scans over small windows.

    ``codes[k][i]`` is the grid position of outcome ``i`` in column ``k`` (``X[i, k] ==
    grids[k][codes[k][i]]``: the mixed-radix digits of ``i``, as ``enumerate`` lays the space out);
    ``terms[k][a][b]`` is ``|grids[k][b] - grids[k][a]| / scale[k]``, the float numpy computes
    for that term, so sums of terms left to right equal numpy's row sums bit for bit.
    """

    __slots__ = ("codes", "columns", "values")

    def __init__(self, shared: _GameTables) -> None:
        sizes = [len(g) for g in shared.grids]
        total = math.prod(sizes)
        self.codes: list[list[int]] = []
        stride = total
        for n in sizes:  # column k: each position repeated stride times, the pattern repeated to fill
            stride //= n
            once = list(itertools.chain.from_iterable(itertools.repeat(v, stride) for v in range(n)))
            self.codes.append(once * (total // (n * stride)))
        # per column: issue name, value -> grid position, encode, the grid, its scale, the terms
        self.columns: list[tuple[str, dict[Value, int], object, list[float], float, list[list[float] | None]]] = []
        for (name, positions, _), (_, encode), g, s in zip(shared.codes, shared.issues, shared.grids, shared.scale):
            grid = g.tolist()
            # the same elementwise float operations as the numpy distance: |x - r| / s; all rows at
            # once for a short grid, a row when a reference first takes that value for a long one
            terms = (np.abs(g[None, :] - g[:, None]) / s).tolist() if len(grid) <= _EAGER_TERMS \
                else [None] * len(grid)
            self.columns.append((name, positions, encode, grid, s, terms))
        # per column: issue name, the bundle value at each grid position (``issue.decode``)
        self.values = [(issue.name, [issue.decode(x) for x in g.tolist()])
                       for issue, g in zip(shared.space_issues, shared.grids)]

    def bundle(self, index: int) -> Bundle:
        """The outcome at row ``index`` as a bundle: ``space.from_row(X[index])``."""
        return {name: values[codes[index]] for (name, values), codes in zip(self.values, self.codes)}

    def terms(self, ref: Mapping[str, Value]) -> list[list[float]]:
        """Per column, the distance term of every grid position to ``ref``'s value."""
        out = []
        for name, positions, encode, grid, s, terms in self.columns:
            value = ref[name]
            code = positions.get(value)  # type: ignore[call-overload]
            row = None if code is None else terms[code]
            if row is None:
                r = encode(value)  # type: ignore[operator]
                row = [abs(x - r) / s for x in grid]
                if code is not None:  # a grid value: keep its row for the next reference
                    terms[code] = row
            out.append(row)
        return out


_TABLES: "weakref.WeakKeyDictionary[Game, _GameTables]" = weakref.WeakKeyDictionary()

# Utilities whose ``evaluate`` is exact elementwise arithmetic, so the value at a bundle's row of
# the whole-space table equals calling the utility on that bundle, bit for bit. Others (such as
# generated non-linear ones) are always called: a decision never depends on vectorized rounding.
_EXACT_LOOKUP = (LinearAdditiveUtility, TableUtility)

# Offer choice compares the outcomes of a window by their distance to a reference offer. Windows
# up to this size are scanned in plain Python (a handful of numpy calls cost more than that);
# larger ones, continuous spaces and spaces too large to hold as Python data go through numpy.
_SCAN_MAX = 96
_EAGER_TERMS = 64  # grids up to this long get all their distance rows up front
_ROWS_MAX = 1 << 17
# numpy sums a row of fewer than 8 values left to right (its pairwise summation starts at 8), so
# the Python scan adds the terms in the same order and gets the same floats, bit for bit.
_SEQUENTIAL_SUM_MAX = 7


def _game_tables(game: Game) -> _GameTables:
    cached = _TABLES.get(game)
    if cached is None:
        issues = game.space.issues
        # integer and discrete grids are ascending ranges already; only continuous ones may not be
        grids = [g if isinstance(i, (IntegerIssue, DiscreteIssue)) else np.unique(g)
                 for i, g in zip(issues, game.space.grids())]
        codes: list[tuple[str, dict[Value, int], int]] = []
        stride = 1
        for issue, grid in reversed(list(zip(issues, grids))):
            if isinstance(issue, IntegerIssue):
                values: list[Value] = list(range(issue.min, issue.max + 1))
            elif isinstance(issue, DiscreteIssue):
                values = list(issue.values)
            else:  # continuous: bundles are not looked up
                values = []
            codes.append((issue.name, {v: k for k, v in enumerate(values)}, stride))
            stride *= len(grid)
        scale = [float(g[-1] - g[0]) if g[-1] > g[0] else 1.0 for g in grids]
        cached = _TABLES[game] = _GameTables(game.space.enumerate(), grids, codes[::-1], {},
                                             [(i.name, i.encode) for i in issues], scale, list(issues))
    return cached


def own_table(game: Game, role: str, utility: object) -> OwnTable:
    """The role's utility over every outcome (cached per game and role)."""
    shared = _game_tables(game)
    if role not in shared.tables:
        X, grids = shared.X, shared.grids
        u = utility.evaluate(X)  # type: ignore[attr-defined]
        order = np.argsort(u, kind="stable")
        best = int(order[-1])
        exact = type(utility) in _EXACT_LOOKUP and game.space.is_discrete
        # importance of an issue: how much utility moves when only that issue varies from the best
        importance = {}
        for k, (issue, (_, _, stride)) in enumerate(zip(game.space.issues, shared.codes)):
            if exact:  # those outcomes are rows of X already
                n = len(grids[k])
                first = best - (best // stride) % n * stride
                vals = u[first: first + n * stride: stride]
                line = vals.tolist()
                if all(v == v for v in line):  # no NaN: max and min of the floats as numpy takes them
                    importance[issue.name] = max(line) - min(line)
                    continue
            else:
                Y = np.repeat(X[best][None, :], len(grids[k]), axis=0)
                Y[:, k] = grids[k]
                vals = utility.evaluate(Y)  # type: ignore[attr-defined]
            importance[issue.name] = float(vals.max() - vals.min())
        priority = sorted(importance, key=lambda n: -importance[n])
        ascending = u[order].tolist()
        # the grids' ranges (1.0 for a one-value grid), as np.where(hi > lo, hi - lo, 1.0) gives them
        scale = np.array(shared.scale, dtype=np.float64)
        shared.tables[role] = OwnTable(X, u, order, scale, best, priority,
                                       u_max=ascending[-1], u_min=ascending[0], ascending=ascending, exact=exact,
                                       shared=shared)
    return shared.tables[role]


def row_index(game: Game, bundle: Mapping[str, Value]) -> int | None:
    """The row of ``bundle`` in ``game.space.enumerate()``, or None when it is not one of the
    enumerated outcomes (a continuous issue, a missing issue, or a value out of range)."""
    return _row_index(_game_tables(game).codes, bundle)


def _row_index(codes: list[tuple[str, dict[Value, int], int]], bundle: Mapping[str, Value]) -> int | None:
    index = 0
    for name, positions, stride in codes:
        value = bundle.get(name)
        if isinstance(value, bool) or value is None:  # True == 1 in a dict lookup
            return None
        position = positions.get(value)  # type: ignore[call-overload]
        if position is None:
            return None
        index += position * stride
    return index


def _nearest(tab: OwnTable, start: int, stop: int, ref: Mapping[str, Value], scan: "_Scan | None") -> int:
    """Among the outcomes ``tab.order[start:stop]``, the one closest to ``ref`` in normalised L1
    distance (``sum_k |x_k - ref_k| / scale_k``), the lowest index among equally close ones:
    ``window[argmin(d)]`` over the sorted window, as numpy computes it."""
    shared = tab.shared
    assert shared is not None
    if scan is not None and stop - start <= _SCAN_MAX:
        terms = scan.terms(ref)
        pick, low = -1, 0.0
        window = tab.order_list[start:stop]
        if len(terms) == 3:
            t0, t1, t2 = terms
            k0, k1, k2 = scan.codes
            for i in window:
                d = t0[k0[i]] + t1[k1[i]] + t2[k2[i]]
                if pick < 0 or d < low or (d == low and i < pick):
                    pick, low = i, d
            return pick
        columns = list(zip(terms, scan.codes))
        (t_first, k_first), rest = columns[0], columns[1:]
        for i in window:
            d = t_first[k_first[i]]
            for t, k in rest:
                d += t[k[i]]
            if pick < 0 or d < low or (d == low and i < pick):
                pick, low = i, d
        return pick
    r = np.array([encode(ref[name]) for name, encode in shared.issues], dtype=np.float64)  # type: ignore[operator]
    window = np.sort(tab.order[start:stop])
    d = np.add.reduce(np.abs(tab.X[window] - r) / tab.scale, axis=1)
    return int(window[int(d.argmin())])


class ScriptedAgent:
    """Base of the scripted negotiators: decide a move, then say it in words.

    Subclasses implement :meth:`decide`. The spoken text goes to the parser; the decided move is
    returned as ``Reply.intended`` so every run measures parser accuracy.

    Args:
        seed: seeds the phrasing and any randomness of the strategy.
        argue: probability of attaching a justification to an offer.
    """

    config: AgentConfig
    name = "scripted"

    def __init__(self, seed: int = 0, argue: float = 0.3) -> None:
        self.seed = int(seed)
        self.argue = float(argue)
        self._rng: random.Random | None = None
        self._table: tuple[Game, str, OwnTable] | None = None

    def rng(self, obs: Observation) -> random.Random:
        if self._rng is None:
            self._rng = random.Random(f"{self.name}:{self.seed}:{obs.role}")
        return self._rng

    def table(self, obs: Observation) -> OwnTable:
        cached = self._table
        if cached is None or cached[0] is not obs.game or cached[1] != obs.role:
            cached = self._table = (obs.game, obs.role, own_table(obs.game, obs.role, obs.utility))
        return cached[2]

    def utility_of(self, obs: Observation, bundle: Bundle) -> float:
        """Own utility of ``bundle``, looked up in the table where that is exact, else computed."""
        tab = self.table(obs)
        if tab.exact:
            index = _row_index(tab.shared.codes, bundle) if tab.shared is not None else row_index(obs.game, bundle)
            if index is not None:
                return float(tab.u[index])
        return obs.utility(bundle)

    def decide(self, obs: Observation) -> Action:  # pragma: no cover - abstract
        raise NotImplementedError

    async def act(self, obs: Observation) -> Reply:
        action = self.decide(obs)
        if isinstance(action, Offer):
            action = make_offer(round_for_speech(obs.game, action.bundle), action.arguments)
            if obs.arguments_enabled and not action.arguments and self.rng(obs).random() < self.argue:
                action = make_offer(action.bundle, [self.justify(obs)])
        elif isinstance(action, ProposeRegion):
            action = region_move(obs.game, action.region, action.arguments)
        rendered = speak(action, obs.game, obs.role, self.rng(obs), opening=obs.opening)
        return Reply(text=rendered.text, intended=action,
                     prompts=[PromptRef(template=rendered.template, sha256=rendered.sha256)])

    def justify(self, obs: Observation) -> Argument:
        kind = self.rng(obs).choice(["market", "cost", "fairness", "priority"])
        issue = self.table(obs).priority[0] if kind == "priority" else None
        return pick_argument(kind, obs.game, issue, self.rng(obs))

    # ------------------------------------------------------------------ helpers
    def opponent_offer(self, obs: Observation) -> Bundle | None:
        return obs.standing if obs.standing_by == obs.opponent else None

    def progress(self, obs: Observation) -> float:
        """Relative time t in [0, 1]: offers made so far over the offers allowed."""
        return min(1.0, obs.round / max(1, obs.max_rounds - 1))

    @staticmethod
    def last_offer_by(obs: Observation, role: str) -> Bundle | None:
        """The last offer ``role`` made, or None (scans the history from its end)."""
        for message in reversed(obs.history):
            if message.role == role and isinstance(message.action, Offer):
                return message.action.bundle
        return None

    def choose(self, obs: Observation, target: float) -> Bundle:
        """An outcome with own utility at least ``target`` and as close to it as possible;
        among near-equal ones, the one most similar to the opponent's last offer."""
        tab = self.table(obs)
        ascending = tab.ascending
        start = bisect.bisect_left(ascending, target - 1e-9)
        if start == len(ascending):
            return obs.space.from_row(tab.X[tab.best])
        lowest = ascending[start]
        stop = bisect.bisect_right(ascending, lowest + 0.02 * max(1e-9, tab.u_max - tab.u_min), start)
        # the outcomes within 2% of the range above the lowest
        ref = self.last_offer_by(obs, obs.opponent)
        shared = tab.shared
        scan = None if shared is None else (shared._scan or shared.scan())
        if ref is not None:
            pick = _nearest(tab, start, stop, ref, scan)
        else:
            window = np.sort(tab.order[start:stop])
            pick = int(window[int(tab.u[window].argmin())])  # the closest to the target
        return scan.bundle(pick) if scan is not None else obs.space.from_row(tab.X[pick])
