"""Import the Deal or No Deal corpus (Lewis et al. 2017) as arena transcripts.

Each dialogue appears twice in the corpus, once from each side's perspective; it is imported
once, with ``alice`` as the side that speaks first and ``bob`` as the other. The two sides'
final selections are kept; consistent selections are an agreement. The prose parser is run over
every message and the parsed events are logged, so evaluators can measure how often the last
offer accepted in the text equals the final selection (``evaluators.extraction``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..actions import Accept, Offer
from ..game import Game, GameError, load_spec
from ..generators import dond_spec
from ..parsing import ParseContext, Parsed, parse
from ..space import Bundle
from ..transcript import AgentConfig, ParsedEvent, SessionEnd, SessionStart, Transcript, TranscriptWriter, Utterance

__all__ = ["DondDialogue", "ImportReport", "import_dond", "read_dond"]

_TAG = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.S) for name in ("input", "dialogue", "output", "partner_input")}


@dataclass(frozen=True)
class DondDialogue:
    """One dialogue from one side's perspective (``you`` = this line's side)."""

    line: int
    counts: tuple[int, ...]
    you_values: tuple[int, ...]
    them_values: tuple[int, ...]
    turns: tuple[tuple[str, str], ...]      # (speaker "YOU"/"THEM", text)
    selection: tuple[int, ...] | None       # (you take item0..2, them take item0..2) or None for disagree
    selector: str | None = None             # who pressed <selection> ("YOU"/"THEM"): the deal is struck

    def key(self) -> tuple[object, ...]:
        """Identical for the two perspectives of one dialogue."""
        if not self.turns:  # nobody spoke: the two views differ only in whose values come first
            return (self.counts, *sorted([self.you_values, self.them_values]), ())
        first = self.turns[0][0]
        flip = {"YOU": "A", "THEM": "B"} if first == "YOU" else {"YOU": "B", "THEM": "A"}
        text = tuple((flip[s], t) for s, t in self.turns)
        a_vals, b_vals = (self.you_values, self.them_values) if first == "YOU" else (self.them_values, self.you_values)
        return (self.counts, a_vals, b_vals, text)


def _ints(text: str, where: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split())
    except ValueError:
        raise GameError(f"{where}: expected whole numbers, got {text.strip()!r}") from None


def read_dond(path: str | Path) -> Iterator[DondDialogue]:
    """Read the corpus file line by line (malformed lines raise GameError naming the line)."""
    p = Path(path)
    try:
        fh = p.open(encoding="utf-8")
    except OSError as exc:
        raise GameError(f"cannot read the corpus {p}: {exc.strerror}") from None
    with fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"{p}, line {number}"
            parts = {k: rx.search(line) for k, rx in _TAG.items()}
            missing = [k for k, m in parts.items() if m is None]
            if missing:
                raise GameError(f"{where}: not in the Deal or No Deal format (no <{missing[0]}> element)")
            mine = _ints(parts["input"].group(1), where)  # type: ignore[union-attr]
            theirs = _ints(parts["partner_input"].group(1), where)  # type: ignore[union-attr]
            if len(mine) % 2 or len(mine) != len(theirs):
                raise GameError(f"{where}: <input> and <partner_input> must list count/value pairs")
            counts = mine[0::2]
            turns = []
            selector = None
            for chunk in parts["dialogue"].group(1).split("<eos>"):  # type: ignore[union-attr]
                chunk = chunk.strip()
                m = re.match(r"(YOU|THEM):\s*(.*)", chunk, re.S)
                if not m:
                    continue
                if "<selection>" in m.group(2):
                    selector = m.group(1)
                    continue
                turns.append((m.group(1), m.group(2).strip()))
            out = parts["output"].group(1).split()  # type: ignore[union-attr]
            selection = None
            if out and all(re.fullmatch(r"item\d+=\d+", tok) for tok in out) and len(out) == 2 * len(counts):
                selection = tuple(int(tok.split("=")[1]) for tok in out)
            yield DondDialogue(number, counts, mine[1::2], theirs[1::2], tuple(turns), selection, selector)


@dataclass
class ImportReport:
    """What an import did."""

    lines: int = 0
    dialogues: int = 0
    agreements: int = 0
    files: list[Path] = field(default_factory=list)


def _pair(a: DondDialogue, b: DondDialogue | None) -> tuple[tuple[int, ...] | None, str]:
    """What alice (``a``'s side) takes under both selections, or None, and the reason."""
    if a.selection is None or (b is not None and b.selection is None):
        return None, "no agreement"
    if b is None or b.selection is None:
        return None, "only one side's selection is in the corpus"
    n = len(a.counts)
    a_you, a_them = a.selection[:n], a.selection[n:]
    b_you, b_them = b.selection[:n], b.selection[n:]
    if a_you == b_them and a_them == b_you and all(x + y == c for x, y, c in zip(a_you, a_them, a.counts)):
        return a_you, "selections agree"
    return None, "inconsistent selections"


def _dialogues(groups: dict[tuple[object, ...], list[DondDialogue]]) -> Iterator[tuple[DondDialogue, DondDialogue | None]]:
    """Each dialogue once, as (the view in which YOU speaks first, the other view or None).

    Two different negotiations can share a key (same items, values and words, e.g. "i want the
    balls" / "deal"): the views are paired one to one, in file order, never merged or dropped.
    """
    for views in groups.values():
        first = [d for d in views if not d.turns or d.turns[0][0] == "YOU"]
        second = [d for d in views if d.turns and d.turns[0][0] != "YOU"]
        if first and not second and all(not d.turns for d in first) and len(first) > 1:
            first, second = first[::2], first[1::2]  # no words at all: consecutive lines are one dialogue
        for i in range(max(len(first), len(second))):
            a = first[i] if i < len(first) else None
            b = second[i] if i < len(second) else None
            if a is None:
                a, b = b, None
            yield a, b  # type: ignore[misc]


def import_dond(path: str | Path, out_dir: str | Path | None = None, limit: int | None = None) -> tuple[list[Transcript], ImportReport]:
    """Turn the corpus at ``path`` into transcripts (written to ``out_dir`` if given)."""
    template = load_spec("deal-or-no-deal")
    plurals = list(template.generator.get("plurals", ["books", "hats", "balls"])) if template.generator else []
    report = ImportReport()
    groups: dict[tuple[object, ...], list[DondDialogue]] = {}
    for d in read_dond(path):
        report.lines += 1
        groups.setdefault(d.key(), []).append(d)
    out = Path(out_dir) if out_dir is not None else None
    transcripts: list[Transcript] = []
    for index, (a, b) in enumerate(_dialogues(groups)):
        if limit is not None and index >= limit:
            break
        views = [a] if b is None else [a, b]
        if len(a.counts) != len(plurals):
            raise GameError(f"{path}, line {a.line}: {len(a.counts)} item types, the game has {len(plurals)}")
        spec = dond_spec(template, list(a.counts), list(a.you_values), list(a.them_values))
        game = Game(spec)
        role = {"YOU": "alice", "THEM": "bob"}
        taken, reason = _pair(a, b)
        agreement: Bundle | None = dict(zip(plurals, taken)) if taken is not None else None
        target = out / f"dond-{a.line:05d}.jsonl" if out else None
        with TranscriptWriter(target) as log:
            log.write(SessionStart(session_id=f"dond-{a.line:05d}", game=spec.model_dump(mode="json"), seed=a.line,
                                   agents={"alice": AgentConfig(name="human"), "bob": AgentConfig(name="human")},
                                   options={"corpus": str(path), "lines": [d.line for d in views]}, source="dond"))
            standing: Bundle | None = None
            standing_by: str | None = None
            for turn, (speaker, text) in enumerate(a.turns, start=1):
                r = role[speaker]
                log.write(Utterance(turn=turn, role=r, text=text))
                result = parse(text, ParseContext(game, r, standing, standing_by))
                log.write(ParsedEvent(turn=turn, role=r, result=result))
                if result.ok and isinstance(result.action, Offer):  # type: ignore[union-attr]
                    standing, standing_by = dict(result.action.bundle), r  # type: ignore[union-attr]
            if a.selector is not None:
                # pressing <selection> ends the talk: the presser takes the deal as discussed
                turn = len(a.turns) + 1
                log.write(Utterance(turn=turn, role=role[a.selector], text="<selection>"))
                log.write(ParsedEvent(turn=turn, role=role[a.selector],
                                      result=Parsed(action=Accept(), method="given")))
            utilities = game.utilities(agreement)
            log.write(SessionEnd(outcome="agreement" if agreement else "disagreement", agreement=agreement,
                                 agreement_round=1 if agreement else None, utilities=utilities, reason=reason,
                                 rounds=0, turns=len(a.turns) + (a.selector is not None)))
        transcripts.append(log.transcript())
        report.dialogues += 1
        report.agreements += agreement is not None
        if target is not None:
            report.files.append(target)
    return transcripts, report
