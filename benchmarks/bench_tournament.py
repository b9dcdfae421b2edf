"""Tournament throughput and endpoint efficiency.

1. Scripted-only throughput: the example spec (``examples/tournament.yaml``, 240 sessions) as a
   tournament (commit protocol, fsync on and off) against the same sessions played one after
   another with ``run_session`` and no tournament machinery (transcripts kept in memory, or
   written to files as the tournament writes them): sessions per second and the ratio. Scripted
   sessions are CPU-bound, so the tournament's concurrency cannot speed them up on one core.
2. Efficiency against a loopback OpenAI-compatible server with a fixed latency per call (100 ms),
   in its own process, as a remote endpoint would be: two model competitors (and a scripted
   one) in buyer-seller, each model conceding for a few turns before it accepts.
   ``efficiency = (calls x latency / concurrency) / wall time`` (1.0: the endpoint never waits
   for the arena). Also printed: the CPU the arena process spent per model call, the ceiling it
   implies on this machine, ``latency / (concurrency x CPU per call)``, when the process itself
   is the bottleneck, and the server process's CPU per call (it shares the machine's cores).
   ``--transport litellm`` measures the seats through litellm instead of the adapter's direct
   HTTP route (the default for ``openai/<name>`` with an ``api_base``).
3. The tournament alone: the same grid with seats that wait the latency before every move and
   spend no CPU on a model client (a ``sleeper`` agent registered by this script), i.e. the
   efficiency the scheduler and the arena's own per-turn work allow.

Target (design.md section 7): efficiency at least 0.8 at concurrency 64. Run:
``python benchmarks/bench_tournament.py [--concurrency 64] [--sessions 384] [--latency 0.1]
[--transport auto|http|litellm]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from arena.agents.base import make_agent, register_agent
from arena.runner import run_session
from arena.tournament import RunOptions, TournamentRunner, expand_grid, load_tournament_spec, run_tournament
from arena.transcript import AgentConfig, read_transcript

REPO = Path(__file__).resolve().parent.parent

_SERVER = """
import json, sys, time
from arena.loopback import LoopbackLLM

def reply(body):
    turns = sum(1 for m in body.get("messages", []) if m.get("role") == "assistant")
    if turns >= 3:
        return 'Deal.\\n```json\\n{"action": "accept"}\\n```'
    price = 2300 + 150 * turns
    return f'I propose ${price:,}.\\n```json\\n{{"action": "offer", "bundle": {{"price": {price}}}}}\\n```'

