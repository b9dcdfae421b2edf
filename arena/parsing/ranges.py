"""Region proposals in text: ranges per issue ("a price between 40 and 50, delivery from 2 to 4
weeks") in prose, and ``{"action": "propose_region", "region": {"price": [40, 50]}}`` blocks.

Read only in games whose protocol negotiates over regions (:data:`REGION_PROTOCOLS`); everywhere
else the parser is unchanged. A range is two numbers joined by "to", "-", "through" or "until"
("from 40 to 50", "40-50", "2 to 4 weeks"), "between A and B", or "[A, B]"; it belongs to the
nearest issue word in its clause (the one before it, else the one after it). Ranges the speaker
attributes to the other side ("your 40 to 50") or negates ("not between 40 and 50") are skipped.
Issues given a single value instead ("a delivery of 12") get the range ``[12, 12]``. Text with no
range at all is left to the ordinary parser (an offer of a single contract, accept, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from ..actions import ProposeRegion
from .contract import _BOUNDARY, _excluded, read_contract
from .numbers import Quantity, as_float, find_quantities, to_value
from .result import ParseContext, Parsed, Span
from .structured import _ACTION_KEYS, _ARG_KEYS, _BUNDLE_KEYS, Block, _loads, _plain, _Reader
from .textutil import Mask
from .vocabulary import Vocabulary, norm

if TYPE_CHECKING:
    from ..game import Game

__all__ = ["REGION_PROTOCOLS", "find_ranges", "parse_region", "regions_enabled"]

REGION_PROTOCOLS = frozenset({"region-recursive"})
_F = re.IGNORECASE
_LEAD = re.compile(r"(?P<lead>\bbetween|\b(?:ranging\s+|anywhere\s+|somewhere\s+)?from|\bin\s+the\s+range(?:\s+of)?|"
                   r"\brange(?:\s+of)?|\bwithin)\s*$", _F)
_CONNECT = re.compile(r"^\s*(?:to|and|through|thru|until|till|up\s+to|-|–|—|\.\.)\s*$", _F)
_BRACKET_GAP = re.compile(r"^\s*[,;]\s*$")
_REGION_ACTIONS = {"proposeregion", "region", "regionproposal", "proposerange", "range", "ranges", "counterregion",
                   "narrow", "proposeregions"}
_REGION_KEYS = ("region", "ranges", "range", "bounds", "box", "area")
_PAIR_KEYS = (("min", "max"), ("lo", "hi"), ("low", "high"), ("from", "to"), ("start", "end"), ("lower", "upper"))


def regions_enabled(game: Game) -> bool:
    """Whether ``game`` is played under a protocol that negotiates over regions."""
    return game.spec.protocol.type in REGION_PROTOCOLS


@dataclass(frozen=True)
class Range:
    """Two numbers read as a range, with the span they were read from."""

    start: int
    end: int
    lo: Quantity
    hi: Quantity


def find_ranges(text: str, quantities: list[Quantity] | None = None) -> list[Range]:
    """Every range in ``text`` (see the module docstring for the forms), in order."""
    qs = find_quantities(text) if quantities is None else quantities
    out: list[Range] = []
    i = 0
    while i < len(qs) - 1:
        q1, q2 = qs[i], qs[i + 1]
        gap = text[q1.end:q2.start]
        before = text[q1.start - 1:q1.start] if q1.start > 0 else ""
        after = text[q2.end:q2.end + 1]
        if before in "[(" and before and after in ")]" and after and _BRACKET_GAP.match(gap):
            out.append(Range(q1.start - 1, q2.end + 1, q1, q2))
            i += 2
            continue
        if _CONNECT.match(gap):
            lead = _LEAD.search(text, max(0, q1.start - 40), q1.start)
            is_and = gap.strip().lower() == "and"
            if not is_and or (lead is not None and lead.group("lead").lower() == "between"):
                out.append(Range(lead.start() if lead is not None else q1.start, q2.end, q1, q2))
                i += 2
                continue
        i += 1
    return out


def _value(vocab: Vocabulary, issue: str, q: Quantity) -> int | float:
    integer = vocab.issues[issue].type == "integer"
    return to_value(q.value, True) if integer else as_float(q.value)


def _prose(text: str, ctx: ParseContext, vocab: Vocabulary) -> Parsed | None:
    ranges = find_ranges(text)
    if not ranges or vocab.mention_re is None and len(vocab.contract) != 1:
        return None
    taken = Mask(len(text))
    for r in ranges:
        taken.add(r.start, r.end)
    mentions = [(m.start(), m.end(), vocab.mention_map.get(norm(m.group(0))))
                for m in (vocab.mention_re.finditer(text) if vocab.mention_re is not None else [])
                if not taken.hits(m.start(), m.end())]
    mentions = [(s, e, i) for s, e, i in mentions if i in vocab.contract and vocab.issues[i].type != "discrete"]
    cuts = sorted({0, len(text), *(m.start() for m in _BOUNDARY.finditer(text) if not taken.hits(m.start(), m.end()))})
    region: dict[str, list[Any]] = {}
    spans: dict[str, Span] = {}
    used_mentions: list[tuple[int, int]] = []
    numeric = [n for n in vocab.contract if vocab.issues[n].type != "discrete"]
    for a, b in pairwise(cuts):
        here = [r for r in ranges if a <= r.start < b]
        free = [m for m in mentions if a <= m[0] < b]
        for r in here:
            if _excluded(text, a, r.start):
                continue
            before = [m for m in free if m[1] <= r.start]
            after = [m for m in free if m[0] >= r.end]
            pick = before[-1] if before else (after[0] if after else None)
            if pick is not None:
                free.remove(pick)
                issue, s, e = pick[2], min(pick[0], r.start), max(pick[1], r.end)
                used_mentions.append((pick[0], pick[1]))
            elif len(numeric) == 1:
                issue, s, e = numeric[0], r.start, r.end
            else:
                continue
            assert issue is not None
            region[issue] = [_value(vocab, issue, r.lo), _value(vocab, issue, r.hi)]
            spans[issue] = Span(start=s, end=e, label=issue, text=text[s:e])
    if not region:
        return None
    masked = list(text)
    for r in ranges:
        masked[r.start:r.end] = " " * (r.end - r.start)
    for s, e in used_mentions:
        masked[s:e] = " " * (e - s)
    rest = "".join(masked)
    points: dict[str, list[Any]] = {}
    for f in read_contract(rest, vocab, find_quantities(rest)):  # issues given one value: [v, v]
        if f.issue not in region and vocab.issues[f.issue].type != "discrete":
            spans[f.issue] = Span(start=f.start, end=f.end, label=f.issue, text=text[f.start:f.end])
            points[f.issue] = [f.value, f.value]  # the later mention wins
    final = {**points, **region}
    ordered = {n: final[n] for n in vocab.issues if n in final}
    complete = all(n in ordered for n in vocab.issues)
    return Parsed(action=ProposeRegion(region=ordered), method="prose", confidence=0.9 if complete else 0.7,
                  spans=[spans[n] for n in ordered if n in spans])


# ---------------------------------------------------------------------- structured blocks
def _pair(reader: _Reader, issue: str | None, raw: Any) -> list[Any]:
    """A region entry as ``[lo, hi]``; anything unreadable is kept as text for the referee."""
    return [("null" if v is None else v) for v in _pair_raw(reader, issue, raw)]


def _pair_raw(reader: _Reader, issue: str | None, raw: Any) -> list[Any]:
    def one(v: Any) -> Any:
        if issue is None:
            return _plain(v)
        return reader.value(issue, v)

    if isinstance(raw, (list, tuple)):
        return [one(v) for v in raw]
    if isinstance(raw, dict):
        low = {str(k).lower().strip(): v for k, v in raw.items()}
        for a, b in _PAIR_KEYS:
            if a in low and b in low:
                return [one(low[a]), one(low[b])]
        return [_plain(raw)]
    if isinstance(raw, str) and issue is not None:
        ranges = find_ranges(raw)
        if ranges:
            return [_value(reader.vocab, issue, ranges[0].lo), _value(reader.vocab, issue, ranges[0].hi)]
        qs = find_quantities(raw)
        if len(qs) == 2:
            return [_value(reader.vocab, issue, qs[0]), _value(reader.vocab, issue, qs[1])]
        v = one(raw)
        return [v, v]
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        v = one(raw)
        return [v, v]
    return [_plain(raw)]


def _looks_like_ranges(raw: dict[str, Any]) -> bool:
    def ranged(v: Any) -> bool:
        if isinstance(v, (list, tuple)) and len(v) == 2:
            return True
        if isinstance(v, dict):
            return any(a in {str(k).lower() for k in v} for a, _ in _PAIR_KEYS)
        return isinstance(v, str) and bool(find_ranges(v))
    return any(ranged(v) for v in raw.values())


def _block(text: str, block: Block, ctx: ParseContext, vocab: Vocabulary) -> Parsed | None:
    if not block.closed:
        return None
    try:
        obj = _loads(text[block.body_start:block.body_end])
    except ValueError:
        return None
    for _ in range(3):
        if isinstance(obj, list):
            dicts = [o for o in obj if isinstance(o, dict)]
            obj = dicts[-1] if dicts else None
        elif isinstance(obj, dict) and len(obj) == 1 and isinstance(next(iter(obj.values())), dict) \
                and str(next(iter(obj))).lower().strip() in ("move", "action"):
            obj = next(iter(obj.values()))
    if not isinstance(obj, dict):
        return None
    low = {str(k).lower().strip(): v for k, v in obj.items()}
    action = next((norm(low[k]) for k in _ACTION_KEYS if isinstance(low.get(k), str)), None)
    raw = next((low[k] for k in _REGION_KEYS if isinstance(low.get(k), dict)), None)
    if raw is None:
        bundle = next((low[k] for k in _BUNDLE_KEYS if isinstance(low.get(k), dict)), None)
        if bundle is None and action in _REGION_ACTIONS:
            bundle = {k: v for k, v in obj.items() if str(k).lower().strip() not in _ACTION_KEYS + _ARG_KEYS}
        if bundle is not None and (action in _REGION_ACTIONS or (action in (None, "offer", "propose", "proposal")
                                                                 and _looks_like_ranges(bundle))):
            raw = bundle
    if raw is None:
        return None
    reader = _Reader(vocab, ctx)
    region: dict[str, list[Any]] = {}
    for key, value in raw.items():
        issue = vocab.issue_for_key(str(key))
        region[issue or str(key)] = _pair(reader, issue, value)
    arg_raw = next((low[k] for k in _ARG_KEYS if low.get(k) is not None), None)
    args = reader.arguments(arg_raw) if arg_raw is not None else []
    whole = Span(start=block.start, end=block.end, label="propose_region", text=text[block.start:block.end])
    return Parsed(action=ProposeRegion(region=region, arguments=args), method="structured", confidence=1.0,
                  spans=[whole])


def parse_region(text: str, ctx: ParseContext, vocab: Vocabulary, blocks: list[Block]) -> Parsed | None:
    """A region proposal read from ``text``, or None to let the ordinary parser read it.

    The last structured block wins, as everywhere: when there is one, only it is read here.
    """
    if blocks:
        return _block(text, blocks[-1], ctx, vocab)
    return _prose(text, ctx, vocab)
