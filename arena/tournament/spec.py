"""The tournament spec: a YAML file validated with pydantic.

A spec names the games (each with its scenario seeds), the competitors (scripted agents and
model strings with their options), how they are paired, and how often each cell is played::

    name: scripted-demo
    seeds: [0, 1]                      # default scenario seeds of every game
    games:
      - logrolling                     # a shipped game name or a path (relative to this file)
      - {game: buyer-seller, seeds: {start: 0, count: 5}}
    competitors:
      - boulware                       # a scripted agent (its name is the competitor's name)
      - {name: tough, agent: "linear(e=0.5)"}
      - name: gpt-mini
        agent: openai/gpt-4o-mini      # a model string: an LLM seat
        options: {temperature: 0.7, cache_dir: .cache/llm}
        price: {input: 0.15, output: 0.6}   # USD per million tokens, when litellm does not know it
    pairings: round-robin              # or {mode: one-vs-field, focus: [gpt-mini]}
    self_play: false
    both_orders: true                  # each seed also played with the roles swapped
    repetitions: 1
    concurrency: 16                    # sessions in flight at once
    model_limits: {openai/gpt-4o-mini: 8}   # sessions in flight per model string (default: concurrency)
    session: {repair_budget: 2, max_turns: 40, arguments: true}

Errors name the file and the field (``spec.yaml: competitors.2.agent: Field required``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..agents.base import AgentError, agent_names, parse_agent_spec
from ..transcript import AgentConfig

__all__ = [
    "CompetitorSpec",
    "GameEntry",
    "Pairings",
    "Price",
    "SessionOptions",
    "TournamentError",
    "TournamentSpec",
    "load_tournament_spec",
]

# model options that change how a call is made, not what the model is: they may change between
# a run and its resume without making the committed sessions a different experiment
OPERATIONAL_OPTIONS = frozenset({"api_base", "api_key", "timeout", "max_retries", "backoff", "backoff_max",
                                 "concurrency", "cache_dir", "cache", "transport"})


class TournamentError(ValueError):
    """A tournament spec or output folder is unusable; the message is meant for the user."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _seed_list(v: Any) -> Any:
    """Seeds as a list: ``[0, 3, 7]``, ``5`` (0 to 4) or ``{start: 10, count: 5}`` (10 to 14)."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        if v < 1:
            raise ValueError("a seed count must be at least 1")
        return list(range(v))
    if isinstance(v, dict):
        extra = set(v) - {"start", "count"}
        if extra or "count" not in v:
            raise ValueError("write seeds as a list, a count, or {start: S, count: N}")
        start, count = v.get("start", 0), v["count"]
        if not isinstance(start, int) or not isinstance(count, int) or count < 1:
            raise ValueError("seeds {start: S, count: N} needs integers and N >= 1")
        return list(range(start, start + count))
    return v


class GameEntry(_Strict):
    """One game of the tournament: a shipped name or a YAML path, and its scenario seeds."""

    game: str
    id: str | None = Field(None, description="name in the grid and the leaderboard (default: the game's name)")
    seeds: list[int] | None = Field(None, min_length=1)

    _seeds = field_validator("seeds", mode="before")(classmethod(lambda cls, v: _seed_list(v)))


class Price(_Strict):
    """USD per million tokens; used when litellm's price map does not know the model."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)


class CompetitorSpec(_Strict):
    """A seat-taker: a scripted agent (``boulware``, ``linear(e=0.5)``) or a model string."""

    name: str = ""
    agent: str
    options: dict[str, Any] = Field(default_factory=dict)
    price: Price | None = None

    @model_validator(mode="after")
    def _check(self) -> CompetitorSpec:
        try:
            config = parse_agent_spec(self.agent)
        except AgentError as exc:
            raise ValueError(str(exc)) from None
        if config.name not in agent_names() and "/" not in config.name:
            raise ValueError(f"unknown agent {config.name!r}; the agents are: {', '.join(agent_names())} "
                             "or a model string such as openai/gpt-4o-mini")
        if not self.name:
            self.name = self.agent.strip()
        return self

    @property
    def model(self) -> str | None:
        """The model string of an LLM seat, or None for a scripted agent."""
        config = parse_agent_spec(self.agent)
        if "/" in config.name:
            return config.name
        if config.name == "llm":
            return str({**config.args, **self.options}.get("model", "")) or None
        return None

    def agent_config(self, concurrency: int | None = None) -> AgentConfig:
        """The registry config that makes this competitor's agent."""
        config = parse_agent_spec(self.agent)
        args = {**config.args, **self.options}
        if "/" in config.name:
            args = {"model": config.name, **args}
            config = AgentConfig(name="llm", args=args)
        else:
            config = AgentConfig(name=config.name, args=args)
        if config.name == "llm" and concurrency is not None:
            config.args.setdefault("concurrency", concurrency)
        return config

    def fingerprint(self) -> str:
        """What makes two runs of this competitor the same experiment (operational options, such
        as the server address or retry settings, excluded)."""
        options = {k: v for k, v in self.options.items() if k not in OPERATIONAL_OPTIONS}
        return json.dumps({"agent": self.agent.strip(), "options": options}, sort_keys=True, default=str)


class Pairings(_Strict):
    """Who plays whom: every pair (``round-robin``) or each ``focus`` competitor against the
    rest (``one-vs-field``)."""

    mode: Literal["round-robin", "one-vs-field"] = "round-robin"
    focus: list[str] = Field(default_factory=list)


