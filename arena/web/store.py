"""What the server keeps about a web session beside its transcript: the seats (a person with the
sha256 of their token, or an agent config), the game and the seed, in ``<id>.seats.json``.

Raw seat tokens are never stored: the links handed out at creation carry them, and a request's
token is hashed and compared in constant time. The transcript (``<id>.jsonl``) holds no token.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..transcript import AgentConfig

__all__ = ["SeatRecord", "SessionRecord", "hash_token", "list_records", "new_session_id", "new_token",
           "token_matches"]

SESSION_ID = re.compile(r"^[0-9a-f]{16}$")


class SeatRecord(BaseModel):
    """One seat: a person (``token_sha256``) or an agent (``agent``)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["human", "agent"]
    token_sha256: str | None = None
    agent: AgentConfig | None = None


class SessionRecord(BaseModel):
    """A web session's setup; enough to resume it after a restart (with its transcript)."""

    model_config = ConfigDict(extra="forbid")

    session_id: str
    game: str
    seed: int
    seats: dict[str, SeatRecord]
    created_at: str = Field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def path(self, data: Path) -> Path:
        return data / f"{self.session_id}.seats.json"

    def transcript_path(self, data: Path) -> Path:
        return data / f"{self.session_id}.jsonl"

    def save(self, data: Path) -> None:
        """Write the record atomically, readable only by this user."""
        data.mkdir(parents=True, exist_ok=True)
        target = self.path(data)
        tmp = target.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(self.model_dump_json(indent=1))
        tmp.replace(target)


def new_session_id() -> str:
    """A random session id (also the transcript's file name)."""
    return secrets.token_hex(8)


def new_token() -> str:
    """An unguessable seat token (192 bits)."""
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def token_matches(token: str | None, record: SeatRecord) -> bool:
    """Whether ``token`` opens this seat (constant-time comparison of the hashes)."""
    if not token or record.kind != "human" or not record.token_sha256 or len(token) > 256:
        return False
    return secrets.compare_digest(hash_token(token), record.token_sha256)


def list_records(data: Path) -> list[SessionRecord]:
    """Every session record in ``data`` (unreadable ones are skipped)."""
    out = []
    for p in sorted(data.glob("*.seats.json")):
        try:
            record = SessionRecord.model_validate_json(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if SESSION_ID.match(record.session_id):
            out.append(record)
    return out
