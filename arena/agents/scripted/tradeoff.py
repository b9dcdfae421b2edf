"""The similarity-based trade-off negotiator (Faratin, Sierra & Jennings 2002), point by point.

Its aspiration (an iso-utility level of its own utility) concedes over time as in the
time-dependent tactics (``level(t) = u_max - (u_max - floor) * t ** (1 / e)``). Each offer is
the outcome on the current iso-utility band, ``level <= u <= level + band * (u_max - u_min)``,
that is most similar to the opponent's last offer, where similarity is
``1 - mean_j |x_j - y_j| / range_j`` over the issues (equal weights: the agent does not know the
opponent's). It accepts an offer worth at least its next level. This is the trade-off mechanism
of the paper over an enumerated space, without its fuzzy similarity criteria per issue.
"""

from __future__ import annotations

import bisect

import numpy as np

from ...space import Bundle
from ..base import Observation, register_agent
from .strategies import TimeDependentAgent

__all__ = ["TradeOffAgent"]


@register_agent("trade-off", "similarity-based trade-offs on an iso-utility band (Faratin, Sierra & Jennings 2002)")
class TradeOffAgent(TimeDependentAgent):
    """Trades off along its iso-utility band towards the opponent's last offer.

    Args:
        seed: seeds the phrasing.
        e: concession exponent of the iso-utility level (1 linear, < 1 Boulware).
        band: width of the iso-utility band as a fraction of the own utility range.
    """

    name = "trade-off"

    def __init__(self, seed: int = 0, e: float = 1.0, band: float = 0.05, argue: float = 0.0) -> None:
        super().__init__(seed, e, argue)
        self.band = float(band)

    @staticmethod
    def similarity(X: np.ndarray, ref: np.ndarray, scale: np.ndarray) -> np.ndarray:
        """``1 - mean_j |x_j - ref_j| / range_j`` for every row of ``X``."""
        return 1.0 - (np.abs(X - ref) / scale).mean(axis=1)

    def choose(self, obs: Observation, target: float) -> Bundle:
        tab = self.table(obs)
        start = bisect.bisect_left(tab.ascending, target - 1e-9)
        if start == len(tab.ascending):
            return obs.space.from_row(tab.X[tab.best])
        top = tab.ascending[start] + self.band * max(1e-9, tab.u_max - tab.u_min)
        stop = bisect.bisect_right(tab.ascending, top, start)
        window = np.sort(tab.order[start:stop])
        ref = self.last_offer_by(obs, obs.opponent)
        if ref is None:
            pick = window[int(np.argmax(tab.u[window]))]  # open on the band's best outcome
        else:
            sim = self.similarity(tab.X[window], obs.space.to_row(ref), tab.scale)
            pick = window[int(np.argmax(sim))]
        return obs.space.from_row(tab.X[pick])
