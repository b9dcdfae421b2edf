"""What a seat is shown, in words: its own preferences as a table, bundles from its perspective,
and the opponent's message quoted as data. Shared by the LLM prompts and the human seats."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..game import Game
from ..space import Bundle, ContinuousIssue, DiscreteIssue, IntegerIssue
from .base import Observation

__all__ = ["bundle_in_words", "example_bundle", "issue_rows", "move_in_words", "preference_offset", "preference_rows",
           "quote", "spoken_part"]


def _fmt(v: float) -> str:
    return f"{v:,.4g}" if abs(v) < 1e6 else f"{v:,.0f}"


def _value_label(issue: object, value: object) -> str:
    unit = getattr(issue, "unit", None)
    if isinstance(value, (int, float)):
        text = f"{value:,.6g}" if isinstance(value, float) else f"{value:,}"
        return f"${text}" if unit == "$" else (f"{text} {unit}" if unit else text)
    return str(value)


def preference_offset(obs: Observation) -> float:
    """Utility of the best outcome minus the sum of the per-issue rows' maxima (the constant
    term of an additive utility, so the rows plus it give the whole utility)."""
    rows = _contributions(obs)
    return rows[0] - sum(max(v) for v in rows[1])


def _contributions(obs: Observation) -> tuple[float, list[list[float]]]:
    space = obs.space
    X = space.enumerate()
    u = obs.utility.evaluate(X)
    best = X[int(np.argmax(u))]
    out = []
    for k, issue in enumerate(space.issues):
        grid = issue.grid()
        probe = np.repeat(best[None, :], len(grid), axis=0)
        probe[:, k] = grid
        vals = obs.utility.evaluate(probe)
        out.append(list(vals - vals.min()))
    return float(u.max()), out


def issue_rows(game: Game) -> list[dict[str, str]]:
    """One row per issue: name, what values it takes, what the value means."""
    rows = []
    for issue in game.space.issues:
        if isinstance(issue, DiscreteIssue):
            values = "one of: " + ", ".join(f'"{v}"' for v in issue.values)
        else:
            kind = "a whole number" if isinstance(issue, IntegerIssue) else "a number"
            unit = f" ({issue.unit})" if issue.unit else ""
            values = f"{kind} from {issue.min:g} to {issue.max:g}{unit}"
        meaning = issue.description[:1].upper() + issue.description[1:]
        recipient = getattr(issue, "recipient", None)
        if recipient:
            meaning = f"How many of the {issue.max:g} {issue.items or issue.name} go to {recipient}; the rest go to " \
                      f"{game.other(recipient)}"
        rows.append({"name": issue.name, "values": values, "meaning": meaning})
    return rows


def preference_rows(obs: Observation, samples: int = 5) -> list[dict[str, str]]:
    """The seat's own utility, issue by issue where it is additive, as readable rows.

    For each issue, what a few of its values are worth above the issue's worst value, every other
    issue held at the seat's best outcome: exact for additive utilities, a slice for others.
    """
    space = obs.space
    X = space.enumerate() if space.cardinality <= 2_000_000 else None
    best = X[int(np.argmax(obs.utility.evaluate(X)))] if X is not None else space.to_row(
        space.from_row(np.array([g[0] for g in space.grids()])))
    rows = []
    for k, issue in enumerate(space.issues):
        grid = issue.grid()
        if len(grid) > samples and not isinstance(issue, DiscreteIssue):
            grid = np.unique(np.round(np.linspace(grid[0], grid[-1], samples), 6))
            if isinstance(issue, IntegerIssue):
                grid = np.unique(np.round(grid))
        probe = np.repeat(best[None, :], len(grid), axis=0)
        probe[:, k] = grid
        values = obs.utility.evaluate(probe)
        base = float(values.min())
        cells = []
        for g, v in zip(grid, values):
            label = _value_label(issue, issue.decode(float(g)))
            if isinstance(issue, (IntegerIssue, ContinuousIssue)) and issue.recipient:
                mine = g if issue.recipient == obs.role else issue.max - g
                label = f"you get {mine:g}"
            cells.append(f"{label}: {_fmt(float(v) - base)}")
        rows.append({"issue": issue.name, "values": "; ".join(cells)})
    return rows


def bundle_in_words(game: Game, bundle: Bundle, viewer: str) -> str:
    """A bundle as the viewer would say it ("you get 2 books, they get 1 book; price=$2,400")."""
    parts = []
    for issue in game.space.issues:
        if issue.name not in bundle:
            continue
        v = bundle[issue.name]
        recipient = getattr(issue, "recipient", None)
        if recipient and isinstance(v, (int, float)):
            mine = v if recipient == viewer else issue.max - v  # type: ignore[union-attr]
            parts.append(f"{issue.name}: you get {mine:g}, they get {issue.max - mine:g}")  # type: ignore[union-attr]
        else:
            parts.append(game.space.describe({issue.name: v}))
    return "; ".join(parts)


def move_in_words(game: Game, action: Any, viewer: str) -> str:
    """A parsed move as the viewer reads it ("offer: price=$2400", "accept")."""
    if action.kind == "offer":
        return "offer: " + bundle_in_words(game, action.bundle, viewer)
    if action.kind == "propose_region":
        from .region_views import region_in_words

        return "region: " + region_in_words(game, action.region)
    return action.kind.replace("_", " ")


def example_bundle(game: Game) -> dict[str, Any]:
    """A syntactically valid bundle (the middle of every issue) for the output-format example."""
    out: dict[str, Any] = {}
    for issue in game.space.issues:
        grid = issue.grid()
        out[issue.name] = issue.decode(float(grid[len(grid) // 2]))
    return out


_BLOCKS = re.compile(r"```.*?(?:```|$)|<move>.*?(?:</move>|$)", re.S | re.I)


def spoken_part(text: str) -> str:
    """The message without its structured blocks: what is meant for the other side's eyes (the
    blocks are for the referee; the move they state is shown separately, as parsed)."""
    stripped = _BLOCKS.sub("", text).strip()
    return stripped or "(no words, only a structured move)"


def quote(text: str, limit: int = 4000) -> str:
    """The opponent's words as inert data: tags inside are neutralised and length is capped."""
    text = text.replace("<", "‹").replace(">", "›")
    return text if len(text) <= limit else text[:limit] + " […]"
