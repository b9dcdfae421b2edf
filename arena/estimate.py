"""Estimate the tokens and cost of a run before making it.

The prompts are rendered for the real game (system prompt and a turn prompt per role). A chat
model re-reads the whole conversation on every turn, so the prompt tokens of turn k are the
system prompt plus k earlier exchanges. Tokens are counted as characters / 4 (no tokenizer
download); prices come from litellm's bundled price map. Two figures: a typical session (each
seat moves max_rounds / 2 times) and an upper bound (the turn cap with every repair used).
"""

from __future__ import annotations

from dataclasses import dataclass

from .agents.base import make_agent
from .agents.llm import LLMAgent
from .game import Game
from .models import price_per_token
from .protocols import get_protocol

__all__ = ["Estimate", "estimate_session"]


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


@dataclass(frozen=True)
class Estimate:
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    upper_prompt_tokens: int
    upper_completion_tokens: int
    upper_cost_usd: float | None


def _conversation(system: int, turn: int, completion: int, turns: int) -> tuple[int, int]:
    prompt = sum(system + k * (turn + completion) + turn for k in range(turns))
    return prompt, turns * completion


def estimate_session(game: Game, model: str, completion_tokens: int = 250) -> Estimate:
    """Tokens and cost of one session with ``model`` in every seat (halve for one seat)."""
    from .runner import _observation

    protocol = get_protocol(game)
    state = protocol.initial_state()
    agent = make_agent(f"llm(model='{model}', api_base='http://127.0.0.1:9/v1')")
    assert isinstance(agent, LLMAgent)
    spec = game.spec.protocol
    typical_turns = max(1, spec.max_rounds // 2)
    max_turns = (spec.max_turns or 4 * spec.max_rounds) // 2 * (1 + spec.repair_budget)
    prompt = completion = up_prompt = up_completion = 0
    for role in game.role_names:
        obs = _observation(game, protocol.describe_rules(), ["offer", "walk_away"], state, role, [], 0, None,
                           spec.arguments)
        system, turn = _tokens(agent.system_prompt(obs).text), _tokens(agent.turn_prompt(obs).text) + 60
        p, c = _conversation(system, turn, completion_tokens, typical_turns)
        prompt, completion = prompt + p, completion + c
        p, c = _conversation(system, turn, completion_tokens, max_turns)
        up_prompt, up_completion = up_prompt + p, up_completion + c
    price = price_per_token(model)
    cost = None if price is None else prompt * price[0] + completion * price[1]
    upper = None if price is None else up_prompt * price[0] + up_completion * price[1]
    return Estimate(model, prompt, completion, cost, up_prompt, up_completion, upper)
