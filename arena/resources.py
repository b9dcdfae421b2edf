"""Locate the data folders (``games/`` and ``prompts/``) shipped with the package.

In a wheel they are installed as ``arena/_data/games`` and ``arena/_data/prompts``; in a source
checkout (or an editable install) they are the top-level folders beside ``arena/``. Lookup never
depends on the user's current directory.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["data_dir"]

_PKG = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``"games"`` or ``"prompts"``) shipped with the arena."""
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the arena's {name}/ folder is missing from this installation")
