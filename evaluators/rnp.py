"""Scores, table, plot and report of the RNP experiment (see ``arena.experiments_rnp`` and
docs/rnp.md). Pure functions of transcripts, like every evaluator.

Per session (one row each): ``pareto_distance`` (normalized utility space; the disagreement
point when there is no deal), ``welfare_sum`` and ``welfare_product`` (sum and product of the two
roles' min-max normalized utilities, each normalized over the whole space), ``agreement``,
``rounds`` (as the protocol counts them: simultaneous rounds for RNP, offers for alternating
offers) and ``moves`` (proposals and responses made, comparable across protocols).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from arena.transcript import Transcript

from .frame import aggregate
from .metrics import score_session

__all__ = ["CONDITION_LABELS", "RNP_METRICS", "format_ci", "paired_differences", "rnp_plot", "rnp_table", "score_cell",
           "write_rnp_report"]

RNP_METRICS = ("pareto_distance", "welfare_sum", "welfare_product", "agreement", "rounds", "moves")
CONDITION_LABELS = {"rnp": "RNP, region agents", "ao-time": "AO, time-dependent", "ao-tradeoff": "AO, trade-off"}


def score_cell(transcripts: Iterable[Transcript]) -> list[dict[str, Any]]:
    """One row per session of the RNP experiment (columns: the module docstring, plus the tags)."""
    out = []
    for t in transcripts:
        tags = dict(t.start.options.get("tags", {}))
        rows = score_session(t)
        nu = [float(r["normalized_utility"]) for r in rows]
        first = rows[0]
        out.append({
            "space": tags.get("space", first["game"]), "issues": tags.get("issues"), "seed": first["seed"],
            "condition": tags.get("condition", "?"), "protocol": tags.get("protocol", ""),
            "session_id": first["session_id"], "outcome": first["outcome"], "agreement": float(bool(first["agreement"])),
            "pareto_distance": first["pareto_distance"], "nash_distance": first["nash_distance"],
            "welfare_sum": nu[0] + nu[1], "welfare_product": nu[0] * nu[1],
            "rounds": first["rounds"], "moves": first["turns"],
            **{f"utility_{r['role']}": r["utility"] for r in rows},
        })
    return out


def rnp_table(df: pd.DataFrame, by: Sequence[str] = ("space", "condition"), metrics: Sequence[str] = RNP_METRICS,
              n_boot: int = 2000) -> pd.DataFrame:
    """Means with 95% percentile-bootstrap confidence intervals per group (``m``, ``m_lo``, ``m_hi``)."""
    return aggregate(df, by=list(by), metrics=list(metrics), n_boot=n_boot)


def paired_differences(df: pd.DataFrame, metric: str = "pareto_distance", base: str = "rnp",
                       n_boot: int = 2000) -> pd.DataFrame:
    """Per space and other condition: the mean over games of ``metric(base) - metric(other)``
    on the same game (same space, issues and seed) with a 95% bootstrap CI, and the share of
    games where ``base`` is lower (``base_lower``) and higher (``base_higher``)."""
    keys = ["space", "issues", "seed"]
    if base not in set(df["condition"]):
        return pd.DataFrame()
    mine = df[df["condition"] == base].set_index(keys)[metric]
    rows = []
    for other in sorted(set(df["condition"]) - {base}):
        theirs = df[df["condition"] == other].set_index(keys)[metric]
        diff = (mine - theirs).dropna().rename("diff").reset_index()
        for space, group in diff.groupby("space", sort=True):
            rows.append({"space": space, "condition": other, "n": len(group), "diff": group["diff"].to_numpy(),
                         "base_lower": float((group["diff"] < -1e-12).mean()),
                         "base_higher": float((group["diff"] > 1e-12).mean())})
    if not rows:
        return pd.DataFrame()
    out = pd.DataFrame(rows)
    agg = aggregate(out.explode("diff").astype({"diff": float}), by=["space", "condition"], metrics=["diff"],
                    n_boot=n_boot)
    return agg.merge(out[["space", "condition", "base_lower", "base_higher"]], on=["space", "condition"])


def format_ci(row: Any, metric: str, digits: int = 3) -> str:
    """``mean [lo, hi]`` for one metric of an aggregated row."""
    m, lo, hi = row[metric], row[f"{metric}_lo"], row[f"{metric}_hi"]
    if m is None or (isinstance(m, float) and math.isnan(m)):
        return "–"
    return f"{m:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def rnp_plot(agg: pd.DataFrame, path: Path) -> Path:
    """Grouped bars with 95% CI whiskers: per space, each condition's Pareto distance, welfare
    product and agreement rate (``agg`` grouped by space and condition)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    spaces = list(dict.fromkeys(agg["space"]))
    conds = [c for c in CONDITION_LABELS if c in set(agg["condition"])] + \
        sorted(set(agg["condition"]) - set(CONDITION_LABELS))
    metrics = [("pareto_distance", "distance to the Pareto frontier (lower is better)"),
               ("welfare_product", "welfare: product of normalized utilities"),
               ("agreement", "agreement rate")]
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.2 * len(metrics), 4.2), dpi=100)
    width = 0.8 / max(1, len(conds))
    colors = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd")
    for ax, (metric, title) in zip(axes, metrics):
        for j, cond in enumerate(conds):
            sub = agg[agg["condition"] == cond].set_index("space").reindex(spaces)
            x = np.arange(len(spaces)) + (j - (len(conds) - 1) / 2) * width
            mean = sub[metric].to_numpy(dtype=float)
            err = np.vstack([mean - sub[f"{metric}_lo"].to_numpy(dtype=float),
                             sub[f"{metric}_hi"].to_numpy(dtype=float) - mean])
            ax.bar(x, mean, width, yerr=np.nan_to_num(err), capsize=3, color=colors[j % len(colors)],
                   label=CONDITION_LABELS.get(cond, cond))
        ax.set_xticks(np.arange(len(spaces)))
        ax.set_xticklabels(spaces)
        ax.set_title(title, fontsize=9)
    axes[0].legend(fontsize=8)
    fig.suptitle("Region-recursive protocol vs alternating offers (means, 95% bootstrap CIs)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


_PAGE = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>RNP experiment</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1200px;color:#222;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0;font-size:.85rem}th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:right}
th{background:#f4f4f4}td.l{text-align:left}img{max-width:100%;border:1px solid #eee}</style></head><body>
<h1>Region-recursive protocol vs alternating offers</h1>
<p>{{ sessions }} sessions; {{ settings }}. Generated {{ created }}. Means with 95% percentile-bootstrap CIs.
Rules, parameters and what is our reconstruction: docs/rnp.md.</p>
<img alt="bar charts of Pareto distance, welfare product and agreement rate per space and condition"
 src="data:image/png;base64,{{ plot }}">
{% for t in tables %}<h2>{{ t.title }}</h2>
<table><tr>{% for h in t.header %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in t.rows %}<tr>{% for c in row %}<td{% if loop.index <= t.nkeys %} class="l"{% endif %}>{{ c }}</td>{% endfor %}</tr>{% endfor %}
</table>{% endfor %}
</body></html>
""")


def _rows(agg: pd.DataFrame, keys: Sequence[str]) -> list[list[str]]:
    out = []
    for _, row in agg.iterrows():
        cells = [str(CONDITION_LABELS.get(row[k], row[k])) if k == "condition" else str(row[k]) for k in keys]
        out.append(cells + [str(int(row["n"]))] + [format_ci(row, m, 1 if m in ("rounds", "moves") else 3)
                                                    for m in RNP_METRICS])
    return out


def write_rnp_report(df: pd.DataFrame, out_dir: str | Path, settings: str = "") -> Path:
    """Write ``results.csv``, ``rnp.png`` and ``rnp-report.html`` into ``out_dir``; return the HTML path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / "results.csv", index=False)
    pooled = rnp_table(df)
    png = rnp_plot(pooled, out / "rnp.png")
    tables = [{"title": "By space and condition (issue counts pooled)", "nkeys": 2,
               "header": ["space", "condition", "n", *RNP_METRICS], "rows": _rows(pooled, ("space", "condition"))}]
    if df["issues"].nunique() > 1:
        per = rnp_table(df, by=("space", "issues", "condition"))
        tables.append({"title": "By space, number of issues and condition", "nkeys": 3,
                       "header": ["space", "issues", "condition", "n", *RNP_METRICS],
                       "rows": _rows(per, ("space", "issues", "condition"))})
    diffs = paired_differences(df)
    if not diffs.empty:
        tables.append({"title": "Paired: RNP minus the other condition on the same game (Pareto distance; "
                                "negative means RNP is closer to the frontier)", "nkeys": 2,
                       "header": ["space", "versus", "games", "mean difference [95% CI]", "RNP closer", "RNP farther"],
                       "rows": [[r["space"], CONDITION_LABELS.get(r["condition"], r["condition"]), str(int(r["n"])),
                                 format_ci(r, "diff"), f"{r['base_lower']:.0%}", f"{r['base_higher']:.0%}"]
                                for _, r in diffs.iterrows()]})
    html = _PAGE.render(sessions=len(df), settings=settings, tables=tables,
                        created=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                        plot=base64.b64encode(png.read_bytes()).decode())
    path = out / "rnp-report.html"
    path.write_text(html, encoding="utf-8")
    return path
