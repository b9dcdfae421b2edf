"""Leaderboards of a tournament folder: per competitor, overall and per game, each metric's mean
with a 95% bootstrap confidence interval; a pairwise matrix; CSV, Parquet and HTML exports.

Competitors are named as in the tournament spec (the transcripts' ``tags.seats``); transcripts
without tags fall back to the recorded agent label. Sessions recorded as failed (a model that
kept failing) are left out of the metrics by default and counted in ``failure_rate`` instead:
they measure the endpoint, not the negotiator (``include_failed=True`` scores them as no deal).
A cost that litellm did not know is filled from the spec's ``price`` when there is one, and
otherwise stays unknown (NaN), never 0.
"""

from __future__ import annotations

import base64
import json
import math
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from arena.transcript import read_transcript

from .frame import aggregate, frame

__all__ = ["LEADERBOARD_METRICS", "Leaderboard", "export_leaderboard", "leaderboard", "tournament_frame",
           "write_leaderboard_html"]

LEADERBOARD_METRICS = ("normalized_utility", "surplus_share", "agreement", "pareto_distance", "nash_distance",
                       "violations", "tokens", "cost_usd")
LOWER_IS_BETTER = frozenset({"pareto_distance", "nash_distance", "violations", "tokens", "cost_usd"})


def _index_rows(folder: Path) -> tuple[list[sqlite3.Row], dict[str, Any]]:
    db = sqlite3.connect((folder / "index.sqlite").resolve().as_uri() + "?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        rows = db.execute("SELECT * FROM sessions ORDER BY cell").fetchall()
        meta = {r[0]: r[1] for r in db.execute("SELECT key, value FROM meta")}
    finally:
        db.close()
    return rows, meta


def tournament_frame(folder: str | Path, include_failed: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score a tournament folder.

    Returns:
        ``(df, sessions)``: one row per session and role with ``competitor`` and
        ``opponent_competitor`` columns, and one row per indexed session (``session_id``,
        ``game``, ``status``, ``error``, ``seats``). Without an index, every ``*.jsonl`` below
        ``folder`` is scored and counted as ok.
    """
    folder = Path(folder)
    prices: dict[str, dict[str, float]] = {}
    if (folder / "index.sqlite").exists():
        rows, meta = _index_rows(folder)
        prices = json.loads(meta.get("prices", "{}"))
        sessions = pd.DataFrame([{k: r[k] for k in ("session_id", "cell", "game", "status", "error", "seats", "path")}
                                 for r in rows], columns=["session_id", "cell", "game", "status", "error", "seats", "path"])
        use = sessions[(sessions["status"] == "ok") | include_failed]
        paths = [folder / p for p in use["path"] if isinstance(p, str)]
    else:
        paths = sorted(folder.rglob("*.jsonl")) if folder.is_dir() else [folder]
        sessions = pd.DataFrame(columns=["session_id", "cell", "game", "status", "error", "seats", "path"])
    transcripts = [read_transcript(p) for p in paths]
    df = frame(transcripts)
    if df.empty:
        return df, sessions
    seats = {t.start.session_id: (t.start.options.get("tags") or {}).get("seats") or {} for t in transcripts}
    df["competitor"] = [seats.get(s, {}).get(r, a) for s, r, a in zip(df["session_id"], df["role"], df["agent"])]
    df["opponent_competitor"] = [seats.get(s, {}).get(r, a)
                                 for s, r, a in zip(df["session_id"], df["opponent_role"], df["opponent"])]
    if sessions.empty:
        sessions = pd.DataFrame({"session_id": list(seats), "status": "ok", "error": None,
                                 "seats": [json.dumps(v) for v in seats.values()]})
        sessions["game"] = sessions["session_id"].map(df.drop_duplicates("session_id").set_index("session_id")["game"])
    cost = pd.to_numeric(df["cost_usd"], errors="coerce")
    for name, price in prices.items():
        fill = cost.isna() & (df["competitor"] == name)
        cost[fill] = (df.loc[fill, "prompt_tokens"] * price["input"] + df.loc[fill, "completion_tokens"] * price["output"]) / 1e6
    df["cost_usd"] = cost
    return df, sessions


@dataclass
class Leaderboard:
    """The tables of a leaderboard (every metric ``m`` as ``m``, ``m_lo``, ``m_hi``)."""

    overall: pd.DataFrame
    by_game: pd.DataFrame
    pairwise: pd.DataFrame
    metrics: tuple[str, ...]
    sessions: int
    failed: int
    pair_metric: str = "normalized_utility"
    frame: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def matrix(self) -> pd.DataFrame:
        """Competitor (rows) against opponent (columns): the mean of ``pair_metric``."""
        if self.pairwise.empty:
            return pd.DataFrame()
        return self.pairwise.pivot(index="competitor", columns="opponent", values=self.pair_metric)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every number as ``{"mean", "lo", "hi"}`` (None where undefined)."""
        def rows(df: pd.DataFrame, keys: list[str], metrics: tuple[str, ...]) -> list[dict[str, Any]]:
            out = []
            for _, r in df.iterrows():
                item: dict[str, Any] = {k: _plain(r[k]) for k in keys}
                item.update({m: {"mean": _plain(r[m]), "lo": _plain(r[f"{m}_lo"]), "hi": _plain(r[f"{m}_hi"])}
                             for m in metrics if m in r})
                out.append(item)
            return out
        extra = ["rank", "competitor", "n", "sessions", "failed", "failure_rate", "cost_unknown"]
        return {"sessions": self.sessions, "failed": self.failed, "metrics": list(self.metrics),
                "overall": rows(self.overall, [k for k in extra if k in self.overall], self.metrics),
                "by_game": rows(self.by_game, ["competitor", "game", "n"], self.metrics),
                "pairwise": rows(self.pairwise, ["competitor", "opponent", "n"], (self.pair_metric,))}


def _plain(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(float(v)) else round(float(v), 6)
    return v


def leaderboard(folder: str | Path, metrics: tuple[str, ...] = LEADERBOARD_METRICS, n_boot: int = 2000,
                include_failed: bool = False, pair_metric: str = "normalized_utility", seed: int = 0) -> Leaderboard:
    """Compute the leaderboard of a tournament folder (see the module docstring).

    Args:
        folder: a tournament folder (``index.sqlite`` and ``sessions/``) or any folder of transcripts.
        metrics: columns of :func:`evaluators.frame` to rank on; the first one orders the ranking
            (higher is better).
        n_boot: bootstrap resamples per confidence interval.
        include_failed: score failed sessions as no deal instead of leaving them out.
        pair_metric: the metric of the pairwise matrix.
        seed: bootstrap seed.
    """
    df, sessions = tournament_frame(folder, include_failed)
    failed = sessions[sessions["status"] == "failed"]
    if df.empty:
        empty = pd.DataFrame(columns=["competitor", "n"])
        return Leaderboard(empty, empty, empty, metrics, 0, len(failed), pair_metric, df)
    overall = aggregate(df, by="competitor", metrics=metrics, n_boot=n_boot, seed=seed)
    counts: dict[str, list[int]] = {}
    for seats, status in zip(sessions["seats"], sessions["status"]):
        for name in set(json.loads(seats).values()) if isinstance(seats, str) else ():
            c = counts.setdefault(name, [0, 0])
            c[0] += 1
            c[1] += status == "failed"
    overall["sessions"] = [counts.get(c, [0, 0])[0] or int((df["competitor"] == c).sum()) for c in overall["competitor"]]
    overall["failed"] = [counts.get(c, [0, 0])[1] for c in overall["competitor"]]
    overall["failure_rate"] = overall["failed"] / overall["sessions"].clip(lower=1)
    overall["cost_unknown"] = [int(df.loc[df["competitor"] == c, "cost_usd"].isna().sum()) for c in overall["competitor"]]
    key = metrics[0]
    overall = overall.sort_values(key, ascending=key in LOWER_IS_BETTER, na_position="last").reset_index(drop=True)
    overall.insert(0, "rank", range(1, len(overall) + 1))
    by_game = aggregate(df, by=("competitor", "game"), metrics=metrics, n_boot=n_boot, seed=seed)
    pairwise = aggregate(df.assign(opponent=df["opponent_competitor"]), by=("competitor", "opponent"),
                         metrics=(pair_metric,), n_boot=n_boot, seed=seed)
    n_sessions = int(df["session_id"].nunique())
    return Leaderboard(overall, by_game, pairwise, metrics, n_sessions, len(failed), pair_metric, df)


def export_leaderboard(board: Leaderboard, out: str | Path) -> tuple[list[Path], list[str]]:
    """Write ``leaderboard.csv``, ``leaderboard_by_game.csv``, ``pairwise.csv`` and
    ``sessions.csv`` (one row per session and role), and the same as ``.parquet`` when pyarrow
    is installed. Returns the files written and notes (e.g. why Parquet was skipped)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tables = {"leaderboard": board.overall, "leaderboard_by_game": board.by_game, "pairwise": board.pairwise,
              "sessions": board.frame}
    written, notes = [], []
    for name, df in tables.items():
        df.to_csv(out / f"{name}.csv", index=False)
        written.append(out / f"{name}.csv")
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        notes.append("Parquet files skipped: pyarrow is not installed (pip install pyarrow)")
        return written, notes
    for name, df in tables.items():
        clean = df.copy()
        for col in clean.columns:  # mixed object columns (None and numbers, dict-like text) as text
            if clean[col].dtype == object:
                clean[col] = clean[col].map(lambda v: None if v is None else str(v))
        clean.to_parquet(out / f"{name}.parquet", index=False)
        written.append(out / f"{name}.parquet")
    return written, notes


def fmt(v: Any, digits: int = 3) -> str:
    """A number for tables: 3 significant digits, '–' when undefined."""
    if v is None or (isinstance(v, (float, np.floating)) and math.isnan(float(v))):
        return "–"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.{digits}g}"
    return str(v)


def cell_text(row: Any, m: str) -> tuple[str, str]:
    """``(mean, "[lo, hi]")`` of metric ``m`` in an aggregate row."""
    return fmt(row.get(m)), f"[{fmt(row.get(m + '_lo'))}, {fmt(row.get(m + '_hi'))}]"


_PAGE = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1200px;color:#222;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0;font-size:.85rem}th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.ci{color:#777;font-size:.75rem}
img{max-width:560px;border:1px solid #eee;margin:.5rem}h2{margin-top:2rem}
</style></head><body>
<h1>{{ title }}</h1>
<p>{{ sessions }} sessions scored{% if failed %}; {{ failed }} failed sessions left out of the metrics
(counted in the failure rate){% endif %}. Means over session-role rows with 95% percentile-bootstrap
confidence intervals. Ranked by {{ metrics[0] }}; lower is better for distances, violations, tokens and cost.</p>
<h2>Overall</h2>
<table><tr><th>competitor</th><th>rank</th><th>n</th><th>failure rate</th>{% for m in metrics %}<th>{{ m }}</th>{% endfor %}</tr>
{% for r in overall %}<tr><td>{{ r.name }}</td><td>{{ r.rank }}</td><td>{{ r.n }}</td><td>{{ r.failure }}</td>
{% for c in r.cells %}<td>{{ c[0] }}<br><span class="ci">{{ c[1] }}</span></td>{% endfor %}</tr>{% endfor %}</table>
{% for fig in charts %}<img alt="{{ fig.alt }}" src="data:image/png;base64,{{ fig.data }}">{% endfor %}
<h2>Pairwise: {{ pair_metric }} of the row competitor against the column competitor</h2>
<table><tr><th></th>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for r in matrix %}<tr><td>{{ r.name }}</td>{% for c in r.cells %}<td style="background:{{ c[2] }}">{{ c[0] }}<br>
<span class="ci">{{ c[1] }}</span></td>{% endfor %}</tr>{% endfor %}</table>
<h2>Per game</h2>
{% for g in games %}<h3>{{ g.name }}</h3>
<table><tr><th>competitor</th><th>n</th>{% for m in metrics %}<th>{{ m }}</th>{% endfor %}</tr>
{% for r in g.rows %}<tr><td>{{ r.name }}</td><td>{{ r.n }}</td>{% for c in r.cells %}<td>{{ c[0] }}<br>
<span class="ci">{{ c[1] }}</span></td>{% endfor %}</tr>{% endfor %}</table>{% endfor %}
<h2>Example sessions</h2>
{% for fig in examples %}<img alt="{{ fig.alt }}" src="data:image/png;base64,{{ fig.data }}">{% endfor %}
</body></html>
""")


def _color(v: Any, lo: float, hi: float) -> str:
    if v is None or not isinstance(v, (int, float)) or math.isnan(v) or hi <= lo:
        return "#fff"
    x = (float(v) - lo) / (hi - lo)
    return f"rgba(31,119,180,{0.08 + 0.5 * x:.2f})"


def _ci_chart(board: Leaderboard, metric: str, path: Path) -> Path:
    from .plots import _pyplot

    plt = _pyplot()
    df = board.overall.sort_values(metric, ascending=True)
    fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(df) + 1.2))
    mean = df[metric].astype(float).to_numpy()
    err = np.vstack([mean - df[f"{metric}_lo"].astype(float).to_numpy(), df[f"{metric}_hi"].astype(float).to_numpy() - mean])
    ax.errorbar(mean, range(len(df)), xerr=np.nan_to_num(err), fmt="o", capsize=4, color="#1f77b4")
    ax.set_yticks(range(len(df)), [str(c) for c in df["competitor"]])
    ax.set_xlabel(f"{metric} (mean, 95% bootstrap CI)")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _png(path: Path, alt: str) -> dict[str, str]:
    return {"alt": alt, "data": base64.b64encode(path.read_bytes()).decode()}


