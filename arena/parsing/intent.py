"""Acceptance, rejection, walk-away and small-talk phrases, with negation.

"I accept" is acceptance, "I can't accept that" is rejection, "no deal" is walking away and
"or I walk away" is a threat (a rejection), not a walk-away. Each phrase found is a
:class:`Signal` with a strength: 2 strong ("I accept", "I reject"), 1 plain ("agreed"),
0 weak ("ok", "no").
"""

from __future__ import annotations

import re
from dataclasses import dataclass


__all__ = ["Signal", "conversational", "find_signals", "proposal_cue"]

_F = re.IGNORECASE
_A = r"['’]?"  # an optional apostrophe: "can't", "cant", "can’t"


@dataclass(frozen=True)
class Signal:
    """A move phrase in the text: kind in accept / reject / walk_away, strength 0..2."""

    kind: str
    strength: int
    start: int
    end: int


_WALK = [re.compile(p, _F) for p in (
    r"\bwalk(?:ing|s|ed)?\s+(?:away|out)\b",
    r"\bno\s+deal\b",
    r"\bno\s+agreement\b",
    rf"\bi{_A}\s*m\s+(?:out|done(?:\s+here|\s+negotiating)?|leaving)\b(?!\s+of\b)",
    r"\bi\s+am\s+(?:out|done|leaving)\b(?!\s+of\b)",
    r"\bi\s+(?:quit|give\s+up|withdraw)\b",
    r"\b(?:end|terminate|call\s+off|stop|break\s+off)\s+(?:the|this|these|our)\s+(?:negotiations?|talks|discussions?|bargaining)\b",
    r"\bleave\s+the\s+table\b",
    rf"\bwe{_A}\s*re\s+done\b",
    r"\bgood\s*bye\b",
)]
_WALK_CONDITION = re.compile(
    rf"(?:\bor(?:\s+else)?|\botherwise|\bif\b[^.!?]*|\bunless\b[^.!?]*|\bbefore|\brather\s+than|\binstead\s+of|"
    rf"\bwithout|\bnot\s+(?:want|going)\s+to|\bdon{_A}t\s+(?:want|have)\s+to|\bdo\s+not\s+(?:want|have)\s+to|"
    rf"\bnot|n['’]t|\b(?:dont|cant|wont|didnt|doesnt|isnt|wouldnt|couldnt)|\bnever|\bno\s+need\s+to|\bwhy)\s+(?:[\w'’]+\s+){{0,4}}$", _F)

_ACCEPT = [(re.compile(p, _F), s) for p, s in (
    (r"\b(?:i|we)\s+(?:(?:will|would|do|can|happily|gladly|hereby|fully)\s+)*accept(?:s|ed)?\b", 2),
    (r"\baccept(?:s|ed|ing)?\b", 1),
    (r"\bacceptable\b", 1),
    (r"\b(?:it|that|this){_A}s?\s*(?:is\s+)?a\s+deal\b".replace("{_A}", _A), 2),
    (r"\b(?:we|you){_A}?\s*(?:have|'ve|ve)?\s*(?:got\s+)?(?:yourself\s+)?a\s+deal\b".replace("{_A}", _A), 2),
    (r"(?:^|[.!?,;:(\-]\s*)(?:ok(?:ay)?\s*,?\s*)?deal\b(?!\s+(?:with|or|is|for|breaker))", 2),
    (r"\bdeal\s*!", 2),
    (r"\bagreed\b", 2),
    (r"\b(?:i|we)\s+(?:(?:can|will|do|would)\s+)?agree\b", 1),
    (r"\bagree\b", 1),
    (r"\b(?:that|this|it)\s+works\b", 1),
    (r"\bworks\s+for\s+(?:me|us)\b", 1),
    (r"\bsounds\s+(?:good|great|fair|fine|reasonable|perfect|right|like\s+a\s+(?:deal|plan))\b", 1),
    (r"\blet{_A}s\s+(?:do\s+(?:it|that|this)|go\s+with\s+(?:that|it|this|yours)|shake)\b".replace("{_A}", _A), 2),
    (r"\bshake\s+on\s+it\b", 2),
    (r"\b(?:i|we)\s+can\s+live\s+with\s+(?:that|it|this)\b", 1),
    (r"\bcount\s+me\s+in\b", 1),
    (r"\bhappy\s+(?:to\s+accept|with\s+that)\b", 1),
    (r"\b(?:ok|okay|k|alright|all\s+right|yes|yeah|yep|yup|sure|fine|great|perfect|excellent|done)\b", 0),
)]
_REJECT = [(re.compile(p, _F), s) for p, s in (
    (r"\breject(?:s|ed|ing)?\b", 2),
    (r"\bdecline[sd]?\b", 2),
    (r"\brefuse[sd]?\b", 2),
    (r"\bunacceptable\b", 2),
    (r"\bno\s+(?:thanks|thank\s+you|way|sorry)\b", 2),
    (r"\btoo\s+(?:low|high|much|little|expensive|cheap|steep|greedy)\b", 1),
    (r"\bnot\s+(?:good\s+)?enough\b", 1),
    (rf"\b(?:can{_A}?t|cannot|won{_A}?t|wont|cant|couldn{_A}?t|could\s+not|will\s+not)\s+(?:do|go|make|afford|agree|work|accept)\b", 2),
    (r"\bdisagree\b", 2),
    (r"\bnot\s+interested\b", 2),
    (rf"\b(?:doesn{_A}t|does\s+not|won{_A}t|will\s+not|wouldn{_A}t|would\s+not|isn{_A}t|is\s+not|not)\s+"
     rf"(?:really\s+|quite\s+)?(?:work(?:ing)?|acceptable|fair|reasonable|going\s+to\s+work)\b", 2),
    (r"\bnope\b", 1),
    (r"\bno\b(?!\s+(?:deal|agreement|problem|worries|doubt|more|less|later|longer|one|need))", 0),
)]
_NEGATION = re.compile(
    rf"(?:\bnot|n['’]t|\b(?:dont|cant|wont|didnt|doesnt|isnt|wouldnt|couldnt|shouldnt)|\bnever|\bno|\bcannot|\bunable\s+to|\brefuse\s+to|\bhardly)"
    rf"\s+(?:[\w'’]+\s+){{0,2}}$", _F)
