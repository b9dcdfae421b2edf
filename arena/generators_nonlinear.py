"""Generators of monotonic and non-monotonic utility spaces on [0, 100]^n (seeded game specs).

Each generator draws both roles' utilities from the seed and returns a concrete
:class:`~arena.game.GameSpec` (issues plus private utilities), so a transcript records exactly
what was played. Parameters come from the template's ``generator`` mapping:

* ``bell`` (non-monotonic, many local optima): ``peaks`` bells per role (default 10), centres
  uniform in the domain, heights uniform in ``heights`` (default [0.1, 1]), one radius per role
  from the volume fraction ``volume`` (default 0.05): the radius of an n-ball whose volume is
  ``volume * 100^n``. Normalized by the maximum of the sum (found at the centres, refined by
  local search), so the best outcome is worth 1.
* ``ces`` (monotonic, smooth): ``alpha ~ Dirichlet(1)``, ``beta`` uniform in ``beta`` (default
  [-1, 0.8], never within 0.05 of 0), ``returns`` uniform in ``returns`` (default [0.5, 1]),
  ``gamma`` so that the best corner is worth 1; the second role is *opposed* (reads 100 - x).
* ``hypercube`` (Ito, Klein et al. 2008): ``constraints`` x n box constraints (default 5n); each
  has an arity uniform in 1..n over distinct random issues, a width per issue uniform in
  ``widths`` (default [20, 60]) placed uniformly inside the domain, and a value uniform in
  1..100 x arity. Utility = the sum of the values of the satisfied constraints (not normalized).
* ``linear`` (monotonic baseline): weights ~ Dirichlet(1); the first role's value of every issue
  increases from 0 to 1, the second role's decreases; utilities lie in [0, 1].

Common parameters: ``issues`` (n, default 4), ``integer`` (integer issues 0..100 instead of
continuous ones; only sensible for n <= 3, as the enumeration is 101^n) and ``resolution`` (the
enumeration grid of continuous issues; default :func:`default_resolution`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .game import GameSpec, ProtocolSpec, RoleSpec, register_generator
from .space import ContinuousIssue, IntegerIssue
from .utility import (
    BoxConstraint,
    DecreasingValue,
    HyperRectangleSpec,
    IncreasingValue,
    IssueBound,
    LinearAdditiveSpec,
)
from .utility_nonlinear import BellPeak, BellSpec, BellUtility, CESSpec

__all__ = ["ISSUE_NAMES", "SPACES", "bell_radius", "default_resolution", "domain_issues", "nonlinear_template"]

ISSUE_NAMES = ("price", "quantity", "delivery", "warranty", "service", "duration", "volume", "penalty")
SPACES = ("linear", "bell", "ces", "hypercube")
LO, HI = 0.0, 100.0


def default_resolution(n: int) -> int:
    """Grid points per continuous issue so that resolution^n stays near or below 2e6:
    101 for n <= 3, 31 for 4, 17 for 5, 11 for 6, then ``floor(2e6 ** (1 / n))``."""
    table = {1: 101, 2: 101, 3: 101, 4: 31, 5: 17, 6: 11}
    return table.get(n, max(3, int(2e6 ** (1.0 / max(n, 1)))))


def domain_issues(n: int, integer: bool = False, resolution: int | None = None) -> list[IntegerIssue | ContinuousIssue]:
    """``n`` issues on [0, 100] (named price, quantity, delivery, ...), integer or continuous."""
    if n < 1:
        raise ValueError("a space needs at least one issue")
    names = [ISSUE_NAMES[k] if k < len(ISSUE_NAMES) else f"issue{k + 1}" for k in range(n)]
    desc = "a score from 0 to 100"
    if integer:
        return [IntegerIssue(name=name, min=0, max=100, description=desc) for name in names]
    res = resolution or default_resolution(n)
    return [ContinuousIssue(name=name, min=LO, max=HI, resolution=res, description=desc) for name in names]


def bell_radius(n: int, volume: float, width: float = HI - LO) -> float:
    """Radius of an n-ball whose volume is ``volume * width^n``."""
    unit_ball = math.pi ** (n / 2) / math.gamma(n / 2 + 1)
    return float(width * (volume / unit_ball) ** (1.0 / n))


def _rng(kind: str, seed: int, role: str) -> np.random.Generator:
    return np.random.default_rng([hash_text(f"{kind}:{role}"), int(seed) % (2**32)])


def hash_text(text: str) -> int:
    """A stable (process-independent) 32-bit hash of ``text``."""
    import zlib

    return zlib.crc32(text.encode())


def _bell_max(util: BellUtility, n: int) -> float:
    """The maximum of a sum of bells: at the centres, refined by coordinate hill climbing."""
    best = 0.0
    for c, r in zip(util._centres, util._radii):
        x = c.copy()
        fx = float(util.raw(x[None, :])[0])
        step = float(r) / 4.0
        while step > 1e-4:
            moves = np.vstack([np.eye(n) * step, -np.eye(n) * step]) + x
            vals = util.raw(moves)
            k = int(vals.argmax())
            if vals[k] > fx + 1e-12:
                x, fx = moves[k], float(vals[k])
            else:
                step /= 2.0
        best = max(best, fx)
    return best


def bell_spec(names: list[str], rng: np.random.Generator, peaks: int = 10, volume: float = 0.05,
              heights: tuple[float, float] = (0.1, 1.0)) -> BellSpec:
    """One role's Bell utility (see the module docstring)."""
    n = len(names)
    radius = bell_radius(n, volume)
    centres = rng.uniform(LO, HI, size=(peaks, n))
    hs = rng.uniform(heights[0], heights[1], size=peaks)
    spec = BellSpec(peaks=[BellPeak(centre={k: round(float(v), 6) for k, v in zip(names, c)}, height=round(float(h), 6),
                                    radius=round(radius, 6)) for c, h in zip(centres, hs)])
    from .space import OutcomeSpace

    space = OutcomeSpace([ContinuousIssue(name=k, min=LO, max=HI) for k in names])
    top = _bell_max(BellUtility(space, spec), n)
    return spec.model_copy(update={"scale": round(top, 12) if top > 0 else 1.0})


