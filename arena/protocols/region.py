"""The recursive region-based protocol (RNP): our reconstruction of Marsa-Maestre, Lopez-Carmona
et al. (2013), "A Recursive Protocol for Negotiating Contracts Under Non-monotonic Preference
Structures", from its public abstract. Rules and parameters are ours unless docs/rnp.md says
otherwise.

Rules:
    * The negotiation space N starts as the whole outcome space (every issue numeric).
    * Rounds are simultaneous: in each round both roles move once, the first role's move sealed
      until the second has moved (``state.sealed``); the moves are then revealed together.
    * A move is a region proposal (a range ``[lo, hi]`` per issue, inside N, each range at most
      ``size_fraction(round)`` of N's width on that issue), a contract (an offer: a region of
      zero width), acceptance of the other side's standing proposal (from the previous round),
      a rejection of it (no new proposal: one's own earlier proposal, if any, stands), or walking
      away (which ends the negotiation at once).
    * Resolution at the end of a round: if one role accepted, the region it accepted becomes
      the new N; if both accepted, the acceptance of the role with precedence counts (the first
      role in odd rounds, the second in even ones); otherwise, if the two proposals overlap, the
      overlap becomes the new N. Else both proposals stand for the next round.
    * A new N starts a new level of bargaining (depth + 1) inside it, with no standing
      proposals. If it is a single contract, or narrower than the leaf size on every issue (its
      centre is then the contract), the negotiation ends in agreement on that contract.
    * Region sizes decay over time: ``size_fraction = size_min + (size_max - size_min) *
      exp(-size_decay * t)``, ``t = (round - 1) / (max_rounds - 1)``, relative to N's width.
    * After ``max_rounds`` rounds without agreement there is no deal (the deadline).
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from ..actions import Accept, Action, Offer, ProposeRegion, Reject, WalkAway
from ..regions import (
    Box,
    as_box,
    box_of_bundle,
    centre,
    full_box,
    intersect,
    is_point,
    region_problems,
    round_inward,
    widths,
)
from ..space import IntegerIssue
from ..verdicts import Violation
from .base import register_protocol
from .state import MoveRecord, NegotiationState

if TYPE_CHECKING:
    from ..game import Game

__all__ = ["REGION_VIOLATION_CODES", "RegionParams", "RegionRecursive"]

REGION_VIOLATION_CODES = ("region_too_large",)
"""Violation codes of this protocol beyond :data:`arena.verdicts.VIOLATION_CODES`."""


class RegionParams(BaseModel):
    """Public parameters of the protocol, read from the game's ``public.region_protocol``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    size_max: float = Field(default=0.5, gt=0.0, le=1.0, description="Largest range, as a fraction of N's width, at t=0.")
    size_min: float = Field(default=0.2, gt=0.0, le=1.0, description="The fraction the size cap decays towards.")
    size_decay: float = Field(default=3.0, ge=0.0, description="Decay rate tau_r of the size cap over normalized time.")
    leaf: float = Field(default=0.01, ge=0.0, lt=1.0,
                        description="Leaf size as a fraction of each issue's domain: narrower spaces settle at their centre.")


def _lists(box: Box) -> dict[str, list[float]]:
    return {k: [lo, hi] for k, (lo, hi) in box.items()}


