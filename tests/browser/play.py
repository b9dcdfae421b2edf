"""Driving a web session over HTTP (httpx), and the strings that must never reach a seat."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from arena.agents.views import preference_rows
from arena.game import load_game
from arena.web.seatview import own_observation

__all__ = ["Seat", "private_strings"]


def private_strings(game: str, role: str, seed: int = 0) -> list[str]:
    """What only ``role`` may see: its brief and its preference rows (as its own page shows them),
    plus the words of a utility spec (a leaked game spec would contain them)."""
    g = load_game(game, seed=seed)
    rows = [r["values"] for r in preference_rows(own_observation(g, role))]
    return [x for x in (g.roles[role].spec.brief, *rows, "intercept", "slope", '"linear-additive"') if x]


class Seat:
    """One person's seat in a session, through the HTTP API. Every response body is kept in
    ``bodies`` so a test can scan all of it."""

    def __init__(self, client: httpx.Client, link: str) -> None:
        self.client = client
        self.link = link
        self.session_id = link.split("/play/")[1].split("?")[0]
        self.token = link.split("t=")[1]
        self.bodies: list[str] = []

    def _keep(self, r: httpx.Response) -> httpx.Response:
        self.bodies.append(r.text)
        return r

    def page(self) -> httpx.Response:
        return self._keep(self.client.get(self.link))

    def state(self) -> dict[str, Any]:
        r = self._keep(self.client.get(f"/api/s/{self.session_id}/state", headers={"X-Seat-Token": self.token}))
        r.raise_for_status()
        return r.json()["state"]

    def post(self, what: str, **body: Any) -> httpx.Response:
        return self._keep(self.client.post(f"/api/s/{self.session_id}/{what}", json=body,
                                           headers={"X-Seat-Token": self.token}))

    def say(self, text: str = "", wait: bool = True, **extra: Any) -> dict[str, Any]:
        """Send a message; with ``wait``, return the state once it is this seat's turn again."""
        r = self.post("say", text=text, **extra)
        assert r.status_code == 200, r.text
        return self.wait(lambda s: s["your_turn"] or s["ended"]) if wait else self.state()

    def wait(self, ready: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Poll the state until ``ready`` (a safety net of a minute against a hang, not a limit)."""
        for _ in range(6000):
            s = self.state()
            if ready(s):
                return s
            time.sleep(0.01)
        raise AssertionError(f"the session never got ready: {s}")
