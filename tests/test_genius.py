"""Genius XML import: utilities, reservation values, discounts and the Pareto frontier of small
domains written for these tests (tests/data/genius/), checked against hand-computed values."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import numpy as np
import pytest

from arena.game import Game, GameError, load_game
from arena.importers import DEFAULT_MAX_ROUNDS, detect_format, import_domain
from arena.utility import HyperRectangleSpec, LinearAdditiveSpec

DATA = Path(__file__).parent / "data" / "genius"


def game(folder: str, **kw: object) -> Game:
    return Game(import_domain(DATA / folder, **kw))  # type: ignore[arg-type]


def frontier(g: Game) -> set[tuple[float, float]]:
    """Brute force: every outcome's utility pair, keep those no other outcome dominates."""
    a, b = g.role_names
    X = g.space.enumerate()
    ua, ub = g.roles[a].utility.evaluate(X), g.roles[b].utility.evaluate(X)
    points = set(zip(np.round(ua, 9), np.round(ub, 9)))
    return {p for p in points
            if not any(q[0] >= p[0] and q[1] >= p[1] and q != p for q in points)}


# ---------------------------------------------------------------------- fruit: discrete + integer
FRUIT = {  # (fruit, boxes) -> (alice, bob), by hand from the profiles
    # alice: 0.6 * eval/4 (apple 1, banana 2, cherry 4) + 0.4 * 0.5 * boxes
    # bob:   0.5 * eval/3 (apple 3, banana 2, cherry 1) + 0.5 * (1 - 0.5 * boxes)
    ("apple", 0): (0.15, 1.0), ("apple", 1): (0.35, 0.75), ("apple", 2): (0.55, 0.5),
    ("banana", 0): (0.3, 0.5 * 2 / 3 + 0.5), ("banana", 1): (0.5, 0.5 * 2 / 3 + 0.25),
    ("banana", 2): (0.7, 0.5 * 2 / 3), ("cherry", 0): (0.6, 0.5 / 3 + 0.5),
    ("cherry", 1): (0.8, 0.5 / 3 + 0.25), ("cherry", 2): (1.0, 0.5 / 3),
}


def test_fruit_structure() -> None:
    g = game("fruit")
    assert g.role_names == ["alice", "bob"]
    assert [i.name for i in g.space.issues] == ["Fruit", "Boxes"]
    assert g.space.issue("Fruit").values == ["apple", "banana", "cherry"]  # type: ignore[union-attr]
    assert (g.space.issue("Boxes").min, g.space.issue("Boxes").max) == (0, 2)  # type: ignore[union-attr]
    assert g.spec.protocol.type == "alternating-offers"
    assert g.spec.protocol.max_rounds == DEFAULT_MAX_ROUNDS
    assert g.first == "alice"
    assert "Fruit" in g.spec.narrative and "cherry" in g.spec.narrative
    # the discrete issue becomes a table of evaluation / max evaluation, weights as written
    spec = g.spec.roles[0].utility
    assert isinstance(spec, LinearAdditiveSpec)
    assert spec.weights == {"Fruit": 0.6, "Boxes": 0.4}
    assert spec.values["Fruit"].scores == {"apple": 0.25, "banana": 0.5, "cherry": 1.0}  # type: ignore[union-attr]


@pytest.mark.parametrize(("bid", "expected"), sorted(FRUIT.items()))
def test_fruit_utilities_match_hand_computed(bid: tuple[str, int], expected: tuple[float, float]) -> None:
    g = game("fruit")
    u = g.utilities({"Fruit": bid[0], "Boxes": bid[1]})
    assert u["alice"] == pytest.approx(expected[0], abs=1e-12)
    assert u["bob"] == pytest.approx(expected[1], abs=1e-12)


def test_fruit_reservation_and_discount() -> None:
    g = game("fruit")
    assert g.utilities(None) == {"alice": 0.2, "bob": 0.1}
    alice, bob = g.spec.roles
    assert (alice.discount, alice.discount_basis) == (0.9, "time")
    assert bob.discount == 1.0  # discount_factor 0.0: Genius reads d <= 0 as "no discount"
    best = {"Fruit": "cherry", "Boxes": 2}
    n = g.spec.protocol.max_rounds
    assert g.utility("alice", best, 1) == pytest.approx(1.0)           # t = 0
    assert g.utility("alice", best, n) == pytest.approx(0.9)           # t = 1: the deadline
    assert g.utility("alice", best, 51) == pytest.approx(0.9 ** (50 / (n - 1)))
    assert g.utility("bob", best, n) == pytest.approx(0.5 / 3)        # undiscounted
    assert g.normalized_time(1) == 0.0 and g.normalized_time(n) == 1.0 and g.normalized_time(10 * n) == 1.0