server = LoopbackLLM(reply, latency=float(sys.argv[1])).start()
print(server.url, flush=True)
sys.stdin.readline()  # "reset": the timed run starts
cpu = time.process_time()
sys.stdin.read()  # until the benchmark closes our stdin
print(server.calls, time.process_time() - cpu, flush=True)
"""


def scripted(repeats: int) -> dict[str, float]:
    spec = load_tournament_spec(REPO / "examples" / "tournament.yaml")
    cells = expand_grid(spec)
    best: dict[str, float] = {}
    for _ in range(repeats):
        for fsync in (True, False):
            with tempfile.TemporaryDirectory() as tmp:
                r = run_tournament(spec, Path(tmp) / "t", RunOptions(fsync=fsync))
                key = "tournament" if fsync else "tournament_nofsync"
                best[key] = max(best.get(key, 0.0), r.ran / r.wall_s)
        for files in (False, True):
            with tempfile.TemporaryDirectory() as tmp:
                best_key = "bare_files" if files else "bare"
                rate = _bare(spec, cells, Path(tmp) if files else None)
                best[best_key] = max(best.get(best_key, 0.0), rate)
    return best


def _bare(spec: object, cells: list, folder: Path | None) -> float:
    """The same sessions one after another with ``run_session``: no index, no commit; the
    transcripts in memory, or written to ``folder`` (as the tournament writes them)."""
    runner = TournamentRunner(spec, tempfile.mkdtemp())  # type: ignore[arg-type]
    for c in cells:
        runner._game(c.game, c.seed)  # games resolved outside the timed region, as in the tournament's cache

    async def play() -> None:
        for c in cells:
            game = runner._game(c.game, c.seed)
            agents = {role: make_agent(runner._configs[n], c.agent_seed) for role, n in zip(game.role_names, c.seats)}
            out = folder / f"{c.session_id}.jsonl" if folder is not None else None
            await run_session(game, agents, seed=c.seed, out=out)

    started = time.perf_counter()
    asyncio.run(play())
    return len(cells) / (time.perf_counter() - started)


def efficiency(concurrency: int, sessions: int, latency: float, transport: str = "auto") -> dict[str, float]:
    server = subprocess.Popen([sys.executable, "-c", _SERVER, str(latency)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert server.stdout is not None and server.stdin is not None
    url = server.stdout.readline().strip()
    opts = {"api_base": url, "timeout": 60, "transport": transport}
    seeds = max(1, sessions // 6)  # 3 pairs x 2 orders per seed
    data = {"name": "efficiency", "games": ["buyer-seller"], "seeds": seeds, "concurrency": concurrency,
            "competitors": [{"name": "m1", "agent": "openai/loopback", "options": {**opts, "temperature": 0.1}},
                            {"name": "m2", "agent": "openai/loopback", "options": {**opts, "temperature": 0.2}},
                            "boulware"]}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            warm = {**data, "seeds": 1, "competitors": data["competitors"][:1] + ["boulware"]}
            run_tournament(load_tournament_spec(warm), Path(tmp) / "warm")  # imports, first connection
            server.stdin.write("reset\n")
            server.stdin.flush()
            cpu = time.process_time()
            result = run_tournament(load_tournament_spec(data), Path(tmp) / "t")
            cpu = time.process_time() - cpu
            calls = sum(1 for p in (Path(tmp) / "t" / "sessions").glob("*.jsonl")
                        for u in read_transcript(p).of_kind("utterance") if u.usage is not None)
    finally:
        server.stdin.close()
        tail = server.stdout.read().split()
        server.wait()
    server_cpu = float(tail[1]) if len(tail) > 1 else float("nan")
    ideal = calls * latency / concurrency
    return {"concurrency": concurrency, "sessions": result.ran, "failed": result.failed, "calls": calls,
            "wall_s": result.wall_s, "ideal_s": ideal, "efficiency": ideal / result.wall_s,
            "cpu_ms_per_call": 1000 * cpu / calls, "server_cpu_ms_per_call": 1000 * server_cpu / calls,
            "cpu_ceiling": min(1.0, latency / (concurrency * cpu / calls))}


class _Sleeper:
    """A scripted seat that first waits ``latency`` seconds: a model call with no client CPU."""

    def __init__(self, seed: int = 0, latency: float = 0.1, **args: object) -> None:
        self.inner = make_agent(AgentConfig(name="linear", args=dict(args)), seed)
        self.latency = latency

    async def act(self, obs: object) -> object:
        await asyncio.sleep(self.latency)
        _SLEEPS[0] += 1
        return await self.inner.act(obs)  # type: ignore[arg-type]


_SLEEPS = [0]
register_agent("sleeper", "benchmark only: a linear seat that waits before every move")(_Sleeper)


def scheduler(concurrency: int, sessions: int, latency: float) -> dict[str, float]:
    """The tournament alone: seats that wait ``latency`` per move and spend no CPU on a client."""
    seeds = max(1, sessions // 6)
    data = {"name": "scheduler", "games": ["buyer-seller"], "seeds": seeds, "concurrency": concurrency,
            "competitors": [{"name": "s1", "agent": f"sleeper(latency={latency})"},
                            {"name": "s2", "agent": f"sleeper(latency={latency}, e=0.5)"}, "boulware"]}
    with tempfile.TemporaryDirectory() as tmp:
        _SLEEPS[0] = 0
        result = run_tournament(load_tournament_spec(data), Path(tmp) / "t")
    ideal = _SLEEPS[0] * latency / concurrency
    return {"concurrency": concurrency, "sessions": result.ran, "calls": _SLEEPS[0], "wall_s": result.wall_s,
            "ideal_s": ideal, "efficiency": ideal / result.wall_s}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[8, 16, 64])
    ap.add_argument("--sessions", type=int, default=384)
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--only", choices=["scripted", "efficiency", "scheduler"])
    ap.add_argument("--transport", choices=["auto", "http", "litellm"], default="auto")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out: dict[str, object] = {}
    if args.only in (None, "scripted"):
        s = scripted(args.repeats)
        out["scripted_sessions_per_s"] = s
        if not args.json:
            print(f"scripted-only, example spec (240 sessions), best of {args.repeats}:")
            print(f"  tournament (fsync):      {s['tournament']:7.1f} sessions/s")
            print(f"  tournament (no fsync):   {s['tournament_nofsync']:7.1f} sessions/s")
            print(f"  bare run_session loop, transcripts in memory: {s['bare']:7.1f} sessions/s")
            print(f"  bare run_session loop, transcripts to files:  {s['bare_files']:7.1f} sessions/s")
            print(f"  ratio tournament (fsync) / bare with files:   {s['tournament'] / s['bare_files']:.2f}; "
                  f"without fsync: {s['tournament_nofsync'] / s['bare_files']:.2f}")
    if args.only in (None, "scheduler"):
        rows = [scheduler(c, args.sessions, args.latency) for c in args.concurrency]
        out["scheduler"] = rows
        if not args.json:
            print(f"tournament alone: seats that wait {1000 * args.latency:.0f} ms per move, no model client:")
            for r in rows:
                print(f"  concurrency {r['concurrency']:3d}: {r['calls']:5d} waits in {r['wall_s']:6.2f} s "
                      f"(ideal {r['ideal_s']:5.2f} s): efficiency {r['efficiency']:.2f}")
    if args.only in (None, "efficiency"):
        rows = [efficiency(c, args.sessions, args.latency, args.transport) for c in args.concurrency]
        out["efficiency"] = rows
        if not args.json:
            print(f"loopback endpoint, {1000 * args.latency:.0f} ms per call, server in its own process, "
                  f"transport {args.transport}:")
            for r in rows:
                print(f"  concurrency {r['concurrency']:3d}: {r['calls']:5d} calls in {r['wall_s']:6.2f} s "
                      f"(ideal {r['ideal_s']:5.2f} s): efficiency {r['efficiency']:.2f}  "
                      f"[arena CPU {r['cpu_ms_per_call']:.2f} ms/call; CPU-bound ceiling {r['cpu_ceiling']:.2f}; "
                      f"server CPU {r['server_cpu_ms_per_call']:.2f} ms/call]")
            top = [r for r in rows if r["concurrency"] == 64]
            if top:
                e = top[0]["efficiency"]
                print(f"target: efficiency >= 0.8 at concurrency 64: {'meets' if e >= 0.8 else 'MISSES'} "
                      f"(ratio {e / 0.8:.2f} of the target)")
    if args.json:
        print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
