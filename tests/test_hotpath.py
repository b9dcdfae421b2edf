"""The hot-path shortcuts give exactly what the plain code they stand in for gives.

Each shortcut (a Python scan instead of numpy, an object built without re-validation, a quick
validity test) is checked against the straightforward version on many inputs, ties and edge
cases included, so a speed-up can never change a decision, a verdict or a transcript.
"""

from __future__ import annotations

import bisect
import dataclasses
import random
import re
from typing import Any

import numpy as np
import pytest

from arena.actions import Argument, Offer, make_offer
from arena.agents import make_agent
from arena.agents.base import Observation, observation_of
from arena.agents.scripted.base import own_table
from arena.game import Game, GameSpec, load_game
from arena.protocols import get_protocol
from arena.protocols.state import MoveRecord, NegotiationState
from arena.space import ContinuousIssue, DiscreteIssue, IntegerIssue, OutcomeSpace


def _spec(issues: list[dict[str, Any]], values: dict[str, dict[str, Any]], weights: dict[str, float]) -> GameSpec:
    names = [i["name"] for i in issues]
    return GameSpec.model_validate({
        "name": "hot", "title": "hot path",
        "issues": issues,
        "roles": [
            {"name": "a", "reservation": 0.0,
             "utility": {"type": "linear-additive", "weights": weights, "values": values}},
            {"name": "b", "reservation": 0.0,
             "utility": {"type": "linear-additive", "weights": {n: 1.0 for n in names},
                         "values": {n: {"type": "decreasing"} for n in names if n in values}}},
        ],
        "protocol": {"type": "alternating-offers", "first": "a", "max_rounds": 20},
    })


def _games() -> list[Game]:
    ints = [{"name": n, "type": "integer", "min": lo, "max": hi} for n, lo, hi in
            (("x", 0, 9), ("y", 3, 7), ("z", 0, 4))]
    # equal weights on equal ranges: many outcomes share a utility, so windows are wide and full of ties
    tied = _spec(ints[:1] + [{"name": "w", "type": "integer", "min": 0, "max": 9}],
                 {"x": {"type": "increasing"}, "w": {"type": "increasing"}}, {"x": 1.0, "w": 1.0})
    mixed = _spec(ints + [{"name": "terms", "type": "discrete", "values": ["net 30", "net 60", "net 90"]}],
                  {"x": {"type": "increasing"}, "y": {"type": "triangular", "peak": 5},
                   "z": {"type": "decreasing"}, "terms": {"type": "increasing"}},
                  {"x": 3.0, "y": 2.0, "z": 1.0, "terms": 0.7})
    wide = _spec([{"name": "p", "type": "integer", "min": 0, "max": 400}, ints[2]],
                 {"p": {"type": "increasing"}, "z": {"type": "increasing"}}, {"p": 1.0, "z": 0.001})
    return [Game(tied), Game(mixed), Game(wide), load_game("logrolling"), load_game("supplier-contract")]


def _reference_choose(tab: Any, space: OutcomeSpace, target: float, ref: dict[str, Any] | None) -> dict[str, Any]:
    """The offer choice as first written, with numpy over the whole window."""
    start = bisect.bisect_left(tab.ascending, target - 1e-9)
    if start == len(tab.ascending):
        return space.from_row(tab.X[tab.best])
    lowest = tab.ascending[start]
    stop = bisect.bisect_right(tab.ascending, lowest + 0.02 * max(1e-9, tab.u_max - tab.u_min), start)
    window = np.sort(tab.order[start:stop])
    if ref is not None:
        r = space.to_row(ref)
        d = np.add.reduce(np.abs(tab.X[window] - r) / tab.scale, axis=1)
        pick = window[int(d.argmin())]
    else:
        pick = window[int(tab.u[window].argmin())]
    return space.from_row(tab.X[pick])


