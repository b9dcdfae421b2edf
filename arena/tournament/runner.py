"""Run a tournament grid concurrently and resumably, under an optional cost budget.

One asyncio loop runs up to ``concurrency`` sessions at once; a session that seats a model also
takes a slot of that model's limit (``model_limits``, default the global concurrency), and the
model adapter's own retries and rate limits apply inside it. Cells wait in one queue per lane
(a game and the competitors in its seats), so a saturated model never holds global slots idle.
Lanes are served round robin until each has finished a session, then longest mean session first
(longest-processing-time-first scheduling), so the end of a run is left to short sessions and
fewer slots idle while the last ones finish; under ``--max-cost``, round robin throughout, so
that a run the budget stops holds a balanced sample. A session runs in memory and is committed when it ends,
as described in :mod:`arena.tournament.index`. For the length of a run, the objects that exist
when it starts are frozen out of the cyclic garbage collector and its young-generation threshold
is raised: full collections over a large heap would otherwise stall every session at once.
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import time
from collections import Counter, deque
from collections.abc import Callable
from pathlib import Path

from ..agents.base import AgentError, make_agent
from ..game import Game, GameSpec, load_game, load_spec
from ..runner import SessionConfig, run_session
from ..transcript import AgentConfig, Transcript
from .budget import Budget, Group, SessionCost, session_cost
from .grid import Cell, expand_grid, session_id_for
from .index import ReconcileReport, SessionRecord, TournamentIndex, dump_json, now
from .progress import RunOptions, TournamentProgress, TournamentResult
from .spec import TournamentError, TournamentSpec

__all__ = ["TournamentRunner", "run_tournament"]

Lane = tuple[str, tuple[str, ...]]  # a game and the competitors in its seats, in seat order


class TournamentRunner:
    """Plays the cells of ``spec`` that the folder ``out`` does not hold yet.

    Args:
        spec: the validated spec.
        out: the tournament folder.
        options: run options.
        on_update: called with the live :class:`TournamentProgress` after every launch and commit.
    """

    def __init__(self, spec: TournamentSpec, out: str | Path, options: RunOptions | None = None,
                 on_update: Callable[[TournamentProgress], None] | None = None) -> None:
        self.spec = spec
        self.out = Path(out)
        self.options = options or RunOptions()
        self.on_update = on_update or (lambda p: None)
        self.concurrency = self.options.concurrency or spec.concurrency
        self.progress = TournamentProgress()
        self.cells = expand_grid(spec)
        self._games: dict[tuple[str, int], Game] = {}
        self._specs: dict[str, GameSpec] = {}
        self._entries = {spec.game_id(g): g for g in spec.games}
        self._configs: dict[str, AgentConfig] = {  # the adapter's call limit follows the session limit
            c.name: c.agent_config(concurrency=self._limit(c.model) if c.model else None) for c in spec.competitors}
        self.index: TournamentIndex | None = None
        self._report = ReconcileReport()

    # ------------------------------------------------------------------ helpers
    def _game(self, game_id: str, seed: int) -> Game:
        key = (game_id, seed)
        game = self._games.get(key)
        if game is None:
            if len(self._games) >= 512:
                self._games.pop(next(iter(self._games)))
            spec = self._specs.get(game_id)
            if spec is None:  # parse each game's YAML once; resolve it per seed
                spec = self._specs[game_id] = load_spec(self.spec.game_path(self._entries[game_id]))
            game = self._games[key] = load_game(spec, seed=seed)
        return game

    def _group(self, cell: Cell) -> Group:
        return cell.game, tuple(sorted(s for s in cell.seats if self.spec.competitor(s).model))

    def _limit(self, model: str) -> int:
        """Sessions in flight at once that seat ``model`` (default: the global concurrency)."""
        return min(self.spec.model_limits.get(model, self.concurrency), self.concurrency)

    def _prices(self, seats: dict[str, str]) -> dict[str, object]:
        names = {c.name for c in self.spec.competitors}
        return {role: self.spec.competitor(n).price if n in names else None for role, n in seats.items()}

    def _record(self, t: Transcript, cell_key: str, seats: dict[str, str], attempts: int, wall: float | None) -> tuple[SessionRecord, SessionCost]:
        tags = t.start.options.get("tags", {})
        cost = session_cost(t, self._prices(seats))  # type: ignore[arg-type]
        end = t.end
        failed = end is None or end.outcome == "error"
        names = list(seats.values())
        rec = SessionRecord(
            session_id=t.start.session_id, cell=cell_key, game=str(tags.get("game", t.start.game.get("name"))),
            seed=int(t.start.seed), repetition=int(tags.get("repetition", 0)), first=names[0], second=names[1],
            seats=dump_json(seats), status="failed" if failed else "ok", outcome=end.outcome if end else None,
            error=(end.reason if end else "no session_end") if failed else None, prompt_tokens=cost.prompt_tokens,
            completion_tokens=cost.completion_tokens, cost_usd=cost.cost_usd, cost_known=cost.known,
            attempts=attempts, wall_s=wall, finished_at=now())
        return rec, cost

    def _rebuild(self, t: Transcript, path: Path) -> SessionRecord | None:
        tags = t.start.options.get("tags") or {}
        key, seats = tags.get("cell"), tags.get("seats")
        if not isinstance(key, str) or not isinstance(seats, dict) or len(seats) != 2:
            return None
        if session_id_for(key) != t.start.session_id or path.stem != t.start.session_id:
            return None
        return self._record(t, key, seats, attempts=1, wall=None)[0]

    # ------------------------------------------------------------------ setup
    def _open(self) -> tuple[TournamentIndex, ReconcileReport]:
        opts = self.options
        resume = opts.resume or opts.retry_failed
        if not TournamentIndex.exists(self.out) and any(self.out.glob("sessions/*.jsonl")):
            raise TournamentError(f"{self.out} holds transcripts but no tournament index; choose another --out")
        index = TournamentIndex(self.out)
        try:
            stored = index.get_meta("fingerprint")
            if stored is not None and not resume:
                raise TournamentError(f"{self.out} already holds a tournament ({index.count()} sessions committed); "
                                      "pass --resume to finish it, --retry-failed to replay its failures, "
                                      "or choose another --out")
            current = self.spec.fingerprint()
            if stored is not None:
                old = json.loads(stored)
                changed = [k for k in current if k in old and old[k] != current[k]]
                if changed:
                    raise TournamentError(f"--resume: {changed[0]} differs from the tournament in {self.out} "
                                          "(a resumed tournament must play the same competitors; "
                                          "use a new --out or a new competitor name)")
                current = {**old, **current}
            index.set_meta("fingerprint", json.dumps(current, sort_keys=True))
            index.set_meta("spec", self.spec.model_dump_json())
            index.set_meta("prices", json.dumps({c.name: c.price.model_dump() for c in self.spec.competitors
                                                 if c.price is not None}))
            if self.spec.source and not (self.out / "spec.yaml").exists():
                (self.out / "spec.yaml").write_text(Path(self.spec.source).read_text(encoding="utf-8"), encoding="utf-8")
            report = index.reconcile(self._rebuild)
        except BaseException:
            index.close()
            raise
        return index, report

    def _preflight(self) -> None:
        """Fail before any session on what is a user error: unknown games, bad agent arguments,
        missing API keys, and a budget over unknown prices."""
        for entry in self.spec.games:
            self._game(self.spec.game_id(entry), self.spec.game_seeds(entry)[0])
        for name, config in self._configs.items():
            try:
                make_agent(config, 0)
            except AgentError as exc:
                raise TournamentError(f"{self.spec.source or 'tournament spec'}: competitor {name!r}: {exc}") from None
        if self.options.max_cost is not None:
            from ..models import price_per_token

            for c in self.spec.competitors:
                if c.model and c.price is None and price_per_token(c.model) is None:
                    raise TournamentError(f"--max-cost: the price of {c.model!r} (competitor {c.name!r}) is unknown "
                                          "to litellm, so the budget could not be kept; give the competitor a "
                                          "`price: {input: USD, output: USD}` per million tokens in the spec "
                                          "(0 for a local server), or run without --max-cost")

    def _prior(self, group: Group) -> float:
        from ..estimate import estimate_session
        from ..models import price_per_token

        game_id, names = group
        game = self._game(game_id, self.spec.game_seeds(self._entries[game_id])[0])
        total = 0.0
        for name in names:
            c = self.spec.competitor(name)
            assert c.model is not None
            est = estimate_session(game, c.model)
            price = (c.price.input / 1e6, c.price.output / 1e6) if c.price else price_per_token(c.model)
            if price is None:
                return math.inf
            # the estimate is for the model in both seats: one seat's share, with a safety factor of 2
            total += est.prompt_tokens * price[0] + est.completion_tokens * price[1]
        return total

    def estimate(self, cell: Cell) -> float:
        """What the budget reserves for ``cell`` before it has seen a session of the same game
        and model seats: twice the arena's typical estimate (:mod:`arena.estimate`) per model
        seat, at the competitor's spec price or litellm's (0 for scripted-only cells)."""
        group = self._group(cell)
        return self._prior(group) if group[1] else 0.0

    # ------------------------------------------------------------------ one session
    async def _play(self, cell: Cell, attempts: int, prior_cost: float = 0.0) -> tuple[SessionRecord, SessionCost]:
        assert self.index is not None
        sid = cell.session_id
        tmp = self.index.tmp_path(sid)
        started = time.perf_counter()
        seats: dict[str, str] = dict(zip(("first", "second"), cell.seats))
        try:
            game = self._game(cell.game, cell.seed)
            seats = dict(zip(game.role_names, cell.seats))
            agents = {role: make_agent(self._configs[name], cell.agent_seed) for role, name in seats.items()}
            opts = self.spec.session
            config = SessionConfig(session_id=sid, tags=cell.tags(self.spec.name, game.role_names),
                                   repair_budget=opts.repair_budget, max_turns=opts.max_turns, arguments=opts.arguments)
            # in memory, written once at the end: a partial .part file is never read (a crash
            # before the commit replays the cell), so per-event writes would only cost syscalls
            t = await run_session(game, agents, seed=cell.seed, out=None, config=config)
        except asyncio.CancelledError:  # a stop (Ctrl-C, SIGTERM): the cell stays pending
            tmp.unlink(missing_ok=True)
            raise
        except Exception as exc:  # noqa: BLE001  (a crash outside the session's own handling: a recorded failure)
            tmp.unlink(missing_ok=True)
            rec = SessionRecord(session_id=sid, cell=cell.key, game=cell.game, seed=cell.seed,
                                repetition=cell.repetition, first=cell.seats[0], second=cell.seats[1],
                                seats=dump_json(seats), status="failed", error=f"{type(exc).__name__}: {exc}",
                                attempts=attempts, prior_cost_usd=prior_cost, wall_s=time.perf_counter() - started,
                                finished_at=now())
            self.index.transcript_path(sid).unlink(missing_ok=True)  # an earlier attempt's transcript
            self.index.upsert(rec)
            self._count(rec, SessionCost())
            return rec, SessionCost()
        rec, cost = self._record(t, cell.key, seats, attempts, time.perf_counter() - started)
        rec.prior_cost_usd = prior_cost
        text = t.to_jsonl()
        if not self.options.fsync:
            rec.path, rec.bytes, rec.mtime_ns = self._write_and_publish(text, tmp, sid, False)
        else:  # write and fsync off the event loop; a stop arriving meanwhile lets the commit finish first
            publish = asyncio.ensure_future(asyncio.to_thread(self._write_and_publish, text, tmp, sid, True))
            try:
                rec.path, rec.bytes, rec.mtime_ns = await asyncio.shield(publish)
            except asyncio.CancelledError:
                rec.path, rec.bytes, rec.mtime_ns = await publish
                self.index.upsert(rec)
                self._count(rec, cost)
                raise
        self.index.upsert(rec)
        self._count(rec, cost)
        return rec, cost

    def _write_and_publish(self, text: str, tmp: Path, sid: str, fsync: bool) -> tuple[str, int, int]:
        """Steps 1 and 2 of the commit: the finished transcript to its ``.part`` file, then
        published under its final name (see :mod:`arena.tournament.index`)."""
        assert self.index is not None
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return self.index.publish(tmp, sid, fsync)

    def _count(self, rec: SessionRecord, cost: SessionCost) -> None:
        p = self.progress
        p.ran += 1
        p.ok += rec.status == "ok"
        p.failed += rec.status == "failed"
        p.tokens += rec.tokens
        p.cost_usd += cost.cost_usd
        p.unknown_cost += not cost.known

    # ------------------------------------------------------------------ the grid
    def open(self) -> ReconcileReport:
        """Lock and open the folder, reconcile it after any crash, and check the spec (games,
        agents, API keys, prices). :meth:`run` calls it when it was not called before.

        Raises:
            TournamentError: the folder or the spec cannot be used (the message says why).
        """
        if self.index is None:
            self.index, self._report = self._open()
            try:
                self._preflight()
            except BaseException:
                self.close()
                raise
        return self._report

    def close(self) -> None:
        if self.index is not None:
            self.index.close()
            self.index = None

    async def run(self) -> TournamentResult:
        """Play every cell not committed yet (and failed ones with ``retry_failed``)."""
        report = self.open()
        # what exists now (imported libraries, games, agents' templates) lives for the whole run:
        # kept out of the cyclic collector, whose full passes over it would stall every session
        gc.freeze()
        thresholds = gc.get_threshold()
        gc.set_threshold(max(thresholds[0], 10_000), *thresholds[1:])  # fewer, larger young collections
        try:
            return await self._run(report)
        finally:
            gc.set_threshold(*thresholds)
            gc.unfreeze()
            self.close()

    async def _run(self, report: ReconcileReport) -> TournamentResult:
        assert self.index is not None
        records = self.index.records()
        p = self.progress
        p.total = len(self.cells)
        grid = {c.session_id for c in self.cells}
        todo: list[Cell] = []
        attempts: dict[str, tuple[int, float]] = {}
        for cell in self.cells:
            rec = records.get(cell.session_id)
            if rec is None or (rec.status == "failed" and self.options.retry_failed):
                todo.append(cell)
                attempts[cell.session_id] = (rec.attempts + 1, rec.spent) if rec else (1, 0.0)
        for sid, rec in records.items():
            p.cost_usd += rec.spent  # the budget covers the whole folder, failed attempts included
            if sid not in grid or sid in attempts:
                continue
            p.ok += rec.status == "ok"
            p.failed += rec.status == "failed"
            p.tokens += rec.tokens
            p.unknown_cost += not rec.cost_known
        p.previously_done = p.done
        budget = Budget(self.options.max_cost, p.cost_usd, self._prior)

        # one queue per lane (game and seats, in order); longest lanes first, see the module docstring
        lanes: dict[Lane, deque[Cell]] = {}
        for cell in todo:
            lanes.setdefault((cell.game, tuple(cell.seats)), deque()).append(cell)
        longest_first = self.options.max_cost is None
        order: deque[Lane] = deque(lanes)  # round robin: every lane (budget), or lanes not seen to finish
        walls: dict[Lane, list[float]] = {}  # per lane: sessions finished, their total wall time
        ranked: list[Lane] = []  # lanes seen to finish, longest mean session first
        stale = False
        model_running: Counter[str] = Counter()
        running: dict[asyncio.Task[tuple[SessionRecord, SessionCost]], Cell] = {}
        held_back = False

        def candidates() -> list[Lane]:
            nonlocal ranked, stale
            if not longest_first:
                return list(order)
            if stale:
                ranked = sorted((k for k in walls if lanes[k]), key=lambda k: walls[k][1] / walls[k][0], reverse=True)
                stale = False
            return [*order, *ranked]

        def next_cell() -> Cell | None:
            nonlocal held_back
            for lane in candidates():
                q = lanes[lane]
                if not q:
                    if lane in order:
                        order.remove(lane)
                    continue
                cell = q[0]
                if any(model_running[m] >= self._limit(m) for m in set(cell.models)):
                    continue
                if not budget.fits(self._group(cell)):
                    held_back = True
                    continue
                if lane in order:
                    order.remove(lane)
                    order.append(lane)  # round robin: the lane served goes last
                return q.popleft()
            return None

        def finished(cell: Cell, wall: float | None) -> None:
            nonlocal stale
            if not longest_first or wall is None:
                return
            lane = (cell.game, tuple(cell.seats))
            w = walls.get(lane)
            if w is None:
                walls[lane] = [1, wall]
                if lane in order:
                    order.remove(lane)
            else:
                w[0] += 1
                w[1] += wall
            stale = True

        started = time.perf_counter()
        self.on_update(p)
        try:
            while True:
                while len(running) < self.concurrency:
                    cell = next_cell()
                    if cell is None:
                        break
                    budget.launch(cell.session_id, self._group(cell))
                    model_running.update(set(cell.models))
                    task = asyncio.ensure_future(self._play(cell, *attempts[cell.session_id]))
                    running[task] = cell
                    p.running = len(running)
                    self.on_update(p)
                if not running:
                    break
                done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    cell = running.pop(task)
                    model_running.subtract(set(cell.models))
                    rec, cost = task.result()
                    budget.finish(cell.session_id, self._group(cell), cost)
                    finished(cell, rec.wall_s)
                p.running = len(running)
                self.on_update(p)
        finally:
            for task in running:
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)
        pending = sum(len(q) for q in lanes.values())
        failures = [(r.cell, r.error or "") for r in self.index.records().values()
                    if r.status == "failed" and r.session_id in grid]
        return TournamentResult(out=self.out, total=p.total, ok=p.ok, failed=p.failed, pending=pending, ran=p.ran,
                                tokens=p.tokens, cost_usd=p.cost_usd, unknown_cost=p.unknown_cost,
                                wall_s=time.perf_counter() - started,
                                stopped="budget" if pending and held_back else None, reconcile=report,
                                failures=failures)


def run_tournament(spec: TournamentSpec, out: str | Path, options: RunOptions | None = None,
                   on_update: Callable[[TournamentProgress], None] | None = None) -> TournamentResult:
    """Synchronous convenience around :class:`TournamentRunner`."""
    return asyncio.run(TournamentRunner(spec, out, options, on_update).run())
