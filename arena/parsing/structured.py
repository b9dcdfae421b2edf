"""Structured blocks: a fenced code block holding a JSON object (```json ... ```), the tag form
``<move>{...}</move>``, or a bare JSON object whose first key names the move.

The LAST block wins (models revise their answers). Keys and values are read leniently ("type"
or "move" for "action", "terms" for "bundle", "walk away" for "walk_away", "$2,400" for 2400,
issue synonyms, discrete value synonyms, role-keyed division bundles), but nothing is dropped or
invented: unknown issues are kept as given and missing issues stay missing, for the referee.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ..actions import ARGUMENT_KINDS, Accept, Argument, Offer, Reject, Say, WalkAway
from .numbers import as_float, find_quantities, to_value
from .result import ParseContext, Span, make_span
from .vocabulary import Vocabulary, norm

__all__ = ["Block", "find_blocks", "read_block"]

Move = Offer | Accept | Reject | WalkAway | Say


@dataclass(frozen=True)
class Block:
    """A structured block: its whole span, the span of its JSON body, and whether it is closed."""

    start: int
    end: int
    body_start: int
    body_end: int
    closed: bool


_FENCE_RE = re.compile(r"```|~~~")
_FENCE_HEADER_RE = re.compile(r"[ \t]*[\w+.-]*[ \t]*(?:\r?\n)?")
_TAG_RE = re.compile(r"<move\s*>(.*?)</move\s*>", re.IGNORECASE | re.DOTALL)
_TAG_OPEN_RE = re.compile(r"<move\s*>", re.IGNORECASE)
_BARE_RE = re.compile(r"\{\s*[\"'](?:action|type|kind|move|bundle|offer|terms|proposal|decision)[\"']\s*:",
                      re.IGNORECASE)
_MAX_BARE = 40


def _json_like(text: str, start: int, end: int) -> bool:
    body = text[start:end].lstrip()
    return body.startswith(("{", "["))


def _object_end(text: str, start: int, limit: int = 200_000) -> int | None:
    """Where the JSON-like object (or list) opening at ``start`` closes, or None if it never does.

    Counts brackets outside strings (double- or single-quoted), so a truncated block is told
    apart from one that is merely not strict JSON."""
    depth = 0
    quote = ""
    i = start
    end = min(len(text), start + limit)
    while i < end:
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _unclosed(text: str, start: int, body_start: int) -> Block:
    """A block with no closing fence or tag: complete if its object closes, else truncated."""
    lead = len(text[body_start:]) - len(text[body_start:].lstrip())
    end = _object_end(text, body_start + lead)
    if end is None:
        return Block(start, len(text), body_start, len(text), False)
    return Block(start, end, body_start, end, True)


def find_blocks(text: str) -> list[Block]:
    """Every structured block in ``text``, in order; nested blocks are folded into the outer one."""
    if "`" not in text and "~" not in text and "<" not in text and "{" not in text:
        return []  # no fence, no tag and no brace: none of the patterns below can match
    found: list[Block] = []
    # fenced code blocks (paired in order; an unpaired last fence runs to the end)
    marks = list(_FENCE_RE.finditer(text))
    k = 0
    while k < len(marks):
        open_m = marks[k]
        header = _FENCE_HEADER_RE.match(text, open_m.end())
        body_start = header.end() if header else open_m.end()
        j = k + 1
        while j < len(marks) and marks[j].group(0) != open_m.group(0):
            j += 1
        if j == len(marks):
            if _json_like(text, body_start, len(text)):
                found.append(_unclosed(text, open_m.start(), body_start))
            break
        close = marks[j]
        if _json_like(text, body_start, close.start()):
            found.append(Block(open_m.start(), close.end(), body_start, close.start(), True))
        k = j + 1
    # <move> ... </move>
    last_close = 0
    for m in _TAG_RE.finditer(text):
        found.append(Block(m.start(), m.end(), m.start(1), m.end(1), True))
        last_close = m.end()
    tail = _TAG_OPEN_RE.search(text, last_close)
    if tail is not None:
        found.append(_unclosed(text, tail.start(), tail.end()))
    # bare JSON objects that start with a move key
    starts = [m.start() for m in _BARE_RE.finditer(text)][-_MAX_BARE:]
    covered_to = -1
    for s in starts:
        if s < covered_to or any(b.start <= s < b.end for b in found):
            continue
        block = _unclosed(text, s, s)
        found.append(block)
        if not block.closed:
            break
        covered_to = block.end
    found.sort(key=lambda b: (b.start, -b.end))
    out: list[Block] = []
    for b in found:
        if out and b.start < out[-1].end:
            continue  # nested in (or overlapping) the previous block
        out.append(b)
    return out


# ---------------------------------------------------------------------- JSON reading
_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
_INNER_FENCE_RE = re.compile(r"^\s*(?:```|~~~)[\w+.-]*\s*|\s*(?:```|~~~)\s*$")


def _loads(body: str) -> Any:
    """Parse a block body as JSON, forgiving trailing commas, Python literals and trailing text."""
    body = _INNER_FENCE_RE.sub("", body).strip()
    attempts = [body, _TRAILING_COMMA_RE.sub(r"\1", body)]
    if '"' not in body and "'" in body:
        attempts.append(_TRAILING_COMMA_RE.sub(r"\1", body.replace("'", '"')))
    pyish = re.sub(r"\bTrue\b", "true", re.sub(r"\bFalse\b", "false", re.sub(r"\bNone\b", "null", body)))
    if pyish != body:
        attempts.append(_TRAILING_COMMA_RE.sub(r"\1", pyish))
    decoder = json.JSONDecoder()
    for a in attempts:
        try:
            return json.loads(a)
        except (ValueError, RecursionError):
            pass
        try:
            obj, _ = decoder.raw_decode(a)  # a complete object followed by other text
            return obj
        except (ValueError, RecursionError):
            pass
    raise ValueError("not JSON")


_ACTION_KEYS = ("action", "type", "kind", "move", "decision", "intent", "act", "response")
_BUNDLE_KEYS = ("bundle", "offer", "terms", "proposal", "deal", "allocation", "split", "division",
                "outcome", "counteroffer", "counter_offer", "values")
_ARG_KEYS = ("arguments", "argument", "reasons", "reason", "justification", "justifications",
             "claims", "claim", "rationale")
_ACTIONS = {
    "offer": "offer", "propose": "offer", "proposal": "offer", "counteroffer": "offer",
    "counter": "offer", "counterproposal": "offer", "bid": "offer", "makeoffer": "offer",
    "newoffer": "offer",
    "accept": "accept", "accepted": "accept", "agree": "accept", "agreed": "accept",
    "deal": "accept", "yes": "accept", "acceptance": "accept", "acceptoffer": "accept",
    "reject": "reject", "rejected": "reject", "decline": "reject", "declined": "reject",
    "refuse": "reject", "no": "reject", "rejection": "reject", "rejectoffer": "reject",
    "walkaway": "walk_away", "walk": "walk_away", "quit": "walk_away", "leave": "walk_away",
    "exit": "walk_away", "nodeal": "walk_away", "end": "walk_away", "abort": "walk_away",
    "withdraw": "walk_away", "walkout": "walk_away", "giveup": "walk_away", "stop": "walk_away",
    "say": "say", "message": "say", "talk": "say", "chat": "say", "speak": "say",
    "comment": "say", "statement": "say", "pass": "say", "wait": "say", "none": "say",
}


def _action_name(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return _ACTIONS.get(norm(value))


def _plain(value: Any) -> str | int | float | None:
    """A JSON value as a bundle value, unchanged when possible (so the referee sees it)."""
    if value is None:
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return str(value)


class _Reader:
    def __init__(self, vocab: Vocabulary, ctx: ParseContext) -> None:
        self.vocab = vocab
        self.ctx = ctx
        self.keys: dict[str, list[str]] = {}  # bundle entry -> raw keys it was read from

    # ---------------------------------------------------------------- values
    def value(self, issue: str, raw: Any) -> str | int | float | None:
        spec = self.vocab.issues[issue]
        if raw is None:
            return None
        if isinstance(raw, dict):
            return self.per_role_value(issue, raw)
        if isinstance(raw, bool):
            return json.dumps(raw)  # kept as written: the referee reports the wrong type
        if spec.type == "discrete":
            if isinstance(raw, str):
                return self.vocab.discrete_value(issue, raw) or self.value_in_words(issue, raw) or raw
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                hits = [v for v in spec.values if re.search(rf"(?<![\d.]){re.escape(f'{raw:g}')}(?![\d.])", v)]
                if len(hits) == 1:
                    return hits[0]
            return _plain(raw)
        integer = spec.type == "integer"
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float):
            return int(raw) if integer and raw.is_integer() and abs(raw) < 1e18 else raw
        if isinstance(raw, str):
            qs = find_quantities(raw)
            if len(qs) >= 1:
                q = qs[0]
                amount = q.value
                if q.percent:
                    top = Decimal(str(getattr(spec, "max", 100)))
                    amount = amount * top / 100 if (getattr(spec, "recipient", None) or top <= 1) else amount
                return to_value(amount, integer) if spec.type != "continuous" else _round(amount)
            d = self.vocab.div.get(issue)
            word = norm(raw)
            if d is not None and word in ("all", "everything", "every", "whole", "allofit"):
                return d.max if d.continuous else int(d.max)
            if d is not None and word in ("none", "nothing", "zero"):
                return 0.0 if d.continuous else 0
            return raw
        return _plain(raw)

    def value_in_words(self, issue: str, raw: str) -> str | None:
        """A discrete value named inside a longer string ("Net 30 days" -> "net 30")."""
        if self.vocab.value_re is None:
            return None
        hits: set[tuple[str, str] | None] = set()
        for m in self.vocab.value_re.finditer(raw):
            key = norm(m.group(0))
            hits.add(self.vocab.value_map.get(key))
            hits.update(self.vocab.value_shared.get(key, ()))
        named = [h[1] for h in hits if h is not None and h[0] == issue]
        return named[0] if len(named) == 1 else None

    def per_role_value(self, issue: str, raw: dict[str, Any]) -> str | int | float | None:
        """``{"alice": 2, "bob": 1}`` for a division issue: what its recipient gets."""
        d = self.vocab.div.get(issue)
        if d is None:
            return _plain(raw)
        mine: Any = None
        theirs: Any = None
        for k, val in raw.items():
            role = self.vocab.role_for_key(str(k), self.ctx.speaker)
            if role == d.recipient:
                mine = val
            elif role is not None:
                theirs = val
        if mine is not None:
            return self.value(issue, mine)
        if theirs is not None:
            return self.complement(issue, self.value(issue, theirs))
        return _plain(raw)

    def complement(self, issue: str, value: Any) -> Any:
        d = self.vocab.div[issue]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return value
        try:
            rest = Decimal(str(d.max)) - Decimal(str(value))
        except (InvalidOperation, ValueError):
            return value
        return _round(rest) if d.continuous else to_value(rest, True)

    # ---------------------------------------------------------------- bundles
    def bundle(self, raw: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        parts: dict[str, dict[str, Any]] = {}
        for k, val in raw.items():
            key = str(k)
            issue = self.vocab.issue_for_key(key)
            if issue is None and self.vocab.div and isinstance(val, dict):
                role = self.vocab.role_for_key(key, self.ctx.speaker)
                if role is not None:
                    parts.setdefault(role, {}).update(val)
                    self.keys.setdefault("__role__", []).append(key)
                    continue
            self.put(out, issue, key, val)
        own: dict[str, Any] = {}
        comp: dict[str, Any] = {}
        for role, part in parts.items():
            for k, val in part.items():
                key = str(k)
                issue = self.vocab.issue_for_key(key)
                if issue is None or issue not in self.vocab.div:
                    if (issue or key) not in out:
                        self.put(out, issue, key, val)
                    continue
                amount = self.value(issue, val)
                if amount is None:
                    continue
                self.keys.setdefault(issue, []).append(key)
                if role == self.vocab.div[issue].recipient:
                    own[issue] = amount
                else:
                    comp[issue] = self.complement(issue, amount)
        for issue in self.vocab.issues:
            if issue in own:  # the recipient's own share wins over a complement
                out[issue] = own[issue]
            elif issue in comp:
                out[issue] = comp[issue]
        return out

    def put(self, out: dict[str, Any], issue: str | None, key: str, val: Any) -> None:
        if issue is None:
            plain = _plain(val)
            if plain is not None:
                out[key] = plain  # unknown issue: kept as given, the referee reports it
                self.keys.setdefault(key, []).append(key)
            return
        value = self.value(issue, val)
        if value is not None:
            out[issue] = value
            self.keys.setdefault(issue, []).append(key)

    # ---------------------------------------------------------------- arguments
    def arguments(self, raw: Any) -> list[Argument]:
        items = raw if isinstance(raw, list) else [raw]
        out: list[Argument] = []
        for item in items[:20]:
            if isinstance(item, str):
                out.append(Argument(kind="other", text=item))
            elif isinstance(item, dict):
                kind = str(item.get("kind") or item.get("type") or "other").lower().strip()
                text = item.get("text") or item.get("claim") or item.get("content") or ""
                issue = item.get("issue")
                if isinstance(issue, str):
                    issue = self.vocab.issue_for_key(issue) or issue
                elif issue is not None:
                    issue = str(issue)
                out.append(Argument(kind=kind if kind in ARGUMENT_KINDS else "other",  # type: ignore[arg-type]
                                    text=str(text), issue=issue))
        return out


def _round(value: Decimal) -> float:
    return as_float(value)


def _interpret(obj: Any, reader: _Reader, depth: int = 0) -> Move | None:
    if depth > 3:
        return None
    if isinstance(obj, list):
        dicts = [o for o in obj if isinstance(o, dict)]
        return _interpret(dicts[-1], reader, depth + 1) if dicts else None
    if not isinstance(obj, dict):
        return None
    lowered = {str(k).lower().strip(): v for k, v in obj.items()}
    for key in ("move", "action"):
        inner = lowered.get(key)
        if isinstance(inner, dict) and len(lowered) == 1:
            return _interpret(inner, reader, depth + 1)
    action = None
    for key in _ACTION_KEYS:
        action = _action_name(lowered.get(key))
        if action:
            break
    bundle_raw = None
    for key in _BUNDLE_KEYS:
        if isinstance(lowered.get(key), dict):
            bundle_raw = lowered[key]
            break
    arg_raw = next((lowered[k] for k in _ARG_KEYS if lowered.get(k) is not None), None)
    args = reader.arguments(arg_raw) if arg_raw is not None else []
    if action is None:
        if bundle_raw is not None:
            action = "offer"
        else:
            named = [k for k in obj if reader.vocab.issue_for_key(str(k))
                     or (reader.vocab.div and reader.vocab.role_for_key(str(k), reader.ctx.speaker))]
            if not named:
                return None
            action, bundle_raw = "offer", {k: obj[k] for k in named}
    if action == "offer":
        if bundle_raw is None:
            named = {k: v for k, v in obj.items() if str(k).lower().strip() not in _ACTION_KEYS + _ARG_KEYS
                     and (reader.vocab.issue_for_key(str(k))
                          or (reader.vocab.div and reader.vocab.role_for_key(str(k), reader.ctx.speaker)))}
            if not named:
                return None
            bundle_raw = named
        return Offer(bundle=reader.bundle(bundle_raw), arguments=args)
    cls = {"accept": Accept, "reject": Reject, "walk_away": WalkAway, "say": Say}[action]
    return cls(arguments=args)


def _spans(text: str, block: Block, move: Move, reader: _Reader) -> list[Span]:
    whole = make_span(block.start, block.end, move.kind, text[block.start:block.end])
    if not isinstance(move, Offer):
        return [whole]
    body = text[block.body_start:block.body_end]
    out: list[Span] = []
    for name in move.bundle:
        span = None
        for raw in reader.keys.get(name, []):
            m = re.search(rf"[\"']{re.escape(raw)}[\"']\s*:\s*(?:\"[^\"]*\"|'[^']*'|[^,}}\]\n]*)", body)
            if m:
                s, e = block.body_start + m.start(), block.body_start + m.end()
                span = make_span(s, e, name, text[s:e])
                break
        out.append(span or make_span(block.start, block.end, name, whole.text))
    return out or [make_span(block.start, block.end, "offer", whole.text)]


def read_block(text: str, block: Block, vocab: Vocabulary, ctx: ParseContext) -> tuple[Move, list[Span]] | str:
    """Read a block as a move, or return why it cannot be read (a message for the repair turn)."""
    if not block.closed:
        return "the last structured block is cut off before its end"
    body = text[block.body_start:block.body_end]
    try:
        obj = _loads(body)
    except ValueError:
        name = _action_name(body.strip(" \t\r\n`.!\"'"))  # <move>accept</move>
        if name is None or name == "offer":
            return "the last structured block is not valid JSON"
        obj = {"action": name}
    reader = _Reader(vocab, ctx)
    move = _interpret(obj, reader)
    if move is None:
        return ('the last structured block does not name a move: use {"action": "offer", "bundle": {...}}, '
                '{"action": "accept"}, {"action": "reject"} or {"action": "walk_away"}')
    return move, _spans(text, block, move, reader)
