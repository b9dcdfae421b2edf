"""Many transcripts into one DataFrame, group means with bootstrap confidence intervals, and a
JSON-ready summary (what ``arena score --json`` prints).

* :func:`frame`: one row per session and role (columns: :mod:`evaluators.metrics`).
* :func:`aggregate`: per group, the mean of every metric and its 95% percentile-bootstrap
  confidence interval (resampling the group's rows with replacement; seeded, so repeatable).
* :func:`summary`: headline numbers over sessions.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from arena.transcript import Transcript, read_transcript

from .metrics import score_session

__all__ = ["DEFAULT_METRICS", "aggregate", "bootstrap_ci", "frame", "iter_transcripts", "summary"]

DEFAULT_METRICS = (
    "agreement", "utility", "gain", "normalized_utility", "surplus_share", "social_welfare", "welfare_ratio",
    "pareto_optimal", "pareto_distance", "nash_distance", "ks_distance", "rubinstein_deviation", "rounds",
    "turns", "violations", "parse_failures", "repair_turns", "tokens", "cost_usd", "parser_accuracy",
)


def iter_transcripts(items: Any) -> Iterable[Transcript]:
    """Transcripts from Transcript objects, ``.jsonl`` files, or directories (searched recursively
    for ``*.jsonl``, in sorted order); a single item or any iterable of them."""
    if isinstance(items, (Transcript, str, Path)):
        items = [items]
    for item in items:
        if isinstance(item, Transcript):
            yield item
            continue
        p = Path(item)
        if p.is_dir():
            for f in sorted(p.rglob("*.jsonl")):
                yield read_transcript(f)
        else:
            yield read_transcript(p)


def frame(transcripts_or_paths: Any) -> pd.DataFrame:
    """Score every transcript: a DataFrame with one row per session and role.

    Args:
        transcripts_or_paths: Transcript objects, transcript files or directories of ``*.jsonl``
            (one, or an iterable of them).
    """
    rows: list[dict[str, Any]] = []
    for t in iter_transcripts(transcripts_or_paths):
        rows.extend(score_session(t))
    df = pd.DataFrame(rows)
    if not df.empty:
        viol = [c for c in df.columns if c.startswith("violation_")]
        if viol:
            df[viol] = df[viol].fillna(0).astype(int)
    return df


# ---------------------------------------------------------------------- bootstrap
def _as_floats(values: Any) -> np.ndarray:
    """Numbers and booleans as floats; None, text and anything else as NaN."""
    def one(v: Any) -> float:
        if isinstance(v, (bool, int, float, np.number)) and not isinstance(v, complex):
            return float(v)
        return math.nan
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        return values.astype(np.float64)
    return np.fromiter((one(v) for v in values), dtype=np.float64)


def bootstrap_ci(values: Any, n_boot: int = 2000, level: float = 0.95, seed: int = 0,
                 rng: np.random.Generator | None = None) -> tuple[float, float, float]:
    """Mean and percentile-bootstrap confidence interval of ``values`` (NaN/None dropped).

    Resamples are drawn all at once as an index matrix (in blocks, to bound memory) and averaged
    with numpy. Returns ``(mean, lo, hi)``: NaNs when there are no values, and ``lo == hi ==
    mean`` for a single value.
    """
    x = _as_floats(values)
    x = x[np.isfinite(x)]
    n = x.size
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n == 1 or np.all(x == x[0]):
        return mean, mean, mean
    rng = rng or np.random.default_rng(seed)
    block = max(1, min(n_boot, 20_000_000 // n))
    means = np.empty(n_boot)
    for s in range(0, n_boot, block):
        k = min(block, n_boot - s)
        means[s:s + k] = x[rng.integers(0, n, size=(k, n))].mean(axis=1)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(means, [alpha, 1.0 - alpha])
    return mean, float(lo), float(hi)


def aggregate(df: pd.DataFrame, by: Sequence[str] | str = ("agent", "game"), metrics: Sequence[str] | None = None,
              n_boot: int = 2000, level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Per group: the mean of each metric with a percentile-bootstrap confidence interval.

    Args:
        df: a frame from :func:`frame`.
        by: grouping columns.
        metrics: columns to aggregate (default: those of :data:`DEFAULT_METRICS` present);
            booleans count as 0/1, so the mean of ``agreement`` is the agreement rate.
        n_boot: bootstrap resamples.
        level: confidence level (0.95 gives 2.5% and 97.5% quantiles).
        seed: base seed; each (group, metric) gets its own stream derived from it and the
            group's and metric's names, so results do not depend on row or group order.

    Returns:
        One row per group (the ``by`` columns first), with ``n`` (rows in the group) and, for
        every metric ``m``, columns ``m`` (mean), ``m_lo`` and ``m_hi``.
    """
    by = [by] if isinstance(by, str) else list(by)
    cols = [m for m in (metrics or DEFAULT_METRICS) if m in df.columns]
    out: list[dict[str, Any]] = []
    if df.empty:
        return pd.DataFrame(columns=[*by, "n", *[f"{m}{s}" for m in cols for s in ("", "_lo", "_hi")]])
    for key, group in df.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        row: dict[str, Any] = dict(zip(by, key))
        row["n"] = len(group)
        for m in cols:
            stream = np.random.default_rng([seed, zlib.crc32(repr(key).encode()), zlib.crc32(m.encode())])
            mean, lo, hi = bootstrap_ci(group[m], n_boot, level, rng=stream)
            row[m], row[f"{m}_lo"], row[f"{m}_hi"] = mean, lo, hi
        out.append(row)
    return pd.DataFrame(out)


