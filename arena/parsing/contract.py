"""Prose terms for contract issues (price, lead time, payment terms): pair each number with the
issue it belongs to, clause by clause.

"a price of $93, a delivery of 2 weeks and net 90 payment terms": the clauses are split at
commas, "and", "but" and sentence ends (never inside a number such as "two thousand and
ninety-four"); in each clause a number goes to the nearest issue word whose unit fits, else to
the only issue its unit fits ("$" for price, "weeks" for lead time). Numbers the speaker
refers to as the other side's ("your $2,000") or rejects ("not $2,000", "can't accept $2,000")
are not read as proposed terms. When an issue is named twice, the later mention wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from bisect import bisect_left
from itertools import pairwise
from typing import Any, NamedTuple

from .numbers import Quantity, as_float, to_value
from .textutil import Mask, builder
from .vocabulary import Vocabulary, norm

__all__ = ["Finding", "read_contract"]

_F = re.IGNORECASE
# Each pattern below opens with a lookahead for the characters its alternatives can start with
# (under the same IGNORECASE): the regex engine rejects most positions of a text on that one
# test. The lookahead restates a necessary condition, so the matches are the same.
_BOUNDARY = re.compile(
    r"(?=[,;!?\n().abowpti])(?:[,;!?\n()]|\.(?=\s|$)|\b(?:and|but|or|with|plus|while|whereas|then|instead|also)\b)", _F)
_REFERENCE = re.compile(
    r"(?=[yplceo])\b(?:your|yours|you(?:['’]ve|\s+have)?\s+(?:offered|proposed|suggested|said|asked(?:\s+for)?|wanted|"
    r"mentioned|quoted|want)|you(?:['’]re|\s+are)\s+(?:asking|offering|proposing|suggesting)|"
    r"(?:previous|last|earlier|current|old)\s+(?:offer|proposal|price))\b", _F)
_COMPARATIVE = r"(?:below|above|under|over|lower|higher|less|more|beyond|past|down|up)"
_NEGATED = re.compile(
    rf"(?=[tndcwisr])(?:\bthan\s+(?:accept|take|pay|agree\s+to|settle\s+for)|\bnot|n['’]t|\b(?:dont|cant|wont|didnt|doesnt|isnt|wouldnt|couldnt|shouldnt)|\bnever|\binstead\s+of|\brather\s+than|\breject\w*|\bdecline\w*|\bno\s+longer)\s+"
    rf"(?:(?!{_COMPARATIVE}\b)[\w'’]+\s+){{0,2}}(?:a\s+|an\s+|the\s+)?$", _F)


@dataclass(frozen=True)
class Finding:
    """An issue's value read from the text, with the span it was read from."""

    issue: str
    value: Any
    start: int
    end: int
    confidence: float = 1.0


class _Mention(NamedTuple):
    issue: str
    start: int
    end: int


class _Number(NamedTuple):
    q: Quantity
    unit: str | None
    start: int
    end: int


_finding = builder(Finding)  # Finding(issue, value, start, end, confidence), every field given


def _excluded(text: str, clause_start: int, pos: int) -> bool:
    """Whether a number at ``pos`` is the other side's or rejected rather than proposed."""
    if _REFERENCE.search(text, max(clause_start, pos - 80), pos):
        return True
    return _NEGATED.search(text, max(clause_start, pos - 50), pos) is not None


def _convert(vocab: Vocabulary, issue: str, n: _Number) -> Any:
    value: Decimal = n.q.value
    if issue not in vocab.continuous:
        return to_value(value, True)
    spec = vocab.issues[issue]
    if spec.type == "continuous":
        top = Decimal(str(getattr(spec, "max", 1)))
        if n.q.percent and top <= 1:
            value = value / 100
        return as_float(value)
    return to_value(value, True)


_CONNECTOR = re.compile(r"\s*(?:[:=]|-+>?|\b(?:of|at|is|to|as|for|be)\b)?\s*", _F)


def _owner(text: str, owners: tuple[tuple[str, str], ...], clause_m: list[_Mention], used: set[int], s: int,
           e: int) -> tuple[str, str] | None:
    """Which issue a shared value belongs to: the nearest mention in its clause of one of its
    owners, not yet given a value ("issueA: valueB", "issueA of valueB", "valueB issueA"); a
    mention before the value wins a tie."""
    by_issue = dict(owners)
    near = [m for m in clause_m if m.issue in by_issue and m.start not in used]
    if not near:
        return None

    def rank(m: _Mention) -> tuple[bool, int, bool]:
        bound = m.end <= s and _CONNECTOR.fullmatch(text, m.end, s) is not None  # "issueA: valueB"
        return not bound, max(m.start - e, s - m.end, 0), m.start > s

    best = min(near, key=rank)
    used.add(best.start)
    return best.issue, by_issue[best.issue]


