"""The parser reads back what scripted negotiators say: every game, 100 seeds, every phrasing."""

from __future__ import annotations

import random
from functools import cache

import pytest

from arena.actions import Accept, Offer, Reject, WalkAway
from arena.agents.scripted.speech import bundle_context, pick_argument, round_for_speech, speak
from arena.game import Game, available_games, load_game, load_spec
from arena.parsing import ParseContext, Parsed, parse
from arena.prompting import render, template_names
from arena.space import Bundle, ContinuousIssue, DiscreteIssue, IntegerIssue

GAMES = sorted(available_games())
SEEDS = range(100)
ARGUMENT_KINDS = ("market", "cost", "fairness", "priority", "batna", "promise")
OFFER_TEMPLATES = [n for n in template_names("scripted") if n.split("/")[-1].startswith("offer_")]


@cache
def _generated(name: str) -> bool:
    return load_spec(name).generator is not None


@cache
def _load(name: str, seed: int | None) -> Game:
    return load_game(name, seed=seed)


def game(name: str, seed: int) -> Game:
    """The game for a seed (only generated games, such as deal-or-no-deal, differ by seed)."""
    return _load(name, seed if _generated(name) else None)


def random_bundle(g: Game, rng: random.Random) -> Bundle:
    b: Bundle = {}
    for issue in g.space.issues:
        if isinstance(issue, DiscreteIssue):
            b[issue.name] = rng.choice(issue.values)
        elif isinstance(issue, IntegerIssue):
            b[issue.name] = rng.randint(issue.min, issue.max)
        else:
            assert isinstance(issue, ContinuousIssue)
            # corners too: everything to one side is its own phrasing
            b[issue.name] = rng.choice([issue.min, issue.max, rng.uniform(issue.min, issue.max)])
    return round_for_speech(g, b)


def argued(g: Game, bundle: Bundle, rng: random.Random) -> Offer:
    if rng.random() < 0.5:
        return Offer(bundle=bundle)
    kind = rng.choice(ARGUMENT_KINDS)
    issue = rng.choice(g.space.names) if kind == "priority" else None
    return Offer(bundle=bundle, arguments=[pick_argument(kind, g, issue, rng)])


def test_offers_read_back_exactly_from_random_speech() -> None:
    """speak() as the scripted agents use it: random phrasing, style and justification."""
    total = correct = 0
    misses: list[str] = []
    for name in GAMES:
        for seed in SEEDS:
            g = game(name, seed)
            rng = random.Random(f"{name}:{seed}")
            for _ in range(3):
                bundle = random_bundle(g, rng)
                speaker = rng.choice(g.role_names)
                text = speak(argued(g, bundle, rng), g, speaker, rng, opening=rng.random() < 0.3).text
                res = parse(text, ParseContext(g, speaker))
                total += 1
                if isinstance(res, Parsed) and res.action.kind == "offer" and res.action.bundle == bundle:
                    correct += 1
                elif len(misses) < 10:
                    misses.append(f"{name} {speaker} {bundle} {text!r}")
    accuracy = correct / total
    print(f"scripted exact-bundle accuracy: {accuracy:.4f} over {total} offers")
    assert accuracy >= 0.99, misses


@pytest.mark.parametrize("name", GAMES)
def test_every_phrasing_every_style(name: str) -> None:
    """Each offer template x each terms style x opening or not, with every argument kind."""
    total = correct = 0
    misses: list[str] = []
    for seed in range(0, 100, 5):
        g = game(name, seed)
        rng = random.Random(seed)
        for template in OFFER_TEMPLATES:
            for style in range(4):
                bundle = random_bundle(g, rng)
                speaker = g.role_names[(seed + style) % 2]
                offer = argued(g, bundle, rng)
                terms = render("scripted/terms.j2", style=style, **bundle_context(g, speaker, bundle, rng)).text
                argument = " ".join(a.text for a in offer.arguments)
                text = render(template, opening=style % 2 == 0, argument=argument, terms=terms).text
                res = parse(text, ParseContext(g, speaker))
                total += 1
                if isinstance(res, Parsed) and res.action.kind == "offer" and res.action.bundle == bundle:
                    correct += 1
                elif len(misses) < 10:
                    misses.append(f"{speaker} {bundle} {text!r}")
    assert correct / total >= 0.99, misses


@pytest.mark.parametrize("name", GAMES)
@pytest.mark.parametrize("action", [Accept(), Reject(), WalkAway()], ids=lambda a: a.kind)
def test_move_templates_read_back(name: str, action: Accept | Reject | WalkAway) -> None:
    g = game(name, 0)
    first, second = g.role_names
    kinds = [n for n in template_names("scripted") if n.split("/")[-1].startswith(action.kind + "_")]
    assert kinds
    standing = random_bundle(g, random.Random(0))
    for k in range(20):  # enough draws to meet every variant
        text = speak(action, g, second, random.Random(k)).text
        res = parse(text, ParseContext(g, second, standing=standing, standing_by=first))
        assert isinstance(res, Parsed) and res.action.kind == action.kind, text
