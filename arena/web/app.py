"""The web app (FastAPI): a start page, one page per person's seat, and the replay viewer.

Routes:
    ``GET /``, ``GET /api/games``, ``POST /api/sessions``: create a session (returns each
    person's link, with its seat token);
    ``GET /play/{id}?t=TOKEN``: a person's page; ``GET /api/s/{id}/state``,
    ``POST /api/s/{id}/preview``, ``POST /api/s/{id}/say`` (token in ``X-Seat-Token``) and
    ``GET /api/s/{id}/events?t=TOKEN`` (server-sent events: the session changed);
    ``GET /replay``, ``GET /replay/{root}/{file}``, ``GET /plot/{root}/{file}``: transcripts.

The seat is always the one the token opens; no request names a role. Pages are built from the
viewer's own role only (:mod:`arena.web.seatview`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.middleware.trustedhost import TrustedHostMiddleware

from ..agents.base import AgentError, agent_names
from ..game import GameError, available_games, load_spec
from ..models import MissingKeyError
from .live import LiveSession, SessionManager
from .pages import ReplayLibrary, render
from .seatview import SayIn, compose, preview, seat_state
from .security import SecurityMiddleware, require_json
from .store import SESSION_ID

__all__ = ["create_app"]

HERE = Path(__file__).parent
STREAM_SECONDS = 25.0  # an event stream ends after this; the browser reconnects by itself


class CreateIn(BaseModel):
    """A new session: the game, the person's role and who sits opposite."""

    model_config = ConfigDict(extra="forbid")

    game: str = Field(max_length=100)
    seed: int = Field(default=0, ge=0, le=10**9)
    role: str | None = Field(default=None, max_length=64)
    opponent: str = Field(default="linear", min_length=1, max_length=300)
    api_base: str | None = Field(default=None, max_length=300)


