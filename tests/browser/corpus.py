"""A tiny Deal or No Deal corpus in the published format (each dialogue from both sides)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DIALOGUE", "write_dond"]

DIALOGUE = ["i would like the book and the hats", "you can have the book if i get the balls and hats", "ok deal"]


def _line(counts_values: str, partner: str, turns: list[tuple[str, str]], output: str) -> str:
    dialogue = " <eos> ".join(f"{who}: {text}" for who, text in turns) + " <eos> THEM: <selection>"
    return (f"<input> {counts_values} </input> <dialogue> {dialogue} </dialogue> <output> {output} </output> "
            f"<partner_input> {partner} </partner_input>\n")


def write_dond(path: Path) -> Path:
    """One agreed dialogue (alice takes the book, bob the hats and balls) and one without a deal."""
    a, b = "1 4 2 1 2 2", "1 2 2 3 2 1"
    turns = list(zip(["YOU", "THEM", "YOU"], DIALOGUE))
    flipped = [("THEM" if w == "YOU" else "YOU", t) for w, t in turns]
    lines = [
        _line(a, b, turns, "item0=1 item1=0 item2=0 item0=0 item1=2 item2=2"),
        _line(b, a, flipped, "item0=0 item1=2 item2=2 item0=1 item1=0 item2=0"),
        _line("3 1 1 5 2 1", "3 2 1 2 2 1", [("YOU", "i need all the hats"), ("THEM", "no way")],
              " ".join(["<disagree>"] * 6)),
    ]
    path.write_text("".join(lines), encoding="utf-8")
    return path
