"""Final-deal extraction: does the last offer accepted in the text equal the recorded deal?

For imported human corpora (Deal or No Deal) the deal is what both sides selected after the
dialogue; the parser never saw the selections. Walking the parsed messages in order, the
standing offer is the latest parsed offer, and an acceptance by the other side fixes it as the
deal "accepted in the text". A session counts when it ended in agreement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from arena.transcript import ParsedEvent, Transcript

__all__ = ["Extraction", "accepted_in_text", "final_deal_extraction"]


def accepted_in_text(t: Transcript) -> dict[str, object] | None:
    """The last offer that the other side accepted, as the parser read the messages."""
    standing, by, accepted = None, None, None
    for e in t.events:
        if not isinstance(e, ParsedEvent) or not e.result.ok:
            continue
        action = e.result.action  # type: ignore[union-attr]
        if action.kind == "offer":
            standing, by = dict(action.bundle), e.role
        elif action.kind == "accept" and standing is not None and by != e.role:
            accepted = standing
    return accepted


@dataclass(frozen=True)
class Extraction:
    checked: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.checked if self.checked else float("nan")


def final_deal_extraction(transcripts: Iterable[Transcript]) -> Extraction:
    """Over sessions that ended in agreement: how often the deal accepted in the text is the deal."""
    checked = correct = 0
    for t in transcripts:
        end = t.end
        if end is None or end.outcome != "agreement" or end.agreement is None:
            continue
        checked += 1
        correct += accepted_in_text(t) == end.agreement
    return Extraction(checked, correct)
