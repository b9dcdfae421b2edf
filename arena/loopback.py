"""A real OpenAI-compatible chat-completions server on 127.0.0.1, with scripted replies and
fault modes. Tests and benchmarks drive the whole model path (the adapter's transport, HTTP,
parsing) through it.

Each reply is a string (the assistant's message content) or a dict. Keys of a dict reply:

Normal answers, with the shape of the JSON changed:

* ``content``: the message content: a string, ``None`` (JSON null) or a list of parts
  (``[{"type": "text", "text": "..."}]``);
* ``reasoning_content``: a reasoning text next to (or instead of) the content;
* ``tool_calls``: a list of tool calls (OpenAI shape) in the message;
* ``finish_reason``: default ``"stop"`` (``"length"`` for a truncated reply);
* ``usage``: a dict replacing the computed usage (a partial one, say);
* ``omit``: top-level keys to leave out of the JSON (``["usage"]``, ``["choices"]``);
* ``choices``: a list replacing the computed choices (``[]``: empty);
* ``json``: any JSON value sent as the whole body (``{"error": {...}}`` with status 200, say).

Errors and misbehaviour:

* ``status``: an HTTP status; a non-200 status sends an OpenAI-style error object
  (``message`` its text) unless ``json`` or ``body`` is given;
* ``retry_after``: the Retry-After header, sent as given (seconds, or an HTTP date string);
* ``headers``: extra response headers;
* ``body`` (with ``content_type``, default ``text/html``): a raw body (an HTML page, say);
* ``malformed``: a 200 response whose body is not JSON;
* ``drop``: close the connection without answering;
* ``reset``: send the headers and half of the body, then reset the connection;
* ``stall``: send the headers and half of the body, wait this many seconds, then the rest;
* ``delay``: answer after a delay (for timeouts and latency);
* ``close``: close the connection after answering, without saying so in the headers (as a
  server's keep-alive timeout does).

Replies come from a list (consumed in order, the last one repeating) or from a function of the
request's JSON body. Only loopback addresses are ever bound. The server keeps the request
bodies (``requests``), their headers (``headers``) and client addresses (``peers``: one per
connection, so reused connections show).
"""

from __future__ import annotations

import json
import socket
import struct
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
        tls: (certificate file, key file) to serve https instead of http.

    Use as a context manager; ``url`` is the ``api_base`` (``http://127.0.0.1:PORT/v1``).
    """

    def __init__(self, replies: list[ReplySpec] | Callable[[dict[str, Any]], ReplySpec] = ("{}",),  # type: ignore[assignment]
                 latency: float = 0.0, host: str = "127.0.0.1", tls: tuple[str, str] | None = None) -> None:
        if not host.startswith("127.") and host not in ("localhost", "::1"):
            raise ValueError("the loopback server only binds loopback addresses")
        self.tls = tls
        self._replies = replies if callable(replies) else list(replies)
        self.latency = latency
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.peers: list[tuple[str, int]] = []  # the client address of each request (one per connection)
        self._lock = threading.Lock()
        self._index = 0
        self._server = _Server((host, 0), self._handler())
        if tls is not None:  # (certificate file, key file): serve https
            import ssl

            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self._server.socket = ctx.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="loopback-llm", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}/v1"

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

    def _next(self, body: dict[str, Any], headers: dict[str, str], peer: tuple[str, int]) -> ReplySpec:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            self.peers.append(peer)
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

            def _head(self, status: int, length: int, headers: dict[str, str] | None = None,
                      content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(length))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None,
                      content_type: str = "application/json") -> None:
                self._head(status, len(body), headers, content_type)
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
                spec = outer._next(body, {k.lower(): v for k, v in self.headers.items()}, self.client_address[:2])
                spec = {"content": spec} if isinstance(spec, str) else dict(spec)
                delay = outer.latency + float(spec.get("delay", 0.0))
                if delay:
                    time.sleep(delay)
                if spec.get("drop"):
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if spec.get("malformed"):
                    self._send(200, b"this is not {json")
                    return
                status = int(spec.get("status", 200))
                headers = dict(spec.get("headers") or {})
                if "retry_after" in spec:
                    headers["Retry-After"] = str(spec["retry_after"])
                content_type = "application/json"
                if "body" in spec:
                    data = spec["body"]
                    payload = data.encode() if isinstance(data, str) else bytes(data)
                    content_type = spec.get("content_type", "text/html; charset=utf-8")
                elif "json" in spec:
                    payload = json.dumps(spec["json"]).encode()
                elif status != 200:
                    err = {"error": {"message": spec.get("message", f"simulated {status}"), "type": "server_error",
                                     "code": status}}
                    payload = json.dumps(err).encode()
                else:
                    payload = json.dumps(self._completion(body, spec)).encode()
                if spec.get("reset") or spec.get("stall"):
                    self._head(status, len(payload), headers, content_type)
                    half = len(payload) // 2
                    self.wfile.write(payload[:half])
                    self.wfile.flush()
                    if spec.get("reset"):  # RST instead of FIN: SO_LINGER with a zero timeout
                        self.close_connection = True
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        self.connection.close()
                        return
                    time.sleep(float(spec["stall"]))
                    try:
                        self.wfile.write(payload[half:])
                    except OSError:  # the client gave up meanwhile
                        self.close_connection = True
                    return
                self._send(status, payload, headers, content_type)
                if spec.get("close"):
                    self.close_connection = True

            @staticmethod
            def _completion(body: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
                content = spec.get("content", "")
                if isinstance(content, list):
                    text = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
                else:
                    text = "" if content is None else str(content)
                    content = None if content is None else text
                message: dict[str, Any] = {"role": "assistant", "content": content}
                if "reasoning_content" in spec:
                    message["reasoning_content"] = spec["reasoning_content"]
                if "tool_calls" in spec:
                    message["tool_calls"] = spec["tool_calls"]
                prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
                completion_tokens = len(text.split()) + len(str(spec.get("reasoning_content", "")).split())
                reply: dict[str, Any] = {
                    "id": f"chatcmpl-loopback-{outer.calls}", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model", "loopback"),
                    "choices": spec.get("choices", [{"index": 0, "message": message,
                                                     "finish_reason": spec.get("finish_reason", "stop")}]),
                    "usage": spec.get("usage", {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                                                "total_tokens": prompt_tokens + completion_tokens}),
                }
                for key in spec.get("omit", ()):
                    reply.pop(key, None)
                return reply

        return Handler
