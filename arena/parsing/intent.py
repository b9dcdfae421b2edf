"""Acceptance, rejection, walk-away and small-talk phrases, with negation.

"I accept" is acceptance, "I can't accept that" is rejection, "no deal" is walking away and
"or I walk away" is a threat (a rejection), not a walk-away. Each phrase found is a
:class:`Signal` with a strength: 2 strong ("I accept", "I reject"), 1 plain ("agreed"),
0 weak ("ok", "no").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .textutil import Mask, builder, words_of

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


_ACC = ("accept", "accepts", "accepted")
_NT = ("t", "not", "cannot", "cant", "wont", "dont", "doesnt", "isnt", "wouldnt", "couldnt")
# (pattern, strength, gates): a pattern runs only when one of its gate words is in the text
_WALK = [(re.compile(p, _F), 2, frozenset(g)) for p, g in (
    (r"\bwalk(?:ing|s|ed)?\s+(?:away|out)\b", ("walk", "walking", "walks", "walked")),
    (r"\bno\s+deal\b(?!\s+(?:below|under|above|over|for|unless|if|at|without|with|less|more)\b)", ("deal",)),
    (r"\bno\s+agreement\b", ("agreement",)),
    (rf"\bi{_A}\s*m\s+(?:out|done(?:\s+here|\s+negotiating)?|leaving)\b(?!\s+of\b)", ("out", "done", "leaving")),
    (r"\bi\s+am\s+(?:out|done|leaving)\b(?!\s+of\b)", ("out", "done", "leaving")),
    (r"\bi\s+(?:quit|give\s+up|withdraw)\b", ("quit", "give", "withdraw")),
    ((r"\b(?:end|terminate|call\s+off|stop|break\s+off)\s+(?:the|this|these|our)\s+"
      r"(?:negotiations?|talks|discussions?|bargaining)\b"),
     ("negotiation", "negotiations", "talks", "discussion", "discussions", "bargaining")),
    (r"\bleave\s+the\s+table\b", ("table",)),
    (rf"\bwe{_A}\s*re\s+done\b", ("done",)),
    (r"\bgood\s*bye\b", ("goodbye", "bye")),
)]
_WALK_CONDITION = re.compile(
    rf"(?=[oiubrwndc])(?:\bor(?:\s+else)?|\botherwise|\bif\b[^.!?]*|\bunless\b[^.!?]*|\bbefore|\brather\s+than|\binstead\s+of|"
    rf"\bwithout|\bnot\s+(?:want|going)\s+to|\bdon{_A}t\s+(?:want|have)\s+to|\bdo\s+not\s+(?:want|have)\s+to|"
    rf"\bnot|n['’]t|\b(?:dont|cant|wont|didnt|doesnt|isnt|wouldnt|couldnt)|\bnever|\bno\s+need\s+to|\bwhy)\s+(?:[\w'’]+\s+){{0,4}}$", _F)

_ACCEPT = [(re.compile(p, _F), s, frozenset(g)) for p, s, g in (
    (r"\b(?:i|we)\s+(?:(?:will|would|do|can|happily|gladly|hereby|fully)\s+)*accept(?:s|ed)?\b", 2, _ACC),
    (r"\baccept(?:s|ed|ing)?\b", 1, _ACC + ("accepting",)),
    (r"\bacceptable\b", 1, ("acceptable",)),
    (rf"\b(?:it|that|this){_A}s?\s*(?:is\s+)?a\s+deal\b", 2, ("deal",)),
    (rf"\b(?:we|you){_A}?\s*(?:have|'ve|ve)?\s*(?:got\s+)?(?:yourself\s+)?a\s+deal\b", 2, ("deal",)),
    (r"(?:^|[.!?,;:(\-]\s*)(?:ok(?:ay)?\s*,?\s*)?deal\b(?!\s+(?:with|or|is|for|breaker))", 2, ("deal",)),
    (r"\bdeal\s*!", 2, ("deal",)),
    (r"\bagreed\b", 2, ("agreed",)),
    (r"\b(?:i|we)\s+(?:(?:can|will|do|would)\s+)?agree\b", 1, ("agree",)),
    (r"\bagree\b", 1, ("agree",)),
    (r"\b(?:that|this|it)\s+works\b", 1, ("works",)),
    (r"\bworks\s+for\s+(?:me|us)\b", 1, ("works",)),
    (r"\bsounds\s+(?:good|great|fair|fine|reasonable|perfect|right|like\s+a\s+(?:deal|plan))\b", 1, ("sounds",)),
    (rf"\blet{_A}s\s+(?:do\s+(?:it|that|this)|go\s+with\s+(?:that|it|this|yours)|shake)\b", 2, ("let", "lets")),
    (r"\bshake\s+on\s+it\b", 2, ("shake",)),
    (r"\b(?:i|we)\s+can\s+live\s+with\s+(?:that|it|this)\b", 1, ("live",)),
    (r"\bcount\s+me\s+in\b", 1, ("count",)),
    (r"\bhappy\s+(?:to\s+accept|with\s+that)\b", 1, ("happy",)),
    (r"\b(?:ok|okay|alright|all\s+right|yes|yeah|yep|yup|sure|fine|great|perfect|excellent|done)\b", 0,
     ("ok", "okay", "alright", "right", "yes", "yeah", "yep", "yup", "sure", "fine", "great", "perfect", "excellent",
      "done")),
)]
_REJECT = [(re.compile(p, _F), s, frozenset(g)) for p, s, g in (
    (r"\breject(?:s|ed|ing)?\b", 2, ("reject", "rejects", "rejected", "rejecting")),
    (r"\bdecline[sd]?\b", 2, ("decline", "declines", "declined")),
    (r"\brefuse[sd]?\b", 2, ("refuse", "refuses", "refused")),
    (r"\bunacceptable\b", 2, ("unacceptable",)),
    (r"\bno\s+(?:thanks|thank\s+you|way|sorry)\b", 2, ("no",)),
    (r"\btoo\s+(?:low|high|much|little|expensive|cheap|steep|greedy)\b", 1, ("too",)),
    (r"\bnot\s+(?:good\s+)?enough\b", 1, ("enough",)),
    ((rf"\b(?:can{_A}?t|cannot|won{_A}?t|wont|cant|couldn{_A}?t|could\s+not|will\s+not)\s+"
      rf"(?:do|go|make|afford|agree|work|accept)\b"), 2, _NT),
    (r"\bdisagree\b", 2, ("disagree",)),
    (r"\bnot\s+interested\b", 2, ("interested",)),
    ((rf"\b(?:doesn{_A}t|does\s+not|won{_A}t|will\s+not|wouldn{_A}t|would\s+not|isn{_A}t|is\s+not|not)\s+"
      rf"(?:really\s+|quite\s+)?(?:work(?:ing)?|acceptable|fair|reasonable|going\s+to\s+work)\b"), 2, _NT),
    (r"\bnope\b", 1, ("nope",)),
    (r"\bno\b(?!\s+(?:deal|agreement|problem|worries|doubt|more|less|later|longer|one|need))", 0, ("no",)),
)]
_NEGATION = re.compile(
    r"(?=[ndcwisurh])(?:\bnot|n['’]t|\b(?:dont|cant|wont|didnt|doesnt|isnt|wouldnt|couldnt|shouldnt)|\bnever|\bno|\bcannot|\bunable\s+to|\brefuse\s+to|\bhardly)"
    r"\s+(?:[\w'’]+\s+){0,2}$", _F)
_CUE = re.compile(
    r"\b(?:offer|propos\w*|suggest\w*|how\s+about|what\s+about|what\s+if|counter\w*|here(?:['’]s|\s+is)|"
    r"instead|actually|final|revised?|i\s+can\s+do|i\s+could\s+do|would\s+you|could\s+you|can\s+you|"
    r"let['’]?s\s+say)\b|:", _F)
_CONVERSATION = re.compile(
    r"\?|\b(?:let\s+me\s+think|think(?:ing)?\s+about|let['’]?s\s+(?:talk|discuss)|hmm+|hi|hello|hey|"
    r"tell\s+me|where\s+we\s+stand|consider(?:ing)?)\b", _F)


def _negated(text: str, start: int) -> bool:
    return _NEGATION.search(text, max(0, start - 40), start) is not None


# Which patterns a word of the text can wake: every pattern runs only when one of its gate words
# is in the text, so the words of a text select the patterns to run, in the order below.
_GATED: list[tuple[int, re.Pattern[str], int]] = [
    *((0, rx, strength) for rx, strength, _ in _WALK),
    *((1, rx, strength) for rx, strength, _ in _REJECT),
    *((2, rx, strength) for rx, strength, _ in _ACCEPT),
]
_BY_GATE: dict[str, list[int]] = {}
for _k, (_, _, _gates) in enumerate([*_WALK, *_REJECT, *_ACCEPT]):
    for _word in _gates:
        _BY_GATE.setdefault(_word, []).append(_k)
_GATE_WORDS = frozenset(_BY_GATE)
_signal = builder(Signal)  # Signal(kind, strength, start, end), every field given


def find_signals(text: str) -> list[Signal]:
    """Every accept / reject / walk-away phrase in ``text``, in order of position.

    Walking away is read before rejecting and rejecting before accepting, and a later phrase
    overlapping an earlier one is skipped ("no deal" is not "no", "can't accept" is not
    "accept"). Acceptance after a negation ("I don't agree") counts as rejection.
    """
    hits = _GATE_WORDS.intersection(words_of(text))
    if not hits:
        return []
    active = sorted({k for word in hits for k in _BY_GATE[word]})
    out: list[Signal] = []
    walks = Mask(len(text))
    taken = Mask(len(text))
    for k in active:
        category, rx, strength = _GATED[k]
        if category == 0:
            for m in rx.finditer(text):
                start = m.start()
                walks.add(start, m.end())
                clause_start = max(text.rfind(c, max(0, start - 200), start) for c in ".!?;\n") + 1
                if _WALK_CONDITION.search(text, max(clause_start, start - 60), start):
                    out.append(_signal("reject", 1, start, m.end()))  # a threat, or a negated walk-out
                else:
                    out.append(_signal("walk_away", 2, start, m.end()))
        elif category == 1:
            for m in rx.finditer(text):
                if walks.hits(m.start(), m.end()) or taken.hits(m.start(), m.start()):
                    continue
                taken.add(m.start(), m.end())
                out.append(_signal("reject", strength, m.start(), m.end()))
        else:
            for m in rx.finditer(text):
                s = m.start() + (len(m.group(0)) - len(m.group(0).lstrip(".!?,;:(- \t\n")))
                if walks.hits(s, m.end()) or taken.hits(s, m.end()):
                    continue
                taken.add(s, m.end())
                if _negated(text, s):
                    out.append(_signal("reject", min(strength, 1), s, m.end()))
                else:
                    out.append(_signal("accept", strength, s, m.end()))
    out.sort(key=lambda sig: (sig.start, -sig.end))
    return out


def proposal_cue(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether text[start:end] reads like a proposal ("my offer", "how about", "I suggest", ":")."""
    return _CUE.search(text, start, len(text) if end is None else end) is not None


def conversational(text: str) -> bool:
    """Whether text with no move in it is clearly conversation (a question, "let me think")."""
    return _CONVERSATION.search(text) is not None
