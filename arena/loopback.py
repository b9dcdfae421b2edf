"""A real OpenAI-compatible chat-completions server on 127.0.0.1, with scripted replies and
fault modes. Tests and benchmarks drive the whole model path (litellm, HTTP, parsing) through it.

Each reply is one of:

* a string: the assistant's message content;
* ``{"content": str, "delay": seconds}``: answer after a delay (for timeouts and latency);
* ``{"status": 500}`` / ``{"status": 429, "retry_after": 1}``: an HTTP error (with Retry-After);
* ``{"malformed": True}``: a 200 response whose body is not JSON;
* ``{"drop": True}``: close the connection without answering.

Replies come from a list (consumed in order, the last one repeating) or from a function of the
request's JSON body. Only loopback addresses are ever bound.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["LoopbackLLM"]

ReplySpec = str | dict[str, Any]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class LoopbackLLM:
    """An OpenAI-compatible server for tests and benchmarks.

    Args:
        replies: a list of reply specs (the last repeats) or a function ``body -> reply spec``.
        latency: seconds added before every answer.
        host: must be a loopback address.

    Use as a context manager; ``url`` is the ``api_base`` (``http://127.0.0.1:PORT/v1``).
    """

    def __init__(self, replies: list[ReplySpec] | Callable[[dict[str, Any]], ReplySpec] = ("{}",),  # type: ignore[assignment]
                 latency: float = 0.0, host: str = "127.0.0.1") -> None:
        if not host.startswith("127.") and host not in ("localhost", "::1"):
            raise ValueError("the loopback server only binds loopback addresses")
        self._replies = replies if callable(replies) else list(replies)
        self.latency = latency
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._index = 0
        self._server = _Server((host, 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, name="loopback-llm", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def calls(self) -> int:
        return len(self.requests)

    def start(self) -> "LoopbackLLM":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "LoopbackLLM":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next(self, body: dict[str, Any]) -> ReplySpec:
        with self._lock:
            self.requests.append(body)
            if not callable(self._replies):
                spec = self._replies[min(self._index, len(self._replies) - 1)]
                self._index += 1
                return spec
        return self._replies(body)  # outside the lock: a slow responder must not serialize requests

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def setup(self) -> None:
                super().setup()
                # headers and body go out in separate writes: without this, Nagle's algorithm and
                # the client's delayed ACK add ~40 ms to every response
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # /v1/models, for clients that probe
                self._send(200, json.dumps({"object": "list", "data": [{"id": "loopback", "object": "model"}]}).encode())

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {}
                if not self.path.rstrip("/").endswith("chat/completions"):
                    self._send(404, b'{"error": {"message": "not found"}}')
                    return
                spec = outer._next(body)
                spec = {"content": spec} if isinstance(spec, str) else dict(spec)
                delay = outer.latency + float(spec.get("delay", 0.0))
                if delay:
                    time.sleep(delay)
                if spec.get("drop"):
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if spec.get("malformed"):
                    self._send(200, b"this is not {json")
                    return
                status = int(spec.get("status", 200))
                if status != 200:
                    headers = {"Retry-After": str(spec["retry_after"])} if "retry_after" in spec else {}
                    err = {"error": {"message": spec.get("message", f"simulated {status}"), "type": "server_error",
                                     "code": status}}
                    self._send(status, json.dumps(err).encode(), headers)
                    return
                content = str(spec.get("content", ""))
                prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
                reply = {
                    "id": f"chatcmpl-loopback-{outer.calls}", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model", "loopback"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(content.split()),
                              "total_tokens": prompt_tokens + len(content.split())},
                }
                self._send(200, json.dumps(reply).encode())

        return Handler
