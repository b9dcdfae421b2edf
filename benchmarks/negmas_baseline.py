"""NegMAS side of the step benchmark; runs only inside the benchmark venv (.bench-venv).

NegMAS is AGPL-3.0: it is never a dependency of negotiation-arena and project code never
imports it. ``bench_steps.py`` runs this script with the venv's interpreter and reads the JSON it
prints on stdout. Set up the venv with ``bash benchmarks/setup_negmas.sh``.

The setup mirrors the arena side: ``issues`` integer issues with ``values`` values each (0..values-1),
two linear-additive utilities in [0, 1] with opposed preferences (side A wants every issue high,
side B low, with mirrored weights), reserved values 0, a ``LinearTBNegotiator`` (A) against a
``BoulwareTBNegotiator`` (B) under ``SAOMechanism(n_steps=...)``.

What is timed: ``SAOMechanism.run()`` of a freshly built mechanism with freshly added
negotiators (their utility-inverse tables are built inside the run, on the first step). Building
the issues and utility functions is not timed.

What is counted: ``steps`` is the mechanism's own step counter. In the default configuration one
step lets every negotiator move once (respond to the offer on the table, and counter-offer unless
it accepts): two moves for two negotiators. With ``--one-offer-per-step`` a step is one move.
``moves`` counts the negotiators' calls directly.

Usage: .bench-venv/bin/python benchmarks/negmas_baseline.py [--sessions N] [--repeats R] ...
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from typing import Any


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--issues", type=int, default=3)
    ap.add_argument("--values", type=int, default=10)
    ap.add_argument("--n-steps", type=int, default=100, help="SAOMechanism n_steps (its deadline)")
    ap.add_argument("--sessions", type=int, default=20, help="sessions per repeat")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=3, help="untimed sessions before measuring")
    ap.add_argument("--one-offer-per-step", action="store_true", help="one negotiator moves per step")
    args = ap.parse_args(argv)

    warnings.filterwarnings("ignore")
    import negmas
    from negmas import SAOMechanism, make_issue
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import AffineFun, IdentityFun
    from negmas.sao.negotiators import BoulwareTBNegotiator, LinearTBNegotiator

    calls = [0]  # how often the mechanism asked a negotiator to move

    class Counting:
        """Mixin that counts the negotiator's calls (one call = one move)."""

        def __call__(self, *a: Any, **kw: Any) -> Any:
            calls[0] += 1
            return super().__call__(*a, **kw)  # type: ignore[misc]

    class CountingLinear(Counting, LinearTBNegotiator):
        pass

    class CountingBoulware(Counting, BoulwareTBNegotiator):
        pass

    issues = [make_issue(name=f"i{k}", values=args.values) for k in range(args.issues)]
    top = args.values - 1
    raw = [float(k + 1) for k in range(args.issues)][::-1]
    wa = [w / sum(raw) / top for w in raw]  # A: most weight on the first issue
    wb = wa[::-1]                           # B: mirrored weights

    def session() -> tuple[float, int, int, bool]:
        mech = SAOMechanism(issues=issues, n_steps=args.n_steps, one_offer_per_step=args.one_offer_per_step)
        ua = LinearAdditiveUtilityFunction(values=[IdentityFun() for _ in issues], weights=wa,
                                           outcome_space=mech.outcome_space, reserved_value=0.0)
        ub = LinearAdditiveUtilityFunction(values=[AffineFun(-1.0, top) for _ in issues], weights=wb,
                                           outcome_space=mech.outcome_space, reserved_value=0.0)
        mech.add(CountingLinear(name="a"), ufun=ua)
        mech.add(CountingBoulware(name="b"), ufun=ub)
        before = calls[0]
        t0 = time.perf_counter()
        state = mech.run()
        dt = time.perf_counter() - t0
        moves = calls[0] - before
        return dt, int(state.step), moves, state.agreement is not None

    for _ in range(args.warmup):
        session()
    repeats = []
    for _ in range(args.repeats):
        seconds = steps = moves = agreements = 0
        for _ in range(args.sessions):
            dt, st, mv, ok = session()
            seconds, steps, moves, agreements = seconds + dt, steps + st, moves + mv, agreements + ok
        repeats.append({"seconds": seconds, "steps": steps, "moves": moves, "sessions": args.sessions,
                        "agreements": agreements})
    json.dump({
        "negmas_version": getattr(negmas, "__version__", "?"),
        "python": platform.python_version(),
        "executable": sys.executable,
        "one_offer_per_step": args.one_offer_per_step,
        "n_steps": args.n_steps,
        "issues": args.issues,
        "values": args.values,
        "repeats": repeats,
    }, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
