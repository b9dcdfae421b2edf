"""Cost accounting and the ``--max-cost`` budget.

The cost of a session is the sum over its model calls: the price litellm computed
(``Usage.cost_usd``), else the competitor's ``price`` from the spec times its tokens, else
unknown. Unknown costs are never counted as 0: a session with any unknown call has
``cost_known = False`` and its known part is reported separately.

Budget policy (``--max-cost USD``, over the whole tournament folder, earlier runs included):

* A tournament with a budget refuses to start when some model's price is unknown (neither in
  litellm's price map nor given as ``price`` in the spec): a budget over unknown prices cannot
  be kept. Give local or custom models ``price: {input: 0, output: 0}``.
* A session is launched only when ``spent + reserved(in flight) + estimate(session) <= budget``.
  The estimate of a session is the largest cost seen so far for its game and model seats, and
  before any was seen, twice the arena's typical estimate (``arena.estimate``: prompts rendered
  for the real game, each seat moving ``max_rounds / 2`` times). The strict upper bound (the
  turn cap with every repair used) is some 100 times the typical cost and would hold back
  nearly every session at the start. Scripted-only sessions cost nothing and are never held back.
  The guard is an estimate: a session costlier than every earlier one of its kind can overshoot
  the budget by that difference, never by a session that was not already running.
* Should a finished session's cost still be unknown, it is charged its estimate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..transcript import Transcript
from .spec import Price

__all__ = ["Budget", "SessionCost", "session_cost"]

Group = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class SessionCost:
    """Tokens and cost of one session; ``cost_usd`` is the known part."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    known: bool = True


def session_cost(t: Transcript, prices: dict[str, Price | None]) -> SessionCost:
    """Sum the usage of every model call in ``t`` (utterances and extractor parses).

    Args:
        t: the transcript.
        prices: per role, the competitor's spec price (USD per million tokens) or None.
    """
    prompt = completion = 0
    cost, known = 0.0, True
    for e in t.events:
        usage = getattr(e, "usage", None)
        if usage is None:
            continue
        prompt += usage.prompt_tokens
        completion += usage.completion_tokens
        if usage.cost_usd is not None:
            cost += usage.cost_usd
            continue
        price = prices.get(getattr(e, "role", ""))
        if price is not None:
            cost += (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1e6
        else:
            known = False
    return SessionCost(prompt, completion, cost, known)


class Budget:
    """Decides whether one more session fits in ``max_cost``.

    Args:
        max_cost: the budget in USD (None: no budget; everything fits).
        spent: what committed sessions already cost.
        prior: the upper-bound estimate of a group's session before any was seen.
    """

    def __init__(self, max_cost: float | None, spent: float, prior: Callable[[Group], float]) -> None:
        self.max_cost = max_cost
        self.spent = spent
        self._prior = prior
        self._priors: dict[Group, float] = {}
        self._seen: dict[Group, float] = {}
        self._reserved: dict[str, float] = {}

    @property
    def reserved(self) -> float:
        return sum(self._reserved.values())

    def estimate(self, group: Group) -> float:
        """The cost to reserve for one session of ``group`` (0 for scripted-only groups)."""
        if not group[1]:
            return 0.0
        if group in self._seen:
            return self._seen[group]
        if group not in self._priors:
            self._priors[group] = self._prior(group)
        return self._priors[group]

    def fits(self, group: Group) -> bool:
        if self.max_cost is None:
            return True
        est = self.estimate(group)
        return est == 0.0 or self.spent + self.reserved + est <= self.max_cost + 1e-12

    def launch(self, session_id: str, group: Group) -> None:
        if self.max_cost is not None:
            self._reserved[session_id] = self.estimate(group)

    def cancel(self, session_id: str) -> None:
        self._reserved.pop(session_id, None)

    def finish(self, session_id: str, group: Group, cost: SessionCost) -> float:
        """Release the reservation and charge the session; returns what was charged."""
        reserved = self._reserved.pop(session_id, None)
        charged = cost.cost_usd
        if not cost.known and self.max_cost is not None:
            charged = max(charged, reserved if reserved is not None else self.estimate(group))
        if group[1] and cost.known:
            self._seen[group] = max(self._seen.get(group, 0.0), cost.cost_usd)
        self.spent += charged
        return charged

    @property
    def exceeded(self) -> bool:
        return self.max_cost is not None and self.spent > self.max_cost
