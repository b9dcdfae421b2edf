"""Steps per second of the arena's structured core and full text pipeline against NegMAS.

Setup (the same on both sides): three integer issues with ten values each (0..9), two roles with
opposed linear-additive utilities in [0, 1] (A wants every issue high, B low, mirrored weights),
reservation values 0; a linear time-based concession agent (A, moves first) against a Boulware
one (B). NegMAS runs ``SAOMechanism(n_steps=100)`` with ``LinearTBNegotiator`` against
``BoulwareTBNegotiator``; the arena runs alternating offers with its ``linear`` and ``boulware``
scripted agents.

What a step is: one step of NegMAS's ``SAOMechanism`` in its default configuration lets every
negotiator move once (respond to the offer on the table and, unless it accepts, counter-offer),
so a bilateral step is two *moves*. An arena turn is one move (accept, or counter-offer, which
replaces the standing offer). Both sides are timed per move and a step is reported as two moves,
so "us/step" compares like with like. NegMAS's ``one_offer_per_step=True`` variant (a step is
one move) is shown too.

Variants measured:
    negmas       ``SAOMechanism.run()`` in the benchmark venv (subprocess, JSON back).
    arena core   the structured loop, no text: observation -> ``agent.decide`` -> referee on a
                 structured parse result -> ``protocol.apply`` -> turn-limit policy.
    arena text   ``run_session`` as is: the agent speaks (Jinja2), the parser reads the text, the
                 referee judges the parse, the protocol applies it, events go to an in-memory
                 transcript.

Each session gets a freshly built ``Game`` (outside the timed region), so per-game caches such as
the agents' utility tables start cold in every session, as NegMAS's negotiators build their
utility inverses inside every run. Each variant runs ``--sessions`` sessions per repeat, the
variants' repeats interleaved (so a busy patch of the machine hits all of them alike); the figure
is the best (and the median) of ``--repeats`` repeats, and the ratios are taken between figures
of the same run.

Usage:
    python benchmarks/bench_steps.py                    # everything, ratios against NegMAS
    python benchmarks/bench_steps.py --profile core     # cProfile of the arena core
    bash benchmarks/setup_negmas.sh                      # once: the NegMAS venv (.bench-venv/)
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from arena.agents import Agent, Message, make_agent  # noqa: E402
from arena.agents.base import message_of  # noqa: E402
from arena.game import Game, GameSpec  # noqa: E402
from arena.parsing.result import make_parsed  # noqa: E402
from arena.policies import TurnLimit  # noqa: E402
from arena.protocols import NegotiationState, get_protocol  # noqa: E402
from arena.referee import Referee  # noqa: E402
from arena.runner import _observation, run_session  # noqa: E402
from arena.verdicts import Violation  # noqa: E402

DEFAULT_VENV = REPO / ".bench-venv"
MOVES_PER_STEP = 2  # a default SAOMechanism step: each of the two negotiators moves once
TARGETS = {"arena core": 10.0, "arena text": 1.0}
NOTES = {"arena core": "decide -> referee -> apply, no text",
         "arena text": "run_session: speak, parse, referee, apply, transcript"}
ISSUE_NAMES = ("price", "quantity", "delivery")
ISSUE_UNITS = ("$", "units", "days")


# ---------------------------------------------------------------------- the game
def bench_spec(issues: int = 3, values: int = 10, max_rounds: int = 100) -> GameSpec:
    """The benchmark game: ``issues`` integer issues of ``values`` values, opposed linear utilities."""
    names = [ISSUE_NAMES[k] if k < len(ISSUE_NAMES) else f"issue_{k}" for k in range(issues)]
    units = [ISSUE_UNITS[k] if k < len(ISSUE_UNITS) else None for k in range(issues)]
    raw = [float(issues - k) for k in range(issues)]
    wa = [w / sum(raw) for w in raw]  # A: most weight on the first issue (as in negmas_baseline.py)
    wb = wa[::-1]
    return GameSpec.model_validate({
        "name": f"bench-{issues}x{values}",
        "title": f"Benchmark: {issues} issues x {values} values, opposed linear preferences",
        "issues": [{"name": n, "type": "integer", "min": 0, "max": values - 1, "unit": u}
                   for n, u in zip(names, units)],
        "roles": [
            {"name": "a", "label": "A", "reservation": 0.0,
             "utility": {"type": "linear-additive", "weights": dict(zip(names, wa)),
                         "values": {n: {"type": "increasing"} for n in names}}},
            {"name": "b", "label": "B", "reservation": 0.0,
             "utility": {"type": "linear-additive", "weights": dict(zip(names, wb)),
                         "values": {n: {"type": "decreasing"} for n in names}}},
        ],
        "protocol": {"type": "alternating-offers", "first": "a", "max_rounds": max_rounds},
    })


def make_agents(game: Game, seed: int) -> dict[str, Agent]:
    a, b = game.role_names
    return {a: make_agent("linear", seed), b: make_agent("boulware", seed)}


# ---------------------------------------------------------------------- the structured core
def run_core(game: Game, agents: dict[str, Any]) -> NegotiationState:
    """One session without text: decide -> referee -> apply -> turn limit (no speech, no parse,
    no transcript). Mirrors the loop of :func:`arena.runner.run_session`."""
    protocol = get_protocol(game)
    referee = Referee(game, protocol)
    spec = game.spec.protocol
    limit = TurnLimit(spec.max_turns or 4 * spec.max_rounds)
    rules = protocol.describe_rules()
    state = protocol.initial_state()
    history: list[Message] = []
    while not state.ended:
        role = state.to_move
        obs = _observation(game, rules, protocol.legal_kinds(state, role), state, role, history, 0, None,
                           spec.arguments)
        action = agents[role].decide(obs)
        # the move as the parser reports a structured block (make_parsed is what it builds them with)
        verdict = referee.judge(state, role, make_parsed(action, "structured", 1.0, []))
        if isinstance(verdict, Violation):  # scripted agents only make legal moves
            raise RuntimeError(f"{role} made an illegal move: {verdict.message}")
        state = limit.after_move(protocol.apply(state, role, action))
        history.append(message_of(state.turn, role, "", action))
    return state


# ---------------------------------------------------------------------- measurement
@dataclass
class Figure:
    """One variant's per-move timing over its repeats."""

    name: str
    best_us_per_move: float
    median_us_per_move: float
    moves_per_session: float
    sessions: int
    repeats: int
    note: str = ""

    @property
    def best_us_per_step(self) -> float:
        return self.best_us_per_move * MOVES_PER_STEP

    @property
    def median_us_per_step(self) -> float:
        return self.median_us_per_move * MOVES_PER_STEP

    @property
    def steps_per_second(self) -> float:
        return 1e6 / self.best_us_per_step


