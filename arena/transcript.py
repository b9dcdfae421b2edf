"""The transcript: one typed, versioned JSONL log of discriminated events per session.

Every line is one event with a ``kind``. Scores, reports and replays are all computed from it:
the ``session_start`` event carries the resolved game spec, so a transcript alone determines
the scores. A change of shape bumps :data:`SCHEMA_VERSION` and keeps a reader for the old one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .actions import Action
from .parsing.result import Parsed, ParseFailure
from .space import Bundle
from .verdicts import Ok, Violation

__all__ = [
    "SCHEMA_VERSION",
    "AgentConfig",
    "Event",
    "ParsedEvent",
    "PromptRef",
    "SessionEnd",
    "SessionStart",
    "StateEvent",
    "Transcript",
    "TranscriptError",
    "TranscriptWriter",
    "Usage",
    "Utterance",
    "VerdictEvent",
    "read_transcript",
]

SCHEMA_VERSION = 1


class TranscriptError(ValueError):
    """A transcript file is missing, malformed or of an unknown version."""


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AgentConfig(BaseModel):
    """How to re-create an agent: its registered name and arguments."""

    model_config = ConfigDict(extra="forbid")

    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class PromptRef(BaseModel):
    """Which template produced a message, and the sha256 of that template's source."""

    template: str
    sha256: str