def ces_spec(names: list[str], rng: np.random.Generator, opposed: bool, beta: tuple[float, float] = (-1.0, 0.8),
             returns: tuple[float, float] = (0.5, 1.0)) -> CESSpec:
    """One role's CES utility, normalized so that its best corner is worth 1."""
    alphas = rng.dirichlet(np.ones(len(names)))
    b = 0.0
    while abs(b) < 0.05:
        b = float(rng.uniform(beta[0], beta[1]))
    r = round(float(rng.uniform(returns[0], returns[1])), 6)
    b = round(b, 6)
    alphas = np.round(np.maximum(alphas, 1e-6), 6)
    top = float(np.sum(alphas * HI ** b)) ** (r / b)  # the best corner, from the rounded parameters
    return CESSpec(alphas=dict(zip(names, map(float, alphas))), beta=b, returns=r,
                   gamma=1.0 / top if top > 0 else 1.0, opposed=opposed)


def hypercube_spec(names: list[str], rng: np.random.Generator, integer: bool, per_issue: int = 5,
                   widths: tuple[float, float] = (20.0, 60.0)) -> HyperRectangleSpec:
    """One role's hypercube-constraint utility (Ito, Klein et al.): a sum of satisfied boxes."""
    n = len(names)
    constraints = []
    for _ in range(per_issue * n):
        arity = int(rng.integers(1, n + 1))
        chosen = sorted(rng.choice(n, size=arity, replace=False).tolist())
        bounds = {}
        for k in chosen:
            w = float(rng.uniform(widths[0], widths[1]))
            lo = float(rng.uniform(LO, HI - w))
            hi = lo + w
            if integer:
                lo, hi = float(math.ceil(lo)), float(math.floor(hi))
            bounds[names[k]] = IssueBound(min=round(lo, 4), max=round(max(hi, lo), 4))
        value = int(rng.integers(1, 100 * arity + 1))
        constraints.append(BoxConstraint(bounds=bounds, value=float(value)))
    return HyperRectangleSpec(constraints=constraints)


