"""Small text helpers: a character mask for overlap tests, word sets, and trie-shaped regexes."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["Mask", "builder", "trie_pattern", "words_of"]

_WORD_RE = re.compile(r"[a-z]+")
T = TypeVar("T")


def builder(cls: type[T]) -> Callable[..., T]:
    """A fast positional constructor for the frozen dataclass ``cls`` (every field, in order).

    It fills the instance's ``__dict__`` directly instead of calling ``object.__setattr__`` once
    per field as a frozen dataclass's ``__init__`` does, and gives an equal object with the same
    ``__dict__``; for small records the parser makes many of per message. ``cls`` must have no
    ``__post_init__`` and no slots.
    """
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    if hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
        raise TypeError(f"{cls.__name__}: builder() needs a plain frozen dataclass")
    args = ", ".join(f"_{n}" for n in names)
    body = "\n".join(f"    d[{n!r}] = _{n}" for n in names)
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    exec(f"def build({args}):\n    obj = _new(_cls)\n    d = obj.__dict__\n{body}\n    return obj\n", namespace)  # noqa: S102
    build = namespace["build"]
    build.__doc__ = f"{cls.__name__}({', '.join(names)}), built field by field into its __dict__."
    return build  # type: ignore[no-any-return]


class Mask:
    """Marks taken character ranges of a text of length ``n`` (linear-time overlap tests)."""

    __slots__ = ("_bits",)

    def __init__(self, n: int) -> None:
        self._bits = bytearray(n + 1)

    @property
    def bits(self) -> bytearray:
        """One byte per character, 1 where taken (read-only use: ``1 in bits[start:end]``)."""
        return self._bits

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
