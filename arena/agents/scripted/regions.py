"""Scripted region negotiators for the region-recursive protocol (our reconstruction of the
agents of Marsa-Maestre, Lopez-Carmona et al. 2013 from its abstract; see docs/rnp.md).

Proposing a region means being willing to continue inside any part of it (an overlap of the two
proposals is adopted without a further question), so the agent proposes only regions that are
good for it throughout. Each round it:

1. searches its own utility inside the current negotiation space N (uniform samples, then hill
   climbing from the best ones) for local optima; ``u_ref`` is the best utility found;
2. sets its aspiration ``level(t) = floor + (u_ref - floor) * (1 - t ** (1 / e))`` (t the
   normalized time, ``floor`` the reservation utility): contracts at or above it are acceptable;
3. measures the *quality* of a region: the share of acceptable contracts among ``nsc`` sampled
   contracts of the region and of its concentric sub-regions (half and a quarter of its width);
4. accepts the other side's standing proposal when its quality reaches the acceptance threshold
   ``ath(t) = ath_end + (ath0 - ath_end) * exp(-tau_a * t)``;
5. otherwise proposes, among candidate regions whose quality reaches ``qth(t) = qth_end +
   (qth0 - qth_end) * exp(-tau_q * t)``, the one most similar to (closest to the centre of) the
   other side's last region, a trade-off in region space after Faratin et al. (2002); the
   largest one when there is none yet. Candidates have sizes ``cap x {1, 0.7, 0.5, 0.35, 0.25}``
   (``cap`` the protocol's size limit) and centres at its optima, on the way from its best
   optimum to the other side's last region, uniformly in N, and around the other side's last
   region. If none qualifies, it proposes the smallest region around its best optimum.

Deadline rule: with fewer rounds left than twice the levels of recursion still needed to reach
the leaf size, it accepts any standing proposal and lets every candidate qualify. Outside a
region protocol it plays the linear time-dependent strategy.
"""

from __future__ import annotations

import math
import zlib
from typing import Any

import numpy as np

from ...actions import Accept, Action, ProposeRegion, WalkAway
from ...regions import as_box, box_arrays
from ...space import IntegerIssue
from ..base import Observation, register_agent
from ..region_search import RegionSearch
from .strategies import TimeDependentAgent

__all__ = ["SIZES", "RegionAgent", "levels_needed"]

SIZES = (1.0, 0.7, 0.5, 0.35, 0.25)
"""Region sizes an agent considers, as fractions of the protocol's current size limit."""


def levels_needed(view: dict[str, Any]) -> int:
    """Rounds of recursion still needed, at the current size cap, to narrow N to the leaf size."""
    f = max(1e-6, min(0.999, float(view["size_fraction"])))
    need = 0
    for name, (lo, hi) in view["space"].items():
        leaf = max(float(view["leaf"][name]), 1e-9)
        if hi - lo > leaf:
            need = max(need, math.ceil(math.log((hi - lo) / leaf) / math.log(1.0 / f)))
    return need


