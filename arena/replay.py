"""Replays of transcripts: step through them, re-parse, re-score, and fork at turn k.

Everything here reads only a transcript (and the game it carries), so it works the same on live
runs, web sessions and imported corpora. Forks and resumed sessions use :class:`ReplayAgent`:
it says what a seat said before, in order (every attempt), then hands the seat to another agent.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .actions import Action
from .agents.base import Agent, AgentError, Observation, Reply, make_agent, parse_agent_spec
from .game import Game
from .parsing import ParseContext, parse
from .runner import SessionConfig, run_session
from .space import Bundle
from .transcript import (
    AgentConfig,
    ParsedEvent,
    StateEvent,
    Transcript,
    TranscriptError,
    Utterance,
    VerdictEvent,
    iter_events,
)

__all__ = ["Difference", "ForkError", "ReplayAgent", "Step", "agent_config", "bundle_neutral", "divergence", "fork",
           "logged_replies", "read_partial", "reparse", "rescore", "steps"]

Key = tuple[int, int, str]


class ForkError(ValueError):
    """A fork cannot be made as asked; the message is meant for the user."""


class ReplayAgent:
    """Says the logged replies first, in order, then lets ``then`` play the seat.

    Args:
        replies: what the seat said before (every attempt, repairs included, in order).
        then: the agent that takes over when the replies run out (None: running out is an error).
        config: the config recorded in the new transcript (default: ``then``'s).
    """

    def __init__(self, replies: Sequence[Reply | str], then: Agent | None = None,
                 config: AgentConfig | None = None) -> None:
        self._replies: deque[Reply] = deque(r if isinstance(r, Reply) else Reply(text=r) for r in replies)
        self.then = then
        self.config = config or getattr(then, "config", None) or AgentConfig(name="replay")

    @property
    def remaining(self) -> int:
        """How many logged replies are still to be said."""
        return len(self._replies)

    async def act(self, observation: Observation) -> Reply:
        if self._replies:
            return self._replies.popleft()
        if self.then is None:
            raise RuntimeError("the replay ran out of logged messages and no agent takes over")
        return await self.then.act(observation)


def read_partial(path: str | Path) -> Transcript:
    """Read a transcript that may have been cut off mid-write (a server crash): a last line that
    is not a whole event is dropped. Any other damage raises :class:`TranscriptError`."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise TranscriptError(f"cannot read transcript {p}: {exc.strerror}") from None
    try:
        t = Transcript(iter_events(lines, str(p)), p)
    except TranscriptError:
        if not lines:
            raise
        t = Transcript(iter_events(lines[:-1], str(p)), p)
    t.start  # noqa: B018  (validates the first event)
    return t


def logged_replies(t: Transcript, role: str, before_turn: int | None = None, usage: bool = True) -> list[Reply]:
    """Every utterance of ``role`` (all attempts, in order), of turns before ``before_turn``."""
    return [Reply(text=u.text, intended=u.intended, prompts=list(u.prompts), usage=u.usage if usage else None)
            for u in t.of_kind("utterance") if u.role == role and (before_turn is None or u.turn < before_turn)]


def bundle_neutral(game: Game, bundle: Bundle) -> str:
    """A bundle in words from no side's perspective ("books: Alice 2, Bob 1; price=$2400")."""
    parts = []
    for issue in game.space.issues:
        if issue.name not in bundle:
            continue
        v = bundle[issue.name]
        recipient = getattr(issue, "recipient", None)
        if recipient and isinstance(v, (int, float)):
            other = game.other(recipient)
            parts.append(f"{issue.name}: {game.roles[recipient].label} {v:g}, "
                         f"{game.roles[other].label} {issue.max - v:g}")  # type: ignore[union-attr]
        else:
            parts.append(game.space.describe({issue.name: v}))
    extra = [k for k in bundle if k not in game.space.names]
    parts += [f"{k}={bundle[k]!r} (no such issue)" for k in extra]
    return "; ".join(parts)


def _move_words(game: Game, action: Action) -> str:
    if action.kind == "offer":
        return "offer: " + bundle_neutral(game, action.bundle)  # type: ignore[union-attr]
    return action.kind.replace("_", " ")


@dataclass
class Step:
    """One attempt of one turn, as the replay viewers show it."""

    turn: int
    attempt: int
    role: str
    label: str
    text: str
    move: str                       # the parsed move in words, or why none was read
    parsed_ok: bool
    method: str                     # structured / prose / extractor, or the failure code
    verdict: str | None             # "ok", "code: message", or None (imported corpora)
    accepted: bool                  # whether the move was applied (imported: it parsed)
    arguments: list[str] = field(default_factory=list)
    bundle: Bundle | None = None    # what an offer proposes or an accept agrees to
    utilities: dict[str, float] | None = None  # both roles' (undiscounted) utility of ``bundle``

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _walk(t: Transcript) -> list[tuple[Utterance, Bundle | None, str | None]]:
    """Each utterance with the standing offer (and its author) when it was said."""
    imported = not t.of_kind("verdict")
    out: list[tuple[Utterance, Bundle | None, str | None]] = []
    standing: Bundle | None = None
    by: str | None = None
    for e in t.events:
        if isinstance(e, Utterance):
            out.append((e, standing, by))
        elif isinstance(e, StateEvent):
            standing, by = e.standing, e.standing_by
        elif imported and isinstance(e, ParsedEvent) and e.result.ok and e.result.action.kind == "offer":
            standing, by = dict(e.result.action.bundle), e.role  # type: ignore[union-attr]
    return out


def steps(t: Transcript) -> list[Step]:
    """Every attempt of every turn: text, parsed move, verdict and both sides' utilities."""
    game = t.game()
    parsed: dict[Key, ParsedEvent] = {}
    for p in t.of_kind("parsed"):  # the extractor's event, when there is one, comes second and wins
        parsed[(p.turn, p.attempt, p.role)] = p
    verdicts: dict[Key, VerdictEvent] = {(v.turn, v.attempt, v.role): v for v in t.of_kind("verdict")}
    imported = not verdicts
    out = []
    for u, standing, _ in _walk(t):
        key = (u.turn, u.attempt, u.role)
        p, v = parsed.get(key), verdicts.get(key)
        step = Step(turn=u.turn, attempt=u.attempt, role=u.role, label=game.roles[u.role].label, text=u.text,
                    move="(not parsed)", parsed_ok=False, method="", verdict=None, accepted=False)
        if p is not None and p.result.ok:
            action = p.result.action  # type: ignore[union-attr]
            step.parsed_ok, step.method, step.move = True, p.result.method, _move_words(game, action)
            step.arguments = [f"{a.kind}: {a.text}" for a in action.arguments]
            if action.kind == "offer":
                step.bundle = dict(action.bundle)
            elif action.kind == "accept" and standing is not None:
                step.bundle = dict(standing)
        elif p is not None:
            step.method, step.move = p.result.code, f"no move read: {p.result.reason}"  # type: ignore[union-attr]
        if v is not None:
            step.verdict = "ok" if v.verdict.ok else f"{v.verdict.code}: {v.verdict.message}"  # type: ignore[union-attr]
        step.accepted = (v is not None and v.verdict.ok) or (imported and step.parsed_ok)
        if step.bundle is not None and not game.space.problems(step.bundle):
            step.utilities = {r: round(game.utility(r, step.bundle), 6) for r in game.role_names}
        out.append(step)
    return out


@dataclass(frozen=True)
class Difference:
    """A logged message the current parser reads differently."""

    turn: int
    attempt: int
    role: str
    text: str
    before: str
    after: str


def _result_words(game: Game, result: Any) -> str:
    if result is None:
        return "(not parsed)"
    if result.ok:
        a = result.action
        args = "".join(f" [{x.kind}: {x.text}]" for x in a.arguments)
        return _move_words(game, a) + args
    return f"no move ({result.code})"


def reparse(t: Transcript) -> list[Difference]:
    """Run the current parser over every logged message (with the standing offer it was said
    under) and list each message whose move would now be read differently."""
    game = t.game()
    logged: dict[Key, ParsedEvent] = {}
    for p in t.of_kind("parsed"):
        logged.setdefault((p.turn, p.attempt, p.role), p)  # the deterministic parse, not the extractor's
    diffs = []
    for u, standing, by in _walk(t):
        old = logged.get((u.turn, u.attempt, u.role))
        if old is not None and old.result.ok and old.result.method == "given":  # type: ignore[union-attr]
            continue  # not read from the text: nothing to re-read
        new = parse(u.text, ParseContext(game, u.role, standing, by))
        old_key = None if old is None else old.result.model_dump(include={"ok", "action", "code"})
        if old_key != new.model_dump(include={"ok", "action", "code"}):
            diffs.append(Difference(u.turn, u.attempt, u.role, u.text,
                                    _result_words(game, old.result if old else None), _result_words(game, new)))
    return diffs


def rescore(t: Transcript) -> dict[str, Any]:
    """The session's utilities recomputed from its game with the current code, next to the logged
    ones: ``{"logged": {...}, "now": {...}, "changed": [roles]}``."""
    game = t.game()
    end = t.end
    if end is None:
        return {"logged": {}, "now": {}, "changed": [], "note": "the session did not finish"}
    agreement = end.agreement if end.outcome == "agreement" else None
    now = game.utilities(agreement, end.agreement_round or 1)
    changed = [r for r in now if abs(now[r] - end.utilities.get(r, float("nan"))) > 1e-9 or r not in end.utilities]
    return {"logged": dict(end.utilities), "now": now, "changed": changed}


def agent_config(spec: str, api_base: str | None = None) -> AgentConfig:
    """An agent config from a spec string; model strings (provider/name) become ``llm`` seats
    with ``api_base`` unless the spec names its own."""
    config = parse_agent_spec(spec)
    if "/" in config.name:
        args = {"model": config.name, **config.args}
        if api_base and "api_base" not in args:
            args["api_base"] = api_base
        return AgentConfig(name="llm", args=args)
    return config


def _remake(t: Transcript, role: str, spec: str | AgentConfig | None, seed: int) -> Agent:
    config = spec if spec is not None else t.start.agents.get(role)
    if config is None or (isinstance(config, AgentConfig) and config.name in ("human", "replay")):
        raise ForkError(f"{role}'s seat was a {config.name if config else 'missing'} agent and cannot be "
                        f"re-created; name an agent to continue {role}'s side")
    try:
        return make_agent(config, seed)
    except AgentError as exc:
        raise ForkError(str(exc)) from None


def fork(parent: str | Path | Transcript, turn: int, agent: str | AgentConfig | None = None, side: str | None = None,
         message: str | None = None, other: str | AgentConfig | None = None, out: str | Path | None = None,
         seed: int | None = None) -> Transcript:
    """Continue a negotiation from turn ``turn`` with a different agent or an edited message.

    Turns before ``turn`` are replayed from the parent's logged messages (every attempt, in
    order). From ``turn`` on, ``side`` (default: the role that spoke at that turn) is played by
    ``agent``; with ``message`` that side first says ``message`` and then ``agent`` (default: its
    original agent) takes over. The other side continues with ``other`` (default: its original
    agent, re-created from the transcript). The new transcript's ``session_start.parent`` is
    ``{"transcript": path, "turn": turn}``.

    Raises:
        ForkError: the turn, side or agents do not fit the parent.
    """
    import asyncio

    t = parent if isinstance(parent, Transcript) else read_partial(parent)
    game = t.game()
    utterances = t.of_kind("utterance")
    last = max((u.turn for u in utterances), default=0)
    if turn < 1 or turn > last + 1:
        raise ForkError(f"turn must be between 1 and {last + 1} (the parent has {last} turns), not {turn}")
    if agent is None and message is None:
        raise ForkError("a fork needs a different agent or an edited message (or both)")
    if side is None:
        at = [u.role for u in utterances if u.turn == turn]
        if not at:
            raise ForkError(f"nobody spoke at turn {turn}; name the side to fork")
        side = at[0]
    if side not in game.role_names:
        raise ForkError(f"unknown side {side!r}; the roles are {', '.join(game.role_names)}")
    seed = t.start.seed if seed is None else seed
    seats: dict[str, Agent] = {}
    for role in game.role_names:
        before = logged_replies(t, role, before_turn=turn, usage=False)
        if role == side:
            then = _remake(t, role, agent, seed)
            replies = before + ([Reply(text=message)] if message is not None else [])
        else:
            then = _remake(t, role, other, seed)
            replies = before
        seats[role] = ReplayAgent(replies, then)
    opts = t.start.options
    tags = {"fork": {"side": side, "agent": (agent if isinstance(agent, str) else agent.name) if agent else None,
                     "message": message is not None}}
    config = SessionConfig(repair_budget=opts.get("repair_budget"), max_turns=opts.get("max_turns"),
                           arguments=opts.get("arguments"), tags=tags,
                           parent={"transcript": str(t.path) if t.path else None, "turn": turn})
    return asyncio.run(run_session(game, seats, seed=seed, out=out, config=config))


def divergence(parent: Transcript, child: Transcript, turn: int) -> int | None:
    """The first turn before ``turn`` at which the replayed child was read differently from the
    parent (the parser changed since), or None when the replay is faithful."""
    def moves(t: Transcript) -> list[tuple[int, str, Any]]:
        return [(p.turn, p.role, p.result.model_dump(include={"ok", "action", "code"}))
                for p in t.of_kind("parsed") if p.turn < turn]
    for a, b in zip(moves(parent), moves(child)):
        if a != b:
            return a[0]
    return None
