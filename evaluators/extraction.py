"""Final-deal extraction: does the last offer accepted in the text equal the recorded deal?

For imported human corpora (Deal or No Deal) the deal is what both sides selected after the
dialogue; the parser never saw the selections. Walking the parsed messages in order, the
standing offer is the latest parsed offer, and an acceptance by the other side fixes it as the
deal "accepted in the text". In the corpus a person ends the talk by pressing <selection>; the
importer logs that press as the presser's acceptance (a ``given`` move, not read from words). A
session counts when it ended in agreement. In division games a
partial offer is completed as people mean it (unmentioned items go to the other side).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from arena.game import Game
from arena.transcript import ParsedEvent, Transcript

__all__ = ["Extraction", "accepted_in_text", "complete_division", "final_deal_extraction"]


def complete_division(game: Game, bundle: dict[str, object], speaker: str) -> dict[str, object]:
    """Complete a partial division offer the way people mean it: items the speaker does not
    mention go to the other side ("I'd like the ball and a book" leaves the rest to you)."""
    out = dict(bundle)
    for issue in game.space.issues:
        recipient = getattr(issue, "recipient", None)
        if issue.name not in out and recipient is not None:
            out[issue.name] = 0 if recipient == speaker else issue.max  # type: ignore[attr-defined]
    return out


def accepted_in_text(t: Transcript, complete: bool = True) -> dict[str, object] | None:
    """The last offer that the other side accepted, as the parser read the messages.

    Args:
        t: the transcript.
        complete: complete partial offers in division games with :func:`complete_division`
            (the parser itself never fills in what a message does not say).
    """
    game = t.game() if complete else None
    division = game is not None and game.spec.is_division
    standing, by, accepted = None, None, None
    for e in t.events:
        if not isinstance(e, ParsedEvent) or not e.result.ok:
            continue
        action = e.result.action  # type: ignore[union-attr]
        if action.kind == "offer":
            standing, by = dict(action.bundle), e.role
            if division:
                standing = complete_division(game, standing, e.role)  # type: ignore[arg-type]
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
