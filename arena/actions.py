"""Moves an agent can make: Offer, Accept, Reject, WalkAway, Say, each with optional arguments.

Actions form a discriminated union on ``kind`` so they round-trip through JSON transcripts.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from .space import Bundle

__all__ = [
    "ARGUMENT_KINDS",
    "Accept",
    "Action",
    "Argument",
    "Offer",
    "Reject",
    "Say",
    "WalkAway",
    "action_adapter",
    "describe_action",
]

ARGUMENT_KINDS = ("batna", "cost", "market", "fairness", "priority", "threat", "promise", "other")
ArgumentKind = Literal["batna", "cost", "market", "fairness", "priority", "threat", "promise", "other"]


class Argument(BaseModel):
    """A justification claim attached to a move (e.g. kind=market, "competitors charge $90")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ArgumentKind = "other"
    text: str = ""
    issue: str | None = None


class _Move(BaseModel):
    model_config = ConfigDict(extra="forbid")

    arguments: list[Argument] = Field(default_factory=list)


class Offer(_Move):
    """Propose a complete bundle; it becomes the standing offer."""

    kind: Literal["offer"] = "offer"
    bundle: Bundle


class Accept(_Move):
    """Accept the opponent's standing offer."""

    kind: Literal["accept"] = "accept"


class Reject(_Move):
    """Reject the standing offer without proposing another."""

    kind: Literal["reject"] = "reject"


class WalkAway(_Move):
    """End the negotiation without agreement."""

    kind: Literal["walk_away"] = "walk_away"


class Say(_Move):
    """Talk without making a move; the turn passes."""

    kind: Literal["say"] = "say"


Action = Annotated[Union[Offer, Accept, Reject, WalkAway, Say], Field(discriminator="kind")]
action_adapter: TypeAdapter[Action] = TypeAdapter(Action)


def describe_action(action: Offer | Accept | Reject | WalkAway | Say) -> str:
    """A one-line human-readable rendering of an action."""
    if isinstance(action, Offer):
        inner = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in action.bundle.items())
        return f"offer({inner})"
    return action.kind
