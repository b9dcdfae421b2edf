"""Anchoring: how much does the opener's first offer move the final deal?

Two measures, both computed from transcripts only:

* **Interventional** (the one to trust): paired sessions with identical seeds in which a scripted
  opener's first offer is set low, absent (control) or high, and from its second move on it
  plays exactly as in the control. ``beta`` is the OLS slope of the final price on the first
  offer, both normalized to the zone of possible agreement (0 = the zone's low end, 1 = its high
  end); its 95% confidence interval comes from a bootstrap over pairs (seeds).
* **Observational** (for comparison with earlier studies): Spearman's rho between first offer
  and final price across all sessions, which confounds anchoring with private values.

Sessions without agreement have no final price; they are counted and left out of the slope.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from arena.experiments import zone
from arena.transcript import Transcript

__all__ = ["AnchoringResult", "anchoring_effect", "spearman", "zone"]


def _rank(x: np.ndarray) -> np.ndarray:
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(len(x), dtype=float)
    # average ranks of ties
    for v in np.unique(x):
        same = x == v
        if same.sum() > 1:
            ranks[same] = ranks[same].mean()
    return ranks


def spearman(x: Iterable[float], y: Iterable[float]) -> float:
    """Spearman's rank correlation (NaN when fewer than 3 points or no variation)."""
    a, b = np.asarray(list(x), float), np.asarray(list(y), float)
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(np.corrcoef(_rank(a), _rank(b))[0, 1])


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    xc = x - x.mean()
    denom = float((xc * xc).sum())
    return float((xc * (y - y.mean())).sum() / denom) if denom > 0 else float("nan")


@dataclass(frozen=True)
class AnchoringResult:
    """The anchoring measures of one experiment."""

    beta: float
    ci_low: float
    ci_high: float
    rho: float
    pairs: int
    sessions: int
    agreements: int
    by_condition: dict[str, dict[str, float]]

    def as_dict(self) -> dict[str, Any]:
        return {"beta": self.beta, "beta_ci95": [self.ci_low, self.ci_high], "spearman_rho": self.rho,
                "pairs": self.pairs, "sessions": self.sessions, "agreements": self.agreements,
                "by_condition": self.by_condition}


def _first_offer(t: Transcript, issue: str) -> float | None:
    for e in t.of_kind("state"):
        if e.standing is not None:
            return float(e.standing[issue])
    return None


def anchoring_effect(transcripts: Iterable[Transcript], n_boot: int = 2000, seed: int = 0) -> AnchoringResult:
    """Compute beta (with a pair bootstrap CI) and Spearman's rho from tagged transcripts.

    Each transcript's ``session_start.options["tags"]`` must hold ``pair`` (the shared seed) and
    ``condition`` (e.g. low / none / high); the first offer is read from the transcript itself.
    """
    rows: list[tuple[Any, str, float, float | None]] = []
    for t in transcripts:
        tags: Mapping[str, Any] = t.start.options.get("tags", {})
        game = t.game()
        lo, hi = zone(game)
        issue = game.space.names[0]
        first = _first_offer(t, issue)
        if first is None:
            continue
        end = t.end
        final = float(end.agreement[issue]) if end and end.outcome == "agreement" and end.agreement else None
        norm = (lambda v: (v - lo) / (hi - lo)) if hi > lo else (lambda v: 0.0)
        rows.append((tags.get("pair"), str(tags.get("condition", "")), norm(first),
                     None if final is None else norm(final)))
    agreed = [r for r in rows if r[3] is not None]
    x = np.array([r[2] for r in agreed])
    y = np.array([r[3] for r in agreed], dtype=float)
    beta = _slope(x, y) if len(agreed) >= 2 else float("nan")
    pairs = sorted({r[0] for r in agreed}, key=str)
    lo_ci = hi_ci = float("nan")
    if len(pairs) >= 2:
        index = {p: np.array([i for i, r in enumerate(agreed) if r[0] == p]) for p in pairs}
        rng = np.random.default_rng(seed)
        draws = rng.integers(0, len(pairs), size=(n_boot, len(pairs)))
        slopes = []
        for d in draws:
            idx = np.concatenate([index[pairs[k]] for k in d])
            slopes.append(_slope(x[idx], y[idx]))
        s = np.array(slopes)
        s = s[np.isfinite(s)]
        if s.size:
            lo_ci, hi_ci = (float(v) for v in np.percentile(s, [2.5, 97.5]))
    by_condition: dict[str, dict[str, float]] = {}
    for cond in sorted({r[1] for r in rows}):
        mine = [r for r in rows if r[1] == cond]
        finals = [r[3] for r in mine if r[3] is not None]
        by_condition[cond] = {"sessions": len(mine), "agreements": len(finals),
                              "mean_first_offer": float(np.mean([r[2] for r in mine])),
                              "mean_final": float(np.mean(finals)) if finals else float("nan")}
    return AnchoringResult(beta=beta, ci_low=lo_ci, ci_high=hi_ci, rho=spearman(x, y), pairs=len(pairs),
                           sessions=len(rows), agreements=len(agreed), by_condition=by_condition)
