"""A language-model seat: prompts from ``prompts/llm/``, one model call per attempt.

The model sees a system prompt (its role, its own private preferences, the reservation value,
the deadline, the rules and the output contract), then one turn prompt per turn (the round, the
standing offer, the opponent's last message quoted as data) and a repair prompt after a
violation (the referee's message). Its whole reply goes to the parser like anyone else's.
"""

from __future__ import annotations

import json
import weakref
from typing import Any

from ..actions import ARGUMENT_KINDS
from ..models import Model, ModelConfig
from ..prompting import Rendered, render
from ..transcript import PromptRef
from .base import Observation, Reply, register_agent
from .views import (
    bundle_in_words,
    example_bundle,
    issue_rows,
    move_in_words,
    preference_offset,
    preference_rows,
    quote,
    spoken_part,
)

__all__ = ["LLMAgent"]


def _fmt(v: float) -> str:
    return f"{v:,.4g}"


def _per_round_discount(obs: Observation) -> float:
    """The factor one round of delay applies: delta itself, or for a time-based discount
    (u * d^t, t from 0 at the first round to 1 at the last) d^(1/(max_rounds - 1))."""
    role = obs.game.roles[obs.role]
    if getattr(role.spec, "discount_basis", "round") == "time" and obs.max_rounds > 1:
        return round(obs.discount ** (1.0 / (obs.max_rounds - 1)), 6)
    return obs.discount


def _ref(r: Rendered) -> PromptRef:
    return PromptRef(template=r.template, sha256=r.sha256)


# System prompts are pure functions of the game object and the seat's static view; a tournament
# plays each resolved game many times, so they are rendered once per game object and seat.
_SYSTEM: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], tuple[Any, Any, Rendered]]] = weakref.WeakKeyDictionary()


def _system_key(obs: Observation) -> tuple[Any, ...]:
    return (obs.role, id(obs.utility), id(obs.space), obs.brief, obs.reservation, obs.discount, obs.rules,
            obs.max_rounds, obs.arguments_enabled)