def test_fruit_frontier_matches_hand_computed() -> None:
    g = game("fruit")
    expected = {FRUIT[k] for k in [("cherry", 2), ("cherry", 1), ("cherry", 0), ("apple", 1), ("banana", 0),
                                   ("apple", 0)]}
    got = frontier(g)
    assert len(got) == 6
    assert got == {(round(a, 9), round(b, 9)) for a, b in expected}


def test_round_basis_is_unchanged_for_shipped_games() -> None:
    g = load_game("split-the-pie")
    role = g.role_names[0]
    r = g.roles[role]
    assert r.spec.discount_basis == "round"
    bundle = g.space.from_row(g.space.enumerate()[-1])
    assert g.utility(role, bundle, 3) == pytest.approx(r.utility(bundle) * r.discount ** 2)


def test_fruit_plays_between_scripted_agents() -> None:
    from arena.runner import run_match

    g = game("fruit")
    t = run_match(g, "boulware", "linear", seed=0)
    end = t.end
    assert end is not None and end.outcome == "agreement"
    bundle, k = end.agreement, end.agreement_round
    assert bundle is not None and k is not None
    a, b = FRUIT[(bundle["Fruit"], bundle["Boxes"])]
    t_norm = (k - 1) / (g.spec.protocol.max_rounds - 1)
    assert end.utilities["alice"] == pytest.approx(a * 0.9 ** t_norm)
    assert end.utilities["bob"] == pytest.approx(b)
    assert end.utilities["alice"] >= 0.2 * 0.9 and end.utilities["bob"] >= 0.1


def test_load_game_accepts_a_domain_folder_or_file() -> None:
    by_folder = load_game(DATA / "fruit")
    assert by_folder.role_names == ["alice", "bob"]
    assert load_game(str(DATA / "fruit" / "fruit_domain.xml")).role_names == ["alice", "bob"]
    # a profile path puts that profile first
    assert load_game(DATA / "fruit" / "bob.xml").role_names == ["bob", "alice"]
    assert detect_format(DATA / "fruit") == "genius"


def test_profiles_can_be_chosen_and_narrative_supplied(tmp_path: Path) -> None:
    story = tmp_path / "story.md"
    story.write_text("Two greengrocers haggle over a delivery.\n")
    spec = import_domain(DATA / "fruit", story, profiles=["bob.xml", "alice.xml"], max_rounds=12, name="fruit")
    assert [r.name for r in spec.roles] == ["bob", "alice"]
    assert spec.narrative == "Two greengrocers haggle over a delivery."
    assert spec.protocol.max_rounds == 12 and spec.name == "fruit"


# ---------------------------------------------------------------------- mixed: discrete, integer, real
MIXED = [
    # buyer: 0.5 * eval/4 (red 2, green 4, "blue, light" 1) + 0.3 * (1 - 0.25 (days - 1)) + 0.2 * (1 - 0.01 price)
    # seller: 0.2 * eval/0.5 (red 0.5, green 0.1, blue 0.3) + 0.2 * clip(0.5 (days - 1)) + 0.6 * price / 100
    ({"Paper_Colour": "green", "Delivery_Days": 2, "price": 40.0}, 0.845, 0.38),
    ({"Paper_Colour": "blue, light", "Delivery_Days": 5, "price": 100.0}, 0.125, 0.92),
    ({"Paper_Colour": "red", "Delivery_Days": 4, "price": 0.0}, 0.525, 0.4),
    ({"Paper_Colour": "red", "Delivery_Days": 3, "price": 25.5}, 0.25 + 0.15 + 0.149, 0.2 + 0.2 + 0.153),
]


@pytest.mark.parametrize(("bid", "buyer", "seller"), MIXED)
def test_mixed_utilities_match_hand_computed(bid: dict, buyer: float, seller: float) -> None:
    g = game("mixed")
    u = g.utilities(bid)
    assert u["buyer"] == pytest.approx(buyer, abs=1e-12)
    assert u["seller"] == pytest.approx(seller, abs=1e-12)


