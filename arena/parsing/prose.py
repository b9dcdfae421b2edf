"""The prose parser: terms first, then acceptance, rejection and walking away.

If the text names terms it is an Offer, even when it also says "that doesn't work for me" or
"deal" inside a justification, except that an acceptance phrase restating exactly the standing
offer's terms ("I accept your $2,400") is an Accept, and walking away after the last term
("I can't go above $2,000. I'm walking away.") is a WalkAway. Without terms, walking away beats
rejecting and accepting; between rejection and acceptance the stronger phrase wins, then the
later one. Acceptance and rejection without a standing offer from the other side are still
reported (legality is the referee's job) with a lower confidence.

Small talk: text with no move in it is a Say only when it is clearly conversation (a question,
"let me think", a greeting); anything else is ``ParseFailure(code="no_move")`` so the agent gets
a repair turn instead of silently passing its turn.
"""

from __future__ import annotations

import math
from typing import Any

from ..actions import Accept, Reject, Say, WalkAway, make_offer
from .contract import Finding, read_contract
from .division import read_division
from .intent import Signal, conversational, find_signals
from .numbers import find_quantities
from .result import ParseContext, Parsed, ParseFailure, Span, make_parsed, make_span
from .vocabulary import Vocabulary

__all__ = ["no_move_reason", "parse_prose"]


def no_move_reason(vocab: Vocabulary) -> str:
    """The repair message for text in which no move was found."""
    names = ", ".join(vocab.issues)
    return ("No move found in your message. Make an offer that gives a value for every issue "
            f"({names}), or say plainly that you accept, reject, or walk away.")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _signal_span(text: str, s: Signal) -> Span:
    return make_span(s.start, s.end, s.kind, text[s.start:s.end])


def _terms(text: str, ctx: ParseContext, vocab: Vocabulary) -> tuple[dict[str, Any], list[Span], float]:
    quantities = find_quantities(text)
    bundle: dict[str, Any] = {}
    spans: list[Span] = []
    confidence = 1.0
    if vocab.contract:
        chosen: dict[str, Finding] = {}
        conflicts = 0
        for f in read_contract(text, vocab, quantities):
            if f.issue in chosen and not _same(chosen[f.issue].value, f.value):
                conflicts += 1
            chosen[f.issue] = f  # the later mention wins
        for name in vocab.contract:
            if name in chosen:
                f = chosen[name]
                bundle[name] = f.value
                spans.append(make_span(f.start, f.end, name, text[f.start:f.end]))
                confidence = min(confidence, f.confidence)
        if conflicts:
            confidence *= 0.75
    if vocab.div:
        found, conf = read_division(text, vocab, ctx.speaker, quantities)
        for f in found:
            bundle[f.issue] = f.value
            spans.append(make_span(f.start, f.end, f.issue, text[f.start:f.end]))
        if found:
            confidence = min(confidence, conf / 0.9)
    return bundle, spans, confidence


def parse_prose(text: str, ctx: ParseContext, vocab: Vocabulary) -> Parsed | ParseFailure:
    """Read a move from natural language (see the module docstring for the rules)."""
    if not text.strip():
        return ParseFailure(code="empty", reason="Your message is empty: make an offer, accept, reject or walk away.")
    bundle, spans, confidence = _terms(text, ctx, vocab)
    signals = find_signals(text)
    standing = ctx.standing if ctx.standing is not None and ctx.standing_by != ctx.speaker else None
    if bundle:
        walks = [s for s in signals if s.kind == "walk_away"]
        if walks and walks[-1].start >= max(sp.end for sp in spans):
            # "I can't go above $2,000. I'm walking away.": the terms are the reason, not an offer
            return make_parsed(WalkAway(), "prose", 0.7, [_signal_span(text, s) for s in walks])
        accepts = [s for s in signals if s.kind == "accept" and s.strength >= 1]
        refusals = [s for s in signals if s.kind != "accept" and s.strength >= 1]
        if (accepts and not refusals and standing is not None
                and all(k in standing and _same(standing[k], v) for k, v in bundle.items())):
            return make_parsed(Accept(), "prose", 0.85, [_signal_span(text, s) for s in accepts] + spans)
        complete = all(name in bundle for name in vocab.issues)
        base = 0.9 if complete else 0.7
        return make_parsed(make_offer(bundle), "prose", round(base * confidence, 4), spans)

    walks = [s for s in signals if s.kind == "walk_away"]
    if walks:
        return make_parsed(WalkAway(), "prose", 0.9, [_signal_span(text, s) for s in walks])
    for floor, base in ((1, 0.9), (0, 0.6)):
        acc = [s for s in signals if s.kind == "accept" and s.strength >= floor]
        rej = [s for s in signals if s.kind == "reject" and s.strength >= floor]
        if not acc and not rej:
            continue
        if acc and rej:
            top_a = max(s.strength for s in acc)
            top_r = max(s.strength for s in rej)
            if top_a != top_r:
                kind = "accept" if top_a > top_r else "reject"
            else:
                kind = "accept" if acc[-1].start > rej[-1].start else "reject"
            base = min(base, 0.5)
        else:
            kind = "accept" if acc else "reject"
        used = acc if kind == "accept" else rej
        if standing is None:
            base *= 0.6
        action = Accept() if kind == "accept" else Reject()
        return make_parsed(action, "prose", round(base, 4), [_signal_span(text, s) for s in used])
    if conversational(text):
        return make_parsed(Say(), "prose", 0.4, [])
    return ParseFailure(code="no_move", reason=no_move_reason(vocab))
