"""How scripted negotiators speak: a move becomes natural language through the templates in
``prompts/scripted/`` (a phrasing and a number style chosen by the agent's random generator).

The referee never sees the move itself, only what the parser reads back from this text.
"""

from __future__ import annotations

import random
import weakref
from functools import cache
from typing import Any

import yaml

from ...actions import Accept, Action, Argument, Offer, ProposeRegion
from ...game import Game
from ...prompting import Rendered, render, template_names
from ...resources import data_dir
from ...space import Bundle, ContinuousIssue, DiscreteIssue, IntegerIssue

__all__ = ["argument_text", "bundle_context", "region_context", "region_move", "round_region_for_speech", "speak"]


@cache
def _arguments() -> dict[str, list[str]]:
    return yaml.safe_load((data_dir("prompts") / "scripted" / "arguments.yaml").read_text(encoding="utf-8"))


def _label(issue: Any, rng: random.Random) -> str:
    return rng.choice([issue.name.replace("_", " ")] + list(issue.synonyms))


_CONTRACTS: "weakref.WeakKeyDictionary[Game, list[tuple[str, list[str], str, Any]] | None]" = \
    weakref.WeakKeyDictionary()


def _contract_terms(game: Game) -> list[tuple[str, list[str], str, Any]] | None:
    """Per issue of a contract game: name, the labels ``_label`` picks from, type, unit (None for
    a division game); worked out once per game."""
    try:
        return _CONTRACTS[game]
    except KeyError:
        pass
    terms = None if game.spec.is_division else [
        (i.name, [i.name.replace("_", " ")] + list(i.synonyms), i.type, getattr(i, "unit", None))
        for i in game.space.issues]
    try:
        _CONTRACTS[game] = terms
    except TypeError:  # not weak-referenceable: just do not keep it
        pass
    return terms


def bundle_context(game: Game, speaker: str, bundle: Bundle, rng: random.Random) -> dict[str, Any]:
    """Variables for ``scripted/terms.j2``: contract terms, or who gets what in a division."""
    contract = _contract_terms(game)
    if contract is not None:
        choice = rng.choice  # the label of each issue, as _label picks it
        return {"contract": [{"label": choice(labels), "type": kind, "unit": unit, "value": bundle[name]}
                             for name, labels, kind, unit in contract], "division": None}
    mine, yours = [], []
    for issue in game.space.issues:
        assert isinstance(issue, (IntegerIssue, ContinuousIssue))
        v = bundle[issue.name]
        to_recipient = float(v)
        own = to_recipient if issue.recipient == speaker else issue.max - to_recipient
        other = issue.max - own
        item = issue.item or issue.name
        cont = isinstance(issue, ContinuousIssue)
        if cont:
            own = round(own, 4)
            other = round(issue.max - own, 4)
        for amount, side in ((own, mine), (other, yours)):
            if amount > 0:
                side.append({"count": amount if cont else int(amount), "item": item, "plural": issue.items or issue.name,
                             "all": amount == issue.max, "continuous": cont})
    return {"contract": [], "division": {"mine": mine, "yours": yours,
                                         "everything_mine": not yours, "everything_yours": not mine}}


def argument_text(argument: Argument, game: Game) -> str:
    return argument.text


def pick_argument(kind: str, game: Game, issue: str | None, rng: random.Random) -> Argument:
    """A justification of ``kind`` drawn from ``prompts/scripted/arguments.yaml``."""
    texts = _arguments().get(kind) or _arguments()["fairness"]
    label = issue.replace("_", " ") if issue else "deal"
    return Argument(kind=kind, text=rng.choice(texts).replace("{issue}", label), issue=issue)  # type: ignore[arg-type]


@cache
def _variants(kind: str) -> list[str]:
    names = [n for n in template_names("scripted") if n.split("/")[-1].startswith(kind + "_")]
    if not names:
        raise FileNotFoundError(f"no scripted templates for {kind!r} in prompts/scripted/")
    return names


def region_context(game: Game, region: dict[str, list[Any]], rng: random.Random) -> dict[str, Any]:
    """Variables for ``scripted/region_terms.j2``: one range per issue, in issue order."""
    ranges = []
    for issue in game.space.issues:
        lo, hi = region[issue.name][0], region[issue.name][1]
        ranges.append({"label": _label(issue, rng), "lo": lo, "hi": hi, "point": lo == hi})
    return {"ranges": ranges}


def _region_game(game: Game) -> bool:
    from ...parsing.ranges import regions_enabled

    return regions_enabled(game)


def speak(action: Action, game: Game, speaker: str, rng: random.Random, *, opening: bool = False) -> Rendered:
    """Render ``action`` as natural language for ``speaker``."""
    kind = "region_accept" if isinstance(action, Accept) and _region_game(game) else action.kind
    template = rng.choice(_variants(kind))
    ctx: dict[str, Any] = {"opening": opening, "argument": " ".join(a.text for a in action.arguments)}
    if isinstance(action, Offer):
        terms = render("scripted/terms.j2", style=rng.randrange(4), **bundle_context(game, speaker, action.bundle, rng))
        ctx["terms"] = terms.text
    elif isinstance(action, ProposeRegion):
        terms = render("scripted/region_terms.j2", style=rng.randrange(4), **region_context(game, action.region, rng))
        ctx["terms"] = terms.text
    return render(template, **ctx)


def region_move(game: Game, region: dict[str, list[Any]],
                arguments: list[Argument] | None = None) -> Offer | ProposeRegion:
    """The move a scripted agent says for ``region``: the region rounded for speech, or, when every
    range is a single value, the contract it is (a region of zero width is that contract)."""
    rounded = round_region_for_speech(game, region)
    if all(lo == hi for lo, hi in rounded.values()):
        return Offer(bundle={k: v[0] for k, v in rounded.items()}, arguments=list(arguments or []))
    return ProposeRegion(region=rounded, arguments=list(arguments or []))


def round_region_for_speech(game: Game, region: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """A region with ranges speech says exactly and that never grow: whole numbers for integer
    issues, 4 decimals for continuous ones (low ends rounded up, high ends down)."""
    from ...regions import round_inward

    out: dict[str, list[Any]] = {}
    for issue in game.space.issues:
        lo, hi = round_inward(game.space, float(region[issue.name][0]), float(region[issue.name][1]), issue.name)
        out[issue.name] = [int(lo), int(hi)] if isinstance(issue, IntegerIssue) else [lo, hi]
    return out


def round_for_speech(game: Game, bundle: Bundle) -> Bundle:
    """Round continuous values to what speech can say exactly (4 decimals of a fraction)."""
    out = dict(bundle)
    for issue in game.space.issues:
        if isinstance(issue, ContinuousIssue):
            out[issue.name] = round(float(out[issue.name]), 4)
        elif isinstance(issue, DiscreteIssue):
            out[issue.name] = str(out[issue.name])
    return out