def test_mixed_names_ranges_and_defaults() -> None:
    g = game("mixed")
    colour = g.space.issue("Paper_Colour")
    assert colour.description == "Paper Colour"  # the original name, for the narrative and prompts
    assert "paper colour" in colour.words
    assert colour.values == ["red", "green", "blue, light"]  # type: ignore[union-attr]
    days, price = g.space.issue("Delivery_Days"), g.space.issue("price")
    assert (days.type, days.min, days.max) == ("integer", 1, 5)  # type: ignore[union-attr]
    assert (price.type, price.min, price.max) == ("continuous", 0.0, 100.0)  # type: ignore[union-attr]
    assert "Paper Colour" in g.spec.narrative and "blue, light" in g.spec.narrative
    seller = g.spec.roles[1]
    assert (seller.reservation, seller.discount) == (0.0, 1.0)  # no <reservation>, no <discount_factor>
    # the seller's clipped integer evaluator is tabulated exactly
    days_vf = seller.utility.values["Delivery_Days"]  # type: ignore[union-attr]
    assert days_vf.type == "table" and days_vf.scores == {"1": 0.0, "2": 0.5, "3": 1.0, "4": 1.0, "5": 1.0}


# ---------------------------------------------------------------------- non-linear (hyper-rectangles)
NONLINEAR = [
    # agent-1, maxutility 100: [i1 in 2..4 & i2 in 0..1] 40, [i3 in 3..4] 30,
    #   EXCLUDES [i1 in 0..2, i3 in 0..2] 50, [i2 = 4] 20 * weight 0.5
    # agent-2, maxutility 60: [i1 in 0..1] 45, [i2 in 2..4 & i3 in 0..2] 35, [no bounds] 10
    ((3, 0, 4), 1.0, 10 / 60),   # 40 + 30 + 50 = 120 -> capped at 1
    ((2, 4, 1), 0.1, 45 / 60),   # only the weighted rectangle; the excluded box holds (2, 1)
    ((4, 1, 0), 0.9, 10 / 60),
    ((0, 3, 1), 0.0, 1.0),       # 45 + 35 + 10 = 90 > 60 -> capped
    ((1, 0, 0), 0.0, 55 / 60),
    ((0, 0, 3), 0.8, 55 / 60),   # 30 + 50 (i3 = 3 lies outside the excluded box)
]


@pytest.mark.parametrize(("bid", "u1", "u2"), NONLINEAR)
def test_nonlinear_utilities_match_hand_computed(bid: tuple[int, int, int], u1: float, u2: float) -> None:
    g = game("nonlinear")
    u = g.utilities(dict(zip(["i1", "i2", "i3"], bid)))
    assert u["agent_1"] == pytest.approx(u1, abs=1e-12)
    assert u["agent_2"] == pytest.approx(u2, abs=1e-12)


def test_nonlinear_spec_and_profile_settings() -> None:
    g = game("nonlinear")
    spec = g.spec.roles[0].utility
    assert isinstance(spec, HyperRectangleSpec)
    assert spec.max_utility == 100 and len(spec.constraints) == 4
    assert [c.mode for c in spec.constraints] == ["includes", "includes", "excludes", "includes"]
    assert spec.constraints[3].value == 10.0  # utility 20 times weight 0.5
    assert g.utilities(None) == {"agent_1": 0.25, "agent_2": 0.1}
    assert g.spec.roles[1].discount == 0.5
    # the vectorized evaluation agrees with bundle-by-bundle evaluation on the whole space
    X = g.space.enumerate()
    for role in g.role_names:
        u = g.roles[role].utility
        vec = u.evaluate(X)
        assert all(vec[k] == pytest.approx(u(g.space.from_row(X[k]))) for k in range(0, len(X), 7))


