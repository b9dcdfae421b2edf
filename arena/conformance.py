"""The conformance suite every game and protocol must pass (PettingZoo's ``api_test`` in spirit).

Run it on a shipped game, your own YAML file or an imported Genius domain::

    from arena.conformance import check_game
    report = check_game("logrolling")
    assert report.ok, report.summary()

or ``arena check GAME...``. The checks:

- ``random_play``: random legal moves from the protocol are all judged ``Ok`` by the referee,
  play terminates within the deadline, and an agreement is a valid outcome with finite utilities.
- ``illegal_moves``: moving out of turn, accepting with nothing on the table, unknown and missing
  issues, out-of-range and wrongly typed values, an unparsable message and any move after the end
  each get their typed violation code.
- ``determinism``: the same seed gives the same transcript (scripted agents, up to the session id
  and the clock), and every session ends with a recorded outcome.
- ``utilities``: every role's utility and reservation value are finite over the outcome space.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .actions import Accept, Action, Offer, Reject, Say, WalkAway
from .game import Game, GameSpec, load_game
from .parsing.result import Parsed, ParseFailure
from .protocols import get_protocol
from .protocols.state import NegotiationState
from .referee import Referee
from .space import ContinuousIssue, DiscreteIssue, IntegerIssue

__all__ = ["CHECKS", "ConformanceReport", "Finding", "check_game"]

CHECKS = ("random_play", "illegal_moves", "determinism", "utilities")
_MAX_OUTCOMES = 200_000  # utilities are checked on a sample of larger spaces


@dataclass(frozen=True)
class Finding:
    """One failed expectation: which check, under which seed, and what went wrong."""

    check: str
    seed: int | None
    message: str


@dataclass
class ConformanceReport:
    """What :func:`check_game` found for one game."""

    game: str
    seeds: int
    checks: tuple[str, ...] = CHECKS
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        if self.ok:
            return f"{self.game}: all {len(self.checks)} checks pass ({self.seeds} seeds)"
        lines = [f"{self.game}: {len(self.findings)} finding(s)"]
        lines += [f"  [{f.check}{'' if f.seed is None else f' seed {f.seed}'}] {f.message}" for f in self.findings]
        return "\n".join(lines)


def _load(game: str | Path | GameSpec | Game, seed: int) -> Game:
    return game if isinstance(game, Game) else load_game(game, seed=seed)


def _random_move(game: Game, protocol: Any, state: NegotiationState, role: str, rng: random.Random) -> Action:
    sampler = getattr(protocol, "sample_move", None)  # a protocol may supply its own random legal moves
    if sampler is not None:
        return sampler(state, role, rng)  # type: ignore[no-any-return]
    kind = rng.choice(protocol.legal_kinds(state, role))
    if kind == "offer":
        return Offer(bundle={i.name: i.decode(float(rng.choice(list(i.grid(11))))) for i in game.space.issues})
    return {"accept": Accept(), "reject": Reject(), "walk_away": WalkAway(), "say": Say()}[kind]


def _random_play(game: Game, seed: int, out: list[Finding]) -> None:
    protocol = get_protocol(game)
    referee = Referee(game, protocol)
    rng = random.Random(seed)
    state = protocol.initial_state()
    bound = 4 * game.spec.protocol.max_rounds + 4
    for _ in range(bound):
        if state.ended:
            break
        role = state.to_move
        action = _random_move(game, protocol, state, role, rng)
        verdict = referee.judge(state, role, Parsed(action=action, method="structured"))
        if not verdict.ok:
            out.append(Finding("random_play", seed, f"the legal move {action.kind} by {role} was refused: "
                                                    f"{verdict.code}: {verdict.message}"))
            return
        state = protocol.apply(state, role, action)
    if not state.ended:
        out.append(Finding("random_play", seed, f"play did not end within {bound} moves"))
        return
    if state.outcome not in ("agreement", "disagreement"):
        out.append(Finding("random_play", seed, f"unexpected outcome {state.outcome!r}"))
    if state.outcome == "agreement":
        problems = game.space.problems(state.agreement or {})
        if problems:
            out.append(Finding("random_play", seed, f"the agreement is not a valid outcome: {problems[0].message}"))
            return
        utilities = game.utilities(state.agreement, state.agreement_round or 1)
        if not all(math.isfinite(u) for u in utilities.values()):
            out.append(Finding("random_play", seed, f"non-finite utilities of the agreement: {utilities}"))


def _bad_values(issue: Any) -> tuple[object, object]:
    """(an out-of-range value, a wrongly typed value) for ``issue``."""
    if isinstance(issue, DiscreteIssue):
        return "no-such-value-" + "x" * 8, 3.5
    if isinstance(issue, (IntegerIssue, ContinuousIssue)):
        return issue.max + max(1, abs(issue.max)), "lots"
    return None, None


def _illegal_moves(game: Game, out: list[Finding]) -> None:
    protocol = get_protocol(game)
    referee = Referee(game, protocol)
    state = protocol.initial_state()
    first = state.to_move
    second = game.other(first)
    good = game.space.from_row(np.array([g[0] for g in game.space.grids(3)]))

    def expect(role: str, move: Action | ParseFailure, code: str, what: str, at: NegotiationState) -> None:
        result = move if isinstance(move, ParseFailure) else Parsed(action=move, method="structured")
        verdict = referee.judge(at, role, result)
        got = None if verdict.ok else verdict.code
        if got != code:
            out.append(Finding("illegal_moves", None, f"{what}: expected {code}, got {got or 'Ok'}"))

    expect(second, Offer(bundle=good), "not_your_turn", "an offer out of turn", state)
    if "accept" not in protocol.legal_kinds(state, first):
        expect(first, Accept(), "no_standing_offer", "accepting with nothing on the table", state)
    expect(first, Offer(bundle={**good, "no-such-issue": 1}), "unknown_issue", "an unknown issue", state)
    missing = dict(good)
    missing.pop(game.space.names[0])
    expect(first, Offer(bundle=missing), "missing_issue", "a missing issue", state)
    for issue in game.space.issues:
        high, wrong = _bad_values(issue)
        if high is not None:
            expect(first, Offer(bundle={**good, issue.name: high}), "out_of_range", f"{issue.name}={high!r}", state)
            expect(first, Offer(bundle={**good, issue.name: wrong}), "wrong_type", f"{issue.name}={wrong!r}", state)
    expect(first, ParseFailure(code="no_move", reason="nothing readable"), "unparsable", "an unparsable message",
           state)
    ended = protocol.apply(state, first, WalkAway()) if "walk_away" in protocol.legal_kinds(state, first) else None
    if ended is not None and ended.ended:
        expect(second, Offer(bundle=good), "game_over", "an offer after the end", ended)


def _determinism(game_ref: str | Path | GameSpec | Game, seed: int, out: list[Finding]) -> None:
    from .runner import run_match

    for a, b in (("random", "random"), ("boulware", "tit-for-tat")):
        runs = []
        for _ in range(2):
            t = run_match(_load(game_ref, seed), a, b, seed=seed)
            if t.end is None or t.end.outcome not in ("agreement", "disagreement", "forfeit"):
                out.append(Finding("determinism", seed, f"{a} vs {b}: the session has no recorded outcome"))
                return
            runs.append(_stable(t.to_jsonl()))
        if runs[0] != runs[1]:
            out.append(Finding("determinism", seed, f"{a} vs {b}: the same seed gave two different transcripts"))


def _stable(jsonl: str) -> list[dict[str, Any]]:
    events = [json.loads(line) for line in jsonl.splitlines()]
    for ev in events:
        if ev.get("kind") == "session_start":
            ev.pop("session_id", None)
            ev.pop("created_at", None)
    return events


def _utilities(game: Game, out: list[Finding]) -> None:
    space = game.space
    if space.cardinality <= _MAX_OUTCOMES:
        X = space.enumerate()
    else:  # a uniform sample, never the whole space (an ANAC 2014 domain has 10^10 outcomes)
        rng = np.random.default_rng(0)
        X = np.stack([rng.choice(g, _MAX_OUTCOMES) for g in space.grids()], axis=1)
    for name, role in game.roles.items():
        u = np.asarray(role.utility.evaluate(X), dtype=float)
        if u.shape != (len(X),) or not np.all(np.isfinite(u)):
            out.append(Finding("utilities", None, f"{name}: utilities are not finite over the outcome space"))
        if not math.isfinite(float(role.reservation)):
            out.append(Finding("utilities", None, f"{name}: the reservation value is not finite"))


def check_game(game: str | Path | GameSpec | Game, seeds: int = 20, determinism_seeds: int = 2) -> ConformanceReport:
    """Run the conformance suite on ``game`` (a name, a YAML path, a Genius folder, a spec or a
    built game) with random play under ``seeds`` seeds.

    Raises:
        GameError: the game cannot be loaded (the message names the file and field).
    """
    label = game.spec.name if isinstance(game, Game) else game.name if isinstance(game, GameSpec) else str(game)
    report = ConformanceReport(game=label, seeds=seeds)
    checks: list[Finding] = report.findings
    for seed in range(seeds):
        _random_play(_load(game, seed), seed, checks)
    base = _load(game, 0)
    _illegal_moves(base, checks)
    for seed in range(determinism_seeds):
        _determinism(game, seed, checks)
    _utilities(base, checks)
    return report
