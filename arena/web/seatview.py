"""What one seat's page is sent: built only from the seat's own role and public information.

Everything here goes through the ``arena.agents.views`` helpers for the viewer's role: the
other side's brief, utility, reservation and discount are never read, and neither is the game
spec as a whole (it holds both sides' preferences). The opponent's messages are shown without
their structured blocks, with the move the referee accepted; their failed attempts are not shown
(a model seat is not shown them either).
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..actions import ARGUMENT_KINDS
from ..agents.base import Observation
from ..agents.views import bundle_in_words, issue_rows, move_in_words, preference_offset, preference_rows, spoken_part
from ..game import Game
from ..parsing import ParseContext, parse
from ..space import Bundle, DiscreteIssue, IntegerIssue
from ..transcript import ParsedEvent, StateEvent, Transcript, Utterance, VerdictEvent

__all__ = ["MAX_ARGUMENT", "MAX_MESSAGE", "MoveIn", "SayIn", "compose", "preview", "seat_brief", "seat_state"]

MAX_MESSAGE = 2000
MAX_ARGUMENT = 300
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class MoveIn(BaseModel):
    """A move built with the page's controls. For division issues each value is what the viewer
    gets (the server turns it into the recipient's share)."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["offer", "accept", "reject", "walk_away"]
    bundle: dict[str, str | int | float] | None = Field(default=None, max_length=32)


class ArgumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["batna", "cost", "market", "fairness", "priority", "threat", "promise", "other"] = "other"
    text: str = Field(max_length=MAX_ARGUMENT)


class SayIn(BaseModel):
    """A message from a person: free text, optionally a built move and argument claims. There is
    no role field: the seat is the one the token opens."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", max_length=MAX_MESSAGE)
    move: MoveIn | None = None
    arguments: list[ArgumentIn] = Field(default_factory=list, max_length=3)


def own_observation(game: Game, role: str) -> Observation:
    """An observation of ``role`` with no history: enough for the views of its own preferences."""
    r = game.roles[role]
    return Observation(game=game, role=role, utility=r.utility, reservation=r.reservation, discount=r.discount,
                       brief=r.spec.brief, legal=[], round=0, max_rounds=game.spec.protocol.max_rounds, turn=1,
                       standing=None, standing_by=None, history=[])


def _controls(game: Game, role: str) -> list[dict[str, Any]]:
    out = []
    for issue in game.space.issues:
        c: dict[str, Any] = {"name": issue.name, "mine": bool(getattr(issue, "recipient", None))}
        if isinstance(issue, DiscreteIssue):
            c.update(kind="choice", values=list(issue.values))
        else:
            c.update(kind="integer" if isinstance(issue, IntegerIssue) else "number", min=issue.min, max=issue.max,
                     unit=issue.unit or "")
        out.append(c)
    return out


def seat_brief(game: Game, role: str) -> dict[str, Any]:
    """The unchanging part of a seat's page: the public game and this role's own preferences."""
    obs = own_observation(game, role)
    other = game.other(role)
    return {
        "title": game.spec.title or game.name, "narrative": game.spec.narrative,
        "you": {"role": role, "label": game.roles[role].label},
        "them": {"role": other, "label": game.roles[other].label},
        "brief": obs.brief, "issues": issue_rows(game), "preferences": preference_rows(obs),
        "offset": round(preference_offset(obs), 6) if game.space.cardinality <= 2_000_000 else 0.0,
        "reservation": obs.reservation,
        "max_rounds": game.spec.protocol.max_rounds, "controls": _controls(game, role),
        "argument_kinds": list(ARGUMENT_KINDS), "max_message": MAX_MESSAGE, "max_argument": MAX_ARGUMENT,
    }


def _worth(game: Game, role: str, bundle: Bundle | None) -> float | None:
    if bundle is None or game.space.problems(bundle):
        return None
    return round(float(game.roles[role].utility(bundle)), 6)


def seat_state(game: Game, role: str, t: Transcript | None, observation: Observation | None, your_turn: bool,
               arguments: bool, running: bool) -> dict[str, Any]:
    """The changing part of a seat's page: history, standing offer, whose turn, the outcome."""
    history: list[dict[str, Any]] = []
    standing: Bundle | None = None
    standing_by: str | None = None
    round_ = 0
    events = t.events if t is not None else []
    parsed = {(e.turn, e.attempt, e.role): e for e in events if isinstance(e, ParsedEvent)}
    verdicts = {(e.turn, e.attempt, e.role): e for e in events if isinstance(e, VerdictEvent)}
    for e in events:
        if isinstance(e, StateEvent):
            standing, standing_by, round_ = e.standing, e.standing_by, e.round
            continue
        if not isinstance(e, Utterance):
            continue
        key = (e.turn, e.attempt, e.role)
        v, p = verdicts.get(key), parsed.get(key)
        mine = e.role == role
        if v is None or p is None or (not mine and not v.verdict.ok):
            continue  # still being judged, or the other side's rejected attempt
        entry: dict[str, Any] = {"turn": e.turn, "who": "you" if mine else "them", "label": game.roles[e.role].label,
                                 "text": spoken_part(e.text), "ok": bool(v.verdict.ok), "arguments": []}
        if p.result.ok:
            action = p.result.action  # type: ignore[union-attr]
            entry["move"] = move_in_words(game, action, role)
            deal = action.bundle if action.kind == "offer" else standing if action.kind == "accept" else None  # type: ignore[union-attr]
            entry["worth"] = _worth(game, role, deal)
            if mine or arguments:
                entry["arguments"] = [{"kind": a.kind, "text": a.text} for a in action.arguments]
        else:
            entry["move"], entry["worth"] = "no move could be read", None
        if mine and not v.verdict.ok:
            entry["problem"] = v.verdict.message  # type: ignore[union-attr]
        history.append(entry)
    state: dict[str, Any] = {"history": history, "round": round_, "your_turn": your_turn, "legal": [],
                             "problem": None, "standing": None, "ended": False, "running": running}
    if standing is not None:
        state["standing"] = {"words": bundle_in_words(game, standing, role), "worth": _worth(game, role, standing),
                             "by": "you" if standing_by == role else "them"}
    if your_turn and observation is not None:
        state["legal"] = list(observation.legal)
        state["round"] = observation.round
        if observation.attempt > 0 and observation.violation is not None:
            state["problem"] = observation.violation.message
    end = t.end if t is not None else None
    if end is not None:
        state.update(ended=True, running=False, outcome=end.outcome, reason=end.reason,
                     deal=bundle_in_words(game, end.agreement, role) if end.agreement else None,
                     your_utility=end.utilities.get(role), your_reservation=game.roles[role].reservation)
    return state


def _context(game: Game, role: str, observation: Observation | None, t: Transcript | None) -> ParseContext:
    if observation is not None:
        return ParseContext(game, role, observation.standing, observation.standing_by)
    states = [e for e in (t.events if t else []) if isinstance(e, StateEvent)]
    last = states[-1] if states else None
    return ParseContext(game, role, last.standing if last else None, last.standing_by if last else None)


def compose(game: Game, role: str, body: SayIn, ctx: ParseContext) -> str:
    """The message a person sends: their text, plus a structured block when they built a move
    or attached arguments (the parser reads the last block). Raises ValueError for the user."""
    text = _CONTROL.sub("", body.text).strip()
    block: dict[str, Any] | None = None
    args = [{"kind": a.kind, "text": _CONTROL.sub("", a.text).strip()} for a in body.arguments if a.text.strip()]
    if body.move is not None:
        block = {"action": body.move.action}
        if body.move.action == "offer":
            if not body.move.bundle:
                raise ValueError("an offer needs a value for every issue")
            bundle: dict[str, Any] = {}
            for name, value in body.move.bundle.items():
                if name not in game.space.names:
                    raise ValueError(f"there is no issue {name!r}")
                issue = game.space.issue(name)
                recipient = getattr(issue, "recipient", None)
                if recipient and recipient != role and isinstance(value, (int, float)):
                    value = issue.max - value  # type: ignore[union-attr]
                bundle[name] = value
            block["bundle"] = bundle
    elif args:
        read = parse(text, ctx)
        if not read.ok or read.action.kind == "say":  # type: ignore[union-attr]
            raise ValueError("an argument needs a move: build one, or write an offer, accept, reject or walk away")
        block = read.action.model_dump(mode="json", exclude={"arguments"})  # type: ignore[union-attr]
        block = {"action": block.pop("kind"), **block}
    if block is not None and args:
        block["arguments"] = args
    if not text and block is None:
        raise ValueError("write a message or build a move")
    return text + (f"\n```json\n{json.dumps(block)}\n```" if block is not None else "")


def preview(game: Game, role: str, body: SayIn, observation: Observation | None, t: Transcript | None,
            your_turn: bool) -> dict[str, Any]:
    """How the message would be read: the move in words, what the deal is worth to the viewer,
    and whether it is a legal move now. Nothing is sent."""
    ctx = _context(game, role, observation, t)
    try:
        text = compose(game, role, body, ctx)
    except ValueError as exc:
        return {"ok": False, "reason": str(exc)}
    result = parse(text, ctx)
    if not result.ok:
        return {"ok": False, "reason": result.reason}  # type: ignore[union-attr]
    action = result.action  # type: ignore[union-attr]
    out: dict[str, Any] = {"ok": True, "move": move_in_words(game, action, role), "method": result.method,
                           "arguments": [{"kind": a.kind, "text": a.text} for a in action.arguments]}
    deal = action.bundle if action.kind == "offer" else ctx.standing if action.kind == "accept" else None  # type: ignore[union-attr]
    if deal is not None:
        problems = game.space.problems(deal)
        out["problems"] = [p.message for p in problems]
        worth = _worth(game, role, deal)
        out["worth"] = worth
        out["below_reservation"] = worth is not None and worth < game.roles[role].reservation
    if your_turn and observation is not None:
        out["legal"] = action.kind in observation.legal or action.kind == "say"
    return out