# ---------------------------------------------------------------------- malformed input
def _copy(tmp_path: Path, folder: str) -> Path:
    dst = tmp_path / folder
    shutil.copytree(DATA / folder, dst)
    return dst


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("folder", "file", "old", "new", "fragments"),
    [
        ("fruit", "alice.xml", '<item index="2" value="banana" evaluation="2"/>', '<item index="2" value="banana"/>',
         ["alice.xml", "'Fruit'", "'banana' has no evaluation"]),
        ("fruit", "alice.xml", '<weight index="2" value="0.4"/>', "", ["alice.xml", "'Boxes'", "no <weight>"]),
        ("fruit", "alice.xml", '<evaluator ftype="linear" slope="0.5" offset="0.0"/>', "",
         ["alice.xml", "'Boxes'", "no <evaluator>"]),
        ("fruit", "alice.xml", 'evaluation="4"', 'evaluation="four"', ["alice.xml", "'cherry'", "not a number"]),
        ("mixed", "buyer.xml", '<weight index="3" value="0.2"/>', '<weight index="3" value="0.3"/>',
         ["buyer.xml", "caps at 1", "real issue 'price'"]),
        ("fruit", "bob.xml", "</utility_space>", "", ["bob.xml", "not well-formed XML"]),
        ("fruit", "bob.xml", '<reservation value="0.1"/>', '<reservation value="low"/>',
         ["bob.xml", "<reservation>", "not a number"]),
        ("fruit", "fruit_domain.xml", 'name="Boxes" lowerbound="0" upperbound="2"', 'name="Boxes"',
         ["fruit_domain.xml", "'Boxes'", "lowerbound"]),
        ("fruit", "fruit_domain.xml", 'type="discrete" vtype="discrete" name="Fruit"',
         'type="colour" vtype="discrete" name="Fruit"', ["fruit_domain.xml", "'Fruit'", "unknown type 'colour'"]),
        ("mixed", "buyer.xml", 'parameter0="1.0" parameter1="-0.01"', 'parameter0="1.0" parameter1="-0.02"',
         ["buyer.xml", "'price'", "clips"]),
        ("mixed", "buyer.xml", 'ftype="linear" parameter0', 'ftype="faratin" parameter0',
         ["buyer.xml", "'price'", "'faratin' is not supported"]),
        ("nonlinear", "agent-1.xml", '<INCLUDES index="3" min="3" max="4"/>',
         '<INCLUDES index="3" min="3" max="4"/><EXCLUDES index="1" min="0" max="1"/>',
         ["agent-1.xml", "hyperRectangle 2", "mixes INCLUDES and EXCLUDES"]),
        ("nonlinear", "agent-2.xml", '<INCLUDES index="1" min="0" max="1"/>', '<INCLUDES index="9" min="0" max="1"/>',
         ["agent-2.xml", "hyperRectangle 1", "index 9"]),
        ("nonlinear", "agent-2.xml", 'aggregation="sum"', 'aggregation="max"',
         ["agent-2.xml", "'max' is not supported"]),
        ("nonlinear", "agent-2.xml", '<utility maxutility="60">', '<utility>', ["agent-2.xml", "maxutility"]),
    ],
)
def test_malformed_files_name_the_file_and_element(tmp_path: Path, folder: str, file: str, old: str, new: str,
                                                   fragments: list[str]) -> None:
    dst = _copy(tmp_path, folder)
    _edit(dst / file, old, new)
    with pytest.raises(GameError) as info:
        import_domain(dst)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    assert "\n" not in message


def test_weights_above_one_are_capped_as_genius_does(tmp_path: Path) -> None:
    """Shipped profiles have weights summing to a little over 1 (Laptop 2011 buyer: 1.00005);
    Genius caps the utility at 1. The import keeps the cap exactly (a hyper-rectangle spec)."""
    dst = _copy(tmp_path, "fruit")
    _edit(dst / "alice.xml", '<weight index="1" value="0.6"/>', '<weight index="1" value="0.9"/>')
    g = Game(import_domain(dst))
    assert isinstance(g.spec.roles[0].utility, HyperRectangleSpec)
    for (fruit, boxes), expected in {("cherry", 2): 1.0, ("cherry", 1): 1.0, ("cherry", 0): 0.9,
                                     ("banana", 1): 0.45 + 0.2, ("apple", 0): 0.225}.items():
        assert g.utility("alice", {"Fruit": fruit, "Boxes": boxes}) == pytest.approx(expected, abs=1e-12)
    assert g.utilities({"Fruit": "apple", "Boxes": 0})["bob"] == pytest.approx(1.0)  # bob is unchanged


def test_an_issue_without_items_is_an_error(tmp_path: Path) -> None:
    dst = _copy(tmp_path, "fruit")
    domain = dst / "fruit_domain.xml"
    text = domain.read_text()
    start, end = text.index('    <item index="1" value="apple"'), text.index("  </issue>")
    domain.write_text(text[:start] + text[end:])
    with pytest.raises(GameError, match=r"fruit_domain\.xml: issue 'Fruit' has no items"):
        load_game(dst)


def test_folders_without_two_profiles_or_a_domain_are_errors(tmp_path: Path) -> None:
    dst = _copy(tmp_path, "fruit")
    (dst / "bob.xml").unlink()
    with pytest.raises(GameError, match="needs two profiles, found 1"):
        import_domain(dst)
    (dst / "fruit_domain.xml").unlink()
    with pytest.raises(GameError, match="no domain file"):
        import_domain(dst)
    with pytest.raises(GameError, match="no Genius or GeniusWeb domain"):
        import_domain(tmp_path / "missing")
    with pytest.raises(GameError, match="has no profile 'carol.xml'"):
        import_domain(DATA / "fruit", profiles=["alice.xml", "carol.xml"])


