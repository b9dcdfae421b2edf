"""Small text helpers: a character mask for overlap tests, word sets, and trie-shaped regexes."""

from __future__ import annotations

import re

__all__ = ["Mask", "trie_pattern", "words_of"]

_WORD_RE = re.compile(r"[a-z]+")


class Mask:
    """Marks taken character ranges of a text of length ``n`` (linear-time overlap tests)."""

    __slots__ = ("_bits",)

    def __init__(self, n: int) -> None:
        self._bits = bytearray(n + 1)

    def add(self, start: int, end: int) -> None:
        if end > start:
            self._bits[start:end] = b"\x01" * (end - start)

    def hits(self, start: int, end: int) -> bool:
        """Whether any character in [start, end) is taken (a point when start == end)."""
        if end <= start:
            return bool(self._bits[start]) if 0 <= start < len(self._bits) else False
        return 1 in self._bits[start:end]


def words_of(text: str) -> set[str]:
    """The lower-case ASCII words of ``text`` ("doesn't" gives "doesn" and "t")."""
    return set(_WORD_RE.findall(text.lower()))


def trie_pattern(phrases: list[str] | set[str]) -> str:
    """A regex (no groups) matching any of ``phrases``, shaped as a trie so the regex engine
    does not try every phrase at every position; longer phrases are preferred, and a space
    in a phrase matches any run of whitespace. Phrases should be lower case (match with
    re.IGNORECASE)."""
    tree: dict[str, dict] = {}
    for phrase in phrases:
        node = tree
        for token in re.findall(r"\s+|.", " ".join(phrase.split())):
            node = node.setdefault(token, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        alts = []
        for key in sorted(node, key=lambda k: (k == "", k)):
            if key == "":
                continue
            head = r"\s+" if key.isspace() else re.escape(key)
            alts.append(head + build(node[key]))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return build(tree) if tree else r"(?!)"
