"""What a run is asked to do and how far it got: options, live progress, the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .index import ReconcileReport

__all__ = ["RunOptions", "TournamentProgress", "TournamentResult"]


@dataclass(frozen=True)
class RunOptions:
    """How to run a spec.

    Args:
        concurrency: sessions in flight at once (default: the spec's).
        resume: continue the tournament already in the folder.
        retry_failed: play the cells recorded as failed again (implies ``resume``).
        max_cost: budget in USD over the whole tournament (see :mod:`arena.tournament.budget`).
        fsync: fsync each transcript before it is committed (durable across power loss too).
    """

    concurrency: int | None = None
    resume: bool = False
    retry_failed: bool = False
    max_cost: float | None = None
    fsync: bool = True


@dataclass
class TournamentProgress:
    """Live counters (``ok``/``failed`` include sessions committed by earlier runs)."""

    total: int = 0
    ok: int = 0
    failed: int = 0
    running: int = 0
    ran: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    unknown_cost: int = 0
    previously_done: int = 0

    @property
    def done(self) -> int:
        return self.ok + self.failed


@dataclass
class TournamentResult:
    """How far a run got. ``stopped`` is ``"budget"`` when ``--max-cost`` held cells back."""

    out: Path
    total: int
    ok: int
    failed: int
    pending: int
    ran: int
    tokens: int
    cost_usd: float
    unknown_cost: int
    wall_s: float
    stopped: str | None = None
    reconcile: ReconcileReport = field(default_factory=ReconcileReport)
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.pending == 0
