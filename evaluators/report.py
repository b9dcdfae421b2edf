"""A self-contained HTML report over transcripts: summary, leaderboard with 95% bootstrap CIs,
and per-session plots (utility space with frontier, Nash point and offer trajectories;
concession curves). Plots are embedded in the page and also written as PNG files beside it."""

from __future__ import annotations

import base64
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jinja2

from .frame import aggregate, frame, iter_transcripts, summary
from .plots import concession_plot, utility_space_plot

__all__ = ["write_report"]

_PAGE = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.ci{color:#777;font-size:.8rem}
figure{display:inline-block;margin:.5rem}img{max-width:520px;border:1px solid #eee}h2{margin-top:2rem}
</style></head><body>
<h1>{{ title }}</h1>
<p>{{ n_sessions }} sessions, games: {{ games|join(', ') }}. Generated {{ created }}.</p>
<h2>Summary</h2>
<table><tr><th>metric</th><th>value</th></tr>
{% for k, v in summary %}<tr><td>{{ k }}</td><td>{{ v }}</td></tr>{% endfor %}</table>
<h2>Leaderboard</h2>
<p>Mean per agent with 95% bootstrap confidence intervals (over session-role rows).</p>
<table><tr><th>agent</th><th>n</th>{% for m in metrics %}<th>{{ m }}</th>{% endfor %}</tr>
{% for row in leaderboard %}<tr><td>{{ row.agent }}</td><td>{{ row.n }}</td>
{% for m in metrics %}<td>{{ row[m] }}<br><span class="ci">{{ row[m ~ '_ci'] }}</span></td>{% endfor %}</tr>{% endfor %}
</table>
<h2>Sessions</h2>
{% for s in sessions %}<h3>{{ s.title }}</h3><p>{{ s.caption }}</p>
{% for fig in s.figures %}<figure><img alt="{{ fig.alt }}" src="data:image/png;base64,{{ fig.data }}"></figure>{% endfor %}
{% endfor %}
</body></html>
""")

LEADERBOARD_METRICS = ("normalized_utility", "agreement", "surplus_share", "pareto_distance", "nash_distance",
                       "violations")


def _fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def write_report(paths: Any, out: str | Path, max_sessions: int = 6, title: str = "negotiation-arena report") -> Path:
    """Write ``out`` (HTML) and PNG plots in ``<out stem>_files/``; return the HTML path."""
    out = Path(out)
    transcripts = list(iter_transcripts(paths))
    if not transcripts:
        raise ValueError("no transcripts to report on")
    df = frame(transcripts)
    figures_dir = out.parent / f"{out.stem}_files"
    figures_dir.mkdir(parents=True, exist_ok=True)
    board = aggregate(df, by="agent", metrics=LEADERBOARD_METRICS)
    leaderboard = []
    for _, row in board.sort_values("normalized_utility", ascending=False).iterrows():
        item: dict[str, Any] = {"agent": row["agent"], "n": int(row["n"])}
        for m in LEADERBOARD_METRICS:
            item[m] = _fmt(row.get(m))
            item[m + "_ci"] = f"[{_fmt(row.get(m + '_lo'))}, {_fmt(row.get(m + '_hi'))}]"
        leaderboard.append(item)
    sessions = []
    for k, t in enumerate(transcripts[:max_sessions]):
        sid = t.start.session_id
        figs = []
        for kind, fn in (("utility-space", utility_space_plot), ("concession", concession_plot)):
            png = fn(t, figures_dir / f"{k:02d}-{sid}-{kind}.png")
            figs.append({"alt": f"{kind} plot of session {sid}", "data": base64.b64encode(png.read_bytes()).decode()})
        end = t.end
        agents = ", ".join(f"{r}: {c.name}" for r, c in t.start.agents.items())
        caption = f"{agents}. Outcome: {end.outcome if end else 'incomplete'}"
        if end is not None and end.agreement is not None:
            caption += f" ({', '.join(f'{i}={v}' for i, v in end.agreement.items())})"
        sessions.append({"title": f"{t.start.game.get('title') or t.start.game.get('name')} — session {sid}",
                         "caption": caption, "figures": figs})
    summ = [(k, _fmt(v) if not isinstance(v, (dict, list)) else ", ".join(f"{a}: {_fmt(b)}" for a, b in v.items())
             if isinstance(v, dict) else ", ".join(map(str, v))) for k, v in summary(df).items()]
    html = _PAGE.render(title=title, n_sessions=len(transcripts), games=sorted(df["game"].unique().tolist()),
                        created=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), summary=summ,
                        leaderboard=leaderboard, metrics=LEADERBOARD_METRICS, sessions=sessions)
    out.write_text(html, encoding="utf-8")
    return out
