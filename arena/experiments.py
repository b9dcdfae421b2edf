"""Experiments that run many sessions: the interventional anchoring experiment.

The analysis of the transcripts lives in ``evaluators.anchoring``; this module only runs them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .agents.base import make_agent
from .game import Game, GameError, load_game
from .runner import SessionConfig, run_session
from .transcript import AgentConfig, Transcript

__all__ = ["AnchoringConfig", "run_anchoring", "zone"]


def zone(game: Game) -> tuple[float, float]:
    """The zone of possible agreement of a one-issue numeric game: the range of values where
    every side's utility is at least its reservation value."""
    if len(game.space.issues) != 1 or not hasattr(game.space.issues[0], "min"):
        raise GameError(f"game {game.name!r}: the anchoring experiment needs a game with one numeric issue")
    X = game.space.enumerate()
    ok = np.ones(len(X), dtype=bool)
    for role in game.roles.values():
        ok &= role.utility.evaluate(X) >= role.reservation - 1e-12
    if not ok.any():
        raise GameError(f"game {game.name!r} has no zone of possible agreement")
    return float(X[ok, 0].min()), float(X[ok, 0].max())


@dataclass(frozen=True)
class AnchoringConfig:
    """Parameters of the anchoring experiment (positions are zone-normalized: 0 = the zone's
    low end, 1 = its high end).

    Args:
        game: a one-issue game; the opener takes the role that moves first.
        subject: the agent under test (scripted name or, with LLM seats, a model string).
        pairs: number of seeds; each seed is played once per condition.
        low, high: the opener's first offer in the low and high conditions.
        start: where the opener's concession schedule starts (its first offer in the control).
        e: the opener's concession exponent.
        seed: the first seed.
        out_dir: where to write the transcripts (optional).
    """

    game: str = "buyer-seller"
    subject: str | AgentConfig = "linear"
    pairs: int = 20
    low: float = 0.25
    high: float = 1.75
    start: float = 1.25
    e: float = 1.0
    seed: int = 0
    out_dir: Path | None = None


def run_anchoring(cfg: AnchoringConfig, progress: Callable[[], None] | None = None) -> list[Transcript]:
    """Run ``pairs`` x {low, none, high} sessions with identical seeds within each pair."""
    game = load_game(cfg.game)
    lo, hi = zone(game)
    issue = game.space.issues[0]
    opener, subject_role = game.first, game.other(game.first)

    def value(z: float) -> float:
        v = min(max(lo + z * (hi - lo), float(issue.min)), float(issue.max))  # type: ignore[union-attr]
        return issue.decode(v)  # type: ignore[return-value]

    u_start = game.roles[opener].utility({issue.name: value(cfg.start)})
    make_agent(cfg.subject)  # fail fast on a bad subject
    conditions = [("low", cfg.low), ("none", None), ("high", cfg.high)]
    out: list[Transcript] = []
    for pair in range(cfg.pairs):
        seed = cfg.seed + pair
        for name, z in conditions:
            args: dict[str, object] = {"start": u_start, "e": cfg.e}
            if z is not None:
                args["value"] = value(z)
            agents = {opener: make_agent(AgentConfig(name="anchor", args=args), seed),
                      subject_role: make_agent(cfg.subject, seed)}
            path = cfg.out_dir / f"anchoring-{pair:04d}-{name}.jsonl" if cfg.out_dir else None
            tags = {"experiment": "anchoring", "pair": pair, "condition": name, "anchor": z, "subject": subject_role}
            out.append(asyncio.run(run_session(game, agents, seed=seed, out=path, config=SessionConfig(tags=tags))))
            if progress:
                progress()
    return out