def test_hyper_rectangle_vectorized_matches_definition() -> None:
    """Random box constraints over a mixed space: evaluate(X) equals the definition, outcome by outcome."""
    from arena.space import DiscreteIssue, IntegerIssue, OutcomeSpace
    from arena.utility import build_utility

    rng = np.random.default_rng(3)
    space = OutcomeSpace([IntegerIssue(name="a", min=0, max=4), DiscreteIssue(name="c", values=["x", "y", "z"]),
                          IntegerIssue(name="b", min=-2, max=2)])
    constraints = []
    for _ in range(12):
        bounds: dict[str, dict] = {}
        if rng.random() < 0.7:
            lo = int(rng.integers(0, 5))
            bounds["a"] = {"min": lo, "max": int(rng.integers(lo, 5))}
        if rng.random() < 0.5:
            bounds["c"] = {"values": list(rng.choice(["x", "y", "z"], size=int(rng.integers(1, 3)), replace=False))}
        if rng.random() < 0.5:
            bounds["b"] = {"max": int(rng.integers(-2, 3))}
        constraints.append({"bounds": bounds, "value": float(rng.integers(1, 20)),
                            "mode": "excludes" if rng.random() < 0.3 else "includes"})
    spec = HyperRectangleSpec.model_validate({"constraints": constraints, "max_utility": 40})
    u = build_utility(spec, space, "r")
    X = space.enumerate()
    vec = u.evaluate(X)
    for row, got in zip(X, vec):
        bundle = space.from_row(row)
        f = 0.0
        for c in spec.constraints:
            inside = all(
                (bundle[n] in b.values) if b.values is not None
                else ((b.min is None or bundle[n] >= b.min) and (b.max is None or bundle[n] <= b.max))
                for n, b in c.bounds.items())
            f += c.value * (inside if c.mode == "includes" else not inside)
        assert got == pytest.approx(min(1.0, f / 40))
    raw = build_utility(spec.model_copy(update={"max_utility": None}), space, "r")
    assert raw.evaluate(X).max() > 1.0  # without max_utility: the plain sum (Ito/Klein hypercubes)


def test_hyper_rectangle_spec_rejects_bad_bounds() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="not both"):
        HyperRectangleSpec.model_validate({"constraints": [{"bounds": {"a": {"min": 1, "values": ["x"]}}, "value": 1}]})
    with pytest.raises(ValidationError, match="below min"):
        HyperRectangleSpec.model_validate({"constraints": [{"bounds": {"a": {"min": 3, "max": 1}}, "value": 1}]})
    spec = HyperRectangleSpec.model_validate({"constraints": [{"bounds": {"nope": {"min": 1}}, "value": 1}]})
    from arena.space import IntegerIssue, OutcomeSpace
    from arena.utility import build_utility

    with pytest.raises(ValueError, match="unknown issue 'nope'"):
        build_utility(spec, OutcomeSpace([IntegerIssue(name="a", min=0, max=3)]), "r")


def test_every_outcome_pair_is_enumerated_once() -> None:
    g = game("fruit")
    X = g.space.enumerate()
    seen = {tuple(g.space.from_row(r).values()) for r in X}
    assert seen == set(itertools.product(["apple", "banana", "cherry"], [0, 1, 2]))


def test_folders_with_several_domains_pair_profiles_by_prefix(tmp_path: Path) -> None:
    """ANAC 2012 folders hold Laptop-A-domain.xml, Laptop-B-domain.xml and their -prof1/-prof2."""
    folder = tmp_path / "Fruit"
    folder.mkdir()
    for variant in "AB":
        shutil.copy(DATA / "fruit" / "fruit_domain.xml", folder / f"Fruit-{variant}-domain.xml")
        shutil.copy(DATA / "fruit" / "alice.xml", folder / f"Fruit-{variant}-prof1.xml")
        shutil.copy(DATA / "fruit" / "bob.xml", folder / f"Fruit-{variant}-prof2.xml")
    with pytest.raises(GameError, match="several Genius domain files"):
        import_domain(folder)
    spec = import_domain(folder / "Fruit-B-domain.xml")
    assert [r.label for r in spec.roles] == ["Fruit-B-prof1", "Fruit-B-prof2"]
    assert [r.name for r in spec.roles] == ["fruit_b_prof1", "fruit_b_prof2"]
    spec = import_domain(folder / "Fruit-A-prof2.xml")
    assert [r.label for r in spec.roles] == ["Fruit-A-prof2", "Fruit-A-prof1"]