@register_protocol("region-recursive")
class RegionRecursive:
    """Simultaneous region proposals; agreement on a region recurses inside it (see module doc)."""

    name = "region-recursive"

    def __init__(self, game: Game) -> None:
        from ..game import GameError

        self.space = game.space
        try:
            self.domain = full_box(game.space)
        except ValueError as exc:
            raise GameError(f"game {game.name!r}: the region-recursive protocol {exc}") from None
        self.first = game.first
        self.roles = game.role_names
        self.max_rounds = game.spec.protocol.max_rounds
        self.params = RegionParams.model_validate(dict(game.spec.public.get("region_protocol") or {}))
        self.leaf = {i.name: max(self.params.leaf * (self.domain[i.name][1] - self.domain[i.name][0]),
                                 1.0 if isinstance(i, IntegerIssue) else 0.0) for i in self.space.issues}

    # ------------------------------------------------------------------ reading the state
    def _other(self, role: str) -> str:
        return self.roles[1] if role == self.roles[0] else self.roles[0]

    def current(self, state: NegotiationState) -> Box:
        """The current negotiation space N."""
        raw = state.extra.get("space")
        return as_box(raw) if raw else dict(self.domain)

    def standing(self, state: NegotiationState) -> dict[str, Box]:
        """Each role's standing (revealed, not yet resolved) proposal."""
        return {r: as_box(b) for r, b in (state.extra.get("standing") or {}).items()}

    def size_fraction(self, round_index: int) -> float:
        p = self.params
        t = 0.0 if self.max_rounds <= 1 else min(1.0, max(0.0, (round_index - 1) / (self.max_rounds - 1)))
        return p.size_min + (p.size_max - p.size_min) * math.exp(-p.size_decay * t)

    def max_width(self, state: NegotiationState) -> dict[str, float]:
        """The widest range allowed on each issue in the round being played."""
        f = self.size_fraction(state.round + 1)
        out = {}
        for issue in self.space.issues:
            lo, hi = self.current(state)[issue.name]
            w = f * (hi - lo)
            out[issue.name] = float(min(hi - lo, math.ceil(w - 1e-9))) if isinstance(issue, IntegerIssue) else w
        return out

    # ------------------------------------------------------------------ the contract
    def initial_state(self) -> NegotiationState:
        return NegotiationState(to_move=self.first, extra={"space": _lists(self.domain), "depth": 0, "standing": {},
                                                           "last": None, "trail": []})

    def legal_kinds(self, state: NegotiationState, role: str) -> list[str]:
        if state.ended or role != state.to_move:
            return []
        kinds = ["propose_region", "offer"]
        if self._other(role) in self.standing(state):
            kinds += ["accept", "reject"]
        kinds.append("walk_away")
        return kinds

    def check(self, state: NegotiationState, role: str, action: Action) -> Violation | None:
        if state.ended:
            return Violation(code="game_over", message="The negotiation has already ended; no more moves.")
        if role != state.to_move:
            return Violation(code="not_your_turn", message=f"It is {state.to_move}'s turn, not yours.")
        legal = self.legal_kinds(state, role)
        if action.kind in ("accept", "reject") and action.kind not in legal:
            return Violation(code="no_standing_offer", message="There is no region or contract from the other side "
                                                               f"on the table to {action.kind}. Propose a region instead.")
        if action.kind not in legal:
            return Violation(code="illegal_action", message=f"You cannot {action.kind.replace('_', ' ')} in this "
                                                            f"protocol. Legal moves: {', '.join(legal)}.")
        here = self.current(state)
        where = "; ".join(f"{k} {lo:g} to {hi:g}" for k, (lo, hi) in here.items())
        if isinstance(action, ProposeRegion):
            problems = region_problems(self.space, action.region, here, self.max_width(state))
            if problems:
                return Violation(code=problems[0].code, message=f"Your region is not valid: "
                                 f"{'; '.join(p.message for p in problems)}. Give a range [low, high] for every issue "
                                 f"inside the current negotiation space ({where}).")
        if isinstance(action, Offer):
            problems = self.space.problems(action.bundle)
            if problems:
                return Violation(code=problems[0].code, message="Your contract is not valid: "
                                 f"{'; '.join(p.message for p in problems)}.")
            outside = [k for k, (lo, hi) in box_of_bundle(action.bundle).items()
                       if lo < here[k][0] - 1e-9 or hi > here[k][1] + 1e-9]
            if outside:
                return Violation(code="out_of_range", message=f"Your contract lies outside the current negotiation "
                                 f"space on {', '.join(outside)}; it must lie within {where}.")
        return None

    def apply(self, state: NegotiationState, role: str, action: Action) -> NegotiationState:
        turn = state.turn + 1
        moves = [*state.moves, MoveRecord.of(turn, state.round + 1, role, action)]
        if isinstance(action, WalkAway):
            s = state.evolve(turn=turn, moves=moves, sealed={})
            s.end("disagreement", f"{role} walked away")
            return s
        sealed = {**state.sealed, role: action}
        if len(sealed) < len(self.roles):
            return state.evolve(turn=turn, moves=moves, sealed=sealed, to_move=self._other(role))
        return self._resolve(state, sealed, turn, moves)

    def _box(self, action: Action) -> Box:
        if isinstance(action, Offer):
            return box_of_bundle(action.bundle)
        assert isinstance(action, ProposeRegion)
        return as_box(action.region)

    def _resolve(self, state: NegotiationState, sealed: dict[str, Action], turn: int,
                 moves: list[MoveRecord]) -> NegotiationState:
        rnd = state.round + 1
        standing = self.standing(state)
        accepted = [r for r in self.roles if isinstance(sealed[r], Accept)]
        new_space: Box | None = None
        proposals: dict[str, Box] = {}
        if len(accepted) == 2:
            p = self.roles[(rnd - 1) % 2]
            new_space = standing[self._other(p)]
            event = f"both accepted; {p} has precedence and accepted {self._other(p)}'s proposal"
        elif len(accepted) == 1:
            a = accepted[0]
            new_space, event = standing[self._other(a)], f"{a} accepted {self._other(a)}'s proposal"
        else:
            proposals = {r: self._box(sealed[r]) for r in self.roles if isinstance(sealed[r], (Offer, ProposeRegion))}
            if len(proposals) == 2:
                new_space = intersect(proposals[self.roles[0]], proposals[self.roles[1]])
            event = "the proposals overlap" if new_space is not None else "no overlap"
        extra = dict(state.extra)
        extra["last"] = {"round": rnd, "event": event,
                         "proposals": {r: _lists(b) for r, b in proposals.items()} if proposals else {}}
        changes: dict[str, Any] = {"turn": turn, "round": rnd, "to_move": self.first, "sealed": {}, "moves": moves}
        if new_space is None:  # a proposal stands until the next one; a rejection keeps the old one
            kept = {r: b for r, b in standing.items() if r not in proposals}
            extra["standing"] = {r: _lists(b) for r, b in {**kept, **proposals}.items()}
            s = state.evolve(extra=extra, **changes)
            if rnd >= self.max_rounds:
                s.end("disagreement", "deadline")
            return s
        extra.update(space=_lists(new_space), depth=int(state.extra.get("depth", 0)) + 1, standing={},
                     trail=[*state.extra.get("trail", []), {"round": rnd, "space": _lists(new_space)}])
        s = state.evolve(extra=extra, **changes)
        if is_point(new_space):
            s.end("agreement", "agreed on a single contract", agreement=self.space.normalize(
                {k: lo for k, (lo, _) in new_space.items()}), agreement_round=rnd)
        elif all(w <= self.leaf[k] + 1e-9 for k, w in widths(new_space).items()):
            s.end("agreement", "the negotiation space reached the leaf size: its centre is the contract",
                  agreement=centre(self.space, new_space), agreement_round=rnd)
        elif rnd >= self.max_rounds:
            s.end("disagreement", "deadline")
        return s

    # ------------------------------------------------------------------ views
    def view(self, state: NegotiationState, role: str) -> dict[str, Any]:
        """What ``role`` may know of the protocol state: N, the size cap, the revealed proposals."""
        standing = self.standing(state)
        other = self._other(role)
        return {
            "protocol": self.name,
            "round": state.round + 1,
            "max_rounds": self.max_rounds,
            "depth": int(state.extra.get("depth", 0)),
            "space": _lists(self.current(state)),
            "domain": _lists(self.domain),
            "size_fraction": self.size_fraction(state.round + 1),
            "max_width": self.max_width(state),
            "leaf": dict(self.leaf),
            "standing": _lists(standing[other]) if other in standing else None,
            "own_standing": _lists(standing[role]) if role in standing else None,
            "last": state.extra.get("last"),
        }

    def sample_move(self, state: NegotiationState, role: str, rng: random.Random) -> Action:
        """A random legal move (for conformance tests and fuzzing)."""
        legal = self.legal_kinds(state, role)
        x = rng.random()
        if "accept" in legal and x < 0.25:
            return Accept()
        if "reject" in legal and x < 0.3:
            return Reject()
        if x > 0.98:
            return WalkAway()
        here, cap = self.current(state), self.max_width(state)
        if x > 0.85:
            point = {k: rng.uniform(lo, hi) for k, (lo, hi) in here.items()}
            bundle = {k: round_inward(self.space, v, v, k)[0] for k, v in point.items()}
            bundle = {k: min(max(v, here[k][0]), here[k][1]) for k, v in bundle.items()}
            return Offer(bundle=self.space.normalize(bundle))
        region: dict[str, list[Any]] = {}
        for k, (lo, hi) in here.items():
            w = rng.uniform(0.0, cap[k])
            a = rng.uniform(lo, hi - w)
            a, b = round_inward(self.space, a, a + w, k)
            a, b = max(a, lo), min(b, hi)
            integer = isinstance(self.space.issue(k), IntegerIssue)
            region[k] = [int(a), int(b)] if integer else [a, max(a, b)]
        return ProposeRegion(region=region)

    def describe_rules(self) -> str:
        p = self.params
        return (f"Region-based recursive negotiation: in each of at most {self.max_rounds} rounds both sides move at "
                "the same time (neither sees the other's move of the round before making its own). A move proposes "
                "a region, a range [low, high] for every issue, inside the current negotiation space; or a single "
                "contract; or accepts or rejects the other side's proposal from the previous round; or walks away. If one side "
                "accepts, or the two proposals overlap, the accepted region (or the overlap) becomes the new, "
                "smaller negotiation space and bargaining continues inside it. When that space is a single contract "
                f"or narrower than {p.leaf:.0%} of each issue's full range, its centre is the deal. Each range may "
                f"be at most {p.size_max:.0%} of the current space's width on its issue at first, shrinking towards "
                f"{p.size_min:.0%} as the deadline nears. No deal by the deadline means no deal for either side.")
