"""Pareto frontier + Nash point over 10^6 outcomes: the arena's evaluators against NegMAS.

Setup (the same on both sides): three integer issues with 100 values each (0..99), 10^6
outcomes, two roles, reservation values 0, and either

* ``linear``: A = sum_k wa_k * x_k / 99 and B = sum_k wb_k * (99 - x_k) / 99 with weights
  wa = (.5, .3, .2), wb = (.2, .3, .5): opposed linear-additive utilities in [0, 1]; or
* ``table``: non-linear utilities, one independent uniform random value per outcome and role
  (``numpy.random.default_rng(seed)``, mixed-radix order), i.e. a dense table lookup on the
  arena side and a ``MappingUtilityFunction`` (a dict) in NegMAS.

What is timed:
    arena   ``evaluators.bargaining_solutions(game, cache=False)``: whole-space evaluation, the
            frontier, and the Nash, Kalai-Smorodinsky and max-welfare points (uncached: the
            per-game cache would otherwise make every repeat after the first free). The frontier
            alone (``pareto_frontier``) is shown too. Best of ``--repeats`` after one warm-up.
    negmas  ``pareto_frontier(ufuns, issues=issues)`` then ``nash_points(...)`` in the benchmark
            venv (``benchmarks/negmas_pareto.py``, a subprocess; JSON back). Best of
            ``--negmas-repeats``.

Building the games and utility functions is not timed on either side. The arena's table game is
built from a small table spec whose dense table is then filled with the random values (a 10^6-entry
YAML spec would only measure pydantic).

Targets (docs/design.md section 7): under 0.5 s for the arena, and at least 10x NegMAS.

Usage:
    python benchmarks/bench_pareto.py                 # both kinds, with NegMAS when its venv exists
    python benchmarks/bench_pareto.py --no-negmas     # arena only
    bash benchmarks/setup_negmas.sh                   # once: the NegMAS venv (.bench-venv/)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from arena.game import Game, parse_spec  # noqa: E402
from evaluators import bargaining_solutions, pareto_frontier  # noqa: E402

DEFAULT_VENV = REPO / ".bench-venv"
WA = (0.5, 0.3, 0.2)
WB = (0.2, 0.3, 0.5)


def weights(n: int) -> tuple[list[float], list[float]]:
    """The benchmark's weights for ``n`` issues (the same function is in negmas_pareto.py)."""
    a = [WA[k % 3] for k in range(n)]
    b = [WB[k % 3] for k in range(n)]
    return [x / sum(a) for x in a], [x / sum(b) for x in b]


def make_game(kind: str, issues: int, values: int, seed: int) -> Game:
    top = values - 1
    names = [f"i{k}" for k in range(issues)]
    spec: dict[str, Any] = {
        "name": f"bench-{kind}",
        "issues": [{"name": n, "type": "integer", "min": 0, "max": top} for n in names],
    }
    if kind == "linear":
        wa, wb = weights(issues)
        ua = {"type": "linear-additive", "weights": dict(zip(names, wa)),
              "values": {n: {"type": "linear", "slope": 1.0 / top} for n in names}}
        ub = {"type": "linear-additive", "weights": dict(zip(names, wb)),
              "values": {n: {"type": "linear", "slope": -1.0 / top, "intercept": 1.0} for n in names}}
        spec["roles"] = [{"name": "a", "utility": ua}, {"name": "b", "utility": ub}]
        return Game(parse_spec(spec))
    zero = {n: 0 for n in names}
    table = {"type": "table", "entries": [{"bundle": zero, "value": 0.0}]}
    spec["roles"] = [{"name": "a", "utility": table}, {"name": "b", "utility": table}]
    game = Game(parse_spec(spec))
    rng = np.random.default_rng(seed)
    n = values ** issues
    ta, tb = rng.random(n), rng.random(n)
    game.roles["a"].utility.table[:] = ta  # type: ignore[attr-defined]
    game.roles["b"].utility.table[:] = tb  # type: ignore[attr-defined]
    return game


def best_of(fn: Any, repeats: int) -> float:
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def measure_negmas(venv: Path, kind: str, args: argparse.Namespace) -> dict[str, Any] | str:
    """Run negmas_pareto.py in the venv; its JSON, or a message when it cannot run."""
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        return (f"no NegMAS venv at {venv}: run `bash benchmarks/setup_negmas.sh` "
                "(installs NegMAS into .bench-venv/) for the ratio")
    cmd = [str(python), str(HERE / "negmas_pareto.py"), "--kind", kind, "--issues", str(args.issues),
           "--values", str(args.values), "--seed", str(args.seed), "--repeats", str(args.negmas_repeats)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"NegMAS run failed: {exc}"
    if proc.returncode != 0:
        return f"NegMAS run failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--issues", type=int, default=3)
    ap.add_argument("--values", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--negmas-repeats", type=int, default=1)
    ap.add_argument("--kinds", default="linear,table")
    ap.add_argument("--no-negmas", action="store_true")
    ap.add_argument("--venv", type=Path, default=Path(os.environ.get("BENCH_VENV", DEFAULT_VENV)))
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args(argv)

    n = args.values ** args.issues
    print(f"Pareto frontier + Nash point, {args.issues} issues x {args.values} values = {n:,} outcomes")
    results = []
    for kind in args.kinds.split(","):
        game = make_game(kind, args.issues, args.values, args.seed)
        front_s = best_of(lambda: pareto_frontier(game, cache=False), args.repeats)
        total_s = best_of(lambda: bargaining_solutions(game, cache=False), args.repeats)
        sol = bargaining_solutions(game, cache=False)
        row: dict[str, Any] = {"kind": kind, "outcomes": n, "arena_frontier_s": front_s, "arena_total_s": total_s,
                               "frontier_points": len(sol.frontier), "nash": sol.nash.tolist()[:4]}
        target = f"; target < 0.5 s: {'ok' if total_s < 0.5 else 'MISSED'}" if n <= 10**6 else ""
        print(f"\n[{kind}] arena:  frontier {front_s:.3f} s, frontier + Nash/KS/welfare {total_s:.3f} s "
              f"({len(sol.frontier)} frontier points{target})")
        if not args.no_negmas:
            got = measure_negmas(args.venv, kind, args)
            if isinstance(got, str):
                print(f"[{kind}] negmas: {got}")
            else:
                ratio = got["total_s"] / total_s
                row.update(negmas=got, ratio=ratio)
                agree = "same" if got["frontier_unique"] == len(sol.frontier) else "DIFFERENT"
                print(f"[{kind}] negmas {got['negmas']}: frontier {got['frontier_s']:.3f} s, frontier + Nash "
                      f"{got['total_s']:.3f} s ({got['frontier_unique']} unique frontier points: {agree} count)")
                print(f"[{kind}] ratio:  {ratio:.1f}x NegMAS (target >= 10x: {'ok' if ratio >= 10 else 'MISSED'})")
        results.append(row)
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
