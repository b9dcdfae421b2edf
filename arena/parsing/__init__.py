"""The parser: text -> move (an :class:`~arena.actions.Action`), with spans and a confidence.

:func:`parse` reads the LAST structured block if there is one (a fenced ```json block, a
``<move>{...}</move>`` tag, or a bare JSON object whose first key names the move); otherwise,
or when that block cannot be read, it reads the prose with the game's vocabulary. It never
raises and never invents terms: an offer naming some issues gives a partial bundle, unknown
issues and out-of-range values are kept as written, and the referee reports them.

Files: ``numbers.py`` (amounts in digits and words), ``vocabulary.py`` (per-game words and
regexes, cached), ``structured.py`` (blocks), ``intent.py`` (accept / reject / walk away),
``contract.py`` (prose terms of contract issues), ``phrases.py`` and ``division.py`` (who gets
what in division games), ``prose.py`` (the prose parser), ``textutil.py`` (small helpers),
``ranges.py`` (region proposals: ranges per issue, read only in region-protocol games).
"""

from __future__ import annotations

from .prose import no_move_reason, parse_prose
from .ranges import parse_region, regions_enabled
from .result import ParseContext, Parsed, ParseFailure, ParseResult, Span, make_parsed, make_span
from .structured import find_blocks, read_block
from .vocabulary import vocabulary

__all__ = ["ParseContext", "ParseFailure", "ParseResult", "Parsed", "Span", "parse"]


def parse(text: str, ctx: ParseContext) -> Parsed | ParseFailure:
    """Read one move from ``text`` spoken by ``ctx.speaker``.

    Args:
        text: what the agent said (any string; it may hold structured blocks).
        ctx: the game, the speaker and the standing offer.

    Returns:
        :class:`Parsed` (the action, ``method`` "structured" or "prose", a confidence in
        [0, 1] and the spans it was read from) or :class:`ParseFailure` with a code ("empty",
        "no_move", "bad_block") and a reason meant for the agent's repair turn.
    """
    try:
        return _parse(text, ctx)
    except Exception as exc:  # noqa: BLE001  (the parser must never take a session down)
        return ParseFailure(code="no_move", reason=f"Your message could not be read ({type(exc).__name__}); "
                                                   "please state your move plainly.")


def _parse(text: str, ctx: ParseContext) -> Parsed | ParseFailure:
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if not text.strip():
        return ParseFailure(code="empty", reason="Your message is empty: make an offer, accept, reject or walk away.")
    vocab = vocabulary(ctx.game)
    blocks = find_blocks(text)
    if regions_enabled(ctx.game):  # region proposals ("a price between 40 and 50"); else as below
        region = parse_region(text, ctx, vocab, blocks)
        if region is not None:
            return region
    if not blocks:
        return parse_prose(text, ctx, vocab)
    last = blocks[-1]
    read = read_block(text, last, vocab, ctx)
    if not isinstance(read, str):
        action, spans = read
        return make_parsed(action, "structured", 1.0, spans)
    # The last block is unusable: read the prose around the blocks (blanked out, so offsets hold;
    # a truncated block's half-written numbers must not be read as terms).
    masked = list(text)
    for b in blocks:
        masked[b.start:b.end] = " " * (b.end - b.start)
    prose = parse_prose("".join(masked), ctx, vocab)
    if isinstance(prose, Parsed) and prose.action.kind != "say":
        spans = [make_span(s.start, s.end, s.label, text[s.start:s.end]) for s in prose.spans]
        return make_parsed(prose.action, "prose", round(prose.confidence * 0.8, 4), spans)
    return ParseFailure(code="bad_block", method="structured",
                        reason=f"{read[0].upper()}{read[1:]}. {no_move_reason(vocab)} "
                               'A block looks like: ```json {"action": "offer", "bundle": {...}} ```')
