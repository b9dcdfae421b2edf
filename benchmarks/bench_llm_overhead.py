"""Arena overhead per model turn, against a loopback OpenAI-compatible server with zero latency.

Plays sessions with a language-model seat (buyer) against a scripted seller; the server answers
instantly with a structured move. Per model turn it reports:

* total: wall time of the whole session divided by model turns (scripted turns included, so
  this is an upper bound of what a model turn costs the arena);
* in the model call: time spent inside ``Model.complete`` (the adapter's transport: direct HTTP
  for this ``openai/<name>`` + ``api_base`` seat, or litellm with ``--transport litellm``; the
  server's own handling on loopback): the adapter's share;
* arena: total minus the model call: prompt rendering, parsing, the referee, the transcript.

Target (design.md section 7): arena overhead under 2 ms per model turn. Run:
``python benchmarks/bench_llm_overhead.py [--sessions 20]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

from arena.agents import make_agent
from arena.game import load_game
from arena.loopback import LoopbackLLM
from arena.models import Model
from arena.runner import run_session


def _reply(body: dict) -> str:
    # concede slowly by turn count so sessions last several rounds, then accept
    turns = sum(1 for m in body.get("messages", []) if m.get("role") == "assistant")
    if turns >= 5:
        return 'Fine.\n```json\n{"action": "accept"}\n```'
    price = 1500 + 150 * turns
    return f'I can pay ${price:,}.\n```json\n{{"action": "offer", "bundle": {{"price": {price}}}}}\n```'


async def _one(url: str, seed: int, timing: dict[str, float], transport: str = "auto") -> int:
    game = load_game("buyer-seller")
    buyer = make_agent(f"llm(model='openai/loopback', api_base='{url}', transport='{transport}')", seed)
    seller = make_agent("boulware", seed)
    original = Model.complete

    async def timed(self: Model, messages: list[dict[str, str]]):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return await original(self, messages)
        finally:
            timing["model"] += time.perf_counter() - started

    buyer.model.complete = timed.__get__(buyer.model)  # type: ignore[method-assign]
    t = await run_session(game, {"buyer": buyer, "seller": seller}, seed=seed)
    return sum(1 for u in t.of_kind("utterance") if u.role == "buyer")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--transport", choices=["auto", "http", "litellm"], default="auto")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with LoopbackLLM(_reply) as server:
        asyncio.run(_one(server.url, 0, {"model": 0.0}, args.transport))  # warm-up: imports, first connection
        runs = []
        for _ in range(args.repeats):
            timing = {"model": 0.0}
            started = time.perf_counter()
            turns = 0
            for s in range(args.sessions):
                turns += asyncio.run(_one(server.url, s, timing, args.transport))
            total = time.perf_counter() - started
            runs.append({"turns": turns, "total_ms": 1000 * total / turns, "model_ms": 1000 * timing["model"] / turns,
                         "arena_ms": 1000 * (total - timing["model"]) / turns})
    best = min(runs, key=lambda r: r["total_ms"])
    med = {k: statistics.median(r[k] for r in runs) for k in ("total_ms", "model_ms", "arena_ms")}
    result = {"model_turns_per_run": best["turns"], "best": best, "median": med, "target_arena_ms": 2.0,
              "meets_target": best["arena_ms"] < 2.0}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"model turns per run: {best['turns']} ({args.sessions} sessions, best of {args.repeats})")
    print(f"per model turn, total:            {best['total_ms']:7.2f} ms   (median {med['total_ms']:.2f})")
    print(f"  inside the model call ({args.transport} transport, HTTP, server): {best['model_ms']:7.2f} ms   "
          f"(median {med['model_ms']:.2f})")
    print(f"  arena overhead (everything else): {best['arena_ms']:7.2f} ms   (median {med['arena_ms']:.2f})")
    print(f"target: arena overhead < 2 ms per model turn: {'meets' if result['meets_target'] else 'MISSES'}"
          f" (ratio {best['arena_ms'] / 2.0:.2f} of the budget)")


if __name__ == "__main__":
    main()