class SessionOptions(_Strict):
    """Per-session options (None: the game's own setting)."""

    repair_budget: int | None = Field(None, ge=0)
    max_turns: int | None = Field(None, ge=1)
    arguments: bool | None = None


class TournamentSpec(_Strict):
    """A whole tournament; see the module docstring for the YAML form."""

    name: str = "tournament"
    games: list[GameEntry] = Field(min_length=1)
    seeds: list[int] = Field(default_factory=lambda: [0], min_length=1)
    competitors: list[CompetitorSpec] = Field(min_length=2)
    pairings: Pairings = Field(default_factory=Pairings)
    self_play: bool = False
    both_orders: bool = True
    repetitions: int = Field(1, ge=1)
    concurrency: int = Field(8, ge=1)
    model_limits: dict[str, int] = Field(default_factory=dict)
    session: SessionOptions = Field(default_factory=SessionOptions)
    source: str | None = Field(None, exclude=True)

    _seeds = field_validator("seeds", mode="before")(classmethod(lambda cls, v: _seed_list(v)))

    @field_validator("games", mode="before")
    @classmethod
    def _games(cls, v: Any) -> Any:
        return [{"game": g} if isinstance(g, str) else g for g in v] if isinstance(v, list) else v

    @field_validator("competitors", mode="before")
    @classmethod
    def _competitors(cls, v: Any) -> Any:
        return [{"agent": c} if isinstance(c, str) else c for c in v] if isinstance(v, list) else v

    @field_validator("pairings", mode="before")
    @classmethod
    def _pairings(cls, v: Any) -> Any:
        return {"mode": v} if isinstance(v, str) else v

    @field_validator("model_limits", mode="after")
    @classmethod
    def _limits(cls, v: dict[str, int]) -> dict[str, int]:
        bad = [k for k, n in v.items() if n < 1]
        if bad:
            raise ValueError(f"the limit of {bad[0]!r} must be at least 1")
        return v

    @model_validator(mode="after")
    def _check(self) -> TournamentSpec:
        names = [c.name for c in self.competitors]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"competitor names must be unique; repeated: {', '.join(dup)} (give each a `name`)")
        unknown = [f for f in self.pairings.focus if f not in names]
        if unknown:
            raise ValueError(f"pairings.focus names unknown competitor(s) {unknown}; the competitors are {names}")
        if self.pairings.mode == "one-vs-field" and not self.pairings.focus:
            raise ValueError("pairings: one-vs-field needs `focus`, the competitor(s) that play the field")
        ids = [self.game_id(g) for g in self.games]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"game ids must be unique; repeated: {', '.join(dup)} (give each entry an `id`)")
        return self

    def competitor(self, name: str) -> CompetitorSpec:
        return next(c for c in self.competitors if c.name == name)

    def game_id(self, entry: GameEntry) -> str:
        """The entry's id: ``id`` if given, else the file stem or the shipped game's name."""
        return entry.id or Path(entry.game).stem

    def game_seeds(self, entry: GameEntry) -> list[int]:
        return list(entry.seeds if entry.seeds is not None else self.seeds)

    def game_path(self, entry: GameEntry) -> str:
        """A shipped name as is; a path resolved against the spec file's folder."""
        p = Path(entry.game)
        if self.source and not p.is_absolute() and (p.suffix in (".yaml", ".yml") or "/" in entry.game):
            candidate = Path(self.source).parent / p
            if candidate.exists():
                return str(candidate.resolve())
        return entry.game

    def fingerprint(self) -> dict[str, str]:
        """Per competitor (and for the session options) a fingerprint checked on ``--resume``."""
        out = {f"competitor {c.name}": c.fingerprint() for c in self.competitors}
        out["session options"] = self.session.model_dump_json()
        return out


def _format(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(x) for x in err["loc"] if not str(x).startswith(("function-", "union[")))
        msg = str(err["msg"]).removeprefix("Value error, ")
        lines.append(f"{loc or '(top level)'}: {msg}")
    more = "" if len(exc.errors()) <= 5 else f" (and {len(exc.errors()) - 5} more problems)"
    return f"{source}: " + "; ".join(lines) + more


def load_tournament_spec(path_or_data: str | Path | dict[str, Any], source: str | None = None) -> TournamentSpec:
    """Read and validate a tournament spec from a YAML file (or already parsed data).

    Raises:
        TournamentError: the file is missing, not YAML, or invalid; the message names the file
            and the field.
    """
    if isinstance(path_or_data, dict):
        data: Any = path_or_data
        source = source or "tournament spec"
    else:
        p = Path(path_or_data)
        source = source or str(p)
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise TournamentError(f"cannot read tournament spec {p}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise TournamentError(f"{p} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise TournamentError(f"{source}: expected a mapping at the top level (games, competitors, ...)")
    try:
        spec = TournamentSpec.model_validate(data)
    except ValidationError as exc:
        raise TournamentError(_format(exc, source)) from None
    spec.source = None if isinstance(path_or_data, dict) else str(Path(path_or_data).resolve())
    return spec


def spec_digest(spec: TournamentSpec) -> str:
    """A short digest of the spec (for display)."""
    return hashlib.sha256(spec.model_dump_json().encode()).hexdigest()[:12]
