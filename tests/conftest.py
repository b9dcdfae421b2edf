"""Shared test fixtures. Tests never touch the network: any non-loopback connection fails."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False
    return True  # AF_UNIX paths and the like stay on this machine


def _guarded_connect(self: socket.socket, address: object) -> object:
    if not _is_loopback(address):
        raise ConnectionRefusedError(f"tests may not reach the network (tried {address!r})")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_loopback(address):
        raise ConnectionRefusedError(f"tests may not reach the network (tried {address!r})")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    yield


def strip_volatile(jsonl: str) -> str:
    """A transcript's text without the fields that differ between identical runs."""
    import json

    out = []
    for line in jsonl.splitlines():
        ev = json.loads(line)
        if ev.get("kind") == "session_start":
            ev.pop("session_id", None)
            ev.pop("created_at", None)
        out.append(json.dumps(ev, sort_keys=True))
    return "\n".join(out)
