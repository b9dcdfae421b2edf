"""The RNP experiment: the region-recursive protocol against alternating offers on generated
linear, Bell, CES and hypercube spaces (see docs/rnp.md).

For every (space, number of issues, seed) *cell* one game is drawn, and the same utilities are
played under three conditions:

* ``rnp``: the region-recursive protocol, region agents on both sides, ``rounds`` rounds (each
  round both sides propose once);
* ``ao-time``: alternating offers, linear time-dependent agents (Faratin et al. 1998) on both
  sides, ``2 x rounds`` offers (the same number of proposals);
* ``ao-tradeoff``: alternating offers, similarity-based trade-off agents (Faratin, Sierra &
  Jennings 2002) on both sides, ``2 x rounds`` offers.

This module only runs sessions; scoring is a callback (``evaluators.rnp.score_cell``), so the
arena keeps not importing the evaluators. Cells run in worker processes when ``jobs > 1``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from .agents.base import make_agent
from .game import Game, resolve_spec
from .generators_nonlinear import SPACES, nonlinear_template
from .runner import SessionConfig, run_session
from .transcript import Transcript

__all__ = ["CONDITIONS", "RNPConfig", "cell_games", "iter_cells", "run_cell", "run_rnp"]

CONDITIONS: dict[str, tuple[str, str, int]] = {
    "rnp": ("region-recursive", "region", 1),
    "ao-time": ("alternating-offers", "linear", 2),
    "ao-tradeoff": ("alternating-offers", "trade-off", 2),
}
"""condition -> (protocol, agent on both sides, deadline multiplier of ``rounds``)."""


@dataclass(frozen=True)
class RNPConfig:
    """Parameters of the RNP experiment.

    Args:
        spaces: utility spaces (``linear``, ``bell``, ``ces``, ``hypercube``).
        issues: numbers of issues (each 2 to 6 in the published setting; any n >= 1 works).
        seeds: seeds per (space, issues); seed s draws the game and seeds the agents.
        seed: the first seed.
        rounds: rounds of the region protocol; alternating offers gets twice as many offers.
        conditions: which of :data:`CONDITIONS` to play.
        jobs: worker processes (1: run in this process).
        out_dir: where to write the transcripts (``<out_dir>/<space>-<n>/<condition>-<seed>.jsonl``).
        generator: extra generator parameters per space (e.g. ``{"bell": {"peaks": 5}}``).
    """

    spaces: Sequence[str] = SPACES
    issues: Sequence[int] = (4,)
    seeds: int = 50
    seed: int = 0
    rounds: int = 40
    conditions: Sequence[str] = tuple(CONDITIONS)
    jobs: int = 1
    out_dir: Path | None = None
    generator: dict[str, dict[str, Any]] = field(default_factory=dict)

    def check(self) -> None:
        bad = [s for s in self.spaces if s not in SPACES]
        if bad:
            raise ValueError(f"unknown space(s) {bad}; the spaces are {', '.join(SPACES)}")
        bad = [c for c in self.conditions if c not in CONDITIONS]
        if bad:
            raise ValueError(f"unknown condition(s) {bad}; the conditions are {', '.join(CONDITIONS)}")
        if any(n < 1 for n in self.issues) or self.seeds < 1 or self.rounds < 2:
            raise ValueError("need at least 1 issue, 1 seed and 2 rounds")


def iter_cells(cfg: RNPConfig) -> Iterator[tuple[str, int, int]]:
    """Every (space, issues, seed) cell of the experiment, in a fixed order."""
    for space in cfg.spaces:
        for n in cfg.issues:
            for s in range(cfg.seed, cfg.seed + cfg.seeds):
                yield space, int(n), s


def cell_games(cfg: RNPConfig, space: str, n: int, seed: int) -> dict[str, Game]:
    """One game per condition, all with the same issues and utilities (drawn from ``seed``).
    Conditions with the same protocol and deadline share one Game object (and its tables)."""
    base = resolve_spec(nonlinear_template(space, n, "region-recursive", cfg.rounds, **cfg.generator.get(space, {})), seed)
    games: dict[tuple[str, int], Game] = {}
    out: dict[str, Game] = {}
    for cond in cfg.conditions:
        protocol, _, mult = CONDITIONS[cond]
        key = (protocol, cfg.rounds * mult)
        if key not in games:
            spec = base.model_copy(update={"protocol": base.protocol.model_copy(update={"type": protocol,
                                                                                     "max_rounds": key[1]})})
            games[key] = Game(spec)
        out[cond] = games[key]
    return out


def run_cell(cfg: RNPConfig, space: str, n: int, seed: int) -> list[Transcript]:
    """Play every condition of one cell; write the transcripts when ``cfg.out_dir`` is set."""
    out = []
    for cond, game in cell_games(cfg, space, n, seed).items():
        protocol, agent, _ = CONDITIONS[cond]
        agents = {role: make_agent(agent, seed) for role in game.role_names}
        path = cfg.out_dir / f"{space}-{n}" / f"{cond}-{seed:04d}.jsonl" if cfg.out_dir else None
        tags = {"experiment": "rnp", "space": space, "issues": n, "condition": cond, "protocol": protocol}
        config = SessionConfig(tags=tags, session_id=f"rnp-{space}-{n}-{cond}-{seed:04d}")
        out.append(asyncio.run(run_session(game, agents, seed=seed, out=path, config=config)))
    return out


def _work(cfg: RNPConfig, cell: tuple[str, int, int], score: Callable[[list[Transcript]], list[dict[str, Any]]]
          ) -> list[dict[str, Any]]:
    return score(run_cell(cfg, *cell))


def run_rnp(cfg: RNPConfig, score: Callable[[list[Transcript]], list[dict[str, Any]]],
            progress: Callable[[], None] | None = None) -> list[dict[str, Any]]:
    """Run every cell and return ``score``'s rows for all of them, in cell order.

    Args:
        cfg: the experiment's parameters.
        score: turns a cell's transcripts into rows (a module-level function, so worker
            processes can receive it).
        progress: called once per finished cell.
    """
    cfg.check()
    cells = list(iter_cells(cfg))
    results: dict[int, list[dict[str, Any]]] = {}
    jobs = max(1, min(int(cfg.jobs), len(cells), os.cpu_count() or 1))
    if jobs == 1:
        for k, cell in enumerate(cells):
            results[k] = _work(cfg, cell, score)
            if progress:
                progress()
    else:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            futures = {pool.submit(_work, cfg, cell, score): k for k, cell in enumerate(cells)}
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                if progress:
                    progress()
    return [row for k in range(len(cells)) for row in results[k]]
