"""The tournament grid: one :class:`Cell` per session to play, each with a deterministic id.

A cell is (game, scenario seed, the competitor in each seat, repetition). With ``both_orders``
every pair plays each seed twice, once in each seat order. The key of a cell is readable text;
the session id is a digest of it, so the same cell always maps to the same transcript file and
index row, in every run and every resume.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from .spec import TournamentSpec

__all__ = ["Cell", "expand_grid", "pairs", "session_id_for"]


def session_id_for(key: str) -> str:
    """The session id of a cell key: 16 hex digits of its sha256."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Cell:
    """One session of the grid.

    Args:
        game: the game's id in the spec.
        seed: the scenario seed (the game is resolved with it; agents are seeded with it too).
        seats: competitor names in the game's role order (first role, second role).
        repetition: 0, 1, ... (agents are seeded differently per repetition; the scenario is not).
        pair: the pair as listed in the spec (seat order of ``order == 0``).
        order: 0 when ``seats == pair``, 1 when the roles are swapped.
        models: model strings of the LLM seats (for per-model limits and the budget).
    """

    game: str
    seed: int
    seats: tuple[str, str]
    repetition: int
    pair: tuple[str, str]
    order: int
    models: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> str:
        return f"{self.game}|seed={self.seed}|{self.seats[0]}|{self.seats[1]}|rep={self.repetition}"

    @property
    def session_id(self) -> str:
        return session_id_for(self.key)

    @property
    def agent_seed(self) -> int:
        """The agents' seed: the scenario seed in repetition 0, a derived one afterwards (so that
        model sampling and randomized agents differ between repetitions)."""
        if self.repetition == 0:
            return self.seed
        digest = hashlib.sha256(f"{self.seed}|{self.repetition}".encode()).digest()
        return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF

    def tags(self, tournament: str, roles: list[str]) -> dict[str, Any]:
        """The labels recorded in the transcript (``session_start.options.tags``)."""
        return {"tournament": tournament, "cell": self.key, "game": self.game, "seed": self.seed,
                "repetition": self.repetition, "seats": dict(zip(roles, self.seats)), "pair": list(self.pair),
                "order": self.order, "agent_seed": self.agent_seed}


def pairs(spec: TournamentSpec) -> list[tuple[str, str]]:
    """The unordered pairs that meet, in spec order (self-play pairs ``(x, x)`` if enabled)."""
    names = [c.name for c in spec.competitors]
    if spec.pairings.mode == "round-robin":
        out = list(combinations(names, 2))
    else:
        out, seen = [], set()
        for f in spec.pairings.focus:
            for o in names:
                if o != f and frozenset((f, o)) not in seen:
                    seen.add(frozenset((f, o)))
                    out.append((f, o))
    if spec.self_play:
        players = names if spec.pairings.mode == "round-robin" else list(spec.pairings.focus)
        out = [(n, n) for n in players] + out
    return out


def expand_grid(spec: TournamentSpec) -> list[Cell]:
    """Every cell of the tournament, interleaved so that an early stop (a budget) leaves a
    balanced partial grid: repetitions outermost, then seeds, games, pairs and seat orders."""
    models = {c.name: c.model for c in spec.competitors}
    met = pairs(spec)
    cells: list[Cell] = []
    max_seeds = max(len(spec.game_seeds(g)) for g in spec.games)
    for rep in range(spec.repetitions):
        for k in range(max_seeds):
            for entry in spec.games:
                seeds = spec.game_seeds(entry)
                if k >= len(seeds):
                    continue
                for a, b in met:
                    orders = [(a, b)] if a == b or not spec.both_orders else [(a, b), (b, a)]
                    for order, seats in enumerate(orders):
                        used = tuple(m for m in (models[seats[0]], models[seats[1]]) if m)
                        cells.append(Cell(game=spec.game_id(entry), seed=seeds[k], seats=seats, repetition=rep,
                                          pair=(a, b), order=order, models=used))
    keys = [c.key for c in cells]
    if len(set(keys)) != len(keys):  # e.g. a seed listed twice
        seen: set[str] = set()
        cells = [c for c in cells if not (c.key in seen or seen.add(c.key))]  # type: ignore[func-returns-value]
    return cells