def write_leaderboard_html(board: Leaderboard, out: str | Path, folder: str | Path | None = None,
                           examples: int = 2, title: str = "negotiation-arena leaderboard") -> Path:
    """Write a self-contained HTML page (PNG plots also beside it, in ``<stem>_files/``): the
    overall table with CIs, a CI chart, the pairwise matrix, per-game tables and, from
    ``folder``, the report's utility-space and concession plots of a few example sessions."""
    from .plots import concession_plot, utility_space_plot

    out = Path(out)
    figs = out.parent / f"{out.stem}_files"
    figs.mkdir(parents=True, exist_ok=True)
    metrics = board.metrics
    overall = [{"name": r["competitor"], "rank": r["rank"], "n": int(r["n"]), "failure": fmt(r.get("failure_rate")),
                "cells": [cell_text(r, m) for m in metrics]} for _, r in board.overall.iterrows()]
    charts = [_png(_ci_chart(board, m, figs / f"ci-{m}.png"), f"{m} by competitor")
              for m in metrics[:2] if m in board.overall and board.overall[m].notna().any()]
    matrix = board.matrix()
    columns = [str(c) for c in matrix.columns]
    pair = board.pairwise.set_index(["competitor", "opponent"]) if not board.pairwise.empty else None
    values = [float(v) for v in matrix.to_numpy().ravel() if isinstance(v, (int, float)) and not math.isnan(v)]
    lo, hi = (min(values), max(values)) if values else (0.0, 0.0)
    rows = []
    for comp in matrix.index:
        cells = []
        for opp in matrix.columns:
            if pair is not None and (comp, opp) in pair.index:
                r = pair.loc[(comp, opp)]
                cells.append((*cell_text(r, board.pair_metric), _color(r[board.pair_metric], lo, hi)))
            else:
                cells.append(("", "", "#fff"))
        rows.append({"name": comp, "cells": cells})
    games = []
    for game, g in board.by_game.groupby("game", sort=True):
        games.append({"name": game, "rows": [{"name": r["competitor"], "n": int(r["n"]),
                                              "cells": [cell_text(r, m) for m in metrics]} for _, r in g.iterrows()]})
    shown = []
    if folder is not None and not board.frame.empty:  # the first session of each game, up to `examples`
        wanted = board.frame.drop_duplicates("game")["session_id"].tolist()[:examples]
        paths = {p.stem: p for p in (Path(folder) / "sessions").glob("*.jsonl") if p.stem in wanted}
        if len(paths) < len(wanted):  # not a tournament folder: search it
            paths.update({p.stem: p for p in Path(folder).rglob("*.jsonl") if p.stem in wanted})
        for sid in wanted:
            if sid in paths:
                t = read_transcript(paths[sid])
                for kind, fn in (("utility-space", utility_space_plot), ("concession", concession_plot)):
                    shown.append(_png(fn(t, figs / f"{sid}-{kind}.png"), f"{kind} plot of session {sid}"))
    out.write_text(_PAGE.render(title=title, sessions=board.sessions, failed=board.failed, metrics=metrics,
                                overall=overall, charts=charts, pair_metric=board.pair_metric, columns=columns,
                                matrix=rows, games=games, examples=shown), encoding="utf-8")
    return out