def _summarize(name: str, repeats: list[tuple[float, int, int]], note: str = "") -> Figure:
    """``repeats``: (seconds, moves, sessions) per repeat."""
    per_move = [s / m * 1e6 for s, m, _ in repeats]
    moves, sessions = sum(m for _, m, _ in repeats), sum(n for _, _, n in repeats)
    return Figure(name, min(per_move), statistics.median(per_move), moves / sessions, repeats[0][2],
                  len(repeats), note)


Repeat = Callable[[], tuple[float, int, int]]  # one repeat: (seconds, moves, sessions)


def _sessions(one: Callable[[int], tuple[float, int]], sessions: int, warmup: int) -> Repeat:
    """A repeat of ``sessions`` timed sessions after ``warmup`` untimed ones. Every repeat warms up,
    as every NegMAS repeat does in its fresh process: the repeat before may have been the NegMAS
    subprocess, which leaves this process's caches cold."""
    state = {"next_seed": 0}

    def run() -> tuple[float, int, int]:
        for _ in range(warmup):
            one(state["next_seed"])
            state["next_seed"] += 1
        seconds = moves = 0
        for _ in range(sessions):
            dt, n = one(state["next_seed"])
            seconds, moves, state["next_seed"] = seconds + dt, moves + n, state["next_seed"] + 1
        return seconds, moves, sessions

    return run


def core_repeat(spec: GameSpec, sessions: int, warmup: int) -> Repeat:
    def one(seed: int) -> tuple[float, int]:
        game = Game(spec)
        agents = make_agents(game, seed)
        t0 = time.perf_counter()
        state = run_core(game, agents)
        return time.perf_counter() - t0, state.turn

    return _sessions(one, sessions, warmup)


