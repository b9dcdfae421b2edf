"""Shared machinery of scripted negotiators: own-utility tables, offer choice, speaking."""

from __future__ import annotations

import bisect
import random
import weakref
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ...actions import Action, Argument, Offer, ProposeRegion
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


@dataclass
class _GameTables:
    """Per-game data shared by both roles' tables: the enumerated space and how to index it."""

    X: np.ndarray
    grids: list[np.ndarray]  # the distinct values of each column of X, ascending
    codes: list[tuple[str, dict[Value, int], int]]  # per issue: name, value -> grid position, stride
    tables: dict[str, OwnTable]


_TABLES: "weakref.WeakKeyDictionary[Game, _GameTables]" = weakref.WeakKeyDictionary()

# Utilities whose ``evaluate`` is exact elementwise arithmetic, so the value at a bundle's row of
# the whole-space table equals calling the utility on that bundle, bit for bit. Others (such as
# generated non-linear ones) are always called: a decision never depends on vectorized rounding.
_EXACT_LOOKUP = (LinearAdditiveUtility, TableUtility)


def _game_tables(game: Game) -> _GameTables:
    cached = _TABLES.get(game)
    if cached is None:
        grids = [np.unique(g) for g in game.space.grids()]
        codes: list[tuple[str, dict[Value, int], int]] = []
        stride = 1
        for issue, grid in reversed(list(zip(game.space.issues, grids))):
            if isinstance(issue, IntegerIssue):
                values: list[Value] = list(range(issue.min, issue.max + 1))
            elif isinstance(issue, DiscreteIssue):
                values = list(issue.values)
            else:  # continuous: bundles are not looked up
                values = []
            codes.append((issue.name, {v: k for k, v in enumerate(values)}, stride))
            stride *= len(grid)
        cached = _TABLES[game] = _GameTables(game.space.enumerate(), grids, codes[::-1], {})
    return cached


def own_table(game: Game, role: str, utility: object) -> OwnTable:
    """The role's utility over every outcome (cached per game and role)."""
    shared = _game_tables(game)
    if role not in shared.tables:
        X, grids = shared.X, shared.grids
        u = utility.evaluate(X)  # type: ignore[attr-defined]
        order = np.argsort(u, kind="stable")
        lo, hi = np.array([g[0] for g in grids]), np.array([g[-1] for g in grids])
        best = int(order[-1])
        exact = type(utility) in _EXACT_LOOKUP and game.space.is_discrete
        # importance of an issue: how much utility moves when only that issue varies from the best
        importance = {}
        for k, (issue, (_, _, stride)) in enumerate(zip(game.space.issues, shared.codes)):
            if exact:  # those outcomes are rows of X already
                n = len(grids[k])
                first = best - (best // stride) % n * stride
                vals = u[first: first + n * stride: stride]
            else:
                Y = np.repeat(X[best][None, :], len(grids[k]), axis=0)
                Y[:, k] = grids[k]
                vals = utility.evaluate(Y)  # type: ignore[attr-defined]
            importance[issue.name] = float(vals.max() - vals.min())
        priority = sorted(importance, key=lambda n: -importance[n])
        ascending = u[order].tolist()
        shared.tables[role] = OwnTable(X, u, order, np.where(hi > lo, hi - lo, 1.0), best, priority,
                                       u_max=ascending[-1], u_min=ascending[0], ascending=ascending, exact=exact)
    return shared.tables[role]


def row_index(game: Game, bundle: Mapping[str, Value]) -> int | None:
    """The row of ``bundle`` in ``game.space.enumerate()``, or None when it is not one of the
    enumerated outcomes (a continuous issue, a missing issue, or a value out of range)."""
    index = 0
    for name, positions, stride in _game_tables(game).codes:
        value = bundle.get(name)
        if isinstance(value, bool) or value is None:  # True == 1 in a dict lookup
            return None
        position = positions.get(value)  # type: ignore[call-overload]
        if position is None:
            return None
        index += position * stride
    return index


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
            index = row_index(obs.game, bundle)
            if index is not None:
                return float(tab.u[index])
        return obs.utility(bundle)

    def decide(self, obs: Observation) -> Action:  # pragma: no cover - abstract
        raise NotImplementedError

    async def act(self, obs: Observation) -> Reply:
        action = self.decide(obs)
        if isinstance(action, Offer):
            action = Offer(bundle=round_for_speech(obs.game, action.bundle), arguments=action.arguments)
            if obs.arguments_enabled and not action.arguments and self.rng(obs).random() < self.argue:
                action = Offer(bundle=action.bundle, arguments=[self.justify(obs)])
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
        start = bisect.bisect_left(tab.ascending, target - 1e-9)
        if start == len(tab.ascending):
            return obs.space.from_row(tab.X[tab.best])
        lowest = tab.ascending[start]
        stop = bisect.bisect_right(tab.ascending, lowest + 0.02 * max(1e-9, tab.u_max - tab.u_min), start)
        window = np.sort(tab.order[start:stop])  # the outcomes within 2% of the range above the lowest
        ref = self.last_offer_by(obs, obs.opponent)
        if ref is not None:
            r = obs.space.to_row(ref)
            d = np.add.reduce(np.abs(tab.X[window] - r) / tab.scale, axis=1)  # what ndarray.sum(axis=1) runs
            pick = window[int(d.argmin())]
        else:
            pick = window[int(tab.u[window].argmin())]  # the closest to the target
        return obs.space.from_row(tab.X[pick])
