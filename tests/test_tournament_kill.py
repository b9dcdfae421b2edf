"""kill -9 a tournament at random moments, resume it, and find every session exactly once."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import yaml

from arena.tournament import TournamentIndex, expand_grid, load_tournament_spec
from tests.conftest import REPO
from tests.test_tournament import check_folder

SPEC = {
    "name": "kill",
    "games": ["buyer-seller", "supplier-contract", "ultimatum"],
    "seeds": {"start": 0, "count": 12},
    "competitors": ["boulware", "linear", "conceder", "tit-for-tat"],
    "concurrency": 6,
}


def _start(spec: Path, out: Path, resume: bool) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "arena.cli_tournament", "tournament", str(spec), "--out", str(out), "--quiet"]
    return subprocess.Popen(args + (["--resume"] if resume else []), cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO)})


def _committed(out: Path) -> int:
    if not TournamentIndex.exists(out):
        return 0
    db = sqlite3.connect(f"file:{out / 'index.sqlite'}?mode=ro", uri=True, timeout=30)
    try:
        return int(db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0
    finally:
        db.close()


def test_sigkill_at_random_points_then_resume_leaves_exactly_the_full_grid(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    expected = {c.session_id for c in expand_grid(load_tournament_spec(spec))}
    out = tmp_path / "t"
    rng = random.Random(20240611)
    progress = []
    kills = 0
    for attempt in range(4):
        proc = _start(spec, out, resume=attempt > 0)
        before = _committed(out)
        # kill at a random moment: often mid-run, sometimes while it is still starting
        target = before + rng.randint(5, 40)
        deadline_polls = rng.randint(20, 200)
        for _ in range(deadline_polls):
            if proc.poll() is not None or _committed(out) >= target:
                break
            time.sleep(0.02)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        progress.append(_committed(out))
    assert kills >= 1, "the run finished before any kill; the grid is too small for this machine"
    assert progress == sorted(progress)  # committed sessions survive every kill
    final = _start(spec, out, resume=True)
    _, err = final.communicate()
    assert final.returncode == 0, err.decode()
    check_folder(out, expected)
    with TournamentIndex(out, lock=False) as index:
        rows = index.records()
    assert len(rows) == len(expected) and all(r.status == "ok" for r in rows.values())