# ---------------------------------------------------------------------- summary
def _mean(s: pd.Series) -> float | None:
    v = _as_floats(s)
    v = v[np.isfinite(v)]
    return float(v.mean()) if len(v) else None


def summary(df: pd.DataFrame) -> dict[str, Any]:
    """Headline numbers, JSON-ready (None where undefined).

    Session-level numbers count each session once: ``agreement_rate`` (agreements / sessions),
    ``pareto_optimal_rate`` (Pareto-optimal deals / agreements), ``mean_pareto_distance``,
    ``mean_nash_distance``, ``mean_ks_distance`` and ``mean_welfare_ratio`` (over all sessions;
    a session without a deal is scored at the disagreement point), ``mean_joint_utility`` (mean
    of ``u_1 + u_2``), ``mean_rounds``. Conduct totals sum over rows: ``violations``,
    ``parse_failures``, ``repair_turns``, ``tokens``, ``cost_usd`` (None if any cost is unknown);
    ``parser_accuracy`` is pooled (correct / moves). ``utility_by_role`` and ``utility_by_agent``
    are per-row means.
    """
    if df.empty:
        return {"sessions": 0, "agreement_rate": None, "pareto_optimal_rate": None, "mean_pareto_distance": None,
                "mean_nash_distance": None, "mean_ks_distance": None, "mean_welfare_ratio": None,
                "mean_joint_utility": None, "mean_rounds": None, "utility_by_role": {}, "utility_by_agent": {},
                "violations": 0, "parse_failures": 0, "repair_turns": 0, "tokens": 0, "cost_usd": 0.0,
                "parser_accuracy": None, "games": []}
    sessions = df.drop_duplicates("session_id")
    deals = sessions[sessions["agreement"].astype(bool)]
    moves = int(df["parser_moves"].sum()) if "parser_moves" in df else 0
    cost = None if df["cost_usd"].isna().any() else float(df["cost_usd"].sum())
    return {
        "sessions": int(len(sessions)),
        "games": sorted(map(str, sessions["game"].unique())),
        "agreement_rate": _mean(sessions["agreement"].astype(float)),
        "pareto_optimal_rate": _mean(deals["pareto_optimal"].astype(float)) if len(deals) else None,
        "mean_pareto_distance": _mean(sessions["pareto_distance"]),
        "mean_nash_distance": _mean(sessions["nash_distance"]),
        "mean_ks_distance": _mean(sessions["ks_distance"]),
        "mean_welfare_ratio": _mean(sessions["welfare_ratio"]),
        "mean_joint_utility": _mean(sessions["social_welfare"]),
        "mean_rounds": _mean(sessions["rounds"]),
        "utility_by_role": {str(k): float(v) for k, v in df.groupby("role")["utility"].mean().items()},
        "utility_by_agent": {str(k): float(v) for k, v in df.groupby("agent")["utility"].mean().items()},
        "violations": int(df["violations"].sum()),
        "parse_failures": int(df["parse_failures"].sum()),
        "repair_turns": int(df["repair_turns"].sum()),
        "tokens": int(df["tokens"].sum()),
        "cost_usd": cost,
        "parser_accuracy": (int(df["parser_correct"].sum()) / moves) if moves else None,
    }