@pytest.mark.parametrize("k", range(5))
def test_offer_choice_matches_the_numpy_reference(k: int) -> None:
    game = _games()[k]
    rng = random.Random(k)
    agent = make_agent("linear", 0)
    protocol = get_protocol(game)
    state = protocol.initial_state()
    for role in game.role_names:
        r = game.roles[role]
        obs = observation_of({
            "game": game, "role": role, "utility": r.utility, "reservation": r.reservation, "discount": r.discount,
            "brief": "", "legal": ["offer"], "round": 0, "max_rounds": 20, "turn": 1, "standing": None,
            "standing_by": None, "history": [], "attempt": 0, "violation": None, "arguments_enabled": False,
            "rules": "", "repairs_left": 0, "protocol_view": {}})
        tab = own_table(game, role, r.utility)
        X = game.space.enumerate()
        targets = [tab.u_min - 0.1, tab.u_max + 0.1, *tab.ascending[::max(1, len(tab.ascending) // 50)],
                   *(rng.uniform(tab.u_min, tab.u_max) for _ in range(60))]
        for target in targets:
            refs = [None] + [game.space.from_row(X[rng.randrange(len(X))]) for _ in range(4)]
            for ref in refs:
                from arena.agents.base import Message

                history = [] if ref is None else [Message(turn=1, role=game.other(role), text="",
                                                          action=Offer(bundle=ref))]
                o = dataclasses.replace(obs, history=history)
                got = agent.choose(o, target)
                want = _reference_choose(tab, game.space, target, ref)
                assert got == want and [type(v) for v in got.values()] == [type(v) for v in want.values()]
    del state


def test_enumerate_matches_a_meshgrid() -> None:
    spaces = [
        OutcomeSpace([IntegerIssue(name="a", min=0, max=9), IntegerIssue(name="b", min=3, max=5)]),
        OutcomeSpace([DiscreteIssue(name="d", values=["x", "y"])]),
        OutcomeSpace([IntegerIssue(name="a", min=2, max=2), ContinuousIssue(name="p", min=0, max=1, resolution=7),
                      DiscreteIssue(name="d", values=["x", "y", "z"])]),
    ]
    for space in spaces:
        for resolution in (None, 4):
            grids = space.grids(resolution)
            mesh = np.meshgrid(*grids, indexing="ij")
            want = np.stack([m.ravel() for m in mesh], axis=1)
            got = space.enumerate(resolution)
            assert got.dtype == want.dtype and got.shape == want.shape and got.strides == want.strides
            assert np.array_equal(got, want)


def test_quick_bundle_check_agrees_with_the_full_one() -> None:
    space = OutcomeSpace([IntegerIssue(name="n", min=0, max=10), DiscreteIssue(name="d", values=["x", "y"]),
                          ContinuousIssue(name="c", min=0.0, max=1.0)])
    values = {"n": [0, 10, 11, -1, 5.0, 5.5, True, "5", None],
              "d": ["x", "y", "z", 1, None],
              "c": [0.0, 1.0, 1.0 + 5e-10, 1.1, -1e-10, float("nan"), float("inf"), 1, True, "0.5"]}
    for n in values["n"]:
        for d in values["d"]:
            for c in values["c"]:
                bundles = [{"n": n, "d": d, "c": c}, {"n": n, "d": d}, {"n": n, "d": d, "c": c, "extra": 1}]
                for bundle in bundles:
                    got = space.problems(bundle)
                    out = []
                    for key in bundle:
                        if key not in ("n", "d", "c"):
                            out.append(("unknown_issue", key))
                    for issue in space.issues:
                        if issue.name not in bundle:
                            out.append(("missing_issue", issue.name))
                        elif issue.check(bundle[issue.name]):
                            out.append((issue.check(bundle[issue.name])[0], issue.name))  # type: ignore[index]
                    assert [(p.code, p.issue) for p in got] == out


def test_make_offer_equals_the_validated_offer() -> None:
    arguments = [Argument(kind="market", text="t")]
    for args in (None, arguments):
        with pytest.raises(ValueError):
            make_offer({1: 2}, args)  # type: ignore[dict-item]
    for bundle in ({"a": 1, "b": "x", "c": 2.5}, {"a": True}, {"a": 3.0}, {"a": np.float64(2.0)}, {}):
        for args in (None, [], arguments):
            want = Offer(bundle=bundle) if args is None else Offer(bundle=bundle, arguments=args)  # type: ignore[arg-type]
            got = make_offer(bundle, args)  # type: ignore[arg-type]
            assert got == want and repr(got) == repr(want) and got.model_dump_json() == want.model_dump_json()
            assert got.model_fields_set == want.model_fields_set
            assert got.bundle is not bundle and got.arguments is not args


def test_evolve_and_move_records_equal_their_validated_forms() -> None:
    state = NegotiationState(to_move="a")
    offer = Offer(bundle={"x": 1})
    record = MoveRecord.of(1, 1, "a", offer)
    assert record == MoveRecord(turn=1, round=1, role="a", action=offer) and record.action is offer
    assert record.model_fields_set == {"turn", "round", "role", "action"}
    changes = {"turn": 1, "round": 1, "to_move": "b", "moves": [record], "standing": {"x": 1}}
    got, want = state.evolve(**changes), state.model_copy(update=changes)
    assert got == want and got.model_fields_set == want.model_fields_set
    assert got.model_dump_json() == want.model_dump_json()
    got.end("agreement", "accepted", agreement={"x": 1}, agreement_round=1)
    assert not state.ended and state.model_fields_set == {"to_move"}


def test_observation_of_equals_the_constructor() -> None:
    game = load_game("logrolling")
    r = game.roles[game.first]
    values = {"game": game, "role": game.first, "utility": r.utility, "reservation": r.reservation,
              "discount": r.discount, "brief": "b", "legal": ["offer"], "round": 0, "max_rounds": 3, "turn": 1,
              "standing": None, "standing_by": None, "history": [], "attempt": 0, "violation": None,
              "arguments_enabled": True, "rules": "", "repairs_left": 2, "protocol_view": {}}
    got, want = observation_of(values), Observation(**values)
    assert got == want and repr(got) == repr(want) and got.opponent == want.opponent == game.other(game.first)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.role = "x"  # type: ignore[misc]
    partial = dict(values)
    del partial["protocol_view"]
    assert observation_of(partial) == Observation(**partial)


# ---------------------------------------------------------------------- parser and transcript shortcuts
def _without_lookahead(pattern: "re.Pattern[str]") -> "re.Pattern[str]":
    """The pattern as it was before its first-character lookahead was put in front."""
    source = pattern.pattern
    m = re.match(r"\s*\(\?=\[[^\]]*\]\)\s*", source)
    assert m, f"no leading lookahead in {source[:40]!r}"
    return re.compile(source[m.end():], pattern.flags)


def _fuzz_texts() -> list[str]:
    rng = random.Random(3)
    words = ["I", "can't", "cannot", "don't", "dont", "won't", "not", "no", "never", "than", "rather", "instead", "of",
             "reject", "declined", "your", "you've", "you're", "offered", "previous", "last", "old", "price", "offer",
             "and", "but", "or", "with", "plus", "then", "also", "while", "$2,400", "2.5k", "nine", "hundred", "a half",
             "one", "twenty-two", "3 weeks", "71.43%", ".5", "USD 30", "us$ 12", "accept", "deal", "walk away", "if",
             "unless", "or else", "why", "ſhouldn't", "İnstead", "ınstead", "K", "Ｎot", "NOT", "Than", "Your", "(", ")",
             ";", "!", "?", ".", ",", "\n", "-", "'", "’", "n't", "n’t", "hardly", "unable to", "refuse to", "before"]
    texts = []
    for _ in range(3000):
        texts.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 14))))
        texts.append("".join(rng.choice(words) + rng.choice(["", " ", ", ", ". "]) for _ in range(rng.randint(1, 10))))
    return texts


