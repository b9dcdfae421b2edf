"""The direct HTTP transport: HTTP/1.1 (h11 framing) over asyncio, keep-alive connections pooled
per event loop, for OpenAI-compatible servers."""

from __future__ import annotations

import asyncio
from typing import Any

from .failures import _Failure, _one_line


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection. The request goes out in the caller's own step (no
    writer task) and the answer completes one future: the fewest event-loop hops per call."""

    def __init__(self) -> None:
        import h11

        self._h11 = h11
        self.h = h11.Connection(h11.CLIENT)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[tuple[int, dict[str, str], bytes]] | None = None
        self.closed = False
        self.got_bytes = False
        self._status = 0
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []

    # asyncio callbacks
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.got_bytes = True
        try:
            self.h.receive_data(data)
        except RuntimeError:  # data after the connection was marked closed
            self.abort()
            return
        self._pump()

    def eof_received(self) -> bool:
        self.closed = True
        try:
            self.h.receive_data(b"")
        except RuntimeError:
            pass
        self._pump()
        self._fail(ConnectionResetError("the server closed the connection"))
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(exc or ConnectionResetError("the connection was closed"))

    # the exchange
    def _fail(self, exc: BaseException) -> None:
        w = self.waiter
        if w is not None and not w.done():
            w.set_exception(exc)

    def _pump(self) -> None:
        h11 = self._h11
        while True:
            try:
                event = self.h.next_event()
            except h11.RemoteProtocolError as exc:
                if self.closed:  # the server hung up mid-answer
                    self._fail(ConnectionResetError(_one_line(exc, 200)))
                else:
                    self._fail(_Failure(f"APIConnectionError: the answer is not valid HTTP ({_one_line(exc, 200)})",
                                        True))
                self.abort()
                return
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return
            if isinstance(event, h11.Response):
                self._status = event.status_code
                self._headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in event.headers}
            elif isinstance(event, h11.Data):
                self._body.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                w = self.waiter
                if w is not None and not w.done():
                    w.set_result((self._status, self._headers, b"".join(self._body)))
                return
            elif isinstance(event, h11.ConnectionClosed):
                self._fail(ConnectionResetError("the server closed the connection before answering"))
                return
            # InformationalResponse (1xx): skipped

    def request(self, target: str, headers: list[tuple[str, str]], body: bytes) -> asyncio.Future[tuple[int, dict[str, str], bytes]]:
        h11 = self._h11
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self._status, self._headers, self._body = 0, {}, []
        data = self.h.send(h11.Request(method="POST", target=target, headers=headers))
        data += self.h.send(h11.Data(data=body))  # type: ignore[operator]
        data += self.h.send(h11.EndOfMessage())  # type: ignore[operator]
        self.transport.write(data)
        return self.waiter

    def timed_out(self) -> None:
        self._fail(asyncio.TimeoutError())

    def reusable(self) -> bool:
        h11 = self._h11
        if self.closed or self.h.our_state is not h11.DONE or self.h.their_state is not h11.DONE:
            return False
        self.h.start_next_cycle()
        self.got_bytes = False
        return True

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()


_POOLS: dict[asyncio.AbstractEventLoop, dict[tuple[str, str, int], list[_Connection]]] = {}
_KEEPERS: dict[asyncio.AbstractEventLoop, Any] = {}
_SSL: list[Any] = []


async def _keeper(pools: dict[tuple[str, str, int], list[_Connection]]) -> Any:
    """An async generator that owns a loop's idle connections: ``asyncio.run`` closes every live
    async generator of its loop before closing the loop, and so closes them cleanly."""
    try:
        yield
    finally:
        for idle in pools.values():
            for conn in idle:
                conn.abort()
        pools.clear()


async def _pool() -> dict[tuple[str, str, int], list[_Connection]]:
    loop = asyncio.get_running_loop()
    pools = _POOLS.get(loop)
    if pools is None:
        for old in [lp for lp in list(_POOLS) if lp.is_closed()]:  # loops that are gone
            _POOLS.pop(old, None)
            _KEEPERS.pop(old, None)
        pools = _POOLS[loop] = {}
        keeper = _KEEPERS[loop] = _keeper(pools)
        await keeper.__anext__()
    return pools


def _ssl_context() -> Any:
    if not _SSL:
        import ssl

        _SSL.append(ssl.create_default_context())
    return _SSL[0]


async def _http_post(url: str, headers: dict[str, str], body: bytes, timeout: float) -> tuple[int, dict[str, str], bytes]:
    """POST ``body`` to ``url``; the status, the headers (lower-case names) and the body.

    Raises:
        _Failure: the connection failed or the answer did not come in ``timeout`` seconds.
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Failure(f"invalid api_base URL {url!r} (expected http://host:port/...)", False)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    key = (parts.scheme, parts.hostname, port)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    idle = (await _pool()).setdefault(key, [])
    conn = None
    while idle:
        candidate = idle.pop()
        if not candidate.closed:
            conn = candidate
            break
    try:
        if conn is None:
            _, conn = await asyncio.wait_for(
                loop.create_connection(_Connection, parts.hostname, port, ssl=_ssl_context() if secure else None,
                                       server_hostname=parts.hostname if secure else None), timeout)
    except asyncio.TimeoutError:
        raise _Failure(f"Timeout: no connection to {parts.hostname}:{port} within {timeout:g} s", True) from None
    except OSError as exc:
        import ssl

        final = isinstance(exc, ssl.SSLCertVerificationError)
        raise _Failure(f"APIConnectionError: cannot connect to {parts.hostname}:{port} "
                       f"({type(exc).__name__}: {_one_line(exc, 200)})", not final) from None
    host = parts.netloc.rsplit("@", 1)[-1]
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = [("Host", host), ("Content-Length", str(len(body))), *headers.items()]
    timer = loop.call_at(deadline, conn.timed_out)
    try:
        status, rheaders, raw = await conn.request(target, request, body)
    except asyncio.TimeoutError:
        conn.abort()
        raise _Failure(f"Timeout: no complete answer within {timeout:g} s", True) from None
    except _Failure:
        conn.abort()
        raise
    except OSError as exc:
        conn.abort()
        what = "the connection was lost before the answer was complete" if conn.got_bytes else \
            "the connection was closed before any answer"
        raise _Failure(f"APIConnectionError: {what} ({type(exc).__name__}: {_one_line(exc, 200) or 'reset'})",
                       True) from None
    except BaseException:  # cancelled: the connection's state is unknown
        conn.abort()
        raise
    finally:
        timer.cancel()
    if conn.reusable():
        idle.append(conn)
    else:
        conn.abort()
    encoding = rheaders.get("content-encoding", "identity").lower()
    if encoding in ("gzip", "deflate"):
        import zlib

        try:
            raw = zlib.decompress(raw, 31 if encoding == "gzip" else 15)
        except zlib.error:
            pass  # left as is: reported as not JSON below
    return status, rheaders, raw


_PROXIED: dict[str, bool] = {}


def _proxied(url: str) -> bool:
    """Whether the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) sends ``url``
    through a proxy; the direct transport does not speak to proxies, litellm does. Read once per
    URL and process, as HTTP clients read it once per client."""
    if url not in _PROXIED:
        import urllib.request
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        proxies = urllib.request.getproxies_environment()
        _PROXIED[url] = bool(proxies.get(parts.scheme) or proxies.get("all")) and \
            not urllib.request.proxy_bypass_environment(parts.hostname or "", proxies)
    return _PROXIED[url]
