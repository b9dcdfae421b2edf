"""A real uvicorn server running the arena web app in a thread, on a free 127.0.0.1 port."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType

from arena.web.server import ArenaServer, make_server

__all__ = ["LiveServer"]


class LiveServer:
    """``with LiveServer(data_dir) as srv: httpx.get(srv.url + "/")``; stopping it shuts the app
    down the way Ctrl-C does (sessions are cancelled, to be resumed by the next server)."""

    def __init__(self, data: Path, transcripts: list[Path] | None = None, api_base: str | None = None) -> None:
        self.data = data
        self.transcripts = transcripts
        self.api_base = api_base
        self.server: ArenaServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> "LiveServer":
        # proto IPPROTO_TCP: asyncio sets TCP_NODELAY only on such sockets (proto 0 costs every
        # keep-alive response a 40 ms delayed-ACK stall)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        self.server = make_server("127.0.0.1", port, self.data, self.transcripts, self.api_base)
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, name="arena-web",
                                        daemon=True)
        self._thread.start()
        while not self.server.started:  # startup includes resuming open sessions
            if not self._thread.is_alive():
                raise RuntimeError("the web server did not start")
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        if self.server is not None and self._thread is not None:
            self.server.should_exit = True
            self._thread.join()
            self.server = None

    @property
    def app(self):  # type: ignore[no-untyped-def]
        assert self.server is not None
        return self.server.arena_app

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
