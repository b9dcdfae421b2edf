"""The tournament folder: committed transcripts and their index (SQLite in WAL mode).

Layout of ``DIR``::

    index.sqlite            one row per committed session (plus a ``meta`` table)
    sessions/<id>.jsonl     the committed transcripts, one per grid cell
    tmp/                    transcripts being written (never read; cleared on every start)
    spec.yaml               a copy of the spec the tournament was started with
    .lock                   held (flock) while a runner works in DIR

Commit protocol for one session:

1. when the session has ended, the runner writes its transcript (kept in memory while the
   session runs) to ``tmp/<id>.<pid>.<nonce>.part``;
2. the file is flushed and fsynced and renamed to
   ``sessions/<id>.jsonl`` (``os.replace``: atomic, replacing a failed attempt's file);
3. the index row (keyed by the session id) is written and committed.

A crash before 2 leaves only a ``.part`` file, deleted on the next start, and the cell is played
again. A crash between 2 and 3 leaves a transcript without a row: :meth:`TournamentIndex.reconcile`
rebuilds the row from the transcript (it carries the cell in its tags); the same happens when a
retry was renamed over a failed attempt's file and the crash came before its row (the file's
size and mtime no longer match the row). A row whose file is missing, or no longer a complete
transcript, is deleted (with the file) and the cell is played again. Ids are deterministic, so a cell has at most one
file and one row: nothing is lost and nothing is counted twice.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from ..transcript import Transcript, TranscriptError, read_transcript
from .spec import TournamentError

__all__ = ["ReconcileReport", "SessionRecord", "TournamentIndex"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,
    cell TEXT NOT NULL,
    game TEXT NOT NULL,
    seed INTEGER NOT NULL,
    repetition INTEGER NOT NULL,
    first TEXT NOT NULL,
    second TEXT NOT NULL,
    seats TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    outcome TEXT,
    error TEXT,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL,
    cost_known INTEGER NOT NULL DEFAULT 1,
    prior_cost_usd REAL NOT NULL DEFAULT 0,
    path TEXT,
    bytes INTEGER,
    mtime_ns INTEGER,
    attempts INTEGER NOT NULL DEFAULT 1,
    wall_s REAL,
    finished_at TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass
class SessionRecord:
    """One index row. ``cost_usd`` is the known part of the cost of the attempt whose transcript
    is committed; ``cost_known`` is False when some model call's price was unknown;
    ``prior_cost_usd`` is what earlier, failed attempts of the cell cost (money spent all the
    same). ``path`` is relative to the tournament folder (None for a failure that left no
    transcript)."""

    session_id: str
    cell: str
    game: str
    seed: int
    repetition: int
    first: str
    second: str
    seats: str  # JSON {role: competitor}
    status: str
    outcome: str | None = None
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = 0.0
    cost_known: bool = True
    prior_cost_usd: float = 0.0
    path: str | None = None
    bytes: int | None = None
    mtime_ns: int | None = None
    attempts: int = 1
    wall_s: float | None = None
    finished_at: str | None = None

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def spent(self) -> float:
        """The known cost of every attempt of this cell."""
        return (self.cost_usd or 0.0) + self.prior_cost_usd

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> SessionRecord:
        data = {f.name: row[f.name] for f in fields(cls)}
        data["cost_known"] = bool(data["cost_known"])
        return cls(**data)


@dataclass
class ReconcileReport:
    """What :meth:`TournamentIndex.reconcile` repaired."""

    partial_removed: int = 0
    recovered: int = 0
    dropped_rows: int = 0
    dropped_files: int = 0

    def describe(self) -> str:
        parts = []
        if self.partial_removed:
            parts.append(f"{self.partial_removed} unfinished session(s) discarded (they will be played again)")
        if self.recovered:
            parts.append(f"{self.recovered} committed transcript(s) without an index row recovered")
        if self.dropped_rows:
            parts.append(f"{self.dropped_rows} index row(s) without a usable transcript dropped (played again)")
        if self.dropped_files:
            parts.append(f"{self.dropped_files} unusable transcript file(s) removed")
        return "; ".join(parts)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class TournamentIndex:
    """The index of one tournament folder. Open with :meth:`open`; one writer at a time.

    Args:
        root: the tournament folder.
        lock: hold an exclusive lock on the folder (runners do; readers need not).
    """

    def __init__(self, root: str | Path, lock: bool = True) -> None:
        self.root = Path(root)
        self.sessions_dir = self.root / "sessions"
        self.tmp_dir = self.root / "tmp"
        self._lock: IO[str] | None = None
        self.root.mkdir(parents=True, exist_ok=True)
        if lock:
            self._acquire()
        self.sessions_dir.mkdir(exist_ok=True)
        self.tmp_dir.mkdir(exist_ok=True)
        self.db = sqlite3.connect(self.root / "index.sqlite", isolation_level=None, timeout=30.0)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across process crashes
        self.db.executescript(_SCHEMA)

    @staticmethod
    def exists(root: str | Path) -> bool:
        return (Path(root) / "index.sqlite").exists()

    def _acquire(self) -> None:
        fh = open(self.root / ".lock", "a+", encoding="utf-8")  # noqa: SIM115 (held until close)
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise TournamentError(f"another tournament runner is working in {self.root} "
                                  "(wait for it, or stop it first)") from None
        self._lock = fh

    def close(self) -> None:
        self.db.close()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> TournamentIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ meta
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # ------------------------------------------------------------------ rows
    def records(self) -> dict[str, SessionRecord]:
        return {r["session_id"]: SessionRecord.from_row(r) for r in self.db.execute("SELECT * FROM sessions")}

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])

    def upsert(self, record: SessionRecord) -> None:
        """Write one row and commit it (the last step of a session's commit)."""
        data = asdict(record)
        data["cost_known"] = int(record.cost_known)
        cols = ", ".join(data)
        marks = ", ".join("?" for _ in data)
        self.db.execute(f"INSERT OR REPLACE INTO sessions ({cols}) VALUES ({marks})", tuple(data.values()))

    def delete(self, session_id: str) -> None:
        self.db.execute("DELETE FROM sessions WHERE session_id = ?", (session_id,))

    # ------------------------------------------------------------------ files
    def transcript_path(self, session_id: str) -> Path:
        return self.sessions_dir / f"{session_id}.jsonl"

    def tmp_path(self, session_id: str) -> Path:
        return self.tmp_dir / f"{session_id}.{os.getpid()}.{os.urandom(4).hex()}.part"

    def publish(self, tmp: Path, session_id: str, fsync: bool = True) -> tuple[str, int, int]:
        """Step 2: make a finished transcript visible under its final name, atomically.

        Returns the path relative to the folder, the file's size and its mtime in nanoseconds
        (the row records both, so that a file replaced after the row was written is noticed).
        """
        if fsync:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        final = self.transcript_path(session_id)
        st = tmp.stat()
        os.replace(tmp, final)
        if fsync:
            _fsync_dir(self.sessions_dir)
        return str(final.relative_to(self.root)), st.st_size, st.st_mtime_ns

    # ------------------------------------------------------------------ recovery
    def reconcile(self, rebuild: Callable[[Transcript, Path], SessionRecord | None]) -> ReconcileReport:
        """Bring the folder and the index into agreement after a crash (see the module docstring).

        Args:
            rebuild: makes the row of a complete committed transcript (None if it is not a
                session of this tournament).
        """
        report = ReconcileReport()
        for part in self.tmp_dir.iterdir():
            part.unlink(missing_ok=True)
            report.partial_removed += 1
        rows = self.records()
        for sid, rec in rows.items():
            if rec.path is None:
                continue  # a failure that left no transcript: nothing to check
            path = self.root / rec.path
            try:
                st: os.stat_result | None = path.stat()
            except OSError:
                st = None
            if st is not None and (st.st_size, st.st_mtime_ns) == (rec.bytes, rec.mtime_ns):
                continue
            fixed = self._rebuild(path, rebuild) if st is not None else None
            if fixed is not None and fixed.session_id == sid:
                if _same_result(fixed, rec):  # the same transcript, e.g. the folder was copied
                    fixed.attempts, fixed.prior_cost_usd = rec.attempts, rec.prior_cost_usd
                else:  # a retry renamed over a failed attempt, then a crash before its row
                    fixed.attempts = rec.attempts + 1
                    fixed.prior_cost_usd = rec.spent
                    report.recovered += 1
                fixed.wall_s, fixed.finished_at = fixed.wall_s or rec.wall_s, fixed.finished_at or rec.finished_at
                self.upsert(fixed)
            else:
                self.delete(sid)
                path.unlink(missing_ok=True)
                report.dropped_rows += 1
        for path in sorted(self.sessions_dir.glob("*.jsonl")):
            if path.stem in rows:
                continue
            fixed = self._rebuild(path, rebuild)
            if fixed is not None and fixed.session_id == path.stem:
                self.upsert(fixed)
                report.recovered += 1
            else:
                path.unlink(missing_ok=True)
                report.dropped_files += 1
        return report

    def _rebuild(self, path: Path, rebuild: Callable[[Transcript, Path], SessionRecord | None]) -> SessionRecord | None:
        try:
            t = read_transcript(path)
        except TranscriptError:
            return None
        if t.end is None:
            return None
        rec = rebuild(t, path)
        if rec is not None:
            st = path.stat()
            rec.path, rec.bytes, rec.mtime_ns = str(path.relative_to(self.root)), st.st_size, st.st_mtime_ns
        return rec

    def iter_transcripts(self, status: str | None = "ok") -> Iterator[tuple[SessionRecord, Path]]:
        """Committed sessions (by default the successful ones) with their transcript paths."""
        for rec in self.records().values():
            if rec.path is not None and (status is None or rec.status == status):
                yield rec, self.root / rec.path


def _same_result(a: SessionRecord, b: SessionRecord) -> bool:
    keys = ("status", "outcome", "error", "prompt_tokens", "completion_tokens", "bytes")
    return all(getattr(a, k) == getattr(b, k) for k in keys)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def dump_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
