"""Utility models: specs (validated from YAML) and their vectorized runtime functions.

Every utility function evaluates one bundle (``u(bundle)``) and a whole matrix of encoded
outcomes at once (``u.evaluate(X)``, X from :meth:`OutcomeSpace.enumerate`). Utilities are
deterministic and never call a model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal, Protocol, Union, runtime_checkable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .space import ContinuousIssue, DiscreteIssue, IntegerIssue, OutcomeSpace, Value
from .utility_nonlinear import BellSpec, CESSpec

__all__ = [
    "BellSpec",
    "BoxConstraint",
    "CESSpec",
    "DivisionUtilitySpec",
    "HyperRectangleSpec",
    "HyperRectangleUtility",
    "IssueBound",
    "LinearAdditiveSpec",
    "LinearAdditiveUtility",
    "TableUtility",
    "TableUtilitySpec",
    "UtilityFunction",
    "UtilitySpec",
    "ValueFunctionSpec",
    "build_utility",
    "discounted",
]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------- value functions
class TableValue(_Spec):
    """A score for each value of a discrete or integer issue (every value must be listed)."""

    type: Literal["table"] = "table"
    scores: dict[str, float]


class LinearValue(_Spec):
    """score = slope * x + intercept."""

    type: Literal["linear"] = "linear"
    slope: float = 1.0
    intercept: float = 0.0


class IncreasingValue(_Spec):
    """0 at the issue's minimum, 1 at its maximum, linear in between."""

    type: Literal["increasing"] = "increasing"


class DecreasingValue(_Spec):
    """1 at the issue's minimum, 0 at its maximum, linear in between."""

    type: Literal["decreasing"] = "decreasing"


class TriangularValue(_Spec):
    """1 at ``peak``, falling linearly to 0 at both ends of the issue's range."""

    type: Literal["triangular"] = "triangular"
    peak: float


class ShareValue(_Spec):
    """For a division issue: ``per_unit`` times the units this role receives."""

    type: Literal["share"] = "share"
    per_unit: float


ValueFunctionSpec = Annotated[
    Union[TableValue, LinearValue, IncreasingValue, DecreasingValue, TriangularValue, ShareValue],
    Field(discriminator="type"),
]


def _value_column(vf: object, issue: object, role: str, x: np.ndarray) -> np.ndarray:
    """Scores of encoded column ``x`` under value function ``vf``."""
    if isinstance(vf, TableValue):
        if isinstance(issue, DiscreteIssue):
            table = np.array([vf.scores[v] for v in issue.values])
            return table[x.astype(np.int64)]
        if isinstance(issue, IntegerIssue):
            table = np.array([vf.scores[str(v)] for v in range(issue.min, issue.max + 1)])
            return table[(x - issue.min).astype(np.int64)]
        raise ValueError("a table value function needs a discrete or integer issue")
    if isinstance(vf, LinearValue):
        return vf.slope * x + vf.intercept
    lo, hi = _numeric_range(issue)
    span = (hi - lo) or 1.0
    if isinstance(vf, IncreasingValue):
        return (x - lo) / span
    if isinstance(vf, DecreasingValue):
        return (hi - x) / span
    if isinstance(vf, TriangularValue):
        left = (x - lo) / ((vf.peak - lo) or 1.0)
        right = (hi - x) / ((hi - vf.peak) or 1.0)
        return np.clip(np.where(x <= vf.peak, left, right), 0.0, 1.0)
    if isinstance(vf, ShareValue):
        if not isinstance(issue, (IntegerIssue, ContinuousIssue)) or issue.recipient is None:
            raise ValueError("a share value function needs a division issue (one with a recipient)")
        mine = x if issue.recipient == role else issue.max - x
        return vf.per_unit * mine
    raise TypeError(f"unknown value function {vf!r}")


def _numeric_range(issue: object) -> tuple[float, float]:
    if isinstance(issue, (IntegerIssue, ContinuousIssue)):
        return float(issue.min), float(issue.max)
    if isinstance(issue, DiscreteIssue):
        return 0.0, float(len(issue.values) - 1)
    raise TypeError(issue)


# ---------------------------------------------------------------------- utility specs
class LinearAdditiveSpec(_Spec):
    """u = offset + sum_i weight_i * value_i(x_i). Issues without a value function count 0."""

    type: Literal["linear-additive"] = "linear-additive"
    weights: dict[str, float] = Field(default_factory=dict)
    values: dict[str, ValueFunctionSpec]
    offset: float = 0.0


class DivisionUtilitySpec(_Spec):
    """Per-unit values of the items of a division game (shortcut for share value functions)."""

    type: Literal["division"] = "division"
    values: dict[str, float]


class TableEntry(_Spec):
    bundle: dict[str, Value]
    value: float


