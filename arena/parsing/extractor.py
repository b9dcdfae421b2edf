"""The optional LLM extractor: when the deterministic parsers find no move, a second model call
transcribes the message into a structured block (``prompts/extractor/extract.j2``), which the
structured parser then reads. It lives at the edge: the referee still judges what comes out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..prompting import Rendered, render
from ..transcript import Usage
from .result import ParseContext, ParseFailure, Parsed, ParseResult

if TYPE_CHECKING:
    from ..models import Model

__all__ = ["extract"]


def _prompt(text: str, ctx: ParseContext) -> Rendered:
    from ..agents.views import bundle_in_words, issue_rows, quote

    standing = bundle_in_words(ctx.game, ctx.standing, ctx.speaker) if ctx.standing else None
    return render("extractor/extract.j2", issues=issue_rows(ctx.game), speaker=ctx.speaker, listener=ctx.listener,
                  standing=standing, standing_by=ctx.standing_by, message=quote(text, 8000))


async def extract(model: "Model", text: str, ctx: ParseContext) -> tuple[ParseResult, Usage | None]:
    """Ask ``model`` to transcribe ``text`` into a move; never raises."""
    from ..models import ModelError
    from . import parse

    prompt = _prompt(text, ctx)
    try:
        completion = await model.complete([{"role": "user", "content": prompt.text}])
    except ModelError as exc:
        return ParseFailure(code="no_move", reason=f"the extractor failed ({exc})", method="extractor"), None
    result = parse(completion.text, ctx)
    if isinstance(result, Parsed) and result.method == "structured":
        return result.model_copy(update={"method": "extractor", "confidence": 0.8, "spans": []}), completion.usage
    return ParseFailure(code="no_move", reason="no move could be read from your message", method="extractor"), \
        completion.usage
