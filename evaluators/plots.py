"""Plots of sessions (matplotlib, headless): the utility space with the Pareto frontier, the Nash
point and both sides' offer trajectories (the negotiation dance), and concession curves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from arena.transcript import ParsedEvent, Transcript, VerdictEvent

from .pareto import pareto_frontier
from .solutions import bargaining_solutions

__all__ = ["concession_plot", "offers_by_role", "utility_space_plot"]

_COLORS = ("#1f77b4", "#d62728")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def offers_by_role(t: Transcript) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    """Each role's accepted offers in order, as (turn, bundle).

    Only whole outcomes count: people in imported corpora make partial offers ("i want the
    book"), which have no point in utility space.
    """
    ok = {(e.turn, e.attempt, e.role) for e in t.events if isinstance(e, VerdictEvent) and e.verdict.ok}
    space = t.game().space
    out: dict[str, list[tuple[int, dict[str, Any]]]] = {r: [] for r in t.start.agents}
    for e in t.events:
        if isinstance(e, ParsedEvent) and e.result.ok and e.result.action.kind == "offer":  # type: ignore[union-attr]
            # imported corpora have no verdicts: every parsed offer counts
            if ok and (e.turn, e.attempt, e.role) not in ok:
                continue
            if space.problems(e.result.action.bundle):  # type: ignore[union-attr]
                continue
            out.setdefault(e.role, []).append((e.turn, dict(e.result.action.bundle)))  # type: ignore[union-attr]
    return out


def utility_space_plot(t: Transcript, path: Path, max_points: int = 20000) -> Path:
    """The outcome space in utility coordinates, the frontier, the Nash point, the reservation
    point, both sides' offers in order, and the final deal."""
    plt = _pyplot()
    game = t.game()
    a, b = game.role_names
    X = game.space.enumerate()
    if len(X) > max_points:
        X = X[np.random.default_rng(0).choice(len(X), max_points, replace=False)]
    ua, ub = game.roles[a].utility.evaluate(X), game.roles[b].utility.evaluate(X)
    fig, ax = plt.subplots(figsize=(6, 5), dpi=100)
    ax.scatter(ua, ub, s=6, c="#cccccc", label="outcomes", zorder=1)
    front = pareto_frontier(game)
    f = np.asarray(front.utilities)
    order = np.argsort(f[:, 0])
    ax.plot(f[order, 0], f[order, 1], "-", color="black", lw=1.2, label="Pareto frontier", zorder=2)
    sol = bargaining_solutions(game)
    nash = np.asarray(sol.nash)
    if nash.size:
        ax.scatter(nash[:, 0], nash[:, 1], marker="*", s=180, c="gold", edgecolors="black", label="Nash point",
                   zorder=5)
    ax.scatter([game.roles[a].reservation], [game.roles[b].reservation], marker="x", s=60, c="black",
               label="no deal", zorder=4)
    for color, role in zip(_COLORS, (a, b)):
        offers = offers_by_role(t).get(role, [])
        if offers:
            pts = np.array([[game.utility(a, o), game.utility(b, o)] for _, o in offers])
            ax.plot(pts[:, 0], pts[:, 1], "-o", ms=4, color=color, alpha=0.8, label=f"{game.roles[role].label}'s offers",
                    zorder=3)
    end = t.end
    if end is not None and end.agreement is not None:
        ax.scatter([game.utility(a, end.agreement)], [game.utility(b, end.agreement)], s=140, facecolors="none",
                   edgecolors="green", linewidths=2.5, label="deal", zorder=6)
    ax.set_xlabel(f"{game.roles[a].label} utility")
    ax.set_ylabel(f"{game.roles[b].label} utility")
    ax.set_title(f"{game.spec.title or game.name}: the negotiation dance", fontsize=10)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def concession_plot(t: Transcript, path: Path) -> Path:
    """Each side's own utility of its offers, turn by turn (how fast each side concedes)."""
    plt = _pyplot()
    game = t.game()
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    for color, role in zip(_COLORS, game.role_names):
        offers = offers_by_role(t).get(role, [])
        if offers:
            ax.plot([turn for turn, _ in offers], [game.utility(role, o) for _, o in offers], "-o", ms=4, color=color,
                    label=game.roles[role].label)
            ax.axhline(game.roles[role].reservation, color=color, ls=":", lw=1)
    ax.set_xlabel("turn")
    ax.set_ylabel("own utility of own offer")
    ax.set_title("concession curves (dotted: reservation values)", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
