"""NegMAS side of the Pareto benchmark; runs only inside the benchmark venv (.bench-venv).

NegMAS is AGPL-3.0: it is never a dependency of negotiation-arena and project code never imports
it. ``bench_pareto.py`` runs this script with the venv's interpreter and reads the JSON it prints
on stdout. Set up the venv with ``bash benchmarks/setup_negmas.sh``.

The space and the utilities mirror the arena side exactly (see ``bench_pareto.py``):
``issues`` integer issues with values ``0..values-1``, and either

* ``linear``: A = sum_k wa_k * x_k / top, B = sum_k wb_k * (top - x_k) / top, or
* ``table``: a dense table of utilities per outcome drawn with ``numpy.random.default_rng(seed)``
  in mixed-radix order (the first issue varies slowest), as a ``MappingUtilityFunction``.

What is timed: ``negmas.preferences.ops.pareto_frontier(ufuns, issues=issues)`` (it enumerates
the space and evaluates both utilities) and then ``nash_points(ufuns, frontier, issues=issues)``.
Building the utility functions (and, for ``table``, the outcome -> utility dict) is not timed.

Usage: .bench-venv/bin/python benchmarks/negmas_pareto.py --kind linear [--values 100 --issues 3]
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import sys
import time
import warnings

import numpy as np

WA = (0.5, 0.3, 0.2)
WB = (0.2, 0.3, 0.5)


def weights(n: int) -> tuple[list[float], list[float]]:
    """The benchmark's weights for ``n`` issues (the same function is in bench_pareto.py)."""
    a = [WA[k % 3] for k in range(n)]
    b = [WB[k % 3] for k in range(n)]
    return [x / sum(a) for x in a], [x / sum(b) for x in b]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kind", choices=["linear", "table"], default="linear")
    ap.add_argument("--issues", type=int, default=3)
    ap.add_argument("--values", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args(argv)

    warnings.filterwarnings("ignore")
    import negmas
    from negmas import make_issue
    from negmas.outcomes import make_os
    from negmas.preferences import LinearAdditiveUtilityFunction, MappingUtilityFunction
    from negmas.preferences.ops import nash_points, pareto_frontier
    from negmas.preferences.value_fun import AffineFun

    issues = [make_issue(name=f"i{k}", values=args.values) for k in range(args.issues)]
    os_ = make_os(issues)
    top = float(args.values - 1)
    if args.kind == "linear":
        wa, wb = weights(args.issues)
        ua = LinearAdditiveUtilityFunction(values=[AffineFun(1.0 / top, 0.0) for _ in issues], weights=wa,
                                           outcome_space=os_, reserved_value=0.0)
        ub = LinearAdditiveUtilityFunction(values=[AffineFun(-1.0 / top, 1.0) for _ in issues], weights=wb,
                                           outcome_space=os_, reserved_value=0.0)
    else:
        n = args.values ** args.issues
        rng = np.random.default_rng(args.seed)
        ta, tb = rng.random(n), rng.random(n)
        keys = list(itertools.product(range(args.values), repeat=args.issues))
        ua = MappingUtilityFunction(dict(zip(keys, ta.tolist())), outcome_space=os_, reserved_value=0.0)
        ub = MappingUtilityFunction(dict(zip(keys, tb.tolist())), outcome_space=os_, reserved_value=0.0)

    best_frontier = best_total = float("inf")
    frontier: tuple = ()
    nash: tuple = ()
    for _ in range(max(1, args.repeats)):
        t0 = time.perf_counter()
        frontier, _indices = pareto_frontier([ua, ub], issues=issues)
        t1 = time.perf_counter()
        nash = nash_points([ua, ub], frontier, issues=issues)
        t2 = time.perf_counter()
        best_frontier = min(best_frontier, t1 - t0)
        best_total = min(best_total, t2 - t0)
    unique = sorted({(round(float(a), 9), round(float(b), 9)) for a, b in frontier})
    print(json.dumps({
        "negmas": negmas.__version__, "python": platform.python_version(), "kind": args.kind,
        "outcomes": args.values ** args.issues, "frontier_s": best_frontier, "total_s": best_total,
        "frontier_points": len(frontier), "frontier_unique": len(unique),
        "nash": [[float(x) for x in p] for p, _ in nash][:4],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
