"""Prose terms for division issues (books, hats and balls; a pie; dollars of an ultimatum):
who gets what, resolved from the speaker's point of view.

The text becomes a stream of events: owner markers before their items ("I'll take",
"you can have", "give me", "Alice gets"), owner markers after them ("... for me",
"... goes to you", "... are yours"), item amounts ("2 books", "the ball", "all the hats",
"71.43% of the surplus", "$40"), and "the rest", "everything", "nothing". Each item belongs to
the owner marker that governs it; I/me is the speaker and you is the listener. Within a
sentence, an issue's share is read from its explicit amount, else from "everything"/"nothing",
else from "the rest". Across sentences, explicit amounts beat "the rest", then sentences that
read as a proposal ("my offer: ...") beat others, then later beats earlier. The result is
perspective-free: the value of an issue is what its recipient role gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .contract import Finding
from .intent import proposal_cue
from .numbers import Quantity, as_float, to_value
from .phrases import FILLER, MARKERS, Event, events, owner_of
from .vocabulary import Vocabulary

__all__ = ["read_division"]


@dataclass
class _Share:
    amount: Decimal                   # what the speaker gets
    strength: int                     # 1 explicit, 0 from "the rest"
    start: int
    end: int


@dataclass
class _Sentence:
    start: int
    end: int
    cue: bool
    shares: dict[str, _Share] = field(default_factory=dict)


def _resolve_owner(ev: Event, speaker: str) -> str | None:
    if ev.kind in ("rpre", "rpost"):
        if ev.owner is None:
            return None
        return "S" if ev.owner == speaker else "L"
    if ev.kind == "sneg":
        return "L"
    if ev.kind in ("lneg", "lgive"):
        return "L" if ev.kind == "lgive" else "S"
    return owner_of(ev.kind)


def _sentence_shares(claims: list[tuple[str, Event]], vocab: Vocabulary, sent: _Sentence) -> None:
    explicit: dict[str, dict[str, Event]] = {}
    flags: dict[str, Event] = {}
    for owner, ev in claims:
        if ev.kind == "item" and ev.amount is not None and ev.issue is not None:
            explicit.setdefault(ev.issue, {})[owner] = ev
        elif ev.kind == "even":
            for issue, d in vocab.div.items():
                half = Decimal(str(d.max)).normalize() / 2
                if d.continuous or half == half.to_integral_value():
                    explicit.setdefault(issue, {})["S"] = Event("item", ev.start, ev.end, issue=issue, amount=half)
        elif ev.kind == "each":
            for issue in vocab.div:
                explicit.setdefault(issue, {}).setdefault(owner, Event("item", ev.start, ev.end, issue=issue,
                                                                        amount=ev.amount))
        elif ev.kind in ("every", "nothing", "rest"):
            flags.setdefault(f"{ev.kind}:{owner}", ev)
    for issue, d in vocab.div.items():
        top = Decimal(str(d.max)).normalize()
        got = explicit.get(issue, {})
        if "S" in got and "L" in got and got["S"].amount + got["L"].amount != top:  # type: ignore[operator]
            ev = max(got.values(), key=lambda e: e.start)  # they disagree: the later one
            own = ev.amount if ev is got["S"] else top - ev.amount  # type: ignore[operator]
            sent.shares[issue] = _Share(own, 1, ev.start, ev.end)  # type: ignore[arg-type]
        elif "S" in got:
            ev = got["S"]
            sent.shares[issue] = _Share(ev.amount, 1, ev.start, ev.end)  # type: ignore[arg-type]
        elif "L" in got:
            ev = got["L"]
            sent.shares[issue] = _Share(top - ev.amount, 1, ev.start, ev.end)  # type: ignore[operator]
        elif "every:S" in flags or "nothing:L" in flags:
            ev = flags.get("every:S") or flags["nothing:L"]
            sent.shares[issue] = _Share(top, 1, ev.start, ev.end)
        elif "every:L" in flags or "nothing:S" in flags:
            ev = flags.get("every:L") or flags["nothing:S"]
            sent.shares[issue] = _Share(Decimal(0), 1, ev.start, ev.end)
        elif "rest:S" in flags:
            ev = flags["rest:S"]
            sent.shares[issue] = _Share(top, 0, ev.start, ev.end)
        elif "rest:L" in flags:
            ev = flags["rest:L"]
            sent.shares[issue] = _Share(Decimal(0), 0, ev.start, ev.end)


def _gaps(text: str, events: list[Event]) -> str:
    """The text between the events."""
    parts, pos = [], 0
    for e in events:
        if e.start >= pos:
            parts.append(text[pos:e.start])
            pos = e.end
    parts.append(text[pos:])
    return " ".join(parts)


def read_division(text: str, vocab: Vocabulary, speaker: str, quantities: list[Quantity]) -> tuple[list[Finding], float]:
    """The division issues' values the text proposes, and a confidence in [0, 1]."""
    found = events(text, vocab, quantities)
    if not any(e.kind in ("item", "each", "even", "rest", "every", "nothing") for e in found):
        return [], 0.0
    if not any(e.kind in MARKERS for e in found):
        # a bare list of items ("books and hats", "the book and one ball") names what the
        # speaker wants, when nothing else is said
        amounts = [e for e in found if e.kind == "item" and e.amount is not None]
        if any(e.kind == "even" or (e.kind == "item" and e.owner is not None) for e in found):
            low = 0.85  # "a 60/40 split", "split it evenly": the speaker's share is named
        elif amounts and len(text) < 200 and not FILLER.sub(" ", _gaps(text, found)).split():
            for e in amounts:
                e.owner = "S"
            low = 0.6
        else:
            return [], 0.0
    else:
        low = 1.0
    sentences: list[_Sentence] = []
    pairs: list[list] = []            # [owner, event] for every amount in the current sentence
    group: list[list] = []            # the pairs since the last owner marker
    current: str | None = None
    last_comma = -1
    sent_start = 0
    prev: Event | None = None

    def close(end: int) -> None:
        nonlocal pairs, group, current, last_comma, sent_start
        owned = [(o, e) for o, e in pairs if o is not None]
        if owned:
            sent = _Sentence(sent_start, end, proposal_cue(text, sent_start, end))
            _sentence_shares(owned, vocab, sent)
            sentences.append(sent)
        pairs, group, current, last_comma = [], [], None, -1
        sent_start = end

    for ev in found:
        k = ev.kind
        if k == "brk":
            close(ev.end)
        elif k == "comma":
            last_comma = ev.start
        elif k in ("spre", "lpre", "limp", "sneg", "lneg", "lgive", "rpre"):
            current = _resolve_owner(ev, speaker)
            group = []
        elif k in ("spost", "lpost", "rpost") or (
                k in ("sto", "lto") and prev is not None and prev.kind in ("item", "rest", "every", "nothing")
                and not text[prev.end:ev.start].strip(" -")):
            owner = _resolve_owner(ev, speaker) if k not in ("sto", "lto") else owner_of(k)
            if group:
                unowned = [g for g in group if g[0] is None]
                if unowned:
                    targets = unowned       # "2 books and 1 hat for me"
                else:                       # "you can have the hats, and the ball for me"
                    targets = [g for g in group if g[1].start > last_comma] or group
                    if any(g[0] != owner for g in targets):
                        targets = targets[-1:]  # "I want the ball, the rest is yours"
                for g in targets:
                    g[0] = owner
                group = []
                current = None
            else:
                current = owner
        elif k == "xbut":
            if prev is not None and prev.kind == "every" and not text[prev.end:ev.start].strip() and pairs \
                    and pairs[-1][1] is prev:   # "everything but the ball": the ball goes the other way
                owner = pairs[-1][0]
                pairs[-1][1] = Event("rest", prev.start, prev.end)
                current = None if owner is None else ("S" if owner == "L" else "L")
                group = []
        elif k == "xfor":
            if current is not None:         # "I'll give you the hats for the books"
                current = "S" if current == "L" else "L"
                group = []
        elif k in ("item", "each", "even", "rest", "every", "nothing"):
            if k == "even":
                ev.owner = "S"
            if ev.owner is not None:
                pairs.append([ev.owner, ev])
            else:
                pair = [current, ev]
                pairs.append(pair)
                group.append(pair)
        prev = ev
    close(len(text))

    best: dict[str, tuple[tuple[int, int, int], _Share]] = {}
    for index, sent in enumerate(sentences):
        for issue, share in sent.shares.items():
            rank = (share.strength, int(sent.cue), index)
            if issue not in best or rank > best[issue][0]:
                best[issue] = (rank, share)
    findings: list[Finding] = []
    conflicts = 0
    for issue, (rank, share) in best.items():
        d = vocab.div[issue]
        top = Decimal(str(d.max)).normalize()
        amount = share.amount if d.recipient == speaker else top - share.amount
        value = as_float(amount) if d.continuous else to_value(amount, True)
        others = {s.shares[issue].amount for s in sentences if issue in s.shares and s.shares[issue].strength == 1}
        if len(others) > 1:
            conflicts += 1
        findings.append(Finding(issue, value, share.start, share.end, 1.0))
    findings.sort(key=lambda f: list(vocab.div).index(f.issue))
    confidence = (0.9 if not conflicts else 0.6) * low
    return findings, confidence
