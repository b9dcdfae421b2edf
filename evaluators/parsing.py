"""Parser accuracy: how often the parser read back exactly the move a scripted agent meant."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from arena.transcript import ParsedEvent, Transcript, Utterance

__all__ = ["ParserAccuracy", "parser_accuracy", "same_action"]


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def same_action(intended: Any, parsed: Any) -> bool:
    """True when ``parsed`` is the same move as ``intended`` (same kind, same bundle or region)."""
    if intended.kind != parsed.kind:
        return False
    if intended.kind == "propose_region":  # the same range for every issue
        a, b = intended.region, parsed.region
        return a.keys() == b.keys() and all(len(a[k]) == len(b[k]) and all(_same_value(x, y) for x, y in zip(a[k], b[k]))
                                            for k in a)
    if intended.kind != "offer":
        return True
    a, b = intended.bundle, parsed.bundle
    return a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a)


@dataclass
class ParserAccuracy:
    """Counts over utterances whose intended move is known."""

    moves: int = 0
    correct: int = 0
    offers: int = 0
    offers_correct: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.moves if self.moves else float("nan")

    @property
    def bundle_accuracy(self) -> float:
        """Exact-bundle accuracy over offers."""
        return self.offers_correct / self.offers if self.offers else float("nan")

    def add(self, other: "ParserAccuracy") -> None:
        self.moves += other.moves
        self.correct += other.correct
        self.offers += other.offers
        self.offers_correct += other.offers_correct
        self.failures.extend(other.failures)


def parser_accuracy(transcripts: Iterable[Transcript], keep_failures: int = 20) -> ParserAccuracy:
    """Compare every utterance's intended move with what the parser read from its text."""
    acc = ParserAccuracy()
    for t in transcripts:
        said: dict[tuple[int, int, str], Utterance] = {}
        for e in t.events:
            if isinstance(e, Utterance) and e.intended is not None:
                said[(e.turn, e.attempt, e.role)] = e
            elif isinstance(e, ParsedEvent) and (e.turn, e.attempt, e.role) in said:
                u = said[(e.turn, e.attempt, e.role)]
                ok = e.result.ok and same_action(u.intended, e.result.action)  # type: ignore[union-attr]
                acc.moves += 1
                acc.correct += ok
                if u.intended.kind == "offer":  # type: ignore[union-attr]
                    acc.offers += 1
                    acc.offers_correct += ok
                if not ok and len(acc.failures) < keep_failures:
                    acc.failures.append({"game": t.start.game.get("name"), "text": u.text,
                                         "intended": u.intended.model_dump(),  # type: ignore[union-attr]
                                         "parsed": e.result.model_dump()})
    return acc
