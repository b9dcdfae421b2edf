"""The agent contract (``async act(observation) -> Reply``), observations and the registry.

An agent sees an :class:`Observation`: the public game, its own private preferences and the
public history. It never sees the state object or the other side's preferences.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any, Protocol

from ..actions import Action
from ..game import Game
from ..parsing.textutil import builder
from ..space import Bundle, OutcomeSpace
from ..transcript import AgentConfig, PromptRef, Usage
from ..utility import UtilityFunction
from ..verdicts import Violation

__all__ = [
    "Agent",
    "AgentError",
    "Message",
    "Observation",
    "Reply",
    "agent_names",
    "make_agent",
    "parse_agent_spec",
    "register_agent",
]


class AgentError(ValueError):
    """An agent name or its arguments are wrong; the message is meant for the user."""


@dataclass(frozen=True)
class Message:
    """One accepted move in the public history: who said what, and the move it was read as."""

    turn: int
    role: str
    text: str
    action: Action


@dataclass(frozen=True)
class Observation:
    """What one role knows when it is asked to move."""

    game: Game
    role: str
    utility: UtilityFunction
    reservation: float
    discount: float
    brief: str
    legal: list[str]
    round: int
    max_rounds: int
    turn: int
    standing: Bundle | None
    standing_by: str | None
    history: list[Message]
    attempt: int = 0
    violation: Violation | None = None
    repairs_left: int = 0
    arguments_enabled: bool = True
    rules: str = ""
    protocol_view: dict[str, Any] = field(default_factory=dict)
    """Protocol-specific public state for this role (empty for turn-based protocols); for the
    region-recursive protocol: the current negotiation space, the size cap, the proposals."""

    @property
    def space(self) -> OutcomeSpace:
        return self.game.space

    @cached_property
    def opponent(self) -> str:
        return self.game.other(self.role)

    @property
    def public(self) -> dict[str, Any]:
        """Information the game declares common knowledge (e.g. both discount factors)."""
        return self.game.spec.public

    @property
    def opening(self) -> bool:
        return not any(m.role == self.role for m in self.history)

    def offers_by(self, role: str) -> list[Bundle]:
        return [m.action.bundle for m in self.history if m.role == role and m.action.kind == "offer"]  # type: ignore[union-attr]

    @property
    def rounds_left(self) -> int:
        return self.max_rounds - self.round


_OBSERVATION_FIELDS = frozenset(f.name for f in fields(Observation))
message_of = builder(Message)
"""``Message(turn, role, text, action)``, every field given: the runner records one per move."""


def observation_of(values: dict[str, Any]) -> Observation:
    """``Observation(**values)`` for a dict that gives every field, without the frozen
    dataclass's field-by-field ``__init__`` (the runner builds one observation per move)."""
    if values.keys() != _OBSERVATION_FIELDS:
        return Observation(**values)
    obs = object.__new__(Observation)
    obs.__dict__.update(values)
    return obs


@dataclass
class Reply:
    """An agent's message, and what it meant when the agent knows (scripted agents do)."""

    text: str
    intended: Action | None = None
    prompts: list[PromptRef] = field(default_factory=list)
    usage: Usage | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Agent(Protocol):
    """Anything that can sit in a seat: scripted, language model, human, replay."""

    config: AgentConfig

    async def act(self, observation: Observation) -> Reply: ...


AgentFactory = Callable[..., Agent]
_REGISTRY: dict[str, tuple[AgentFactory, str]] = {}


def register_agent(name: str, summary: str = "") -> Callable[[AgentFactory], AgentFactory]:
    """Register an agent factory under ``name``; it is called as ``factory(seed=..., **args)``."""

    def deco(factory: AgentFactory) -> AgentFactory:
        _REGISTRY[name] = (factory, summary or (factory.__doc__ or "").strip().split("\n")[0])
        return factory

    return deco


def agent_names() -> dict[str, str]:
    """Registered agent names with a one-line summary each."""
    _load_builtin()
    return {k: v[1] for k, v in sorted(_REGISTRY.items())}


def _load_builtin() -> None:
    from . import llm, scripted  # noqa: F401  (registers on import)


_SPEC = re.compile(r"^\s*([A-Za-z][\w\-.:/@]*)\s*(?:\((.*)\))?\s*$", re.S)


def parse_agent_spec(text: str) -> AgentConfig:
    """Parse ``"anchor(value=2900, e=0.5)"`` or ``"boulware"`` into an :class:`AgentConfig`."""
    m = _SPEC.match(text)
    if not m:
        raise AgentError(f"cannot read agent {text!r}; write NAME or NAME(key=value, ...)")
    args: dict[str, Any] = {}
    if m.group(2) and m.group(2).strip():
        try:
            call = ast.parse(f"f({m.group(2)})", mode="eval").body
            assert isinstance(call, ast.Call) and not call.args
            args = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if kw.arg}
        except (SyntaxError, ValueError, AssertionError):
            raise AgentError(f"cannot read the arguments of {text!r}; write NAME(key=value, ...) "
                             "with literal values") from None
    return AgentConfig(name=m.group(1), args=args)


def make_agent(spec: str | AgentConfig, seed: int = 0) -> Agent:
    """Create an agent from a name (``"boulware"``), a spec string or an :class:`AgentConfig`."""
    config = parse_agent_spec(spec) if isinstance(spec, str) else spec
    _load_builtin()
    if config.name not in _REGISTRY and "/" in config.name:  # a model string: provider/model
        config = AgentConfig(name="llm", args={"model": config.name, **config.args})
    if config.name not in _REGISTRY:
        raise AgentError(f"unknown agent {config.name!r}; the agents are: {', '.join(sorted(_REGISTRY))}")
    factory = _REGISTRY[config.name][0]
    try:
        agent = factory(seed=seed, **config.args)
    except TypeError as exc:
        raise AgentError(f"agent {config.name!r}: bad arguments {config.args} ({exc})") from None
    agent.config = config
    return agent
