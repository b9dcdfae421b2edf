"""Live web sessions: people's seats, the session task, change notification, resume on restart.

A person's seat is an :class:`~arena.agents.base.Agent` whose ``act`` waits for the text the
person submits (one asyncio queue per seat). Each session runs :func:`arena.runner.run_session`
as a background task in the server's event loop and writes its transcript as it goes. On
restart, every session whose transcript has no ``session_end`` is resumed: each seat first says
again what it said before (:class:`arena.replay.ReplayAgent`), which rebuilds the state through
the same parser, referee and protocol, then the person (or the agent) takes over.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..agents.base import Agent, Observation, Reply, make_agent
from ..game import Game, load_game
from ..replay import ReplayAgent, agent_config, logged_replies, read_partial
from ..runner import SessionConfig, run_session
from ..transcript import AgentConfig, Transcript, TranscriptError
from .seatview import seat_brief
from .store import SeatRecord, SessionRecord, hash_token, list_records, new_session_id, new_token, token_matches

__all__ = ["LiveSession", "SessionManager", "WebSeat"]


class WebSeat:
    """A person at a web page: ``act`` waits until they submit a message."""

    def __init__(self, role: str) -> None:
        self.role = role
        self.config = AgentConfig(name="human", args={"seat": "web"})
        self.observation: Observation | None = None
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._waiting = False

    @property
    def your_turn(self) -> bool:
        """Whether the session waits for this person and nothing is queued yet."""
        return self._waiting and self._queue.empty()

    async def act(self, observation: Observation) -> Reply:
        self.observation = observation
        self._waiting = True
        try:
            text = await self._queue.get()
        finally:
            self._waiting = False
        return Reply(text=text)

    def submit(self, text: str) -> bool:
        """Hand the waiting session one message; False when it is not this seat's turn."""
        if not self.your_turn:
            return False
        self._queue.put_nowait(text)
        return True


class _Watched:
    """Calls ``on_act`` each time the wrapped agent is asked to move (all earlier events of the
    session are on disk by then), so pages learn about every move as it happens."""

    def __init__(self, agent: Agent, on_act: Callable[[], None]) -> None:
        self.agent = agent
        self.config = agent.config
        self._on_act = on_act

    async def act(self, observation: Observation) -> Reply:
        self._on_act()
        return await self.agent.act(observation)


class LiveSession:
    """One web session in this server: its record, seats, background task and change counter."""

    def __init__(self, record: SessionRecord, data: Path, game: Game) -> None:
        self.record = record
        self.data = data
        self.game = game
        self.path = record.transcript_path(data)
        self.seats: dict[str, WebSeat] = {}
        self.task: asyncio.Task[Transcript] | None = None
        self.failure: str | None = None
        self.version = 0
        self._changed = asyncio.Event()
        self._replays: list[ReplayAgent] = []
        self._backup = self.path.with_name(self.path.name + ".bak")
        self._briefs: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------ notification
    def notify(self) -> None:
        """Something changed: wake every page waiting on this session."""
        self.version += 1
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait(self, seen: int, timeout: float) -> int:
        """Wait until the version differs from ``seen`` (or ``timeout`` seconds pass)."""
        if self.version == seen:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout)
        return self.version

    def _on_act(self) -> None:
        if self._replays and all(r.remaining == 0 for r in self._replays):
            self._replays = []
            self._backup.unlink(missing_ok=True)  # the replayed moves are on disk again
        self.notify()

    # ------------------------------------------------------------------ seats
    def brief(self, role: str) -> dict[str, Any]:
        """The unchanging part of ``role``'s page (computed once)."""
        if role not in self._briefs:
            self._briefs[role] = seat_brief(self.game, role)
        return self._briefs[role]

    def role_for(self, token: str | None) -> str | None:
        """The role this token opens, or None."""
        for role, seat in self.record.seats.items():
            if token_matches(token, seat):
                return role
        return None

    def transcript(self) -> Transcript | None:
        """The transcript as written so far (None before its first event)."""
        try:
            return read_partial(self.path)
        except (TranscriptError, IndexError):
            return None

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    # ------------------------------------------------------------------ running
    def start(self, resume: bool = False) -> None:
        """Start the session task; with ``resume``, replay what the transcript already holds."""
        prior: Transcript | None = None
        if resume:
            if self._backup.exists():  # the last resume was cut off mid-replay: start from its copy
                self._backup.replace(self.path)
            prior = self.transcript() if self.path.exists() else None
            if prior is not None and prior.end is not None:
                return
            if prior is not None:
                shutil.copyfile(self.path, self._backup)
                self.game = prior.game()
        agents: dict[str, Agent] = {}
        for role in self.game.role_names:
            seat = self.record.seats[role]
            base: Agent
            if seat.kind == "human":
                base = self.seats[role] = WebSeat(role)
            else:
                assert seat.agent is not None
                base = make_agent(seat.agent, self.record.seed)
            replies = logged_replies(prior, role) if prior is not None else []
            if replies:
                replay = ReplayAgent(replies, base)
                self._replays.append(replay)
                base = replay
            agents[role] = _Watched(base, self._on_act)
        config = SessionConfig(session_id=self.record.session_id, tags={"web": True})
        self.task = asyncio.create_task(run_session(self.game, agents, seed=self.record.seed, out=self.path,
                                                    config=config), name=f"session-{self.record.session_id}")
        self.task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Transcript]) -> None:
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            self.failure = f"{type(exc).__name__}: {exc}"
        if not task.cancelled():
            self._backup.unlink(missing_ok=True)
        self.notify()

    async def stop(self) -> None:
        """Cancel the task (the transcript stays open, to be resumed)."""
        if self.task is not None and not self.task.done():
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task