_CUE = re.compile(
    r"\b(?:offer|propos\w*|suggest\w*|how\s+about|what\s+about|what\s+if|counter\w*|here(?:['’]s|\s+is)|"
    r"instead|actually|final|revised?|i\s+can\s+do|i\s+could\s+do|would\s+you|could\s+you|can\s+you|"
    r"let['’]?s\s+say)\b|:", _F)
_CONVERSATION = re.compile(
    r"\?|\b(?:let\s+me\s+think|think(?:ing)?\s+about|let['’]?s\s+(?:talk|discuss)|hmm+|hi|hello|hey|"
    r"tell\s+me|where\s+we\s+stand|consider(?:ing)?)\b", _F)


def _negated(text: str, start: int) -> bool:
    return _NEGATION.search(text, max(0, start - 40), start) is not None


_TABLE = ([("walk_away", 2, rx.pattern) for rx in _WALK] + [("reject", st, rx.pattern) for rx, st in _REJECT]
          + [("accept", st, rx.pattern) for rx, st in _ACCEPT])
_ALL = re.compile("|".join(f"(?P<g{i}>{p})" for i, (_, _, p) in enumerate(_TABLE)), _F)
_KIND = {f"g{i}": (kind, strength) for i, (kind, strength, _) in enumerate(_TABLE)}


def find_signals(text: str) -> list[Signal]:
    """Every accept / reject / walk-away phrase in ``text``, in order of position.

    One scan over all phrases; where two start at the same place, walking away is preferred to
    rejecting and rejecting to accepting ("no deal" is not "no", "can't accept" is not "accept").
    """
    out: list[Signal] = []
    for m in _ALL.finditer(text):
        kind, strength = _KIND[m.lastgroup or ""]
        start = m.start()
        if kind == "walk_away":
            clause_start = max(text.rfind(c, max(0, start - 200), start) for c in ".!?;\n") + 1
            if _WALK_CONDITION.search(text, max(clause_start, start - 60), start):
                out.append(Signal("reject", 1, start, m.end()))  # a threat, or a negated walk-out
            else:
                out.append(Signal("walk_away", 2, start, m.end()))
        elif kind == "reject":
            out.append(Signal("reject", strength, start, m.end()))
        else:
            start += len(m.group(0)) - len(m.group(0).lstrip(".!?,;:(- \t\n"))
            if _negated(text, start):
                out.append(Signal("reject", min(strength, 1), start, m.end()))
            else:
                out.append(Signal("accept", strength, start, m.end()))
    return out


def proposal_cue(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether text[start:end] reads like a proposal ("my offer", "how about", "I suggest", ":")."""
    return _CUE.search(text, start, len(text) if end is None else end) is not None


def conversational(text: str) -> bool:
    """Whether text with no move in it is clearly conversation (a question, "let me think")."""
    return _CONVERSATION.search(text) is not None
