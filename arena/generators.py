"""Scenario generators: draw a concrete game from a template spec and a seed."""

from __future__ import annotations

import random

from .game import GameSpec, register_generator
from .space import IntegerIssue
from .utility import DivisionUtilitySpec

__all__ = ["dond_spec", "draw_dond"]


def draw_dond(rng: random.Random, n_types: int = 3, min_items: int = 5, max_items: int = 7,
              total: int = 10) -> tuple[list[int], list[int], list[int]]:
    """Draw counts and two private per-unit value vectors as in Lewis et al. (2017).

    Each type has between 1 and 4 units, 5 to 7 items in all; each side's items are worth
    ``total`` in all; every item type is worth something to at least one side, and at least one
    type is worth something to both (so the game is neither zero-sum nor trivially cooperative).
    """
    while True:
        counts = [rng.randint(1, 4) for _ in range(n_types)]
        if min_items <= sum(counts) <= max_items:
            break
    def values() -> list[int]:
        while True:
            v = [0] * n_types
            # a random non-negative integer solution of sum(c_i * v_i) = total
            order = list(range(n_types))
            rng.shuffle(order)
            left = total
            for k in order[:-1]:
                v[k] = rng.randint(0, left // counts[k])
                left -= v[k] * counts[k]
            last = order[-1]
            if left % counts[last] == 0:
                v[last] = left // counts[last]
                return v
    while True:
        a, b = values(), values()
        every_item_wanted = all(x + y > 0 for x, y in zip(a, b))
        some_item_shared = any(x > 0 and y > 0 for x, y in zip(a, b))
        if every_item_wanted and some_item_shared:
            return counts, a, b


def dond_spec(template: GameSpec, counts: list[int], values_a: list[float], values_b: list[float]) -> GameSpec:
    """A concrete Deal or No Deal game: item counts and each side's per-unit values."""
    params = dict(template.generator or {})
    items: list[str] = params.get("items", ["book", "hat", "ball"])
    plurals: list[str] = params.get("plurals", [f"{i}s" for i in items])
    if not len(items) == len(counts) == len(values_a) == len(values_b):
        raise ValueError("counts and values must give one number per item type")
    first, second = template.roles[0], template.roles[1]
    issues = [IntegerIssue(name=plural, min=0, max=c, recipient=first.name, item=item,
                           synonyms=[item], description=f"how many of the {c} {plural} go to {first.name}")
              for item, plural, c in zip(items, plurals, counts)]
    roles = [
        first.model_copy(update={"utility": DivisionUtilitySpec(values=dict(zip(plurals, map(float, values_a))))}),
        second.model_copy(update={"utility": DivisionUtilitySpec(values=dict(zip(plurals, map(float, values_b))))}),
    ]
    data = template.model_dump()
    data.update(issues=[i.model_dump() for i in issues], roles=[r.model_dump() for r in roles])
    return GameSpec.model_validate(data)


@register_generator("dond")
def deal_or_no_deal(template: GameSpec, seed: int) -> GameSpec:
    """Deal or No Deal: books, hats and balls with private per-unit values (total 10 each)."""
    params = dict(template.generator or {})
    n = len(params.get("items", ["book", "hat", "ball"]))
    rng = random.Random(f"dond:{seed}")
    counts, va, vb = draw_dond(rng, n, params.get("min_items", 5), params.get("max_items", 7),
                               params.get("total", 10))
    return dond_spec(template, counts, va, vb)


from . import generators_nonlinear  # noqa: E402,F401  (registers bell, ces, hypercube and linear)