def test_first_character_lookaheads_change_no_match() -> None:
    from arena.parsing import contract, intent, numbers

    patterns = [contract._BOUNDARY, contract._REFERENCE, contract._NEGATED, intent._WALK_CONDITION, intent._NEGATION,
                numbers._QUANTITY_RE]
    texts = _fuzz_texts()
    for new in patterns:
        old = _without_lookahead(new)
        for text in texts:
            assert [m.span() for m in new.finditer(text)] == [m.span() for m in old.finditer(text)]
            for end in range(0, len(text) + 1, 7):  # searches ending at a position, as the parser runs them
                for start in (0, max(0, end - 50)):
                    a, b = new.search(text, start, end), old.search(text, start, end)
                    assert (a and a.span()) == (b and b.span())


def test_lookahead_classes_cover_every_case_variant() -> None:
    """Under IGNORECASE a letter also matches other characters (``ſ`` for ``s``, ``K`` for ``k``);
    each lookahead class, compiled with its pattern's flags, must accept every character any of
    the pattern's first letters accepts."""
    from arena.parsing import contract, intent, numbers

    firsts = {
        contract._BOUNDARY: ",;!?\n().abowpti", contract._REFERENCE: "yplceo", contract._NEGATED: "tndcwisr",
        intent._WALK_CONDITION: "oiubrwndc", intent._NEGATION: "ndcwisurh",
        numbers._QUANTITY_RE: "$.0123456789" + "".join(sorted({w[0] for w in [*numbers.NUMBER_WORDS, "half", "quarter",
                                                                                  "third", "a", "an", "us", "usd"]})),
    }
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for pattern, letters in firsts.items():
        cls = re.match(r"\s*\(\?=(\[[^\]]*\])\)", pattern.pattern).group(1)  # type: ignore[union-attr]
        accepted = set(re.findall(cls, every, pattern.flags & re.IGNORECASE))
        for letter in letters:
            assert set(re.findall(re.escape(letter), every, re.IGNORECASE)) <= accepted, (pattern.pattern[:30], letter)
        assert set(re.findall(r"\d", every)) <= accepted or pattern is not numbers._QUANTITY_RE


