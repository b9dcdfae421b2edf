"""Properties of the parser: it never raises, and it reads back what scripted speech says."""

from __future__ import annotations

import random
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arena.actions import Offer
from arena.agents.scripted.speech import round_for_speech, speak
from arena.game import Game, available_games, load_game
from arena.parsing import ParseContext, Parsed, ParseFailure, parse
from arena.parsing.vocabulary import vocabulary
from arena.space import ContinuousIssue, DiscreteIssue, IntegerIssue

GAMES = sorted(available_games())


@cache
def game(name: str, seed: int = 0) -> Game:
    return load_game(name, seed=seed)


def _words(g: Game) -> list[str]:
    v = vocabulary(g)
    out = list(v.item_map) + list(v.mention_map) + [w for i in g.space.issues for w in i.words]
    for issue in g.space.issues:
        if isinstance(issue, DiscreteIssue):
            out += issue.values
        out.append(str(getattr(issue, "unit", "") or ""))
    out += g.role_names
    return [w for w in out if w]


_GLUE = ["I", "you", "me", "my", "your", "take", "get", "keep", "the rest", "everything", "nothing",
         "for me", "for you", "and", ",", ";", ".", "?", "!", "no", "not", "deal", "no deal", "accept",
         "reject", "walk away", "agreed", "of", "all", "the", "a", "half", "%", "$", "k", "{", "}", "[", "]",
         '"', ":", "```", "```json", "<move>", "</move>", '{"action": "offer", "bundle": {', '"price": ',
         "\x00", "\u202e", "é", "🙂", "\n", "9" * 30, "1e308", "-5", "0.0001", "two thousand and",
         "ninety-nine", "weeks", "net 30", "Alice", "Bob"]


def _any_game() -> st.SearchStrategy[tuple[Game, str]]:
    return st.tuples(st.sampled_from(GAMES), st.integers(0, 5), st.integers(0, 1)).map(
        lambda t: (game(t[0], t[1]), game(t[0], t[1]).role_names[t[2]]))


def _check(res: object) -> None:
    assert isinstance(res, (Parsed, ParseFailure))
    if isinstance(res, ParseFailure):  # a failure, not the safety net catching an internal error
        assert "could not be read" not in res.reason, res.reason
    if isinstance(res, Parsed):
        assert 0.0 <= res.confidence <= 1.0
        for s in res.spans:
            assert 0 <= s.start <= s.end


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gs=_any_game(), text=st.text())
def test_any_text_never_raises(gs: tuple[Game, str], text: str) -> None:
    g, speaker = gs
    _check(parse(text, ParseContext(g, speaker)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gs=_any_game(), data=st.data())
def test_vocabulary_soup_never_raises(gs: tuple[Game, str], data: st.DataObject) -> None:
    g, speaker = gs
    token = st.one_of(st.sampled_from(_words(g) + _GLUE), st.integers(-10**30, 10**30).map(str),
                      st.floats(allow_nan=True, allow_infinity=True).map(str), st.text(max_size=5))
    parts = data.draw(st.lists(token, max_size=40))
    sep = data.draw(st.sampled_from([" ", "", ", ", "\n"]))
    standing = data.draw(st.booleans())
    ctx = ParseContext(g, speaker, {n: 0 for n in g.space.names} if standing else None,
                       g.other(speaker) if standing else None)
    _check(parse(sep.join(parts), ctx))


def test_long_and_strange_texts_never_raise() -> None:
    g = game("supplier-contract")
    ctx = ParseContext(g, "buyer")
    texts = [
        "price " * 4000,
        "$" + "9" * 5000,
        "{" * 5000 + "}" * 10,
        "```json\n" + "[" * 5000,
        "```json\n" + "[" * 5000 + "]" * 5000 + "\n```",
        "a price of $95, " * 1500,
        "\x00\x01\x02" * 3000,
        "net 30 " * 3000 + "I accept",
        "one thousand " * 2000 + "dollars",
    ]
    for text in texts:
        _check(parse(text, ctx))


@st.composite
def bundles(draw: st.DrawFn, g: Game) -> dict:
    b: dict = {}
    for issue in g.space.issues:
        if isinstance(issue, DiscreteIssue):
            b[issue.name] = draw(st.sampled_from(issue.values))
        elif isinstance(issue, IntegerIssue):
            b[issue.name] = draw(st.integers(issue.min, issue.max))
        else:
            assert isinstance(issue, ContinuousIssue)
            b[issue.name] = draw(st.floats(issue.min, issue.max, allow_nan=False))
    return round_for_speech(g, b)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(GAMES), seed=st.integers(0, 50), who=st.integers(0, 1),
       voice=st.integers(0, 10**6), data=st.data())
def test_speech_round_trip(name: str, seed: int, who: int, voice: int, data: st.DataObject) -> None:
    g = game(name, seed)
    speaker = g.role_names[who]
    bundle = data.draw(bundles(g))
    text = speak(Offer(bundle=bundle), g, speaker, random.Random(voice), opening=voice % 2 == 0).text
    res = parse(text, ParseContext(g, speaker))
    assert isinstance(res, Parsed), (text, res)
    assert res.action.kind == "offer" and res.action.bundle == bundle, text  # type: ignore[union-attr]