def create_app(data: str | Path = "arena-sessions", transcripts: list[Path] | None = None,
               api_base: str | None = None, allowed_hosts: list[str] | None = None) -> FastAPI:
    """Build the app.

    Args:
        data: the sessions folder (transcripts and seat records); open sessions found there are
            resumed at startup.
        transcripts: more folders whose transcripts the replay viewer shows (read-only).
        api_base: default OpenAI-compatible server for model opponents without their own.
        allowed_hosts: accepted Host headers (default: any); serve on loopback with the loopback
            names only, against DNS rebinding.
    """
    data = Path(data)
    games = dict(available_games())
    manager = SessionManager(data, games, api_base)
    library = ReplayLibrary([data, *(transcripts or [])], manager)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        manager.resume_all()
        yield
        await manager.close()

    app = FastAPI(title="negotiation-arena", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.manager = manager
    app.add_middleware(SecurityMiddleware)
    if allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def live_session(session_id: str) -> LiveSession:
        live = manager.get(session_id) if SESSION_ID.match(session_id) else None
        if live is None:
            raise HTTPException(404, "no such session")
        return live

    def seat(live: LiveSession, token: str | None) -> str:
        role = live.role_for(token)
        if role is None:
            raise HTTPException(403, "this link's seat token is wrong or missing")
        return role

    def header_seat(session_id: str, request: Request) -> tuple[LiveSession, str]:
        live = live_session(session_id)
        return live, seat(live, request.headers.get("x-seat-token"))

    # ------------------------------------------------------------------ start page
    @app.get("/", response_class=HTMLResponse)
    def start_page() -> HTMLResponse:
        return render("start.html", agents=agent_names())

    public_games: list[dict[str, Any]] = []

    @app.get("/api/games")
    def list_games() -> list[dict[str, Any]]:
        """The games people may choose: names, titles and role labels only (public)."""
        if not public_games:
            for name, path in games.items():
                spec = load_spec(path)
                public_games.append({"name": name, "title": spec.title or name,
                                     "roles": [{"name": r.name, "label": r.label or r.name} for r in spec.roles]})
        return public_games

    @app.post("/api/sessions", dependencies=[Depends(require_json)])
    async def create_session(body: CreateIn) -> dict[str, Any]:
        try:
            spec = load_spec(games[body.game]) if body.game in games else None
            if spec is None:
                raise GameError(f"unknown game {body.game!r}")
            roles = [r.name for r in spec.roles]
            me = body.role or roles[0]
            if me not in roles:
                raise GameError(f"unknown role {me!r}; the roles are {', '.join(roles)}")
            other = roles[1] if me == roles[0] else roles[0]
            seats = {me: "human", other: "human" if body.opponent.strip() == "human" else body.opponent}
            live, tokens = manager.create(body.game, body.seed, seats, api_base=body.api_base)
        except (GameError, AgentError, MissingKeyError) as exc:
            raise HTTPException(400, str(exc)) from None
        links = {role: f"/play/{live.record.session_id}?t={token}" for role, token in tokens.items()}
        return {"session_id": live.record.session_id, "links": links}

    # ------------------------------------------------------------------ a person's seat
    @app.get("/play/{session_id}", response_class=HTMLResponse)
    async def play_page(session_id: str, t: str | None = Query(default=None, max_length=256)) -> HTMLResponse:
        live = live_session(session_id)
        seat(live, t)
        return render("play.html", session_id=session_id)

    @app.get("/api/s/{session_id}/state")
    async def state(session_id: str, request: Request) -> dict[str, Any]:
        live, role = header_seat(session_id, request)
        seat_obj = live.seats.get(role)
        t = live.transcript()
        arguments = bool(t.start.options.get("arguments", True)) if t else True
        return {"session_id": session_id, "version": live.version, "seat": live.brief(role),
                "state": seat_state(live.game, role, t, seat_obj.observation if seat_obj else None,
                                    bool(seat_obj and seat_obj.your_turn), arguments, live.running),
                "failure": live.failure}

    @app.post("/api/s/{session_id}/preview", dependencies=[Depends(require_json)])
    async def preview_message(session_id: str, body: SayIn, request: Request) -> dict[str, Any]:
        live, role = header_seat(session_id, request)
        seat_obj = live.seats[role]
        return preview(live.game, role, body, seat_obj.observation if seat_obj.your_turn else None,
                       live.transcript(), seat_obj.your_turn)

    @app.post("/api/s/{session_id}/say", dependencies=[Depends(require_json)])
    async def say(session_id: str, body: SayIn, request: Request) -> dict[str, Any]:
        live, role = header_seat(session_id, request)
        seat_obj = live.seats[role]
        if not seat_obj.your_turn or seat_obj.observation is None:
            raise HTTPException(409, "it is not your turn")
        obs = seat_obj.observation
        from ..parsing import ParseContext

        try:
            text = compose(live.game, role, body, ParseContext(live.game, role, obs.standing, obs.standing_by))
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        if not seat_obj.submit(text):
            raise HTTPException(409, "it is not your turn")
        live.notify()
        return {"sent": True}

    @app.get("/api/s/{session_id}/events")
    async def events(session_id: str, request: Request,
                     t: str | None = Query(default=None, max_length=256)) -> StreamingResponse:
        live = live_session(session_id)
        seat(live, t)

        async def stream() -> AsyncIterator[str]:
            loop = asyncio.get_running_loop()
            until = loop.time() + STREAM_SECONDS
            seen = -1
            yield "retry: 1000\n\n"
            while not manager.closing and loop.time() < until:
                if live.version != seen:
                    seen = live.version
                    yield f"data: {seen}\n\n"
                    continue
                if await request.is_disconnected():
                    break
                await live.wait(seen, timeout=min(5.0, max(0.0, until - loop.time())))

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    # ------------------------------------------------------------------ replays
    @app.get("/replay", response_class=HTMLResponse)
    def replay_index() -> HTMLResponse:
        return render("replay_index.html", entries=library.entries())

    @app.get("/replay/{root}/{name:path}", response_class=HTMLResponse)
    def replay_page(root: int, name: str) -> HTMLResponse:
        return render("replay.html", **library.page(root, name))

    @app.get("/plot/{root}/{name:path}")
    async def replay_plot(root: int, name: str) -> Response:
        png = await library.plot(root, name)
        return Response(png, media_type="image/png")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return render("error.html", status_code=exc.status_code, code=exc.status_code, message=str(exc.detail))

    return app
