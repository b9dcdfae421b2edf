"""Division phrases: the events the division parser reads, in text order.

Owner markers before their items ("I'll take", "you can have", "give me", "Alice gets"),
owner markers after them ("... for me", "... goes to you", "... are yours"), item amounts
("2 books", "the ball", "all the hats", "books: 3", "71.43% of the surplus", "$40",
"a 60/40 split"), "the rest", "everything", "nothing", "one of each", "split it evenly", and the
commas and sentence ends that bound them. :func:`events` returns them as :class:`Event`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .numbers import NUMWORD_PATTERN, Quantity, words_value
from .textutil import Mask, trie_pattern, words_of
from .vocabulary import DivisionIssue, Vocabulary, norm

__all__ = ["MARKERS", "Event", "events", "owner_of"]

_F = re.IGNORECASE
_AP = r"['’`]?"
_VERB = (r"(?:take|get|keep|have|want|need|like|receive|grab|claim|prefer|hold\s+on\s+to|walk\s+away\s+with|"
         r"end\s+up\s+with|go\s+with|settle\s+(?:for|on)|accept|do|(?:happy|fine|ok|okay|good|content|satisfied)\s+with)")
_VERBING = r"(?:taking|getting|keeping|having|receiving|grabbing)"
_MOD = (r"(?:really|just|only|still|then|also|definitely|actually|probably|would|will|can|could|should|must|"
        r"might|like|love|prefer|want|need|have|going|gonna|wanna|to|at\s+least|at\s+most|happily|gladly|"
        r"rather|please|agree|willing|able|happy|be|[a-z]+ly)")
_I = (rf"(?:i{_AP}ll|i{_AP}d|i\s+(?:will|would|can|could|should|shall|must|do|might)|i{_AP}m\s+going\s+to|"
      rf"im\s+going\s+to|ill|id|i)")
_YOU = rf"(?:you{_AP}ll|you{_AP}d|you\s+(?:will|would|can|could|should|may|might|do|get\s+to)|you)"
_NOT = rf"(?:don{_AP}t|do\s+not|won{_AP}t|will\s+not|can{_AP}t|cannot|wouldn{_AP}t|would\s+not|dont|wont|cant)"
_GIVE = (r"(?:give|offer|trade|swap|let\s+go\s+of|part\s+with|give\s+up|spare|sacrifice|let\s+you\s+have|"
         r"let\s+you\s+take|let\s+you\s+keep)")

# Markers and amount phrases, tried in this order where several start at the same word (so
# "I don't need" is a negated claim, not "I ... need"). Each starts at a word; _FIRST maps a
# word to the kinds that can start with it, so a scan tries only a few patterns per word.
_KINDS: list[tuple[str, str, tuple[str, ...]]] = [
    ("sneg", rf"\b{_I}(?:\s+{_MOD}){{0,2}}\s+{_NOT}\s+(?:really\s+)?(?:need|want|care\s+(?:about|for)|take|have|get|like|value)\b",
     ("i", "ill", "id", "im")),
    ("lneg", rf"\byou\s+{_NOT}\s+(?:have|get|take|keep)\b", ("you",)),
    ("lgive", rf"\b{_I}(?:\s+{_MOD}){{0,3}}\s+{_GIVE}\b|\b(?:give|leave|hand|send|offer)\s+you\b(?:\s+(?:have|take|get|keep)\b)?",
     ("i", "ill", "id", "im", "give", "leave", "hand", "send", "offer")),
    ("spre", rf"""\b{_I}(?:\s+{_MOD}){{0,4}}\s+{_VERB}\b|\b(?:give|leave|hand|send|throw\s+in|trade)\s+me\b|\bthrow\s+in\b
        |\bme\s+(?:get|take|have|keep)\b|\b(?:not\s+budging|won{_AP}t\s+budge)\s+on\b|\blet\s+me\s+(?:have|take|get|keep)\b|\bgimme\b
        |\b(?:can|could|may)\s+i\s+(?:please\s+)?(?:have|take|get|keep)\b|\bi{_AP}\s*m\s+{_VERBING}\b|\bi\s+am\s+{_VERBING}\b""",
     ("i", "ill", "id", "im", "give", "leave", "hand", "send", "throw", "trade", "me", "not", "won", "let", "gimme",
      "can", "could", "may")),
    ("limp", r"\b(?:just\s+)?(?:take|have|keep)\b(?!\s+(?:it|that|this|a\s+look|care)\b)", ("just", "take", "have", "keep")),
    ("lpre", (rf"\b{_YOU}(?:\s+{_MOD}){{0,3}}\s+{_VERB}\b|\byou{_AP}\s*re\s+{_VERBING}\b|\byou\s+are\s+{_VERBING}\b"
              rf"|\blet\s+you\s+(?:have|take|get|keep)\b"), ("you", "let")),
    ("spost", r"\bfor\s+(?:me|myself)\b|\b(?:goes|go|going|went|come|comes)\s+to\s+me\b|\b(?:is|are|be)\s+mine\b|\bmine\b",
     ("for", "goes", "go", "going", "went", "come", "comes", "is", "are", "be", "mine")),
    ("lpost", r"\bfor\s+you(?:rself)?\b|\b(?:goes|go|going|went|come|comes)\s+to\s+you\b|\b(?:is|are|be)\s+yours\b|\byours\b",
     ("for", "goes", "go", "going", "went", "come", "comes", "is", "are", "be", "yours")),
    ("xfor", r"\b(?:in\s+(?:exchange|return)\s+for|for)\b(?=\s+(?:the|all|a|an|\d|one|two|three|four|both|my|your)\b)",
     ("in", "for")),
    ("sto", r"\bto\s+me\b", ("to",)),
    ("lto", r"\bto\s+you\b", ("to",)),
    ("rest", rf"""\b(?:the\s+rest(?:\s+of\s+(?:it|them|the\s+items|everything|the\s+stuff))?|everything\s+else|anything\s+else
        |all\s+(?:of\s+)?(?:the\s+)?(?:rest|else|others|remaining(?:\s+items)?)|whatever{_AP}s?\s*(?:is\s+)?left
        |what{_AP}s?\s*(?:is\s+)?left|the\s+remain(?:der|ing(?:\s+items)?)|the\s+others|the\s+other\s+(?:items|stuff|things)|rest)\b""",
     ("the", "everything", "anything", "all", "whatever", "what", "rest")),
    ("every", r"""\b(?:everything|all\s+(?:of\s+)?(?:it|them|the\s+items|items|the\s+stuff)|it\s+all|every\s+item
        |the\s+(?:whole|entire)\s+(?:thing|lot|pot))\b""", ("everything", "all", "it", "every", "the")),
    ("nothing", r"\b(?:nothing|none|no\s+items|zero\s+items|not\s+a\s+thing)\b", ("nothing", "none", "no", "zero", "not")),
    ("xbut", r"\b(?:but|except(?:\s+for)?|apart\s+from|other\s+than|besides|save\s+for)\b",
     ("but", "except", "apart", "other", "besides", "save")),
]
_KIND_RE = {kind: re.compile(p, _F | re.VERBOSE) for kind, p, _ in _KINDS}
_FIRST: dict[str, list[str]] = {}
for _kind, _, _words in _KINDS:
    for _w in _words:
        _FIRST.setdefault(_w, []).append(_kind)
_WORD_RE = re.compile(rf"(?<![A-Za-z])(?:{trie_pattern(list(_FIRST))})(?![A-Za-z])", _F)
_PUNCT_RE = re.compile(r"(?P<comma>[,;]|\s-\s)|(?P<brk>[.!?]+(?=\s|$)|\n)")
_EACH_RE = re.compile(rf"\b(?:\d+|{NUMWORD_PATTERN}|an?)\s+of\s+each\b|\bone\s+each\b", _F)
_EVEN_RE = re.compile(
    r"\bsplit\s+(?:it|this|that|things|everything|the\s+\w+\s+)?\s*(?:evenly|equally|down\s+the\s+middle|in\s+half|fifty[\s-]fifty)\b"
    r"|\b(?:an?\s+)?(?:even|equal)\s+split\b|(?<![\d.])50\s*%?\s*[/-]\s*50\b(?!\s*%?\s*[/-])|\bfifty[\s-]fifty\b|\bhalf\s+and\s+half\b"
    r"|\bdown\s+the\s+middle\b|\b(?:50\s*%|half)\s+each\b", _F)
_RATIO_RE = re.compile(
    r"(?<![\w.])(?P<a>\d+(?:\.\d+)?)\s*%?\s*[/:-]\s*(?P<b>\d+(?:\.\d+)?)\s*%?(?![\w.])"
    r"(?=\s*(?:split|division|deal|in\s+(?:my|your)\s+favou?r|for\s+(?:me|you|us)|$|[.,;!?)]))"
    r"(?P<favor>\s*(?:split|division|deal)?\s*in\s+(?P<whose>my|your)\s+favou?r)?", _F)
_LIMP_BEFORE = re.compile(r"(?:[.!?,;:]|\b(?:ok|okay|fine|then|so|well|alright|sure|yes|no))\s*$", _F)


def _imperative(text: str, start: int) -> bool:
    """Whether a verb at ``start`` opens an instruction ("ok, take the hats", "Take the hats.")."""
    before = text[max(0, start - 12):start]
    if not text[:start].strip():
        return True
    return _LIMP_BEFORE.search(before) is not None


def _scan(text: str) -> list[tuple[str, int, int]]:
    """The marker and amount phrases of ``text`` as (kind, start, end), in order."""
    out: list[tuple[str, int, int]] = []
    end = 0
    for w in _WORD_RE.finditer(text):
        start = w.start()
        if start < end:
            continue
        kinds = _FIRST.get(w.group(0).lower())
        if not kinds:
            continue
        for kind in kinds:
            m = _KIND_RE[kind].match(text, start)
            if m is not None and (kind != "limp" or _imperative(text, start)):
                out.append((kind, start, m.end()))
                end = m.end()
                break
    out += [(m.lastgroup or "", m.start(), m.end()) for m in _PUNCT_RE.finditer(text)]
    low = text.lower()
    if "each" in low:
        out += [("each", m.start(), m.end()) for m in _EACH_RE.finditer(text)]
    if "split" in low or "half" in low or "middle" in low or "fifty" in low or "/" in text or "50" in text:
        out += [("even", m.start(), m.end()) for m in _EVEN_RE.finditer(text)]
    return out



_SPLIT = re.compile(r"\b(?:split|share|divide)\s+(?:the\s+)?$", _F)
FILLER = re.compile(
    r"\b(?:and|or|the|a|an|so|ok|okay|well|then|just|only|please|fine|alright|hi|hello|hey|too|also|i|guess|"
    r"think|need|want|would|like|um|uh|hmm|yes|sure|all|of)\b|[^\w]+", _F)
_SUPPRESS = re.compile(r"\s+(?:right|wrong|done|sorted|straight|settled|figured)\b", _F)


@dataclass
class Event:
    """A phrase: ``kind`` is a marker (spre/lpre/limp/sneg/lneg/lgive/rpre: owner before its items;
    spost/lpost/rpost, sto/lto: owner after; xfor, xbut: exchange and exception), an amount (item,
    each, even, rest, every, nothing) or a boundary (comma, brk)."""

    kind: str
    start: int
    end: int
    owner: str | None = None          # "S" (speaker) or "L" (listener) for markers and claims
    issue: str | None = None
    amount: Decimal | None = None     # for items: the amount named; None when only mentioned
    all_issues: bool = False          # for "one of each"


MARKERS = ("spre", "lpre", "limp", "sto", "lto", "sneg", "lneg", "lgive", "rpre", "spost", "lpost", "rpost", "xfor")


def owner_of(kind: str) -> str:
    """The owner a speaker- or listener-marker names: "S" for s-kinds, "L" for l-kinds."""
    return "S" if kind[0] == "s" else "L"


def _item_amount(d: DivisionIssue, form: str, det: str | None, num: str | None, pct: str | None) -> Decimal | None:
    top = Decimal(str(d.max)).normalize()
    if pct is not None:
        try:
            return Decimal(pct) * top / 100
        except ArithmeticError:
            return None
    if num is not None:
        value = Decimal(num.replace(",", "")) if num[0].isdigit() or num[0] == "." else words_value(num)[0]
        if value is None:
            return None
        if d.continuous and top <= 1 and value > top and value <= 100:
            return value / 100  # "60 of the pie": a percentage
        return value
    det = " ".join((det or "").lower().split())
    if form == "synonym":  # a looser word ("time", "money"): only "all", "the whole", "the", "half"
        if det.startswith(("all", "the whole", "the entire", "the full")) or (det == "the" and not d.continuous):
            return top
        return top / 2 if "half" in det else None
    if det.startswith(("all", "each", "every", "the whole", "the entire", "the full")):
        return top
    if det.startswith("both"):
        return Decimal(2) if not d.continuous else None
    if "half" in det:
        return top / 2
    if det.startswith(("none", "no", "zero")):
        return Decimal(0)
    if d.continuous:
        return None  # "the pie", "a fair split": no amount named
    if det.startswith(("the other", "another", "a ", "an ", "one more")) or det in ("a", "an"):
        return Decimal(1)
    if form == "singular":
        return Decimal(1)
    if form == "plural":
        return top
    return None


def _item_matches(text: str, vocab: Vocabulary) -> list[re.Match[str]]:
    """Item phrases ("2 books", "all the hats"), tried only where a word could start one."""
    rx = vocab.item_re
    starts = vocab.item_starts
    assert rx is not None and starts is not None
    out: list[re.Match[str]] = []
    end = 0
    for w in starts.finditer(text):
        s = w.start()
        if s < end:
            continue
        m = rx.match(text, s)
        if m is not None:
            out.append(m)
            end = m.end()
    return out


def events(text: str, vocab: Vocabulary, quantities: list[Quantity]) -> list[Event]:
    """The phrases of ``text``, in order, without overlaps (the longer phrase wins)."""
    out: list[Event] = []
    if vocab.item_re is not None:
        for m in _item_matches(text, vocab):
            post = m.group("post")
            issue, form = vocab.item_map.get(norm(m.group("item2") if post else m.group("item")), (None, ""))
            if issue is None:
                continue
            if post:
                pct = post if m.group("postpct") and post[0].isdigit() else None
                amount = _item_amount(vocab.div[issue], form, None, None if pct else post, pct)
            else:
                amount = _item_amount(vocab.div[issue], form, m.group("det"), m.group("num"), m.group("pct"))
            if _SUPPRESS.match(text, m.end()):
                amount = None  # "get the books right"
            ev = Event("item", m.start(), m.end(), issue=issue, amount=amount)
            if _SPLIT.search(text, max(0, m.start() - 20), m.start()) and amount is not None:
                top = Decimal(str(vocab.div[issue].max)).normalize()
                ev.owner, ev.amount = "S", top / 2  # "we can split the books"
            out.append(ev)
    roles_named = not vocab.role_gate or not vocab.role_gate.isdisjoint(words_of(text))
    if vocab.role_pre_re is not None and roles_named:
        for m in vocab.role_pre_re.finditer(text):
            out.append(Event("rpre", m.start(), m.end(), owner=vocab.role_lookup.get(norm(m.group("role")))))
    if vocab.role_post_re is not None and roles_named:
        for m in vocab.role_post_re.finditer(text):
            out.append(Event("rpost", m.start(), m.end(), owner=vocab.role_lookup.get(norm(m.group("role")))))
    for kind, start, end in _scan(text):
        ev = Event(kind, start, end)
        if kind == "each":
            head = text[start:end].split()[0].lower()
            ev.amount = Decimal(1) if head in ("a", "an", "one") else (
                Decimal(head) if head.isdigit() else words_value(head)[0])
            ev.all_issues = True
        out.append(ev)
    # "a 60/40 split" of a single pie: the first number is the speaker's share
    pies0 = [n for n, d in vocab.div.items() if d.continuous or len(vocab.div) == 1]
    if len(pies0) == 1 and any(c in text for c in "/:-"):
        d = vocab.div[pies0[0]]
        top = Decimal(str(d.max)).normalize()
        for m in _RATIO_RE.finditer(text):
            a, b = Decimal(m.group("a")), Decimal(m.group("b"))
            scale = Decimal(100) if a + b == 100 else (top if a + b == top else None)
            if scale is None:
                continue
            whose = (m.group("whose") or "").lower()
            mine = max(a, b) if whose == "my" else (min(a, b) if whose == "your" else a)
            out.append(Event("item", m.start(), m.end(), owner="S", issue=pies0[0], amount=mine * top / scale))
    out.sort(key=lambda e: (e.start, -(e.end - e.start), e.kind != "item"))
    kept: list[Event] = []
    for ev in out:
        if kept and ev.start < kept[-1].end:
            continue
        kept.append(ev)
    # a number with no item word, when its unit (or the game) leaves one issue it can be about
    items = Mask(len(text))
    for e in kept:
        if e.kind in ("item", "each"):
            items.add(e.start, e.end)
    singles = list(vocab.div)
    money = [n for n, d in vocab.div.items() if d.unit == "$"]
    pies = [n for n, d in vocab.div.items() if d.continuous]
    extra: list[Event] = []
    for q in quantities:
        if items.hits(q.start, q.end):
            continue
        if q.money:
            cands = money
        elif q.percent:
            cands = pies or singles
        else:
            cands = singles
        if len(cands) != 1:
            continue
        d = vocab.div[cands[0]]
        amount = q.value
        top = Decimal(str(d.max)).normalize()
        if q.percent:
            amount = amount * top / 100
        elif d.continuous and top <= 1 and 1 < amount <= 100:
            amount = amount / 100
        extra.append(Event("item", q.start, q.end, issue=cands[0], amount=amount))
    if extra:
        taken = Mask(len(text))
        for e in kept:
            taken.add(e.start, e.end)
        kept += [e for e in extra if not taken.hits(e.start, e.end)]
        kept.sort(key=lambda e: e.start)
    return kept


