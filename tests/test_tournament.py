"""Tournaments: the spec, the grid, the commit protocol and its recovery, scripted runs."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
import yaml

from arena.tournament import (
    RunOptions,
    TournamentError,
    TournamentIndex,
    TournamentRunner,
    expand_grid,
    load_tournament_spec,
    run_tournament,
)
from arena.transcript import read_transcript
from tests.conftest import REPO

SMALL = {
    "name": "small",
    "games": ["buyer-seller", {"game": "supplier-contract", "seeds": [3]}],
    "seeds": [0, 1],
    "competitors": ["boulware", "linear", {"name": "soft", "agent": "conceder"}],
    "concurrency": 4,
}


def write_spec(tmp_path: Path, data: dict, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def grid_ids(spec: dict) -> set[str]:
    return {c.session_id for c in expand_grid(load_tournament_spec(spec))}


def check_folder(out: Path, expected: set[str]) -> None:
    """Every cell exactly once: one row, one complete transcript, nothing else."""
    with TournamentIndex(out, lock=False) as index:
        rows = index.records()
    assert set(rows) == expected
    files = {p.stem for p in (out / "sessions").glob("*.jsonl")}
    assert files == {sid for sid, r in rows.items() if r.path is not None}
    assert not list((out / "tmp").iterdir())
    for sid in files:
        t = read_transcript(out / "sessions" / f"{sid}.jsonl")
        assert t.end is not None and t.start.session_id == sid
        assert rows[sid].bytes == (out / "sessions" / f"{sid}.jsonl").stat().st_size


# ---------------------------------------------------------------------- spec and grid
def test_example_spec_loads_and_is_scripted_only() -> None:
    spec = load_tournament_spec(REPO / "examples" / "tournament.yaml")
    assert all(c.model is None for c in spec.competitors)
    cells = expand_grid(spec)
    assert len(cells) == len({c.session_id for c in cells}) == 4 * 3 * 10 * 2


@pytest.mark.parametrize("data, field", [
    ({"games": ["logrolling"], "competitors": ["boulware", {"name": "x"}]}, "competitors.1.agent"),
    ({"games": ["logrolling"], "competitors": ["boulware", "no-such-agent"]}, "competitors.1"),
    ({"games": ["logrolling"], "competitors": ["boulware", "linear"], "pairings": "swiss"}, "pairings.mode"),
    ({"games": ["logrolling"], "competitors": ["boulware", "linear"], "seeds": {"begin": 2}}, "seeds"),
    ({"games": ["logrolling"], "competitors": ["boulware", "linear"], "concurency": 3}, "concurency"),
    ({"games": [], "competitors": ["boulware", "linear"]}, "games"),
])
def test_spec_errors_name_the_file_and_the_field(tmp_path: Path, data: dict, field: str) -> None:
    path = write_spec(tmp_path, data)
    with pytest.raises(TournamentError) as err:
        load_tournament_spec(path)
    assert str(path) in str(err.value) and f"{field}:" in str(err.value)


def test_grid_round_robin_both_orders_and_one_vs_field() -> None:
    spec = load_tournament_spec({**SMALL, "repetitions": 2})
    cells = expand_grid(spec)
    # (2 seeds of buyer-seller + 1 of supplier-contract) x 3 pairs x 2 orders x 2 repetitions
    assert len(cells) == 3 * 3 * 2 * 2
    assert len({c.key for c in cells}) == len(cells)
    swapped = {(c.game, c.seed, c.repetition, c.seats) for c in cells}
    assert all((c.game, c.seed, c.repetition, c.seats[::-1]) in swapped for c in cells)
    assert [c.session_id for c in cells] == [c.session_id for c in expand_grid(spec)]  # deterministic
    assert {c.agent_seed for c in cells if c.repetition == 0} == {0, 1, 3}
    assert all(c.agent_seed != c.seed for c in cells if c.repetition == 1)
    field = load_tournament_spec({**SMALL, "pairings": {"mode": "one-vs-field", "focus": ["soft"]},
                                  "both_orders": False, "self_play": True})
    pairs = {c.pair for c in expand_grid(field)}
    assert pairs == {("soft", "soft"), ("soft", "boulware"), ("soft", "linear")}


# ---------------------------------------------------------------------- runs
def test_scripted_tournament_commits_every_cell_once_and_resume_is_a_no_op(tmp_path: Path) -> None:
    out = tmp_path / "t"
    seen: list[int] = []
    result = run_tournament(load_tournament_spec(write_spec(tmp_path, SMALL)), out,
                            on_update=lambda p: seen.append(p.running))
    expected = grid_ids(SMALL)
    assert result.complete and result.ok == result.total == result.ran == len(expected) and result.failed == 0
    assert max(seen) == 4  # the concurrency limit was reached, never passed
    check_folder(out, expected)
    t = read_transcript(next((out / "sessions").glob("*.jsonl")))
    tags = t.start.options["tags"]
    assert tags["tournament"] == "small" and set(tags["seats"]) == set(t.start.agents)
    assert (out / "spec.yaml").exists()
    again = run_tournament(load_tournament_spec(SMALL), out, RunOptions(resume=True))
    assert again.ran == 0 and again.ok == len(expected)
    with pytest.raises(TournamentError, match="--resume"):
        run_tournament(load_tournament_spec(SMALL), out)


def test_resume_grows_the_grid_but_refuses_a_changed_competitor(tmp_path: Path) -> None:
    out = tmp_path / "t"
    run_tournament(load_tournament_spec(SMALL), out)
    bigger = {**SMALL, "seeds": [0, 1, 2]}
    result = run_tournament(load_tournament_spec(bigger), out, RunOptions(resume=True))
    assert result.ran == 3 * 2 and result.ok == len(grid_ids(bigger))
    changed = {**SMALL, "competitors": ["boulware", "linear", {"name": "soft", "agent": "linear(e=3)"}]}
    with pytest.raises(TournamentError, match="competitor soft"):
        run_tournament(load_tournament_spec(changed), out, RunOptions(resume=True))


def test_a_second_runner_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    runner = TournamentRunner(load_tournament_spec(SMALL), tmp_path / "t")
    runner.open()
    try:
        with pytest.raises(TournamentError, match="another tournament runner"):
            TournamentRunner(load_tournament_spec(SMALL), tmp_path / "t", RunOptions(resume=True)).open()
    finally:
        runner.close()


def test_reconcile_after_crashes_between_and_within_the_commit_steps(tmp_path: Path) -> None:
    out = tmp_path / "t"
    run_tournament(load_tournament_spec(SMALL), out)
    expected = grid_ids(SMALL)
    a, b, c = sorted(expected)[:3]
    with TournamentIndex(out) as index:
        index.delete(a)  # crash after the rename, before the row: a transcript without a row
        (out / "sessions" / f"{b}.jsonl").unlink()  # a row without its transcript
        path = out / "sessions" / f"{c}.jsonl"  # a torn file under a row: size no longer matches
        path.write_text(path.read_text().splitlines()[0] + "\n")
        (out / "tmp" / f"{a}.123.ab.part").write_text("{")  # an unfinished session
        (out / "sessions" / "0000000000000000.jsonl").write_text("not a transcript\n")
    result = run_tournament(load_tournament_spec(SMALL), out, RunOptions(resume=True))
    rep = result.reconcile
    assert (rep.recovered, rep.dropped_rows, rep.dropped_files, rep.partial_removed) == (1, 2, 1, 1)
    assert result.ran == 2 and result.ok == len(expected)  # b and c played again, a recovered as is
    check_folder(out, expected)


def test_crash_between_rename_and_row_is_recovered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "t"
    real = TournamentIndex.upsert
    calls = {"n": 0}

    class Crash(BaseException):
        pass

    def crashing(self: TournamentIndex, record: object) -> None:
        calls["n"] += 1
        if calls["n"] == 5:
            raise Crash  # the process dies here: transcript renamed, row not written
        real(self, record)  # type: ignore[arg-type]

    monkeypatch.setattr(TournamentIndex, "upsert", crashing)
    with pytest.raises(Crash):
        run_tournament(load_tournament_spec(SMALL), out)
    monkeypatch.setattr(TournamentIndex, "upsert", real)
    with TournamentIndex(out, lock=False) as index:
        rows = index.count()
    files = len(list((out / "sessions").glob("*.jsonl")))
    # the crashed commit, plus any session renamed by its worker thread while the crash unwound
    assert files >= rows + 1
    result = run_tournament(load_tournament_spec(SMALL), out, RunOptions(resume=True))
    assert result.reconcile.recovered == files - rows
    assert result.ran == len(grid_ids(SMALL)) - files
    check_folder(out, grid_ids(SMALL))


def test_failures_outside_the_session_are_recorded_with_their_cause(tmp_path: Path) -> None:
    # `spe` plays only Rubinstein pie games: elsewhere its seat fails, as a recorded outcome
    data = {**SMALL, "games": ["buyer-seller"], "seeds": [0], "competitors": ["boulware", "spe"]}
    out = tmp_path / "t"
    result = run_tournament(load_tournament_spec(data), out)
    assert result.total == result.failed == 2 and result.ok == 0
    assert all("spe plays only" in error for _, error in result.failures)
    with TournamentIndex(out, lock=False) as index:
        rows = list(index.records().values())
    assert {r.status for r in rows} == {"failed"} and all(r.outcome == "error" and r.path for r in rows)
    assert set(json.loads(rows[0].seats).values()) == {"boulware", "spe"}


def test_a_retry_renamed_over_a_failed_attempt_is_told_apart_from_a_copied_folder(tmp_path: Path) -> None:
    out = tmp_path / "t"
    run_tournament(load_tournament_spec(SMALL), out)
    copy = tmp_path / "copy"
    shutil.copytree(out, copy, copy_function=shutil.copy)  # new mtimes, same transcripts
    result = run_tournament(load_tournament_spec(SMALL), copy, RunOptions(resume=True))
    assert result.ran == 0 and result.reconcile.recovered == 0
    with TournamentIndex(copy) as index:
        rows = index.records()
        assert {r.attempts for r in rows.values()} == {1}
        rec = next(iter(rows.values()))
        # the row of a failed first attempt, the file of a successful retry of the same size
        index.upsert(dataclasses.replace(rec, status="failed", outcome="error", error="boom", cost_usd=0.5,
                                         mtime_ns=1))
    result = run_tournament(load_tournament_spec(SMALL), copy, RunOptions(resume=True))
    assert result.ran == 0 and result.reconcile.recovered == 1
    with TournamentIndex(copy, lock=False) as index:
        row = index.records()[rec.session_id]
    assert (row.status, row.attempts, row.prior_cost_usd) == ("ok", 2, 0.5)
    check_folder(copy, grid_ids(SMALL))


# ---------------------------------------------------------------------- scheduling
class _Dawdler:
    """A linear seat that waits before each move: its lanes take far longer than the others."""

    def __init__(self, seed: int = 0, **args: object) -> None:
        from arena.agents.base import make_agent
        from arena.transcript import AgentConfig

        self.inner = make_agent(AgentConfig(name="linear", args=dict(args)), seed)

    async def act(self, obs: object) -> object:
        import asyncio

        await asyncio.sleep(0.03)
        return await self.inner.act(obs)  # type: ignore[arg-type]


def _launch_order(out: Path) -> list[tuple[str, str]]:
    import sqlite3

    db = sqlite3.connect(out / "index.sqlite")
    try:  # one session at a time: the commit order is the launch order
        return [(a, b) for a, b in db.execute("SELECT first, second FROM sessions ORDER BY rowid")]
    finally:
        db.close()


def test_long_lanes_start_first_unless_a_budget_asks_for_a_balanced_sample(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from arena.agents import base

    monkeypatch.setitem(base._REGISTRY, "dawdler", (_Dawdler, "test only: a linear seat that waits before every move"))
    data = {"games": ["buyer-seller"], "seeds": 3, "concurrency": 1, "competitors": ["dawdler", "boulware", "linear"]}
    run_tournament(load_tournament_spec(data), tmp_path / "lpt")
    order = _launch_order(tmp_path / "lpt")
    slow = ["dawdler" in pair for pair in order]
    assert len(order) == 18 and len(set(order[:6])) == 6  # each lane once, to learn its length
    assert slow[6:] == [True] * 8 + [False] * 4  # then the long lanes' sessions, the short ones last
    run_tournament(load_tournament_spec(data), tmp_path / "rr", RunOptions(max_cost=1.0))
    balanced = _launch_order(tmp_path / "rr")
    assert sorted(balanced) == sorted(order)
    assert [len(set(balanced[k:k + 6])) for k in (0, 6, 12)] == [6, 6, 6]  # round robin over the lanes