def text_repeat(spec: GameSpec, sessions: int, warmup: int, loop: asyncio.AbstractEventLoop) -> Repeat:
    async def session(seed: int) -> tuple[float, int]:
        game = Game(spec)
        agents = make_agents(game, seed)
        t0 = time.perf_counter()
        t = await run_session(game, agents, seed=seed)
        dt = time.perf_counter() - t0
        return dt, t.end.turns if t.end is not None else 0

    return _sessions(lambda seed: loop.run_until_complete(session(seed)), sessions, warmup)


class NegmasUnavailable(Exception):
    """The NegMAS side cannot run; the message says why and what to do."""


def negmas_repeat(python: Path, args: argparse.Namespace, one_offer: bool, info: dict[str, Any]) -> Repeat:
    """One repeat = one run of benchmarks/negmas_baseline.py in the venv (JSON on stdout)."""
    cmd = [str(python), str(HERE / "negmas_baseline.py"), "--issues", str(args.issues), "--values",
           str(args.values), "--n-steps", str(args.negmas_steps), "--sessions", str(args.sessions),
           "--repeats", "1", "--warmup", str(args.warmup)]
    if one_offer:
        cmd.append("--one-offer-per-step")

    def run() -> tuple[float, int, int]:
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise NegmasUnavailable(f"NegMAS baseline failed to run: {exc}") from None
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
            raise NegmasUnavailable(f"NegMAS baseline exited with {proc.returncode}:\n{tail}")
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        rep = data["repeats"][0]
        info.update(version=data["negmas_version"], steps=info.get("steps", 0) + rep["steps"],
                    sessions=info.get("sessions", 0) + rep["sessions"])
        return rep["seconds"], rep["moves"], rep["sessions"]

    return run


def negmas_python(venv: Path) -> Path | None:
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    return python if python.exists() else None


def measure(variants: dict[str, Repeat], repeats: int) -> dict[str, list[tuple[float, int, int]]]:
    """Run the variants' repeats interleaved (A B C A B C ...), so that a slow patch of the
    machine hits every variant alike rather than one of them."""
    out: dict[str, list[tuple[float, int, int]]] = {name: [] for name in variants}
    for r in range(repeats):
        for name, run in list(variants.items()):
            # Start every repeat from a collected heap (untimed), so that a variant does not pay
            # for a full collection of the previous variant's garbage; its own garbage collection
            # stays in its figure. (NegMAS runs in a fresh subprocess per repeat anyway.)
            gc.collect()
            try:
                out[name].append(run())
            except NegmasUnavailable as exc:
                print(f"\n{exc}")
                del variants[name]
                del out[name]
        print(f"  repeat {r + 1}/{repeats} done", file=sys.stderr)
    return out


# ---------------------------------------------------------------------- report
def report(figures: list[Figure], baseline: Figure | None, messages: list[str]) -> dict[str, Any]:
    print(f"\n{'variant':<18}{'us/move':>10}{'us/step':>10}{'median':>10}{'steps/s':>11}{'moves/sess':>12}  note")
    for f in figures:
        print(f"{f.name:<18}{f.best_us_per_move:>10.1f}{f.best_us_per_step:>10.1f}{f.median_us_per_step:>10.1f}"
              f"{f.steps_per_second:>11,.0f}{f.moves_per_session:>12.1f}  {f.note}")
    print("(us/step = 2 moves, as one default SAOMechanism step; best of repeats, median us/step beside it)")
    for m in messages:
        print("\n" + m)
    result: dict[str, Any] = {"figures": [asdict(f) | {"best_us_per_step": f.best_us_per_step} for f in figures],
                              "ratios": {}}
    if baseline is None:
        return result
    print(f"\nspeed ratios against {baseline.name} (its us/step / ours; best, median):")
    for f in figures:
        if f.name in TARGETS:
            ratio = baseline.best_us_per_step / f.best_us_per_step
            median = baseline.median_us_per_step / f.median_us_per_step
            target = TARGETS[f.name]
            verdict = "meets" if ratio >= target else "MISSES"
            print(f"  {f.name:<12} {ratio:6.2f}x  (median {median:.2f}x)  target >= {target:g}x: {verdict}")
            result["ratios"][f.name] = {"best": ratio, "median": median, "target": target, "met": ratio >= target}
    return result


