"""Shared machinery of scripted negotiators: own-utility tables, offer choice, speaking."""

from __future__ import annotations

import random
import weakref
from dataclasses import dataclass

import numpy as np

from ...actions import Action, Argument, Offer
from ...game import Game
from ...space import Bundle
from ...transcript import AgentConfig, PromptRef
from ..base import Observation, Reply
from .speech import pick_argument, round_for_speech, speak

__all__ = ["OwnTable", "ScriptedAgent", "own_table"]


@dataclass
class OwnTable:
    """The whole outcome space with one role's utilities, for fast offer selection."""

    X: np.ndarray          # encoded outcomes (N, k)
    u: np.ndarray          # own utility of each outcome (N,)
    order: np.ndarray      # indices sorted by utility, ascending
    scale: np.ndarray      # per-issue range, to normalise distances
    best: int              # index of the best outcome
    priority: list[str]    # issue names, most important first

    @property
    def u_max(self) -> float:
        return float(self.u[self.best])

    @property
    def u_min(self) -> float:
        return float(self.u[self.order[0]])


_TABLES: "weakref.WeakKeyDictionary[Game, dict[str, OwnTable]]" = weakref.WeakKeyDictionary()


def own_table(game: Game, role: str, utility: object) -> OwnTable:
    """The role's utility over every outcome (cached per game and role)."""
    per_game = _TABLES.setdefault(game, {})
    if role not in per_game:
        X = game.space.enumerate()
        u = utility.evaluate(X)  # type: ignore[attr-defined]
        order = np.argsort(u, kind="stable")
        lo, hi = X.min(axis=0), X.max(axis=0)
        best = int(order[-1])
        # importance of an issue: how much utility moves when only that issue varies from the best
        importance = {}
        for k, issue in enumerate(game.space.issues):
            Y = np.repeat(X[best][None, :], len(np.unique(X[:, k])), axis=0)
            Y[:, k] = np.unique(X[:, k])
            vals = utility.evaluate(Y)  # type: ignore[attr-defined]
            importance[issue.name] = float(vals.max() - vals.min())
        priority = sorted(importance, key=lambda n: -importance[n])
        per_game[role] = OwnTable(X, u, order, np.where(hi > lo, hi - lo, 1.0), best, priority)
    return per_game[role]


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

    def rng(self, obs: Observation) -> random.Random:
        if self._rng is None:
            self._rng = random.Random(f"{self.name}:{self.seed}:{obs.role}")
        return self._rng

    def table(self, obs: Observation) -> OwnTable:
        return own_table(obs.game, obs.role, obs.utility)

    def decide(self, obs: Observation) -> Action:  # pragma: no cover - abstract
        raise NotImplementedError

    async def act(self, obs: Observation) -> Reply:
        action = self.decide(obs)
        if isinstance(action, Offer):
            action = Offer(bundle=round_for_speech(obs.game, action.bundle), arguments=action.arguments)
            if obs.arguments_enabled and not action.arguments and self.rng(obs).random() < self.argue:
                action = Offer(bundle=action.bundle, arguments=[self.justify(obs)])
        rendered = speak(action, obs.game, obs.role, self.rng(obs), opening=obs.opening)
        return Reply(text=rendered.text, intended=action,
                     prompt=PromptRef(template=rendered.template, sha256=rendered.sha256))

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

    def choose(self, obs: Observation, target: float) -> Bundle:
        """An outcome with own utility at least ``target`` and as close to it as possible;
        among near-equal ones, the one most similar to the opponent's last offer."""
        tab = self.table(obs)
        ok = np.flatnonzero(tab.u >= target - 1e-9)
        if ok.size == 0:
            return obs.space.from_row(tab.X[tab.best])
        lowest = tab.u[ok].min()
        window = ok[tab.u[ok] <= lowest + 0.02 * max(1e-9, tab.u_max - tab.u_min)]
        ref = obs.offers_by(obs.opponent)
        if ref:
            r = obs.space.to_row(ref[-1])
            d = (np.abs(tab.X[window] - r) / tab.scale).sum(axis=1)
            pick = window[int(np.argmin(d))]
        else:
            pick = window[int(np.argmax(tab.u[window]))]
        return obs.space.from_row(tab.X[pick])
