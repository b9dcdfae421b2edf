"""Moves an agent can make: Offer, Accept, Reject, WalkAway, Say, ProposeRegion, each with
optional arguments.

Actions form a discriminated union on ``kind`` so they round-trip through JSON transcripts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from .space import Bundle, Value

__all__ = [
    "ARGUMENT_KINDS",
    "Accept",
    "Action",
    "Argument",
    "Offer",
    "ProposeRegion",
    "Reject",
    "Say",
    "WalkAway",
    "action_adapter",
    "describe_action",
    "make_offer",
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


class ProposeRegion(_Move):
    """Propose a region of the outcome space: a closed range ``[lo, hi]`` for every issue
    (the region-recursive protocol). A range with ``lo == hi`` fixes that issue; a region of
    such ranges only is a single contract. Values are kept as written; the referee checks them."""

    kind: Literal["propose_region"] = "propose_region"
    region: dict[str, list[Value]]


Action = Annotated[Union[Offer, Accept, Reject, WalkAway, Say, ProposeRegion], Field(discriminator="kind")]
action_adapter: TypeAdapter[Action] = TypeAdapter(Action)


_new = object.__new__
_set = object.__setattr__
_PLAIN = (str, int, float)


def make_offer(bundle: Mapping[str, Value], arguments: list[Argument] | None = None) -> Offer:
    """``Offer(bundle=bundle, arguments=arguments)``, equal in every respect, built without the
    validation when the bundle's keys are ``str`` and its values exactly ``str``, ``int`` or
    ``float`` and the arguments are :class:`Argument` objects, the types validation keeps as they
    are (an engine-side shortcut: scripted agents make an offer on every turn). Anything else
    goes through the validating constructor.
    """
    plain = type(bundle) is dict and (arguments is None or all(type(a) is Argument for a in arguments))
    if plain:
        for k, v in bundle.items():
            if type(k) is not str or type(v) not in _PLAIN:
                plain = False
                break
    if not plain:
        return Offer(bundle=bundle) if arguments is None else Offer(bundle=bundle, arguments=arguments)  # type: ignore[arg-type]
    offer = _new(Offer)
    _set(offer, "__dict__", {"arguments": [] if arguments is None else list(arguments), "kind": "offer",
                             "bundle": dict(bundle)})
    _set(offer, "__pydantic_fields_set__", {"bundle"} if arguments is None else {"bundle", "arguments"})
    _set(offer, "__pydantic_extra__", None)
    _set(offer, "__pydantic_private__", None)
    return offer


def _fmt(v: object) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def describe_action(action: Offer | Accept | Reject | WalkAway | Say | ProposeRegion) -> str:
    """A one-line human-readable rendering of an action."""
    if isinstance(action, Offer):
        inner = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in action.bundle.items())
        return f"offer({inner})"
    if isinstance(action, ProposeRegion):
        inner = ", ".join(f"{k}=[{', '.join(_fmt(x) for x in v)}]" for k, v in action.region.items())
        return f"region({inner})"
    return action.kind
