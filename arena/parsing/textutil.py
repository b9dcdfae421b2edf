"""A character mask over a text: which stretches are already taken (linear-time overlap tests)."""

from __future__ import annotations

__all__ = ["Mask"]


class Mask:
    """Marks taken character ranges of a text of length ``n``."""

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
