"""Non-linear utility generators: Bell (hand-checked formula), CES (opposition), hypercube sums."""

from __future__ import annotations

import math

import numpy as np
import pytest

from arena.game import load_game
from arena.generators_nonlinear import bell_radius, default_resolution, domain_issues, nonlinear_template
from arena.space import ContinuousIssue, IntegerIssue, OutcomeSpace
from arena.utility import HyperRectangleSpec, build_utility
from arena.utility_nonlinear import BellPeak, BellSpec, CESSpec

SPACE2 = OutcomeSpace([ContinuousIssue(name="x", min=0, max=100), ContinuousIssue(name="y", min=0, max=100)])


def _at(u, x: float, y: float) -> float:
    return u({"x": x, "y": y})


def test_bell_formula_by_hand() -> None:
    # h = 0.8, r = 20 centred at (50, 50): inner h(1 - 2d^2/r^2) for d < 10, outer (2h/r^2)(d - r)^2 below 20
    u = build_utility(BellSpec(peaks=[BellPeak(centre={"x": 50, "y": 50}, height=0.8, radius=20)]), SPACE2, "a")
    assert _at(u, 50, 50) == pytest.approx(0.8)
    assert _at(u, 55, 50) == pytest.approx(0.7)       # d = 5: 0.8 * (1 - 50/400)
    assert _at(u, 50, 40) == pytest.approx(0.4)       # d = 10 = r/2: both pieces give h/2
    assert _at(u, 59, 62) == pytest.approx(0.1)       # d = 15: (1.6/400) * 25
    assert _at(u, 62, 66) == pytest.approx(0.0)       # d = 20 = r
    assert _at(u, 90, 90) == 0.0
    # two peaks add up, and the scale divides
    two = BellSpec(peaks=[BellPeak(centre={"x": 50, "y": 50}, height=0.8, radius=20),
                          BellPeak(centre={"x": 60, "y": 50}, height=0.5, radius=40)], scale=2.0)
    u2 = build_utility(two, SPACE2, "a")
    inner2 = 0.5 * (1 - 2 * 100 / 1600)  # the second peak at d = 10 < r/2 = 20
    assert _at(u2, 50, 50) == pytest.approx((0.8 + inner2) / 2.0)
    X = np.array([[50.0, 50.0], [55.0, 50.0], [90.0, 90.0]])
    assert np.allclose(u2.evaluate(X), [u2({"x": a, "y": b}) for a, b in X])


def test_bell_radius_is_that_of_an_n_ball_with_the_volume_fraction() -> None:
    assert bell_radius(2, 0.05) == pytest.approx(100 * math.sqrt(0.05 / math.pi))
    for n in (2, 3, 4, 6):
        r = bell_radius(n, 0.05)
        assert math.pi ** (n / 2) / math.gamma(n / 2 + 1) * r ** n == pytest.approx(0.05 * 100 ** n)


def test_generated_bell_space_is_normalized_and_repeatable() -> None:
    game = load_game(nonlinear_template("bell", 3, peaks=6, volume=0.05), seed=4)
    for role in game.roles.values():
        spec = role.spec.utility
        assert isinstance(spec, BellSpec) and len(spec.peaks) == 6
        assert all(0.1 <= p.height <= 1.0 for p in spec.peaks)
        centres = np.array([[p.centre[n] for n in game.space.names] for p in spec.peaks])
        assert role.utility.evaluate(centres).max() <= 1.0 + 1e-9
        assert role.utility.evaluate(game.space.enumerate()).max() <= 1.0 + 1e-6
    again = load_game(nonlinear_template("bell", 3, peaks=6, volume=0.05), seed=4)
    other = load_game(nonlinear_template("bell", 3, peaks=6, volume=0.05), seed=5)
    assert again.spec == game.spec and other.spec != game.spec
    assert game.roles["buyer"].spec.utility != game.roles["seller"].spec.utility