@register_agent("region", "region-recursive protocol: proposes regions good for it throughout; thresholds decay")
class RegionAgent(TimeDependentAgent):
    """A region negotiator (see the module docstring for the strategy and its parameters).

    Args:
        seed: seeds the search and the phrasing.
        e: concession exponent of the aspiration level (1 linear, < 1 Boulware, > 1 Conceder).
        ath0, ath_end, tau_a: the acceptance threshold schedule.
        qth0, qth_end, tau_q: the quality threshold schedule.
        samples, climbs, nsc: uniform samples, hill climbs, and sampled contracts per quality.
        explore: extra candidate centres drawn uniformly in N, and as many around the other
            side's last region (where the most similar acceptable region usually lies).
    """

    name = "region"

    def __init__(self, seed: int = 0, e: float = 1.0, ath0: float = 0.9, ath_end: float = 0.1, tau_a: float = 3.0,
                 qth0: float = 0.95, qth_end: float = 0.8, tau_q: float = 3.0, samples: int = 256, climbs: int = 6,
                 nsc: int = 32, explore: int = 48, argue: float = 0.0) -> None:
        super().__init__(seed, e, argue)
        self.explore = int(explore)
        self.ath0, self.ath_end, self.tau_a = float(ath0), float(ath_end), float(tau_a)
        self.qth0, self.qth_end, self.tau_q = float(qth0), float(qth_end), float(tau_q)
        self.samples, self.climbs, self.nsc = int(samples), int(climbs), int(nsc)

    def thresholds(self, t: float) -> tuple[float, float]:
        """``(ath(t), qth(t))`` at normalized time ``t``."""
        ath = self.ath_end + (self.ath0 - self.ath_end) * math.exp(-self.tau_a * t)
        qth = self.qth_end + (self.qth0 - self.qth_end) * math.exp(-self.tau_q * t)
        return ath, qth

    def level(self, t: float, u_ref: float, floor: float) -> float:
        """The aspiration: own utility a contract needs to be acceptable at time ``t``."""
        floor = min(floor, u_ref)
        return floor + (u_ref - floor) * (1.0 - min(1.0, max(0.0, t)) ** (1.0 / self.e))

    def decide(self, obs: Observation) -> Action:
        view = obs.protocol_view
        if view.get("protocol") != "region-recursive":
            return super().decide(obs)
        space = obs.space
        lo, hi = box_arrays(space, as_box(view["space"]))
        cap = np.array([float(view["max_width"][n]) for n in space.names])
        t = (int(view["round"]) - 1) / max(1, int(view["max_rounds"]) - 1)
        rng = np.random.default_rng([self.seed, zlib.crc32(obs.role.encode()), int(view["round"]),
                                     int(view["depth"])])
        search = RegionSearch(space, obs.utility, rng, self.nsc)
        points, values = search.optima(as_box(view["space"]), self.samples, self.climbs)
        u_ref = float(values[0])
        if u_ref < obs.reservation - 1e-12:
            return WalkAway()  # nothing left in N is worth more than no deal
        level = self.level(t, u_ref, obs.reservation)
        ath, qth = self.thresholds(t)
        hurry = int(view["max_rounds"]) - int(view["round"]) < 2 * levels_needed(view) + 1
        theirs = view.get("standing")
        other = box_arrays(space, as_box(theirs)) if theirs else None
        if other is not None and (hurry or search.quality(*other, level) >= ath - 1e-12):
            return Accept()
        integer = np.array([isinstance(i, IntegerIssue) for i in space.issues])
        centres = list(points) + list(lo + rng.random((self.explore, lo.size)) * (hi - lo))
        if other is not None:
            target = (other[0] + other[1]) / 2.0
            centres += [points[0] + lam * (target - points[0]) for lam in (0.25, 0.5, 0.75, 1.0)]
            centres += list(np.clip(target + (rng.random((self.explore, lo.size)) * 2.0 - 1.0) * cap, lo, hi))
        boxes: list[tuple[np.ndarray, np.ndarray, float]] = []  # lo, hi, size
        for size in SIZES:
            width = np.minimum(np.where(integer, np.floor(cap * size + 1e-9), cap * size), hi - lo)
            for c in centres:
                a = np.clip(c - width / 2.0, lo, hi - width)
                a = np.where(integer, np.clip(np.rint(a), lo, hi - width), a)
                boxes.append((a, a + width, size))
        q = search.qualities(np.array([b[0] for b in boxes]), np.array([b[1] for b in boxes]), level)
        cands = [(a, b, size, float(qj)) for (a, b, size), qj in zip(boxes, q)]
        ok = [c for c in cands if hurry or c[3] >= qth - 1e-12]
        if not ok:
            pick = max((c for c in cands if c[2] == SIZES[-1]), key=lambda c: c[3])
        elif other is not None:
            scale = np.where(hi > lo, hi - lo, 1.0)
            pick = min(ok, key=lambda c: (float(np.abs(((c[0] + c[1]) / 2.0 - target) / scale).sum()), -c[2]))
        else:
            pick = max(ok, key=lambda c: (c[2], c[3]))
        a, b = pick[0], pick[1]
        region = {n: ([int(x), int(y)] if integer[k] else [float(x), float(y)])
                  for k, (n, x, y) in enumerate(zip(space.names, a, b))}
        return ProposeRegion(region=region)