class TableUtilitySpec(_Spec):
    """An explicit utility per outcome of a discrete space; unlisted outcomes get ``default``."""

    type: Literal["table"] = "table"
    entries: list[TableEntry]
    default: float = 0.0


class IssueBound(_Spec):
    """One issue's side of a box: a numeric interval ``[min, max]`` (either end may be open) for an
    integer or continuous issue, or a set of ``values`` for a discrete issue."""

    min: float | None = None
    max: float | None = None
    values: list[str] | None = None

    @model_validator(mode="after")
    def _check(self) -> "IssueBound":
        if self.values is not None and (self.min is not None or self.max is not None):
            raise ValueError("a bound is either an interval (min, max) or a set of values, not both")
        if self.values is None and self.min is None and self.max is None:
            raise ValueError("a bound needs min and/or max, or values")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"bound max {self.max} is below min {self.min}")
        return self


class BoxConstraint(_Spec):
    """A box (hyper-rectangle) over some issues that adds ``value`` when it is satisfied.

    ``includes``: satisfied when the outcome lies inside every bound (no bounds: always).
    ``excludes``: satisfied when the outcome lies outside at least one bound (the complement of
    the box), as Genius's ``EXCLUDES`` rectangles.
    """

    bounds: dict[str, IssueBound] = Field(default_factory=dict)
    value: float
    mode: Literal["includes", "excludes"] = "includes"


class HyperRectangleSpec(_Spec):
    """Non-linear utility as a sum of box constraints (Genius hyper-rectangles; Ito/Klein hypercubes).

    f(outcome) = sum of the values of the satisfied constraints. With ``max_utility`` set,
    u = min(1, f / max_utility) (Genius's ``maxutility`` normalization); without it u = f.
    """

    type: Literal["hyper-rectangle"] = "hyper-rectangle"
    constraints: list[BoxConstraint]
    max_utility: float | None = Field(default=None, gt=0.0)


UtilitySpec = Annotated[
    Union[LinearAdditiveSpec, DivisionUtilitySpec, TableUtilitySpec, HyperRectangleSpec, BellSpec, CESSpec],
    Field(discriminator="type"),
]


# ---------------------------------------------------------------------- runtime
@runtime_checkable
class UtilityFunction(Protocol):
    """Maps a bundle, or a matrix of encoded outcomes, to utility."""

    space: OutcomeSpace

    def __call__(self, bundle: Mapping[str, Value]) -> float: ...

    def evaluate(self, outcomes: np.ndarray) -> np.ndarray: ...


