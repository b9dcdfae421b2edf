"""What a language-model seat is told in the region-recursive protocol: regions in words, what a
region is worth to it (sampled), its own best contracts, and the prompts that carry them."""

from __future__ import annotations

import json
import zlib
from typing import Any

import numpy as np

from ..game import Game
from ..prompting import Rendered, render
from ..regions import as_box, box_arrays, sample_box
from .base import Observation
from .region_search import RegionSearch
from .views import issue_rows, quote, spoken_part

__all__ = ["best_contracts", "region_in_words", "region_prompts", "region_value"]


def _num(v: float) -> str:
    return f"{v:,.6g}"


def region_in_words(game: Game, region: dict[str, Any]) -> str:
    """``price 40 to 50; quantity exactly 20`` (issue order)."""
    parts = []
    for name in game.space.names:
        if name not in region:
            continue
        lo, hi = (float(x) for x in region[name][:2])
        parts.append(f"{name} exactly {_num(lo)}" if lo == hi else f"{name} {_num(lo)} to {_num(hi)}")
    return "; ".join(parts)


def region_value(obs: Observation, region: dict[str, Any], samples: int = 256) -> str:
    """What a region is worth to the seat: its own utility over sampled contracts in it."""
    rng = np.random.default_rng(zlib.crc32(json.dumps(region, sort_keys=True).encode()))
    u = obs.utility.evaluate(sample_box(obs.space, as_box(region), samples, rng))
    return f"from {_num(float(u.min()))} to {_num(float(u.max()))}, {_num(float(u.mean()))} on average"


def best_contracts(obs: Observation, region: dict[str, Any] | None = None, k: int = 5) -> list[dict[str, str]]:
    """The seat's own best local optima (found by sampling and hill climbing) in ``region``."""
    box = as_box(region) if region else as_box({n: [i.min, i.max]
                                                for n, i in zip(obs.space.names, obs.space.issues)})
    rng = np.random.default_rng([zlib.crc32(obs.role.encode()), 7])
    points, values = RegionSearch(obs.space, obs.utility, rng).optima(box, samples=512, climbs=2 * k)
    lo, hi = box_arrays(obs.space, box)
    near = 0.05 * np.maximum(hi - lo, 1e-9)
    out, seen = [], []
    for p, v in zip(points, values):
        if any((np.abs(p - q) <= near).all() for q in seen):  # the same peak, found twice
            continue
        seen.append(p)
        terms = ", ".join(f"{n}={_num(round(float(x), 2))}" for n, x in zip(obs.space.names, p))
        out.append({"terms": terms, "value": _num(float(v))})
        if len(out) == k:
            break
    return out


def _example(game: Game) -> str:
    region = {}
    for name, issue in zip(game.space.names, game.space.issues):
        lo, hi = float(issue.min), float(issue.max)
        a = lo + 0.4 * (hi - lo)
        region[name] = [round(a), round(a + 0.2 * (hi - lo))]
    return json.dumps(region)


def region_prompts(obs: Observation, first: bool) -> list[Rendered]:
    """The system prompt (on the seat's first turn) and the turn or repair prompt."""
    game, view = obs.game, obs.protocol_view
    role = game.roles[obs.role]
    out = []
    if first:
        out.append(render(
            "llm/region_system.j2", label=role.label, role=obs.role, title=game.spec.title or game.name,
            narrative=game.spec.narrative, brief=obs.brief, issues=issue_rows(game), best=best_contracts(obs),
            reservation=_num(obs.reservation), rules=obs.rules, max_rounds=obs.max_rounds, example=_example(game),
            issue_names=obs.space.names))
    if obs.attempt > 0 and obs.violation is not None:
        out.append(render("llm/region_repair.j2", message=obs.violation.message, code=obs.violation.code,
                          attempts_left=obs.repairs_left, legal=obs.legal, issue_names=obs.space.names))
        return out
    theirs = [m for m in obs.history if m.role == obs.opponent]
    last = theirs[-1] if theirs else None
    lo, hi = box_arrays(obs.space, as_box(view["space"]))
    event = (view.get("last") or {}).get("event")
    out.append(render(
        "llm/region_turn.j2", round=view["round"], max_rounds=view["max_rounds"], depth=view["depth"],
        space=region_in_words(game, view["space"]), space_value=region_value(obs, view["space"]),
        max_width="; ".join(f"{n} {_num(float(view['max_width'][n]))}" for n in obs.space.names),
        event=event, opponent_message=quote(spoken_part(last.text)) if last else None,
        standing=region_in_words(game, view["standing"]) if view.get("standing") else None,
        standing_value=region_value(obs, view["standing"]) if view.get("standing") else "",
        mine=region_in_words(game, view["own_standing"]) if view.get("own_standing") else None,
        best=best_contracts(obs, view["space"], 3) if bool((hi > lo).any()) else [], legal=obs.legal))
    return out