def test_builder_and_model_shortcuts_equal_the_constructors() -> None:
    from decimal import Decimal

    from arena.parsing.numbers import Quantity
    from arena.parsing.result import ParseFailure, Parsed, Span, make_parsed, make_span
    from arena.parsing.textutil import builder
    from arena.referee import _OK
    from arena.transcript import (ParsedEvent, PromptRef, StateEvent, Usage, Utterance, VerdictEvent,
                                  parsed_event, state_event, utterance_event, verdict_event)
    from arena.verdicts import Violation

    q = builder(Quantity)(1, 4, Decimal("2.5"), True, False, False, "$2.5")
    assert q == Quantity(1, 4, Decimal("2.5"), money=True, text="$2.5") and vars(q) == vars(Quantity(1, 4, Decimal("2.5"), True, False, False, "$2.5"))
    span = make_span(1, 3, "price", "ab")
    assert span == Span(start=1, end=3, label="price", text="ab") and span.model_fields_set == {"start", "end", "label", "text"}
    assert make_span(True, 3, "p", "t") == Span(start=True, end=3, label="p", text="t")  # validated: True becomes 1
    offer = Offer(bundle={"x": 1})
    for args in [(offer, "prose", 0.9, [span]), (offer, "structured", 1.0, []), (offer, "prose", 1, [span])]:
        got, want = make_parsed(*args), Parsed(action=args[0], method=args[1], confidence=args[2], spans=args[3])
        assert got == want and repr(got) == repr(want) and got.model_fields_set == want.model_fields_set
    refs = [PromptRef(template="t", sha256="s")]
    for intended, usage in [(offer, None), (None, Usage(prompt_tokens=3)), ({"kind": "accept"}, None)]:
        got = utterance_event(2, 0, "a", "text", intended, refs, usage)
        want = Utterance(turn=2, attempt=0, role="a", text="text", intended=intended, prompts=refs, usage=usage)
        assert got == want and got.model_dump_json() == want.model_dump_json() and got.model_fields_set == want.model_fields_set
        assert got.prompts is not refs
    failure = ParseFailure(code="no_move", reason="r")
    for result in (Parsed(action=offer, method="prose"), failure):
        got, want = parsed_event(1, 1, "b", result), ParsedEvent(turn=1, attempt=1, role="b", result=result)
        assert got == want and got.model_dump_json() == want.model_dump_json() and got.model_fields_set == want.model_fields_set
    for verdict in (_OK, Violation(code="deadline", message="m")):
        got, want = verdict_event(1, 0, "a", verdict), VerdictEvent(turn=1, attempt=0, role="a", verdict=verdict)
        assert got == want and got.model_dump_json() == want.model_dump_json()
    for standing in ({"x": 1, "y": "net 30", "z": 0.5}, None, {"x": True}, {"x": np.int64(3)}):
        got = state_event(3, 2, "a", standing, "b" if standing else None, False)  # type: ignore[arg-type]
        want = StateEvent(turn=3, round=2, to_move="a", standing=standing, standing_by="b" if standing else None,
                          ended=False)
        assert got == want and got.model_dump_json() == want.model_dump_json() and got.model_fields_set == want.model_fields_set
        assert standing is None or got.standing is not standing