class _Base:
    space: OutcomeSpace

    def __call__(self, bundle: Mapping[str, Value]) -> float:
        return float(self.evaluate(self.space.to_row(bundle)[None, :])[0])

    def evaluate(self, outcomes: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


class LinearAdditiveUtility(_Base):
    """Weighted sum of per-issue value functions, evaluated column by column."""

    def __init__(self, space: OutcomeSpace, spec: LinearAdditiveSpec, role: str) -> None:
        self.space, self.spec, self.role = space, spec, role
        unknown = (set(spec.values) | set(spec.weights)) - set(space.names)
        if unknown:
            raise ValueError(f"utility names unknown issues {sorted(unknown)}")
        for name, vf in spec.values.items():
            issue = space.issue(name)
            if isinstance(vf, TableValue):
                needed = issue.values if isinstance(issue, DiscreteIssue) else (
                    [str(v) for v in range(issue.min, issue.max + 1)] if isinstance(issue, IntegerIssue) else None)
                if needed is None:
                    raise ValueError(f"issue {name!r}: a table value function needs a discrete or integer issue")
                missing = [v for v in needed if v not in vf.scores]
                if missing:
                    raise ValueError(f"issue {name!r}: the value table has no score for {missing[:5]}")
            _value_column(vf, issue, role, np.array([_numeric_range(issue)[0]]))  # type checks early

    def evaluate(self, outcomes: np.ndarray) -> np.ndarray:
        outcomes = np.atleast_2d(outcomes)
        total = np.full(outcomes.shape[0], self.spec.offset, dtype=np.float64)
        for k, issue in enumerate(self.space.issues):
            vf = self.spec.values.get(issue.name)
            if vf is None:
                continue
            w = self.spec.weights.get(issue.name, 1.0)
            total += w * _value_column(vf, issue, self.role, outcomes[:, k])
        return total


class TableUtility(_Base):
    """A dense utility table over a discrete space, indexed by mixed-radix outcome index."""

    def __init__(self, space: OutcomeSpace, spec: TableUtilitySpec) -> None:
        if not space.is_discrete:
            raise ValueError("a table utility needs a discrete outcome space")
        self.space, self.spec = space, spec
        self._sizes = np.array([i.size for i in space.issues], dtype=np.int64)
        self._offsets = np.array([getattr(i, "min", 0) if not isinstance(i, DiscreteIssue) else 0
                                  for i in space.issues], dtype=np.float64)
        self._strides = np.ones_like(self._sizes)
        for k in range(len(self._sizes) - 2, -1, -1):
            self._strides[k] = self._strides[k + 1] * self._sizes[k + 1]
        self.table = np.full(int(np.prod(self._sizes)), spec.default, dtype=np.float64)
        for entry in spec.entries:
            problems = space.problems(entry.bundle)
            if problems:
                raise ValueError(f"table entry {entry.bundle}: {problems[0].message}")
            self.table[self._index(space.to_row(entry.bundle)[None, :])[0]] = entry.value

    def _index(self, outcomes: np.ndarray) -> np.ndarray:
        codes = np.rint(outcomes - self._offsets).astype(np.int64)
        return codes @ self._strides

    def evaluate(self, outcomes: np.ndarray) -> np.ndarray:
        return self.table[self._index(np.atleast_2d(outcomes))]


class HyperRectangleUtility(_Base):
    """Sum of the values of the satisfied box constraints, vectorized constraint by constraint."""

    _TOL = 1e-9

    def __init__(self, space: OutcomeSpace, spec: HyperRectangleSpec) -> None:
        self.space, self.spec = space, spec
        cols = {name: k for k, name in enumerate(space.names)}
        # per constraint: (value, excludes, [(column, lo, hi, lookup or None)])
        self._compiled: list[tuple[float, bool, list[tuple[int, float, float, np.ndarray | None]]]] = []
        for n, c in enumerate(spec.constraints):
            tests: list[tuple[int, float, float, np.ndarray | None]] = []
            for name, b in c.bounds.items():
                if name not in cols:
                    raise ValueError(f"constraint {n} names unknown issue {name!r}")
                issue = space.issue(name)
                if isinstance(issue, DiscreteIssue):
                    if b.values is None:
                        raise ValueError(f"constraint {n}: discrete issue {name!r} needs a set of values, "
                                         "not a numeric interval")
                    unknown = [v for v in b.values if v not in issue.values]
                    if unknown:
                        raise ValueError(f"constraint {n}: {name!r} has no value(s) {unknown[:5]}")
                    lookup = np.isin(np.array(issue.values, dtype=object), np.array(b.values, dtype=object))
                    tests.append((cols[name], 0.0, 0.0, lookup))
                else:
                    if b.values is not None:
                        raise ValueError(f"constraint {n}: numeric issue {name!r} needs min/max, not values")
                    lo = -np.inf if b.min is None else float(b.min)
                    hi = np.inf if b.max is None else float(b.max)
                    tests.append((cols[name], lo, hi, None))
            self._compiled.append((float(c.value), c.mode == "excludes", tests))

    def _satisfied(self, j: int, outcomes: np.ndarray) -> np.ndarray:
        _, excludes, tests = self._compiled[j]
        inside = np.ones(outcomes.shape[0], dtype=bool)
        for col, lo, hi, lookup in tests:
            x = outcomes[:, col]
            if lookup is not None:
                inside &= lookup[np.rint(x).astype(np.int64)]
            else:
                inside &= (x >= lo - self._TOL) & (x <= hi + self._TOL)
        return ~inside if excludes else inside

    def evaluate(self, outcomes: np.ndarray) -> np.ndarray:
        outcomes = np.atleast_2d(outcomes)
        total = np.zeros(outcomes.shape[0], dtype=np.float64)
        for j, (value, _, _) in enumerate(self._compiled):
            total += value * self._satisfied(j, outcomes)
        if self.spec.max_utility is not None:
            total = np.minimum(1.0, total / self.spec.max_utility)
        return total


def build_utility(spec: object, space: OutcomeSpace, role: str) -> UtilityFunction:
    """Turn a validated utility spec into a runtime utility function for ``role``."""
    if isinstance(spec, LinearAdditiveSpec):
        return LinearAdditiveUtility(space, spec, role)
    if isinstance(spec, DivisionUtilitySpec):
        la = LinearAdditiveSpec(values={k: ShareValue(per_unit=v) for k, v in spec.values.items()})
        return LinearAdditiveUtility(space, la, role)
    if isinstance(spec, TableUtilitySpec):
        return TableUtility(space, spec)
    if isinstance(spec, HyperRectangleSpec):
        return HyperRectangleUtility(space, spec)
    builder = getattr(spec, "build", None)
    if callable(builder):  # extension point: specs that know how to build themselves
        return builder(space, role)
    raise TypeError(f"unknown utility spec {spec!r}")


def discounted(utility: float, delta: float, round_index: int) -> float:
    """``utility * delta**(round_index - 1)``: rounds count from 1, the first is undiscounted."""
    return float(utility) * float(delta) ** max(0, round_index - 1)