def linear_spec(names: list[str], rng: np.random.Generator, increasing: bool) -> LinearAdditiveSpec:
    """Random weights (summing to 1); every issue increasing (or decreasing) from 0 to 1."""
    w = np.round(rng.dirichlet(np.ones(len(names))), 6)
    w[-1] = round(1.0 - float(w[:-1].sum()), 6)  # sums to 1 after rounding
    vf = IncreasingValue() if increasing else DecreasingValue()
    return LinearAdditiveSpec(weights=dict(zip(names, map(float, w))), values={k: vf for k in names})


def _generate(kind: str, template: GameSpec, seed: int) -> GameSpec:
    p: dict[str, Any] = dict(template.generator or {})
    n = int(p.get("issues", 4))
    integer = bool(p.get("integer", False))
    issues = domain_issues(n, integer, p.get("resolution"))
    names = [i.name for i in issues]
    utilities = []
    for k, role in enumerate(template.roles):
        rng = _rng(kind, seed, role.name)
        if kind == "bell":
            u: Any = bell_spec(names, rng, int(p.get("peaks", 10)), float(p.get("volume", 0.05)),
                               tuple(p.get("heights", (0.1, 1.0))))
        elif kind == "ces":
            u = ces_spec(names, rng, opposed=k == 1, beta=tuple(p.get("beta", (-1.0, 0.8))),
                         returns=tuple(p.get("returns", (0.5, 1.0))))
        elif kind == "hypercube":
            u = hypercube_spec(names, rng, integer, int(p.get("constraints", 5)), tuple(p.get("widths", (20.0, 60.0))))
        else:
            u = linear_spec(names, rng, increasing=k == 0)
        utilities.append(u)
    roles = [r.model_copy(update={"utility": u}) for r, u in zip(template.roles, utilities)]
    data = template.model_dump()
    data.update(issues=[i.model_dump() for i in issues], roles=[r.model_dump() for r in roles])
    return GameSpec.model_validate(data)


@register_generator("bell")
def bell_game(template: GameSpec, seed: int) -> GameSpec:
    """Bell spaces: sums of bell-shaped peaks (non-monotonic, many local optima)."""
    return _generate("bell", template, seed)


@register_generator("ces")
def ces_game(template: GameSpec, seed: int) -> GameSpec:
    """CES spaces: constant elasticity of substitution, the second role opposed."""
    return _generate("ces", template, seed)


@register_generator("hypercube")
def hypercube_game(template: GameSpec, seed: int) -> GameSpec:
    """Hypercube-constraint spaces (Ito, Klein et al.): sums of satisfied box constraints."""
    return _generate("hypercube", template, seed)


@register_generator("linear")
def linear_game(template: GameSpec, seed: int) -> GameSpec:
    """Linear-additive spaces with random weights, the roles opposed on every issue."""
    return _generate("linear", template, seed)


def nonlinear_template(space: str, n: int, protocol: str = "region-recursive", max_rounds: int = 40,
                       **params: Any) -> GameSpec:
    """An unresolved spec for ``space`` on [0, 100]^n; resolve it with :func:`arena.game.load_game`.

    Args:
        space: one of :data:`SPACES`.
        n: number of issues.
        protocol: the protocol type (``region-recursive`` or ``alternating-offers``, ...).
        max_rounds: the protocol's deadline.
        **params: generator parameters (see the module docstring).
    """
    if space not in SPACES:
        raise ValueError(f"unknown space {space!r}; the spaces are {', '.join(SPACES)}")
    placeholder = {"bell": BellSpec(), "ces": CESSpec(alphas={}, beta=0.5), "hypercube": HyperRectangleSpec(constraints=[]),
                   "linear": LinearAdditiveSpec(values={})}[space]
    roles = [RoleSpec(name="buyer", label="Buyer", utility=placeholder), RoleSpec(name="seller", label="Seller",
                                                                                   utility=placeholder)]
    return GameSpec(
        name=f"{space}-{n}", title=f"{space.capitalize()} utility space with {n} issues",
        narrative=(f"A buyer and a seller negotiate a contract over {n} issues, each a score from 0 to 100. "
                   "Each side's preferences are private."),
        generator={"type": space, "issues": n, **params}, roles=roles,
        protocol=ProtocolSpec(type=protocol, first="buyer", max_rounds=max_rounds),
    )