class LLMAgent:
    """A seat played by a chat model through :class:`arena.models.Model`.

    Args:
        model: litellm model string (``openai/gpt-4o-mini``, ``ollama/llama3.1``, ...).
        seed: passed to the model as its sampling seed unless ``sampling_seed`` is given.
        **options: any :class:`ModelConfig` field (api_base, temperature, cache_dir, timeout, ...).
    """

    def __init__(self, model: str, seed: int = 0, sampling_seed: int | None = None, **options: Any) -> None:
        if "cache" in options:  # the CLI's name for cache_dir
            options["cache_dir"] = options.pop("cache")
        fields = set(ModelConfig.__dataclass_fields__)
        unknown = set(options) - fields
        if unknown:
            raise TypeError(f"unknown model options {sorted(unknown)}; known: {sorted(fields - {'model'})}")
        try:
            config = ModelConfig(model=model, seed=seed if sampling_seed is None else sampling_seed, **options)
        except ValueError as exc:  # a bad option value: reported like a bad argument
            raise TypeError(str(exc)) from None
        self.model = Model(config)
        self.messages: list[dict[str, str]] = []

    def system_prompt(self, obs: Observation) -> Rendered:
        try:
            per_game = _SYSTEM.setdefault(obs.game, {})
        except TypeError:  # a game object that cannot be weakly referenced: no cache
            return self._system_prompt(obs)
        key = _system_key(obs)
        held = per_game.get(key)
        if held is None or held[0] is not obs.utility or held[1] is not obs.space:  # ids alone may be reused
            held = per_game[key] = (obs.utility, obs.space, self._system_prompt(obs))
        return held[2]

    def _system_prompt(self, obs: Observation) -> Rendered:
        game = obs.game
        role = game.roles[obs.role]
        tab = obs.utility.evaluate(obs.space.enumerate()) if obs.space.cardinality <= 2_000_000 else None
        recipients = {getattr(i, "recipient", None) for i in obs.space.issues} - {None}
        return render(
            "llm/system.j2", label=role.label, title=game.spec.title or game.name, narrative=game.spec.narrative,
            brief=obs.brief, issues=issue_rows(game), preferences=preference_rows(obs),
            offset=_fmt(preference_offset(obs)) if tab is not None else "0",
            best=_fmt(float(tab.max())) if tab is not None else "the top of your scale",
            reservation=_fmt(obs.reservation), discount=_per_round_discount(obs), rules=obs.rules,
            max_rounds=obs.max_rounds,
            example=json.dumps(example_bundle(game)), role=obs.role, arguments=obs.arguments_enabled, argument_kinds=ARGUMENT_KINDS,
            issue_names=obs.space.names, division=bool(recipients),
            recipient=", ".join(sorted(recipients)) if recipients else "",
        )

    def turn_prompt(self, obs: Observation) -> Rendered:
        game = obs.game
        theirs = [m for m in obs.history if m.role == obs.opponent]
        last = theirs[-1] if theirs else None
        standing = obs.standing if obs.standing_by == obs.opponent else None
        mine = [m.action.bundle for m in obs.history if m.role == obs.role and m.action.kind == "offer"]  # type: ignore[union-attr]
        return render(
            "llm/turn.j2", round=obs.round + 1 if "offer" in obs.legal else obs.round, max_rounds=obs.max_rounds,
            rounds_left=obs.rounds_left, opponent_message=quote(spoken_part(last.text)) if last else None,
            opponent_move=move_in_words(game, last.action, obs.role) if last else None,
            opponent_arguments=[{"kind": a.kind, "text": quote(a.text, 500)} for a in last.action.arguments]
            if last and obs.arguments_enabled else [],
            standing=bundle_in_words(game, standing, obs.role) if standing else None,
            standing_value=_fmt(obs.utility(standing)) if standing else "",
            my_last_offer=bundle_in_words(game, mine[-1], obs.role) if mine else None,
            my_last_value=_fmt(obs.utility(mine[-1])) if mine else "", legal=obs.legal,
        )

    def repair_prompt(self, obs: Observation) -> Rendered:
        assert obs.violation is not None
        return render("llm/repair.j2", message=obs.violation.message, code=obs.violation.code,
                      attempts_left=obs.repairs_left, legal=obs.legal, issue_names=obs.space.names)

    async def act(self, obs: Observation) -> Reply:
        rendered: list[Rendered] = []
        if obs.protocol_view.get("protocol") == "region-recursive":  # region prompts (region_*.j2)
            from .region_views import region_prompts

            prompts = region_prompts(obs, first=not self.messages)
            if not self.messages:
                self.messages.append({"role": "system", "content": prompts[0].text})
            user = prompts[-1]
            rendered.extend(prompts[:-1])
        else:
            if not self.messages:
                system = self.system_prompt(obs)
                rendered.append(system)
                self.messages.append({"role": "system", "content": system.text})
            user = self.repair_prompt(obs) if obs.attempt > 0 and obs.violation else self.turn_prompt(obs)
        rendered.append(user)
        self.messages.append({"role": "user", "content": user.text})
        completion = await self.model.complete(list(self.messages))
        if completion.text.strip():
            self.messages.append({"role": "assistant", "content": completion.text})
        # an empty reply is left out of the conversation (some providers reject an empty
        # assistant message); the referee's repair prompt follows the turn prompt directly
        return Reply(text=completion.text, prompts=[_ref(r) for r in rendered], usage=completion.usage,
                     extra={"attempts": completion.attempts, "errors": completion.errors,
                            "notes": completion.notes, "finish_reason": completion.finish_reason})


@register_agent("llm", "a language model: llm(model='openai/gpt-4o-mini') or just the model string")
def _llm(seed: int = 0, model: str = "", **options: Any) -> LLMAgent:
    if not model:
        raise TypeError("llm needs model='provider/name'")
    agent = LLMAgent(model, seed=seed, **options)
    agent.model.check_keys()  # a missing API key is a user error, reported before the session starts
    return agent