class SessionManager:
    """All web sessions of one server, kept under ``data`` (transcripts and seat records).

    Args:
        data: the sessions folder.
        games: the games people may choose (name -> spec path); default: the shipped ones.
        api_base: default OpenAI-compatible server for model strings without their own.
    """

    def __init__(self, data: Path, games: dict[str, Path], api_base: str | None = None) -> None:
        self.data = data
        self.games = games
        self.api_base = api_base
        self.sessions: dict[str, LiveSession] = {}
        self.closing = False

    def create(self, game: str, seed: int, seats: dict[str, str],
               api_base: str | None = None) -> tuple[LiveSession, dict[str, str]]:
        """Start a session; ``seats`` maps each role to "human" or an agent spec (model strings
        use ``api_base``, or the manager's default).

        Returns the session and each person's raw token (shown once, never stored).

        Raises:
            GameError, AgentError, MissingKeyError: the user's choices do not work.
        """
        from ..game import GameError

        if game not in self.games:
            raise GameError(f"unknown game {game!r}; choose one of {', '.join(self.games)}")
        g = load_game(self.games[game], seed=seed)
        if set(seats) != set(g.role_names):
            raise GameError(f"seats must be given for the roles {', '.join(g.role_names)}")
        tokens: dict[str, str] = {}
        records: dict[str, SeatRecord] = {}
        for role, spec in seats.items():
            if spec == "human":
                tokens[role] = new_token()
                records[role] = SeatRecord(kind="human", token_sha256=hash_token(tokens[role]))
            else:
                config = agent_config(spec, api_base or self.api_base)
                make_agent(config, seed)  # a bad name, argument or missing key fails here, not later
                records[role] = SeatRecord(kind="agent", agent=config)
        if not tokens:
            raise GameError("a web session needs at least one person at the table")
        record = SessionRecord(session_id=new_session_id(), game=game, seed=seed, seats=records)
        record.save(self.data)
        live = LiveSession(record, self.data, g)
        self.sessions[record.session_id] = live
        live.start()
        return live, tokens

    def resume_all(self) -> list[str]:
        """Load every session in the folder; resume those that have not ended. Returns their ids."""
        resumed = []
        for record in list_records(self.data):
            if record.session_id in self.sessions:
                continue
            spec: Any = self.games.get(record.game, record.game)
            try:
                live = LiveSession(record, self.data, load_game(spec, seed=record.seed))
            except Exception:  # noqa: BLE001  (a game that no longer loads: leave the session be)
                continue
            self.sessions[record.session_id] = live
            try:
                live.start(resume=True)
            except Exception as exc:  # noqa: BLE001  (one broken session must not stop the server)
                live.failure = f"could not resume: {type(exc).__name__}: {exc}"
                continue
            if live.task is not None:
                resumed.append(record.session_id)
        return resumed

    def get(self, session_id: str) -> LiveSession | None:
        return self.sessions.get(session_id)

    def stop_streams(self) -> None:
        """Ask every open event stream to end (the server is shutting down)."""
        self.closing = True
        for live in self.sessions.values():
            live.notify()

    async def close(self) -> None:
        """Stop streams and cancel running sessions; their transcripts are resumed next start."""
        self.stop_streams()
        await asyncio.gather(*(live.stop() for live in self.sessions.values()))