def read_contract(text: str, vocab: Vocabulary, quantities: list[Quantity]) -> list[Finding]:
    """Every (issue, value) the text proposes for the game's contract issues, in text order."""
    issues = vocab.issues
    numeric, discrete = vocab.numeric, vocab.discrete
    findings: list[Finding] = []

    values: list[tuple[str, str, int, int]] = []
    shared: dict[int, tuple[tuple[str, str], ...]] = {}  # start of a value several issues share -> owners
    if vocab.value_re is not None:
        for m in vocab.value_re.finditer(text):
            key = norm(m.group(0))
            hit = vocab.value_map.get(key)
            if hit:
                values.append((hit[0], hit[1], m.start(), m.end()))
            elif key in vocab.value_shared:
                shared[m.start()] = vocab.value_shared[key]
                values.append(("", "", m.start(), m.end()))
    taken = Mask(len(text))
    for _, _, s, e in values:
        taken.add(s, e)
    mentions: list[_Mention] = []
    if vocab.mention_re is not None:
        spelled, mention_map = vocab.mention_spelled, vocab.mention_map
        for m in vocab.mention_re.finditer(text):
            word = m.group(0)
            issue = spelled.get(word) or mention_map.get(norm(word))
            if issue and not taken.hits(m.start(), m.end()):
                mentions.append(_Mention(issue, m.start(), m.end()))
    for mention in mentions:
        taken.add(mention.start, mention.end)
    numbers: list[_Number] = []
    for q in quantities:
        if taken.hits(q.start, q.end):
            continue
        unit = "$" if q.money else ("%" if q.percent else None)
        end = q.end
        if unit is None and vocab.unit_re is not None:
            um = vocab.unit_re.match(text, q.end)
            if um:
                unit = vocab.unit_map.get(" ".join(um.group("unit").lower().split()))
                end = um.end()
        numbers.append(_Number(q, unit, q.start, end))
    if not values and not numbers:
        return findings
    for n in numbers:
        taken.add(n.start, n.end)

    bits = taken.bits
    cuts = [0]
    for m in _BOUNDARY.finditer(text):
        s, e = m.span()
        if 1 not in bits[s:e]:  # a boundary inside a value, a mention or a number does not cut
            cuts.append(s)
    cuts.append(len(text))
    starts = [m.start for m in mentions]
    nv, nn = len(values), len(numbers)
    vi = ni = 0
    for a, b in pairwise(cuts):
        # a clause without values or numbers proposes nothing; past the last of them, stop
        if (vi == nv or values[vi][2] >= b) and (ni == nn or numbers[ni].start >= b):
            if vi == nv and ni == nn:
                break
            continue
        clause_m = mentions[bisect_left(starts, a):bisect_left(starts, b)]
        named_here: set[int] = set()
        while vi < nv and values[vi][2] < b:
            issue, value, s, e = values[vi]
            vi += 1
            if s < a or _excluded(text, a, s):
                continue
            if s in shared:
                owner = _owner(text, shared[s], clause_m, named_here, s, e)
                if owner is None:
                    continue  # a value several issues share, with none of them named beside it
                issue, value = owner
            near = [m for m in clause_m if m.issue == issue]
            lo = min([s] + [m.start for m in near])
            hi = max([e] + [m.end for m in near])
            findings.append(_finding(issue, value, lo, hi, 1.0))
        used: set[int] = set()
        while ni < nn and numbers[ni].start < b:
            n = numbers[ni]
            ni += 1
            if n.start < a or _excluded(text, a, n.start):
                continue
            if n.unit == "$":
                fits = vocab.unit_issues.get("$", [])
            elif n.unit == "%":
                fits = [x for x in numeric if issues[x].type == "continuous"] or numeric
            elif n.unit:
                fits = vocab.unit_issues.get(n.unit, [])
            else:
                fits = numeric
            near = [m for m in clause_m if m.issue in fits]
            if near:
                best = near[0] if len(near) == 1 else \
                    min(near, key=lambda m: (m.start in used, max(m.start - n.end, n.start - m.end, 0)))
                used.add(best.start)
                findings.append(_finding(best.issue, _convert(vocab, best.issue, n), min(best.start, n.start),
                                        max(best.end, n.end), 1.0))
                continue
            if n.unit and n.unit != "%" and len(fits) == 1:
                findings.append(_finding(fits[0], _convert(vocab, fits[0], n), n.start, n.end, 0.85))
                continue
            named = [m for m in clause_m if m.issue in discrete]
            if named and n.unit is None:
                issue = named[-1].issue
                label = f"{n.q.value.normalize():f}"
                hits = [v for v in issues[issue].values if re.search(rf"(?<![\d.]){re.escape(label)}(?![\d.])", v)]  # type: ignore[union-attr]
                if len(hits) == 1:
                    findings.append(_finding(issue, hits[0], min(named[-1].start, n.start),
                                            max(named[-1].end, n.end), 0.8))
                    continue
            if len(numeric) == 1 and not clause_m and n.unit in (None, "%"):
                spec = issues[numeric[0]]
                lo, hi = getattr(spec, "min", None), getattr(spec, "max", None)
                if lo is not None and hi is not None and Decimal(str(lo)) <= n.q.value <= Decimal(str(hi)):
                    findings.append(_finding(numeric[0], _convert(vocab, numeric[0], n), n.start, n.end, 0.7))
    return findings