def profile(spec: GameSpec, which: str, sessions: int, top: int) -> None:
    games = [Game(spec) for _ in range(sessions)]
    agents = [make_agents(g, k) for k, g in enumerate(games)]
    loop = asyncio.new_event_loop()

    def body() -> None:
        for k, g in enumerate(games):
            if which == "core":
                run_core(g, agents[k])
            else:
                loop.run_until_complete(run_session(g, agents[k], seed=k))

    prof = cProfile.Profile()
    prof.runcall(body)
    loop.close()
    stats = pstats.Stats(prof)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Steps per second: arena core and text pipeline vs NegMAS.")
    ap.add_argument("--issues", type=int, default=3)
    ap.add_argument("--values", type=int, default=10)
    ap.add_argument("--max-rounds", type=int, default=100, help="arena deadline: offers allowed (default 100)")
    ap.add_argument("--negmas-steps", type=int, default=100, help="NegMAS deadline: SAOMechanism n_steps (default 100)")
    ap.add_argument("--sessions", type=int, default=20, help="sessions per repeat (default 20)")
    ap.add_argument("--repeats", type=int, default=7, help="repeats per variant; best and median reported (default 7)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed sessions first (default 3)")
    ap.add_argument("--venv", type=Path, default=Path(os.environ.get("BENCH_VENV", DEFAULT_VENV)),
                    help="the NegMAS venv (default .bench-venv/, or $BENCH_VENV)")
    ap.add_argument("--no-negmas", action="store_true", help="arena figures only")
    ap.add_argument("--only", choices=["core", "text"], help="measure one arena variant")
    ap.add_argument("--profile", choices=["core", "text"], help="print a cProfile of one arena variant and stop")
    ap.add_argument("--json", type=Path, help="also write the figures and ratios as JSON here")
    args = ap.parse_args(argv)

    spec = bench_spec(args.issues, args.values, args.max_rounds)
    if args.profile:
        profile(spec, args.profile, args.sessions, 30)
        return 0
    print(f"setup: {args.issues} issues x {args.values} values, linear vs boulware (time-based), reservation 0; "
          f"arena max_rounds={args.max_rounds}, NegMAS n_steps={args.negmas_steps}; {args.sessions} sessions x "
          f"{args.repeats} repeats (interleaved); python {sys.version.split()[0]}")
    variants: dict[str, Repeat] = {}
    infos: dict[str, dict[str, Any]] = {}
    messages: list[str] = []
    python = None if args.no_negmas else negmas_python(args.venv)
    if python is not None:
        for name, one_offer in (("negmas", False), ("negmas one-offer", True)):
            infos[name] = {}
            variants[name] = negmas_repeat(python, args, one_offer, infos[name])
    elif not args.no_negmas:
        messages.append(f"NegMAS baseline not set up (no interpreter in {args.venv}): no ratios. Set it up once "
                        "with `bash benchmarks/setup_negmas.sh` (NegMAS and its dependencies, ~790 MB, go into "
                        ".bench-venv/, never into the project's environment), then run this benchmark again.")
    loop = asyncio.new_event_loop()
    try:
        if args.only in (None, "core"):
            variants["arena core"] = core_repeat(spec, args.sessions, args.warmup)
        if args.only in (None, "text"):
            variants["arena text"] = text_repeat(spec, args.sessions, args.warmup, loop)
        results = measure(variants, args.repeats)
    finally:
        loop.close()
    figures = []
    for name, reps in results.items():
        if name.startswith("negmas"):
            info = infos[name]
            note = (f"SAOMechanism {info['version']}, {info['steps'] / info['sessions']:.1f} of its steps/session"
                    + (", one_offer_per_step" if "one-offer" in name else ""))
        else:
            note = NOTES[name]
        figures.append(_summarize(name, reps, note))
    baseline = next((f for f in figures if f.name == "negmas"), None)
    result = report(figures, baseline, messages)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