def test_ces_by_hand_and_the_opposed_agent_mirrors_the_issues() -> None:
    spec = CESSpec(alphas={"x": 0.5, "y": 0.5}, beta=0.5)
    u = build_utility(spec, SPACE2, "a")
    assert _at(u, 25, 49) == pytest.approx((0.5 * 5 + 0.5 * 7) ** 2)
    mirrored = build_utility(spec.model_copy(update={"opposed": True}), SPACE2, "b")
    assert _at(mirrored, 75, 51) == pytest.approx(_at(u, 25, 49))
    negative = build_utility(CESSpec(alphas={"x": 0.5, "y": 0.5}, beta=-1.0), SPACE2, "a")
    assert _at(negative, 0, 50) == 0.0  # complements: nothing of one issue is worth nothing
    with pytest.raises(ValueError):
        CESSpec(alphas={"x": 1.0}, beta=0.0)


def test_generated_ces_roles_are_opposed() -> None:
    game = load_game(nonlinear_template("ces", 3), seed=2)
    buyer, seller = game.roles["buyer"], game.roles["seller"]
    high = {n: 100.0 for n in game.space.names}
    low = {n: 0.0 for n in game.space.names}
    assert buyer.utility(high) == pytest.approx(1.0) and seller.utility(low) == pytest.approx(1.0)
    assert buyer.utility(low) < 0.05 and seller.utility(high) < 0.05
    assert seller.spec.utility.opposed and not buyer.spec.utility.opposed
    X = game.space.enumerate()
    up = X.copy()
    up[:, 0] = np.minimum(up[:, 0] + 10, 100)
    assert (buyer.utility.evaluate(up) >= buyer.utility.evaluate(X) - 1e-12).all()
    assert (seller.utility.evaluate(up) <= seller.utility.evaluate(X) + 1e-12).all()


def test_hypercube_utility_is_the_sum_of_satisfied_constraints() -> None:
    spec = HyperRectangleSpec.model_validate({"constraints": [
        {"bounds": {"x": {"min": 10, "max": 30}}, "value": 40},
        {"bounds": {"x": {"min": 20, "max": 60}, "y": {"min": 0, "max": 50}}, "value": 150}]})
    u = build_utility(spec, SPACE2, "a")
    assert _at(u, 25, 10) == 190 and _at(u, 15, 10) == 40 and _at(u, 25, 70) == 40 and _at(u, 70, 70) == 0


def test_generated_hypercube_follows_ito_klein() -> None:
    n = 3
    game = load_game(nonlinear_template("hypercube", n, integer=True), seed=1)
    assert all(isinstance(i, IntegerIssue) and (i.min, i.max) == (0, 100) for i in game.space.issues)
    spec = game.roles["buyer"].spec.utility
    assert len(spec.constraints) == 5 * n
    rng = np.random.default_rng(0)
    X = rng.integers(0, 101, size=(200, n)).astype(float)
    expected = np.zeros(len(X))
    for c in spec.constraints:
        arity = len(c.bounds)
        assert 1 <= arity <= n and 1 <= c.value <= 100 * arity and float(c.value).is_integer()
        inside = np.ones(len(X), dtype=bool)
        for name, b in c.bounds.items():
            assert 20 - 1 <= b.max - b.min <= 60 and float(b.min).is_integer()
            k = game.space.names.index(name)
            inside &= (X[:, k] >= b.min) & (X[:, k] <= b.max)
        expected += c.value * inside
    assert np.array_equal(game.roles["buyer"].utility.evaluate(X), expected)


def test_linear_space_roles_are_opposed_and_normalized() -> None:
    game = load_game(nonlinear_template("linear", 4), seed=0)
    u = {r: game.roles[r].utility.evaluate(game.space.enumerate()) for r in game.role_names}
    assert u["buyer"].max() == pytest.approx(1.0) and u["seller"].max() == pytest.approx(1.0)
    assert np.corrcoef(u["buyer"], u["seller"])[0, 1] < 0


def test_domain_and_discretization() -> None:
    assert [default_resolution(n) for n in (2, 3, 4, 5, 6)] == [101, 101, 31, 17, 11]
    for n in range(2, 7):
        assert default_resolution(n) ** n <= 2_000_000
    issues = domain_issues(6)
    assert [i.name for i in issues][:3] == ["price", "quantity", "delivery"]
    assert all(isinstance(i, ContinuousIssue) and i.resolution == 11 for i in issues)
    with pytest.raises(ValueError):
        nonlinear_template("nope", 2)
