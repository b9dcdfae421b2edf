"""Running the app under uvicorn: one process, one worker (sessions live in its event loop).

:class:`ArenaServer` ends every open event stream before uvicorn waits for connections to
close, so a shutdown never hangs on a browser's open stream; running sessions are cancelled
without a ``session_end`` and resumed at the next start.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from .app import create_app

__all__ = ["ArenaServer", "loopback_hosts", "make_server", "serve"]


class ArenaServer(uvicorn.Server):
    """A uvicorn server that closes the app's event streams first when it shuts down."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self.arena_app = app

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.arena_app.state.manager.stop_streams()
        await super().shutdown(sockets)


def loopback_hosts(host: str) -> list[str] | None:
    """Allowed Host headers: the loopback names when serving on loopback (against DNS
    rebinding), any otherwise."""
    try:
        loop = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loop = False
    return ["127.0.0.1", "localhost", "[::1]", "::1"] if loop else None


def make_server(host: str = "127.0.0.1", port: int = 8000, data: str | Path = "arena-sessions",
                transcripts: list[Path] | None = None, api_base: str | None = None,
                log_level: str = "warning") -> ArenaServer:
    """A configured server (call ``.run()``, or ``.run(sockets=[...])`` with a bound socket)."""
    app = create_app(data, transcripts=transcripts, api_base=api_base, allowed_hosts=loopback_hosts(host))
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=3,
                            lifespan="on", access_log=False)
    return ArenaServer(config, app)


def serve(host: str = "127.0.0.1", port: int = 8000, data: str | Path = "arena-sessions",
          transcripts: list[Path] | None = None, api_base: str | None = None) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM: open sessions are resumed at the next start)."""
    server = make_server(host, port, data, transcripts, api_base, log_level="info")
    try:
        server.run()
    except KeyboardInterrupt:  # uvicorn re-raises the signal once it has shut down cleanly
        pass
