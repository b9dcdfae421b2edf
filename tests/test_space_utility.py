import numpy as np
import pytest
from pydantic import ValidationError

from arena.game import load_game
from arena.space import ContinuousIssue, DiscreteIssue, IntegerIssue, OutcomeSpace
from arena.utility import (
    LinearAdditiveSpec,
    LinearAdditiveUtility,
    TableUtility,
    TableUtilitySpec,
    discounted,
)


@pytest.fixture
def space() -> OutcomeSpace:
    return OutcomeSpace([
        IntegerIssue(name="price", min=10, max=20, unit="$"),
        DiscreteIssue(name="terms", values=["net 15", "net 30", "net 60"]),
        ContinuousIssue(name="share", min=0, max=1, resolution=5),
    ])


def test_validation_problems_have_codes(space: OutcomeSpace) -> None:
    assert space.problems({"price": 12, "terms": "net 30", "share": 0.5}) == []
    codes = {p.code for p in space.problems({"price": 25, "terms": "net 45", "colour": "red"})}
    assert codes == {"out_of_range", "missing_issue", "unknown_issue"}
    (p,) = space.problems({"price": "cheap", "terms": "net 30", "share": 0.5})
    assert p.code == "wrong_type" and p.issue == "price"
    (p,) = space.problems({"price": 12.5, "terms": "net 30", "share": 0.5})
    assert p.code == "wrong_type"
    (p,) = space.problems({"price": 12, "terms": 30, "share": 0.5})
    assert p.code == "wrong_type"


def test_enumerate_and_chunks_agree(space: OutcomeSpace) -> None:
    X = space.enumerate()
    assert X.shape == (11 * 3 * 5, 3) == (space.cardinality, 3)
    chunks = np.vstack(list(space.iter_chunks(chunk=17)))
    assert np.array_equal(X, chunks)
    assert space.from_row(X[7]) == {"price": 10, "terms": "net 30", "share": 0.5}
    assert np.array_equal(space.to_row({"price": 10, "terms": "net 30", "share": 0.5}), X[7])


def test_issue_specs_reject_nonsense() -> None:
    with pytest.raises(ValidationError):
        IntegerIssue(name="x", min=5, max=1)
    with pytest.raises(ValidationError):
        DiscreteIssue(name="x", values=["a", "a"])
    with pytest.raises(ValidationError):
        IntegerIssue(name="bad name!", min=0, max=1)


def test_linear_additive_matches_hand_computation(space: OutcomeSpace) -> None:
    spec = LinearAdditiveSpec.model_validate({
        "weights": {"price": 2, "terms": 3, "share": 1},
        "values": {"price": {"type": "decreasing"}, "terms": {"type": "table", "scores": {"net 15": 0, "net 30": 0.5, "net 60": 1}},
                   "share": {"type": "triangular", "peak": 0.5}},
    })
    u = LinearAdditiveUtility(space, spec, "buyer")
    # price 15 -> (20-15)/10 = .5 * 2 = 1; net 60 -> 3; share .25 -> .5
    assert u({"price": 15, "terms": "net 60", "share": 0.25}) == pytest.approx(4.5)
    X = space.enumerate()
    vec = u.evaluate(X)
    one = np.array([u(space.from_row(r)) for r in X])
    assert np.allclose(vec, one)


def test_table_value_must_cover_every_value(space: OutcomeSpace) -> None:
    spec = LinearAdditiveSpec.model_validate({"values": {"terms": {"type": "table", "scores": {"net 15": 1}}}})
    with pytest.raises(ValueError, match="no score"):
        LinearAdditiveUtility(space, spec, "buyer")


def test_table_utility() -> None:
    space = OutcomeSpace([IntegerIssue(name="a", min=1, max=3), DiscreteIssue(name="b", values=["x", "y"])])
    spec = TableUtilitySpec.model_validate({"entries": [{"bundle": {"a": 2, "b": "y"}, "value": 7}], "default": -1})
    u = TableUtility(space, spec)
    assert u({"a": 2, "b": "y"}) == 7
    assert u({"a": 3, "b": "y"}) == -1
    assert sorted(u.evaluate(space.enumerate()).tolist()) == [-1] * 5 + [7]


def test_discount_and_division_games() -> None:
    assert discounted(1.0, 0.9, 1) == 1.0
    assert discounted(1.0, 0.9, 3) == pytest.approx(0.81)
    g = load_game("logrolling")
    even = {"budget": 5, "deadline": 5, "scope": 5}
    assert g.utilities(even) == {"alice": 50.0, "bob": 50.0}
    assert g.utilities({"budget": 0, "deadline": 10, "scope": 5}) == {"alice": 75.0, "bob": 75.0}
    pie = load_game("split-the-pie")
    assert pie.utility("seller", {"share": 0.25}, round_index=2) == pytest.approx(0.75 * 0.8)


def test_dond_scenarios_follow_lewis_rules() -> None:
    for seed in range(200):
        g = load_game("deal-or-no-deal", seed=seed)
        counts = [i.max for i in g.space.issues]
        assert 5 <= sum(counts) <= 7 and all(c >= 1 for c in counts)
        everything = {i.name: i.max for i in g.space.issues}  # all to alice
        nothing = {i.name: 0 for i in g.space.issues}
        assert g.utility("alice", everything) == 10 and g.utility("bob", nothing) == 10
        va = g.spec.roles[0].utility.values
        vb = g.spec.roles[1].utility.values
        assert all(va[k] + vb[k] > 0 for k in va)
        assert any(va[k] > 0 and vb[k] > 0 for k in va)
    assert load_game("deal-or-no-deal", seed=5).spec == load_game("deal-or-no-deal", seed=5).spec