def test_the_prompt_environment_renders_as_stock_jinja2() -> None:
    import jinja2

    from arena import prompting
    from arena.agents.scripted.speech import bundle_context
    from arena.resources import data_dir

    tricky = {
        "macros.j2": "{% macro m(a, b=2) %}[{{ a }}{{ b }}]{% endmacro %}{% macro w(a) %}({{ a }}{{ caller() }}){% endmacro %}"
                     "{% macro v() %}{{ varargs|length }}{{ kwargs|length }}{% endmacro %}",
        "use.j2": "{% import 'macros.j2' as mm %}{% from 'macros.j2' import m %}{{ mm.m(1) }}{{ m(1, 3) }}{{ m(a=4) }}"
                  "{% call mm.w(5) %}c{% endcall %}{{ mm.v(1, 2, k=3) }}{% for x in xs %}{{ m(x) }}{{ loop.index }}"
                  "{% endfor %}{% include 'inc.j2' %}{{ d.items|default('') is defined }}{{ d.keys is defined }}"
                  "{{ d.get('a') }}{{ d.a }}{{ obj.real }}{{ range(3)|list }}{{ missing_ok|default('none') }}",
        "inc.j2": "<{{ xs|length }}{{ m(9) if m is defined else '' }}>",
    }
    options = dict(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False, auto_reload=False,
                   trim_blocks=True, lstrip_blocks=True)
    loaders = [jinja2.DictLoader(tricky), jinja2.FileSystemLoader(str(data_dir("prompts")))]
    ours = prompting._Environment(loader=jinja2.ChoiceLoader(loaders), **options)
    ours.filters.update(prompting.environment().filters)
    ours.context_class, ours.template_class = prompting._Context, prompting._Template
    stock = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), **options)
    stock.filters.update(prompting.environment().filters)
    ctx = {"xs": [1, 2], "d": {"a": 1, "items": 2}, "obj": 3.5}
    assert ours.get_template("use.j2").render(**ctx) == stock.get_template("use.j2").render(**ctx)
    with pytest.raises(jinja2.UndefinedError):
        ours.from_string("{{ d.nothing }}").render(d={})
    rng = random.Random(5)
    for name in ("logrolling", "supplier-contract", "deal-or-no-deal", "split-the-pie", "buyer-seller"):
        game = load_game(name, seed=1)
        X = game.space.enumerate()
        for _ in range(40):
            bundle = game.space.from_row(X[rng.randrange(len(X))])
            variables = bundle_context(game, game.role_names[rng.randrange(2)], bundle, random.Random(rng.random()))
            for style in range(4):
                assert ours.get_template("scripted/terms.j2").render(style=style, **variables) == \
                    stock.get_template("scripted/terms.j2").render(style=style, **variables)
        for template in prompting.template_names("scripted"):
            if template.endswith(".j2") and "terms" not in template:
                for opening in (True, False):
                    variables = {"opening": opening, "argument": rng.choice(["", "Fair is fair."]), "terms": "x"}
                    assert ours.get_template(template).render(**variables) == stock.get_template(template).render(**variables)


@pytest.mark.parametrize("name", ["logrolling", "supplier-contract", "deal-or-no-deal", "bell-4", "hypercube-4"])
def test_own_tables_match_their_first_definition(name: str) -> None:
    game = load_game(name, seed=2)
    for role in game.role_names:
        utility = game.roles[role].utility
        tab = own_table(game, role, utility)
        X = game.space.enumerate()
        grids = [np.unique(g) for g in game.space.grids()]
        u = utility.evaluate(X)
        order = np.argsort(u, kind="stable")
        lo, hi = np.array([g[0] for g in grids]), np.array([g[-1] for g in grids])
        best = int(order[-1])
        importance = {}
        for k, issue in enumerate(game.space.issues):
            Y = np.repeat(X[best][None, :], len(grids[k]), axis=0)
            Y[:, k] = grids[k]
            vals = utility.evaluate(Y)
            importance[issue.name] = float(vals.max() - vals.min())
        assert tab.priority == sorted(importance, key=lambda n: -importance[n])
        assert np.array_equal(tab.scale, np.where(hi > lo, hi - lo, 1.0)) and tab.scale.dtype == np.float64
        assert np.array_equal(tab.X, X) and np.array_equal(tab.u, u) and np.array_equal(tab.order, order)
        assert tab.best == best and tab.ascending == u[order].tolist()


def test_scan_codes_index_the_enumerated_space() -> None:
    from arena.agents.scripted.base import _game_tables

    for game in _games()[:3]:
        shared = _game_tables(game)
        scan = shared.scan()
        assert scan is not None
        X = game.space.enumerate()
        for k, grid in enumerate(shared.grids):
            assert np.array_equal(X[:, k], grid[np.array(scan.codes[k])])
        for i in range(0, len(X), 7):
            assert scan.bundle(i) == game.space.from_row(X[i])
