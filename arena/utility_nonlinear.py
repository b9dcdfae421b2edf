"""Non-monotonic and non-linear utility models: Bell peaks and CES (constant elasticity of
substitution) functions, as validated specs with vectorized runtime functions.

Both are defined over numeric (integer or continuous) issues. A spec names its coordinates by
issue (named bundles, never positional tuples); :meth:`build` turns it into a runtime function
(the extension point of :func:`arena.utility.build_utility`).

* **Bell** (Marsa-Maestre, Lopez-Carmona et al.): ``u(s) = sum_i b_i(s) / scale`` with
  ``d = ||s - c_i||`` (Euclidean, in issue units) and ``b_i = h_i (1 - 2 d^2 / r_i^2)`` for
  ``d < r_i / 2``, ``(2 h_i / r_i^2) (d - r_i)^2`` for ``r_i / 2 <= d < r_i``, else 0. Many peaks
  give many local optima; between peaks the utility is flat at 0.
* **CES**: ``u(x) = gamma * (sum_i alpha_i x_i^beta) ^ (returns / beta)``. With ``opposed`` the
  function reads every issue mirrored, ``x_i' = max_i + min_i - x_i`` (on [0, 100]: ``100 - x_i``),
  so two CES agents, one opposed, want opposite corners of the space.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .space import ContinuousIssue, IntegerIssue, OutcomeSpace, Value

__all__ = ["BellPeak", "BellSpec", "BellUtility", "CESSpec", "CESUtility", "bell_values"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _numeric_columns(space: OutcomeSpace, names: list[str], what: str) -> list[int]:
    cols = []
    for name in names:
        if name not in space.names:
            raise ValueError(f"{what} names unknown issue {name!r}")
        if not isinstance(space.issue(name), (IntegerIssue, ContinuousIssue)):
            raise ValueError(f"{what} needs numeric issues; {name!r} is discrete")
    for name in space.names:
        if name not in names:
            raise ValueError(f"{what} gives no coordinate for issue {name!r}")
        cols.append(space.names.index(name))
    return cols


# ---------------------------------------------------------------------- Bell
class BellPeak(_Spec):
    """One bell: its centre (a coordinate per issue), height and radius (in issue units)."""

    centre: dict[str, float]
    height: float = Field(gt=0.0)
    radius: float = Field(gt=0.0)


class BellSpec(_Spec):
    """A sum of bells divided by ``scale`` (the generator sets it to the sum's maximum).

    With no peaks the utility is 0 everywhere (the placeholder a generator template carries).
    """

    type: Literal["bell"] = "bell"
    peaks: list[BellPeak] = Field(default_factory=list)
    scale: float = Field(default=1.0, gt=0.0)

    def build(self, space: OutcomeSpace, role: str) -> BellUtility:
        return BellUtility(space, self)


def bell_values(d: np.ndarray, height: float, radius: float) -> np.ndarray:
    """The bell profile at distances ``d`` (any shape): the piecewise formula of the module doc."""
    d = np.asarray(d, dtype=np.float64)
    r2 = radius * radius
    inner = height * (1.0 - 2.0 * d * d / r2)
    outer = (2.0 * height / r2) * (d - radius) ** 2
    return np.where(d < radius / 2.0, inner, np.where(d < radius, outer, 0.0))


class _Runtime:
    space: OutcomeSpace

    def __call__(self, bundle: Mapping[str, Value]) -> float:
        return float(self.evaluate(self.space.to_row(bundle)[None, :])[0])

    def evaluate(self, outcomes: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


class BellUtility(_Runtime):
    """Vectorized Bell utility: squared distances to every centre by one matrix product per chunk."""

    _CHUNK = 1 << 17

    def __init__(self, space: OutcomeSpace, spec: BellSpec) -> None:
        self.space, self.spec = space, spec
        for k, peak in enumerate(spec.peaks):
            _numeric_columns(space, list(peak.centre), f"bell peak {k}")
        self._centres = np.array([[p.centre[n] for n in space.names] for p in spec.peaks],
                                 dtype=np.float64).reshape(len(spec.peaks), len(space.names))
        self._heights = np.array([p.height for p in spec.peaks], dtype=np.float64)
        self._radii = np.array([p.radius for p in spec.peaks], dtype=np.float64)

    def raw(self, outcomes: np.ndarray) -> np.ndarray:
        """The sum of the bells before dividing by ``scale``."""
        X = np.atleast_2d(np.asarray(outcomes, dtype=np.float64))
        total = np.zeros(X.shape[0], dtype=np.float64)
        if not len(self._heights):
            return total
        cc = np.einsum("ij,ij->i", self._centres, self._centres)
        for start in range(0, X.shape[0], self._CHUNK):
            part = X[start:start + self._CHUNK]
            # squared distances to every centre at once: |x|^2 - 2 x.c + |c|^2
            d2 = (self._centres @ part.T) * -2.0  # (peaks, rows): each peak's row is contiguous
            d2 += np.einsum("ij,ij->i", part, part)
            d2 += cc[:, None]
            np.maximum(d2, 0.0, out=d2)
            out = total[start:start + self._CHUNK]
            for k, (h, r) in enumerate(zip(self._heights, self._radii)):
                row = d2[k]
                near = np.flatnonzero(row < r * r)
                if near.size:
                    out[near] += bell_values(np.sqrt(row[near]), float(h), float(r))
        return total

    def evaluate(self, outcomes: np.ndarray) -> np.ndarray:
        return self.raw(outcomes) / self.spec.scale


# ---------------------------------------------------------------------- CES
class CESSpec(_Spec):
    """``gamma * (sum_i alpha_i x_i^beta) ^ (returns / beta)``, optionally on mirrored issues."""

    type: Literal["ces"] = "ces"
    alphas: dict[str, float]
    beta: float
    returns: float = Field(default=1.0, gt=0.0)
    gamma: float = Field(default=1.0, gt=0.0)
    opposed: bool = False

    @model_validator(mode="after")
    def _check(self) -> CESSpec:
        if self.beta == 0.0 or self.beta >= 1.0:
            raise ValueError("CES beta must be non-zero and below 1")
        if any(a <= 0 for a in self.alphas.values()):
            raise ValueError("CES alphas must be positive")
        return self

    def build(self, space: OutcomeSpace, role: str) -> CESUtility:
        return CESUtility(space, self)


class CESUtility(_Runtime):
    """Vectorized CES utility. Issue values below 0 are read as 0 (CES is defined for x >= 0)."""

    def __init__(self, space: OutcomeSpace, spec: CESSpec) -> None:
        self.space, self.spec = space, spec
        if spec.alphas:
            _numeric_columns(space, list(spec.alphas), "CES utility")
        self._alphas = np.array([spec.alphas.get(n, 0.0) for n in space.names], dtype=np.float64)
        self._lo = np.array([float(getattr(i, "min", 0.0)) for i in space.issues])
        self._hi = np.array([float(getattr(i, "max", 0.0)) for i in space.issues])

    def evaluate(self, outcomes: np.ndarray) -> np.ndarray:
        X = np.atleast_2d(np.asarray(outcomes, dtype=np.float64))
        if not self.spec.alphas:
            return np.zeros(X.shape[0])
        if self.spec.opposed:
            X = self._hi + self._lo - X
        X = np.maximum(X, 0.0)
        beta, rho = self.spec.beta, self.spec.returns / self.spec.beta
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            inner = np.power(X, beta) @ self._alphas
            out = self.spec.gamma * np.power(inner, rho)
        return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)
