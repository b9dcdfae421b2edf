"""Numbers in text: digits ("2,400", "2.4k", "$2.952k", "71.43%") and English words
("two thousand four hundred", "three thousand and ninety-four", "a half").

Every quantity keeps its character span in the original text, so callers can record what they
read. Values are :class:`~decimal.Decimal` so "2.952k" is exactly 2952 and "74.49%" exactly
0.7449 of a pie; :func:`to_value` turns them into the ``int`` or ``float`` a bundle holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .textutil import builder, trie_pattern

__all__ = ["NUMBER_WORDS", "NUMWORD_PATTERN", "Quantity", "as_float", "find_quantities", "parse_amount",
           "to_value", "words_value"]

_ONES = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
         "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
         "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
         "seventy": 70, "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_FRACTIONS = {"half": Decimal("0.5"), "halves": Decimal("0.5"), "quarter": Decimal("0.25"),
              "quarters": Decimal("0.25"), "third": Decimal(1) / 3, "thirds": Decimal(1) / 3}
NUMBER_WORDS = {**_ONES, **_TENS, **_SCALES}
"""Every English number word this module reads, with its value."""

_W = trie_pattern(list(NUMBER_WORDS) + list(_FRACTIONS))
NUMWORD_PATTERN = rf"(?:(?:a|an|one)\s+(?:half|quarter|third)|{_W}(?:(?:\s*-\s*|\s+)(?:and\s+|a\s+)?{_W})*)"
"""A regex (no groups) for a run of number words; :func:`words_value` reads what it matched."""

_DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
# Every character a quantity can start with ("$", "us$"/"usd", a digit, ".5", a number word, "a
# half"), as a lookahead the regex engine tests before anything else: most positions of a text
# fail it at once. It only restates what the rest of the pattern requires (same IGNORECASE).
_FIRST = "".join(sorted({w[0] for w in [*NUMBER_WORDS, *_FRACTIONS, "a", "an", "one", "us", "usd"]}))
_QUANTITY_RE = re.compile(
    rf"""(?=[$.\d{_FIRST}])
    (?<![\w.,$])
    (?:(?P<cur>\$|us\$|usd\s?)\s?)?
    (?:(?P<digits>{_DIGITS})|(?P<words>{NUMWORD_PATTERN}))
    (?:\s?(?P<mult>k|thousand|m|mn|million|bn|billion)\b)?
    (?:\s?(?P<pct>%|percent\b|per\s?cent\b))?
    (?:\s*(?P<money>dollars?|bucks|usd)\b)?
    (?![\w])""",
    re.IGNORECASE | re.VERBOSE,
)
_MULT = {"k": 1000, "thousand": 1000, "m": 1_000_000, "mn": 1_000_000, "million": 1_000_000,
         "bn": 1_000_000_000, "billion": 1_000_000_000}
_TOKEN_RE = re.compile(r"[a-z]+", re.IGNORECASE)
_INT_LIMIT = Decimal(10) ** 18  # whole numbers below this become ints
_MAX_DIGITS = 40


@dataclass(frozen=True)
class Quantity:
    """A number found in text, with its span and what kind of amount it is."""

    start: int
    end: int
    value: Decimal
    money: bool = False
    percent: bool = False
    words: bool = False
    text: str = ""


def words_value(text: str) -> tuple[Decimal | None, int]:
    """Read number words from the start of ``text``.

    Returns:
        The value (or None when the words do not form a number) and how many characters of
        ``text`` were used; a trailing "and" that does not continue the number is left out.
    """
    tokens = [(m.group(0).lower(), m.end()) for m in _TOKEN_RE.finditer(text)]
    total = 0
    current = 0
    last: str | None = None
    used = 0
    have = False
    i = 0
    while i < len(tokens):
        word, end = tokens[i]
        nxt = tokens[i + 1][0] if i + 1 < len(tokens) else None
        if word in ("a", "an"):
            if have or nxt not in ("hundred", "thousand", "million", "half", "quarter", "third"):
                break
            if nxt in _FRACTIONS:
                return _FRACTIONS[nxt], tokens[i + 1][1]
            current = 1
            i += 1
            continue
        if word == "and":
            if last in _SCALES and nxt is not None and (nxt in _ONES or nxt in _TENS):
                i += 1
                continue
            break
        if word in _FRACTIONS:
            if have and last in _ONES and total == 0 and current <= 3:
                frac = _FRACTIONS[word]
                return (Decimal(current) * frac).quantize(Decimal("0.0001")) if word.startswith("third") \
                    else Decimal(current) * frac, end
            if not have:
                return _FRACTIONS[word], end
            break
        if word in _ONES:
            if have and (last in _ONES or (last in _TENS and _ONES[word] >= 10) or (last in _TENS and _ONES[word] == 0)):
                break
            current += _ONES[word]
        elif word in _TENS:
            if have and (last in _ONES or last in _TENS or current % 100 != 0):
                break
            current += _TENS[word]
        elif word == "hundred":
            if have and last == "hundred":
                break
            current = (current or 1) * 100
        elif word in _SCALES:
            if have and last in ("thousand", "million", "billion") and _SCALES[word] <= _SCALES[last]:
                break
            total += (current or 1) * _SCALES[word]
            current = 0
        else:
            break
        have = True
        last = word
        used = end
        i += 1
    if not have:
        return None, 0
    return Decimal(total + current), used


def _digits_value(text: str) -> Decimal | None:
    text = text.replace(",", "")
    if len(text) > _MAX_DIGITS:
        return None
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def find_quantities(text: str) -> list[Quantity]:
    """Every number in ``text`` (digits or words, with "$", "k", "%" and "dollars"), in order."""
    out: list[Quantity] = []
    pos = 0
    search = _QUANTITY_RE.search
    while True:
        m = search(text, pos)
        if m is None:
            return out
        pos = m.end()
        q = _quantity(text, m)
        if q is not None:
            out.append(q)
            pos = q.end


_make = builder(Quantity)  # Quantity(start, end, value, money, percent, words, text), every field given


def _quantity(text: str, m: re.Match[str]) -> Quantity | None:
    end = m.end()
    start = m.start()
    cur, digits, number_words, mult, pct, money = m.group("cur", "digits", "words", "mult", "pct", "money")
    if digits is not None:
        value = _digits_value(digits)
        words = False
    else:
        value, used = words_value(number_words)
        words = True
        if value is None:
            return None
        if used < len(number_words):
            # the words ran on past the number ("eight and ..."): keep only the number
            end = m.start("words") + used
            return _make(start, end, value, bool(cur), False, True, text[start:end])
    if value is None:
        return None
    if mult:
        mult = mult.lower()
        if mult == "m" and not cur:
            end = m.end("digits") if digits else m.end("words")
            return _make(start, end, value, False, False, words, text[start:end])
        value = value * _MULT[mult]
    return _make(start, end, value, bool(cur or money), bool(pct), words, text[start:end])


def parse_amount(text: str) -> Quantity | None:
    """The first quantity in a short string such as ``"$2,400"`` or ``"3 weeks"``, if any."""
    qs = find_quantities(text)
    return qs[0] if qs else None


def to_value(value: Decimal, integer: bool) -> int | float:
    """A Decimal as a bundle value: ``int`` for whole numbers of an integer issue, else ``float``."""
    try:
        if integer and value == value.to_integral_value():
            if abs(value) < _INT_LIMIT:
                return int(value)
            return float(value)
        return as_float(value)
    except (InvalidOperation, OverflowError, ValueError):
        return float("nan")


def as_float(value: Decimal) -> float:
    """A Decimal as a float without binary noise (0.2551, not 0.25509999999999994)."""
    try:
        return float(round(value, 10))
    except (InvalidOperation, OverflowError, ValueError):
        try:
            return float(value)
        except (InvalidOperation, OverflowError, ValueError):
            return float("nan")
