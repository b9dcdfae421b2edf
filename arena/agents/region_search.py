"""Search over one's own utility inside a region: sampling, hill climbing, and region quality.

Used by the scripted region agents and to brief language-model seats. Only the seat's own
utility function is evaluated, always vectorized over batches of contracts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..regions import Box, box_arrays
from ..space import IntegerIssue, OutcomeSpace
from ..utility import UtilityFunction

__all__ = ["QUALITY_SCALES", "RegionSearch"]

QUALITY_SCALES = (1.0, 0.5, 0.25)
"""Concentric regions over which a region's quality is averaged (fractions of its width)."""


@dataclass
class RegionSearch:
    """Own-utility search in a region.

    Args:
        space: the outcome space.
        utility: the seat's own utility function.
        rng: the random generator (seeded by the caller, so the search is repeatable).
        nsc: sampled contracts per concentric region when measuring quality.
    """

    space: OutcomeSpace
    utility: UtilityFunction
    rng: np.random.Generator
    nsc: int = 32

    def __post_init__(self) -> None:
        self._integer = np.array([isinstance(i, IntegerIssue) for i in self.space.issues])
        # common random numbers: every region's quality uses the same relative sample positions
        self._unit = self.rng.random((self.nsc, len(self.space.issues))) - 0.5

    def _snap(self, X: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        X = np.clip(X, lo, hi)
        if self._integer.any():
            X[:, self._integer] = np.clip(np.rint(X[:, self._integer]), np.ceil(lo[self._integer] - 1e-9),
                                          np.floor(hi[self._integer] + 1e-9))
        return X

    def optima(self, box: Box, samples: int = 256, climbs: int = 6, steps: int = 40) -> tuple[np.ndarray, np.ndarray]:
        """Local optima of the own utility in ``box``: the best of ``samples`` uniform draws,
        each improved by coordinate hill climbing (all climbs at once; a climb's step halves
        when none of its 2n neighbours is better).

        Returns:
            ``(points, values)``, best first; the points are rows in the space's issue order.
        """
        lo, hi = box_arrays(self.space, box)
        X = self._snap(lo + self.rng.random((samples, lo.size)) * (hi - lo), lo, hi)
        u = self.utility.evaluate(X)
        starts = np.argsort(-u, kind="stable")[:climbs]
        x, fx = X[starts].copy(), u[starts].copy()
        m, n = x.shape
        step = np.tile((hi - lo) / 8.0, (m, 1))
        eye = np.eye(n)
        floor = 1e-3 * np.maximum(hi - lo, 1e-12)
        for _ in range(steps):
            active = (step > floor).any(axis=1)
            if not active.any():
                break
            # (m, 2n, n): each climb's neighbours one step up and down along every issue
            moves = np.concatenate([x[:, None, :] + eye[None] * step[:, None, :],
                                    x[:, None, :] - eye[None] * step[:, None, :]], axis=1)
            flat = self._snap(moves.reshape(-1, n), lo, hi)
            vals = self.utility.evaluate(flat).reshape(m, 2 * n)
            snapped = flat.reshape(m, 2 * n, n)
            k = vals.argmax(axis=1)
            best = vals[np.arange(m), k]
            better = active & (best > fx + 1e-12)
            x[better] = snapped[np.arange(m), k][better]
            fx[better] = best[better]
            step[~better] /= 2.0
        order = np.argsort(-fx, kind="stable")
        return x[order], fx[order]

    def qualities(self, lo: np.ndarray, hi: np.ndarray, level: float) -> np.ndarray:
        """The quality of each region ``[lo[j], hi[j]]`` (rows): the share of acceptable
        contracts (own utility at least ``level``) among ``nsc`` sampled contracts of the region
        and of each of its concentric sub-regions (:data:`QUALITY_SCALES`), averaged over the
        sub-regions, so contracts near the centre weigh more. One evaluation for all regions."""
        lo, hi = np.atleast_2d(lo), np.atleast_2d(hi)
        c, w = (lo + hi) / 2.0, hi - lo
        scales = np.asarray(QUALITY_SCALES)
        # (regions, scales, nsc, n): common random numbers for every region
        X = c[:, None, None, :] + self._unit[None, None] * (w[:, None, None, :] * scales[None, :, None, None])
        flat = X.reshape(-1, lo.shape[1])
        lo_all = np.repeat(lo, len(scales) * self.nsc, axis=0)
        hi_all = np.repeat(hi, len(scales) * self.nsc, axis=0)
        flat = np.clip(flat, lo_all, hi_all)
        if self._integer.any():
            flat[:, self._integer] = np.clip(np.rint(flat[:, self._integer]), np.ceil(lo_all[:, self._integer] - 1e-9),
                                             np.floor(hi_all[:, self._integer] + 1e-9))
        ok = self.utility.evaluate(flat) >= level - 1e-12
        return ok.reshape(lo.shape[0], -1).mean(axis=1)

    def quality(self, lo: np.ndarray, hi: np.ndarray, level: float) -> float:
        """The quality of one region (see :meth:`qualities`)."""
        return float(self.qualities(lo, hi, level)[0])