class Usage(BaseModel):
    """Model usage of one call; ``cost_usd`` None means unknown (never silently 0)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    latency_s: float = 0.0
    cached: bool = False


class SessionStart(_Event):
    kind: Literal["session_start"] = "session_start"
    schema_version: int = SCHEMA_VERSION
    session_id: str
    game: dict[str, Any]
    seed: int
    agents: dict[str, AgentConfig]
    options: dict[str, Any] = Field(default_factory=dict)
    created_at: str = Field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    parent: dict[str, Any] | None = None
    source: str = "arena"


class Utterance(_Event):
    """What an agent said on one attempt of one turn (attempt 0 first, then repairs).

    ``prompts`` lists every template rendered to produce the message (name and sha256).
    """

    kind: Literal["utterance"] = "utterance"
    turn: int
    attempt: int = 0
    role: str
    text: str
    intended: Action | None = None
    prompts: list[PromptRef] = Field(default_factory=list)
    usage: Usage | None = None


class ParsedEvent(_Event):
    """A parse of one utterance. A failed parse may be followed by a second event of the same
    turn and attempt from the LLM extractor (``result.method == "extractor"``, with its usage)."""

    kind: Literal["parsed"] = "parsed"
    turn: int
    attempt: int = 0
    role: str
    result: Parsed | ParseFailure
    usage: Usage | None = None


class VerdictEvent(_Event):
    kind: Literal["verdict"] = "verdict"
    turn: int
    attempt: int = 0
    role: str
    verdict: Ok | Violation


class StateEvent(_Event):
    kind: Literal["state"] = "state"
    turn: int
    round: int
    to_move: str
    standing: Bundle | None = None
    standing_by: str | None = None
    ended: bool = False


class SessionEnd(_Event):
    kind: Literal["session_end"] = "session_end"
    outcome: Literal["agreement", "disagreement", "forfeit", "error"]
    agreement: Bundle | None = None
    agreement_round: int | None = None
    utilities: dict[str, float]
    reason: str = ""
    forfeit_by: str | None = None
    rounds: int = 0
    turns: int = 0


Event = Annotated[
    Union[SessionStart, Utterance, ParsedEvent, VerdictEvent, StateEvent, SessionEnd],
    Field(discriminator="kind"),
]
_event_adapter: TypeAdapter[Event] = TypeAdapter(Event)


# ---------------------------------------------------------------------- fast event constructors
# The runner logs four events per move from objects that are validated already (actions, parse
# results, verdicts, bundles of plain values). These build exactly the event the validating
# constructor builds, without validating again, when every value has the type validation keeps
# as it is; anything else goes through the constructor.
_new = object.__new__
_set = object.__setattr__
_PLAIN = (str, int, float)


def _model(cls: type[BaseModel], values: dict[str, Any], given: tuple[str, ...]) -> Any:
    obj = _new(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", set(given))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def _action_types() -> frozenset[type]:
    from .actions import Accept, Offer, ProposeRegion, Reject, Say, WalkAway

    return frozenset((Offer, Accept, Reject, WalkAway, Say, ProposeRegion))


_ACTIONS = _action_types()
_UTTERANCE = ("turn", "attempt", "role", "text", "intended", "prompts", "usage")
_PARSED = ("turn", "attempt", "role", "result")
_VERDICT = ("turn", "attempt", "role", "verdict")
_STATE = ("turn", "round", "to_move", "standing", "standing_by", "ended")


def utterance_event(turn: int, attempt: int, role: str, text: str, intended: Any, prompts: list[PromptRef],
                    usage: Usage | None) -> Utterance:
    """``Utterance(turn=..., attempt=..., role=..., text=..., intended=..., prompts=..., usage=...)``."""
    if type(turn) is int and type(attempt) is int and type(role) is str and type(text) is str \
            and (intended is None or type(intended) in _ACTIONS) and type(prompts) is list \
            and all(type(p) is PromptRef for p in prompts) and (usage is None or type(usage) is Usage):
        return _model(Utterance, {"kind": "utterance", "turn": turn, "attempt": attempt, "role": role, "text": text,
                                  "intended": intended, "prompts": list(prompts), "usage": usage}, _UTTERANCE)
    return Utterance(turn=turn, attempt=attempt, role=role, text=text, intended=intended, prompts=prompts, usage=usage)


def parsed_event(turn: int, attempt: int, role: str, result: Parsed | ParseFailure) -> ParsedEvent:
    """``ParsedEvent(turn=..., attempt=..., role=..., result=...)``."""
    if type(turn) is int and type(attempt) is int and type(role) is str and type(result) in (Parsed, ParseFailure):
        return _model(ParsedEvent, {"kind": "parsed", "turn": turn, "attempt": attempt, "role": role, "result": result,
                                    "usage": None}, _PARSED)
    return ParsedEvent(turn=turn, attempt=attempt, role=role, result=result)


def verdict_event(turn: int, attempt: int, role: str, verdict: Ok | Violation) -> VerdictEvent:
    """``VerdictEvent(turn=..., attempt=..., role=..., verdict=...)``."""
    if type(turn) is int and type(attempt) is int and type(role) is str and type(verdict) in (Ok, Violation):
        return _model(VerdictEvent, {"kind": "verdict", "turn": turn, "attempt": attempt, "role": role,
                                     "verdict": verdict}, _VERDICT)
    return VerdictEvent(turn=turn, attempt=attempt, role=role, verdict=verdict)


def state_event(turn: int, round: int, to_move: str, standing: Bundle | None, standing_by: str | None,
                ended: bool) -> StateEvent:
    """``StateEvent(turn=..., round=..., to_move=..., standing=..., standing_by=..., ended=...)``."""
    plain = type(turn) is int and type(round) is int and type(to_move) is str and type(ended) is bool \
        and (standing_by is None or type(standing_by) is str) and (standing is None or type(standing) is dict)
    if plain and standing is not None:
        for k, v in standing.items():
            if type(k) is not str or type(v) not in _PLAIN:
                plain = False
                break
    if plain:
        return _model(StateEvent, {"kind": "state", "turn": turn, "round": round, "to_move": to_move,
                                   "standing": None if standing is None else dict(standing),
                                   "standing_by": standing_by, "ended": ended}, _STATE)
    return StateEvent(turn=turn, round=round, to_move=to_move, standing=standing, standing_by=standing_by, ended=ended)


class Transcript:
    """An ordered list of events with convenient views."""

    def __init__(self, events: Iterable[Any], path: Path | None = None) -> None:
        self.events: list[Any] = list(events)
        self.path = path

    @property
    def start(self) -> SessionStart:
        first = self.events[0] if self.events else None
        if not isinstance(first, SessionStart):
            where = f"{self.path}: " if self.path is not None else ""
            if first is None:
                raise TranscriptError(f"{where}the transcript is empty (a transcript begins with a session_start "
                                      "event)")
            raise TranscriptError(f"{where}a transcript must begin with a session_start event")
        return first

    @property
    def end(self) -> SessionEnd | None:
        last = self.events[-1] if self.events else None
        return last if isinstance(last, SessionEnd) else None

    def of_kind(self, kind: str) -> list[Any]:
        return [e for e in self.events if e.kind == kind]

    def game(self) -> Any:
        """The resolved game this session was played in."""
        from .game import Game, parse_spec

        return Game(parse_spec(self.start.game, "transcript game"))

    def to_jsonl(self) -> str:
        return "".join(e.model_dump_json(exclude_none=False) + "\n" for e in self.events)


class TranscriptWriter:
    """Appends events to a JSONL file, flushing after every event so nothing is lost on a crash.

    Use as a context manager; ``path=None`` keeps events in memory only.
    """

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path is not None else None
        self.events: list[Any] = []
        self._fh: IO[str] | None = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("w", encoding="utf-8")

    def write(self, event: Any) -> None:
        self.events.append(event)
        if self._fh is not None:
            self._fh.write(event.model_dump_json() + "\n")
            self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> "TranscriptWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transcript(self) -> Transcript:
        return Transcript(self.events, self.path)


def _upgrade(raw: dict[str, Any], version: int) -> dict[str, Any]:
    """Bring an event of an older schema version to the current one (none exist yet)."""
    return raw


def iter_events(lines: Iterable[str], source: str = "transcript") -> Iterator[Any]:
    version = SCHEMA_VERSION
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            hint = "; a transcript has one JSON event per line (JSONL)" if number == 1 else ""
            raise TranscriptError(f"{source}, line {number}: not JSON ({exc.msg}){hint}") from None
        if not isinstance(raw, dict):
            raise TranscriptError(f"{source}, line {number}: an event must be a JSON object")
        if raw.get("kind") == "session_start":
            version = int(raw.get("schema_version", 0))
            if version > SCHEMA_VERSION:
                raise TranscriptError(f"{source}: schema version {version} is newer than this arena "
                                      f"understands ({SCHEMA_VERSION}); upgrade negotiation-arena")
        try:
            yield _event_adapter.validate_python(_upgrade(raw, version))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in err["loc"])
            raise TranscriptError(f"{source}, line {number}: invalid {raw.get('kind', 'event')} event "
                                  f"({loc}: {err['msg']})") from None


def read_transcript(path: str | Path) -> Transcript:
    """Read and validate a transcript file.

    Raises:
        TranscriptError: the file is missing, not JSONL, or holds an invalid event.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TranscriptError(f"{p} is not a transcript: not UTF-8 text (a transcript is a JSONL file)") from None
    except OSError as exc:
        raise TranscriptError(f"cannot read transcript {p}: {exc.strerror}") from None
    t = Transcript(iter_events(text.splitlines(), str(p)), p)
    t.start  # noqa: B018  (validates the first event)
    return t
