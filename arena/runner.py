"""Run one negotiation session: observe, act, parse, referee, apply, log.

Every agent speaks text; the referee acts only on what the parser reads from it. A violation
sends the agent its message for a repair attempt; past the repair budget the session ends in a
recorded forfeit. Any exception inside an agent is recorded as the session's outcome too.

Simultaneous-move protocols (region-recursive) keep a move in ``state.sealed`` until the round
resolves; such a move enters the public history, which the agents see, only then. A protocol may
also offer ``view(state, role)``: public protocol state passed to agents as
``Observation.protocol_view``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .agents.base import Agent, Message, Observation, message_of, observation_of
from .game import Game
from .parsing import Parsed, parse
from .parsing.result import parse_context
from .policies import RepairBudget, SessionPolicy, TurnLimit
from .protocols import NegotiationState, get_protocol
from .referee import Referee
from .transcript import (
    AgentConfig,
    ParsedEvent,
    SessionEnd,
    SessionStart,
    Transcript,
    TranscriptWriter,
    parsed_event,
    state_event,
    utterance_event,
    verdict_event,
)
from .verdicts import Violation

__all__ = ["SessionConfig", "run_match", "run_session"]


@dataclass(frozen=True)
class SessionConfig:
    """Options of one session beyond the game and the agents.

    Args:
        repair_budget: repair attempts per turn (default: the game's protocol setting).
        max_turns: hard cap on moves (default: 4 x max_rounds).
        arguments: whether argument claims are shown to the opponent (default: the game's).
        session_id: identifier recorded in the transcript (default: random).
        parent: for forks, a reference to the parent transcript and turn.
        tags: free-form labels recorded in the transcript (e.g. an experiment's condition).
        extractor: optional :class:`arena.models.Model` that transcribes a message into a move
            when the deterministic parsers find none (logged as a second parsed event).
    """

    repair_budget: int | None = None
    max_turns: int | None = None
    arguments: bool | None = None
    session_id: str | None = None
    parent: dict[str, Any] | None = None
    tags: dict[str, Any] = field(default_factory=dict)
    extractor: Any = None  # an arena.models.Model used when the parsers find no move
    policies: tuple[SessionPolicy, ...] = field(default_factory=tuple)


def _public_config(agent: Agent) -> AgentConfig:
    """The agent's registry config as recorded in transcripts, without secrets."""
    config = getattr(agent, "config", None) or AgentConfig(name=type(agent).__name__)
    secret = {k for k in config.args if "key" in k.lower() or "token" in k.lower()}
    return config.model_copy(update={"args": {k: v for k, v in config.args.items() if k not in secret}}) if secret else config


def _observation(game: Game, rules: str, legal: list[str], state: NegotiationState, role: str,
                 history: list[Message], attempt: int, violation: Violation | None, arguments: bool,
                 repairs_left: int = 0, view: dict[str, Any] | None = None) -> Observation:
    r = game.roles[role]
    return observation_of({
        "game": game, "role": role, "utility": r.utility, "reservation": r.reservation, "discount": r.discount,
        "brief": r.spec.brief, "legal": legal, "round": state.round, "max_rounds": game.spec.protocol.max_rounds,
        "turn": state.turn + 1, "standing": state.standing, "standing_by": state.standing_by,
        "history": list(history), "attempt": attempt, "violation": violation, "arguments_enabled": arguments,
        "rules": rules, "repairs_left": repairs_left, "protocol_view": view or {},
    })


async def run_session(game: Game, agents: Mapping[str, Agent], seed: int = 0, out: str | Path | None = None,
                      config: SessionConfig | None = None) -> Transcript:
    """Play one session between ``agents`` (role name -> agent) and return its transcript.

    Args:
        game: the resolved game.
        agents: one agent per role.
        seed: recorded in the transcript (agents are seeded when they are made).
        out: optional JSONL path, written and flushed event by event.
        config: session options.
    """
    config = config or SessionConfig()
    missing = set(game.role_names) - set(agents)
    if missing:
        raise ValueError(f"no agent for role(s) {sorted(missing)}")
    protocol = get_protocol(game)
    referee = Referee(game, protocol)
    budget = RepairBudget(game.spec.protocol.repair_budget if config.repair_budget is None else config.repair_budget)
    max_turns = config.max_turns or game.spec.protocol.max_turns or 4 * game.spec.protocol.max_rounds
    policies = (TurnLimit(max_turns), *config.policies)
    arguments = game.spec.protocol.arguments if config.arguments is None else config.arguments
    rules = protocol.describe_rules()

    state = protocol.initial_state()
    history: list[Message] = []
    held: list[Message] = []  # moves sealed by a simultaneous protocol, revealed when the round resolves
    view = getattr(protocol, "view", None)  # optional: protocol-specific public state per role
    with TranscriptWriter(out) as log:
        log.write(SessionStart(
            session_id=config.session_id or uuid.uuid4().hex[:12], game=game.spec.model_dump(mode="json"),
            seed=int(seed), agents={role: _public_config(a) for role, a in agents.items()},
            options={"repair_budget": budget.per_turn, "max_turns": max_turns, "arguments": arguments,
                     **({"tags": dict(config.tags)} if config.tags else {})},
            parent=config.parent,
        ))
        error: str | None = None
        while not state.ended:
            role = state.to_move
            turn = state.turn + 1
            attempt, violation = 0, None
            while True:
                obs = _observation(game, rules, protocol.legal_kinds(state, role), state, role, history,
                                   attempt, violation, arguments, repairs_left=budget.per_turn - attempt,
                                   view=view(state, role) if view is not None else None)
                try:
                    reply = await agents[role].act(obs)
                except Exception as exc:  # an agent's failure is an outcome, never a crash
                    error = f"{role}'s agent failed: {type(exc).__name__}: {exc}"
                    break
                log.write(utterance_event(turn, attempt, role, reply.text, reply.intended, reply.prompts, reply.usage))
                ctx = parse_context(game, role, state.standing, state.standing_by)
                result = parse(reply.text, ctx)
                log.write(parsed_event(turn, attempt, role, result))
                if not result.ok and config.extractor is not None:
                    from .parsing.extractor import extract

                    result, usage = await extract(config.extractor, reply.text, ctx)
                    log.write(ParsedEvent(turn=turn, attempt=attempt, role=role, result=result, usage=usage))
                verdict = referee.judge(state, role, result)
                log.write(verdict_event(turn, attempt, role, verdict))
                if isinstance(verdict, Violation):
                    violation, attempt = verdict, attempt + 1
                    if budget.exhausted(attempt):
                        state = state.model_copy(deep=True)
                        state.end("forfeit", f"{role} used up its repair budget (last violation: "
                                             f"{verdict.code})", forfeit_by=role)
                        break
                    continue
                assert isinstance(result, Parsed)
                state = protocol.apply(state, role, result.action)
                for policy in policies:
                    state = policy.after_move(state)
                message = message_of(turn, role, reply.text, result.action)
                if state.sealed and not state.ended:
                    held.append(message)  # nobody sees a sealed move before the round resolves
                else:
                    history.extend(held)
                    held.clear()
                    history.append(message)
                log.write(state_event(state.turn, state.round, state.to_move, state.standing, state.standing_by,
                                      state.ended))
                break
            if error is not None:
                break
        if error is not None:
            log.write(SessionEnd(outcome="error", utilities=game.utilities(None), reason=error,
                                 rounds=state.round, turns=state.turn))
        else:
            utilities = game.utilities(state.agreement, state.agreement_round or 1)
            log.write(SessionEnd(outcome=state.outcome or "disagreement", agreement=state.agreement,
                                 agreement_round=state.agreement_round, utilities=utilities,
                                 reason=state.reason or "", forfeit_by=state.forfeit_by,
                                 rounds=state.round, turns=state.turn))
        return log.transcript()


def run_match(game: str | Game, a: str | AgentConfig, b: str | AgentConfig, seed: int = 0, out: str | Path | None = None,
              config: SessionConfig | None = None) -> Transcript:
    """Synchronous convenience: load ``game`` (resolved with ``seed``), make agent ``a`` for the
    first role and ``b`` for the second, and run one session."""
    import asyncio

    from .agents.base import make_agent
    from .game import load_game

    g = game if isinstance(game, Game) else load_game(game, seed=seed)
    first, second = g.role_names
    agents = {first: make_agent(a, seed), second: make_agent(b, seed)}
    return asyncio.run(run_session(g, agents, seed=seed, out=out, config=config))
