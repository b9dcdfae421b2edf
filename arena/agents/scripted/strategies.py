"""The scripted strategies: time-dependent, tit-for-tat, SPE, integrative, anchor, even, random."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...actions import Accept, Action, Offer, Reject, WalkAway, make_offer
from ...space import Bundle, ContinuousIssue, DiscreteIssue, IntegerIssue
from ..base import AgentError, Observation, register_agent
from .base import ScriptedAgent, _game_tables

__all__ = [
    "AnchorAgent",
    "EvenSplitAgent",
    "IntegrativeAgent",
    "RandomAgent",
    "SubgamePerfectAgent",
    "TimeDependentAgent",
    "TitForTatAgent",
]


def _respond_at_deadline(obs: Observation, u_offer: float) -> Action:
    return Accept() if u_offer >= obs.reservation else Reject()


class TimeDependentAgent(ScriptedAgent):
    """Time-dependent concession (Faratin, Sierra & Jennings 1998).

    The target utility falls from the best outcome (or ``start``, a utility) to the reservation
    value as ``u_start - (u_start - u_floor) * t ** (1 / e)``: e < 1 concedes late (Boulware),
    e = 1 linearly, e > 1 early (Conceder). Accepts an offer at least as good as its own next one.
    """

    name = "time-dependent"

    def __init__(self, seed: int = 0, e: float = 1.0, argue: float = 0.3, start: float | None = None) -> None:
        super().__init__(seed, argue)
        if e <= 0:
            raise AgentError("the concession exponent e must be positive")
        self.e = float(e)
        self.start = None if start is None else float(start)

    def floor(self, obs: Observation) -> float:
        return max(obs.reservation, self.table(obs).u_min)

    def ceiling(self, obs: Observation) -> float:
        """The target at t = 0: ``start`` (own utility) if given, else the best outcome."""
        u_max = self.table(obs).u_max
        return u_max if self.start is None else min(u_max, max(self.floor(obs), self.start))

    def target(self, obs: Observation, t: float) -> float:
        top = self.ceiling(obs)
        return top - (top - self.floor(obs)) * (min(1.0, max(0.0, t)) ** (1.0 / self.e))

    def decide(self, obs: Observation) -> Action:
        offer = self.opponent_offer(obs)
        next_target = self.target(obs, self.progress(obs))
        if offer is not None:
            u_offer = self.utility_of(obs, offer)
            if "offer" not in obs.legal:
                return _respond_at_deadline(obs, u_offer)
            if u_offer >= next_target - 1e-9 and u_offer >= obs.reservation:
                return Accept()
        if "offer" in obs.legal:
            return make_offer(self.choose(obs, next_target))
        return WalkAway()


@register_agent("boulware", "time-dependent, concedes late (e=0.2)")
def _boulware(seed: int = 0, e: float = 0.2, **kw: Any) -> TimeDependentAgent:
    return TimeDependentAgent(seed=seed, e=e, **kw)


@register_agent("linear", "time-dependent, concedes at a constant rate (e=1)")
def _linear(seed: int = 0, e: float = 1.0, **kw: Any) -> TimeDependentAgent:
    return TimeDependentAgent(seed=seed, e=e, **kw)


@register_agent("conceder", "time-dependent, concedes early (e=5)")
def _conceder(seed: int = 0, e: float = 5.0, **kw: Any) -> TimeDependentAgent:
    return TimeDependentAgent(seed=seed, e=e, **kw)


@register_agent("anchor", "opens with a chosen first offer (value=...), then time-dependent")
class AnchorAgent(TimeDependentAgent):
    """An anchoring opener: its first offer is set by the experimenter, later ones follow the
    time-dependent schedule exactly as they would without the anchor.

    Args:
        value: the first offer's value on the game's single issue, or None for no anchor (the
            control condition: the first offer is the schedule's own).
        bundle: alternatively, a whole first offer for multi-issue games.
        e: concession exponent of the schedule that follows.
        start: own utility at which that schedule starts (default: the best outcome).
    """

    name = "anchor"

    def __init__(self, seed: int = 0, value: float | None = None, bundle: dict[str, Any] | None = None,
                 e: float = 1.0, argue: float = 0.0, start: float | None = None) -> None:
        super().__init__(seed, e, argue, start)
        self.value, self.bundle = value, bundle

    def decide(self, obs: Observation) -> Action:
        if obs.opening and "offer" in obs.legal and (self.value is not None or self.bundle is not None):
            if self.bundle is not None:
                return Offer(bundle=dict(self.bundle))
            if len(obs.space.issues) != 1:
                raise AgentError("anchor(value=...) needs a single-issue game; use anchor(bundle={...})")
            return Offer(bundle={obs.space.issues[0].name: obs.space.issues[0].decode(float(self.value))})
        return super().decide(obs)


@register_agent("tit-for-tat", "behaviour-based: mirrors the opponent's concessions")
class TitForTatAgent(TimeDependentAgent):
    """Relative tit-for-tat (Faratin et al. 1998): concedes, in its own utility, as much as the
    opponent's last offer conceded to it; opens with its best outcome."""

    name = "tit-for-tat"

    def __init__(self, seed: int = 0, argue: float = 0.3) -> None:
        super().__init__(seed, 1.0, argue)
        self._target: float | None = None

    def decide(self, obs: Observation) -> Action:
        tab = self.table(obs)
        if self._target is None or obs.opening:
            self._target = tab.u_max
        theirs = obs.offers_by(obs.opponent)
        if len(theirs) >= 2 and not obs.opening:
            concession = self.utility_of(obs, theirs[-1]) - self.utility_of(obs, theirs[-2])
            self._target = float(np.clip(self._target - concession, self.floor(obs), tab.u_max))
        offer = self.opponent_offer(obs)
        if offer is not None:
            u_offer = self.utility_of(obs, offer)
            if "offer" not in obs.legal:
                return _respond_at_deadline(obs, u_offer)
            if u_offer >= self._target - 1e-9 and u_offer >= obs.reservation:
                return Accept()
        if "offer" in obs.legal:
            return make_offer(self.choose(obs, self._target))
        return WalkAway()


@register_agent("spe", "Rubinstein subgame-perfect play for split-the-pie games")
class SubgamePerfectAgent(ScriptedAgent):
    """Subgame-perfect strategy of Rubinstein's alternating-offers game (infinite horizon).

    Proposer i claims x_i = (1 - d_j) / (1 - d_i d_j); a responder accepts any share at least
    d_i x_i, what it would get by proposing next round. Needs a one-issue continuous division
    game whose discount factors are public (``public.discounts``).
    """

    name = "spe"

    def decide(self, obs: Observation) -> Action:
        issues = obs.space.issues
        issue = issues[0]
        discounts = obs.public.get("discounts", {})
        if len(issues) != 1 or not isinstance(issue, ContinuousIssue) or issue.recipient is None \
                or obs.role not in discounts or obs.opponent not in discounts:
            raise AgentError("spe plays only pie-splitting games: one continuous division issue and public "
                             "discount factors (public.discounts), such as split-the-pie")
        d_me, d_op = float(discounts[obs.role]), float(discounts[obs.opponent])
        x_me = (1 - d_op) / (1 - d_me * d_op)
        pie = issue.max

        def mine(b: Bundle) -> float:
            v = float(b[issue.name])
            return v if issue.recipient == obs.role else pie - v

        offer = self.opponent_offer(obs)
        if offer is not None:
            if "offer" not in obs.legal:
                return _respond_at_deadline(obs, obs.utility(offer))
            if mine(offer) >= d_me * x_me * pie - 5e-4:
                return Accept()
        share = round(x_me * pie, 4)
        return Offer(bundle={issue.name: share if issue.recipient == obs.role else round(pie - share, 4)})


@register_agent("integrative", "concedes first on the issues it weights least (logrolling)")
class IntegrativeAgent(TimeDependentAgent):
    """An integrative trader. Its offers walk a concession path that gives up the issue it
    weights least first, step by step, then the next; how far along the path it is follows a
    linear time schedule. Accepts an offer at least as good as its own next offer."""

    name = "integrative"

    def __init__(self, seed: int = 0, e: float = 1.0, argue: float = 0.3) -> None:
        super().__init__(seed, e, argue)

    def _path(self, obs: Observation) -> tuple[np.ndarray, np.ndarray]:
        tab = self.table(obs)
        row = tab.X[tab.best].copy()
        points = [row.copy()]
        for name in reversed(tab.priority):  # least important first
            k = obs.space.names.index(name)
            grid = _game_tables(obs.game).grids[k]  # == np.unique(tab.X[:, k]), without sorting the whole space
            scores = []
            for v in grid:
                probe = row.copy()
                probe[k] = v
                scores.append(float(obs.utility.evaluate(probe[None, :])[0]))
            for j in np.argsort(scores)[::-1]:  # from best to worst value for me on this issue
                if grid[j] == row[k]:
                    continue
                row = row.copy()
                row[k] = grid[j]
                points.append(row)
        P = np.array(points)
        return P, obs.utility.evaluate(P)

    def choose(self, obs: Observation, target: float) -> Bundle:
        P, u = self._path(obs)
        ok = np.flatnonzero(u >= target - 1e-9)
        pick = int(ok[np.argmin(u[ok])]) if ok.size else 0
        return obs.space.from_row(P[pick])


def _even_bundle(obs: Observation) -> Bundle:
    out: Bundle = {}
    for issue in obs.space.issues:
        if isinstance(issue, IntegerIssue):
            half = (issue.min + issue.max) / 2
            # division: the recipient gets the smaller half, so both sides' proposals coincide
            out[issue.name] = int(math.floor(half)) if issue.recipient else int(round(half))
        elif isinstance(issue, ContinuousIssue):
            out[issue.name] = (issue.min + issue.max) / 2
        elif isinstance(issue, DiscreteIssue):
            out[issue.name] = issue.values[(len(issue.values) - 1) // 2]
    return out


@register_agent("even-split", "proposes the even split; accepts anything at least as good")
class EvenSplitAgent(ScriptedAgent):
    """Proposes the midpoint of every issue (half of each item in a division) and accepts any
    offer worth at least as much to it as that even split, whatever its reservation value."""

    name = "even-split"

    def decide(self, obs: Observation) -> Action:
        even = _even_bundle(obs)
        offer = self.opponent_offer(obs)
        if offer is not None and self.utility_of(obs, offer) >= self.utility_of(obs, even) - 1e-9:
            return Accept()
        if "offer" in obs.legal:
            return Offer(bundle=even)
        return Reject() if offer is not None else WalkAway()


@register_agent("random", "random legal moves (a baseline and a fuzzer)")
class RandomAgent(ScriptedAgent):
    """Random play: accepts a standing offer with probability ``p_accept``, walks away with
    ``p_walk``, otherwise offers a uniformly random outcome."""

    name = "random"

    def __init__(self, seed: int = 0, p_accept: float = 0.15, p_walk: float = 0.02, argue: float = 0.3) -> None:
        super().__init__(seed, argue)
        self.p_accept, self.p_walk = p_accept, p_walk

    def decide(self, obs: Observation) -> Action:
        rng = self.rng(obs)
        x = rng.random()
        if "accept" in obs.legal and x < self.p_accept:
            return Accept()
        if x < self.p_accept + self.p_walk:
            return WalkAway()
        if "offer" in obs.legal:
            tab = self.table(obs)
            return Offer(bundle=obs.space.from_row(tab.X[rng.randrange(len(tab.X))]))
        if "reject" in obs.legal:
            return Reject()
        return WalkAway()

