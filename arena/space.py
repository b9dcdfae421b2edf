"""Issues, outcome spaces and named bundles.

A *bundle* is a plain mapping from issue name to value (``{"price": 120, "terms": "net 30"}``);
it is never a positional tuple. An :class:`OutcomeSpace` validates bundles and enumerates the
whole space as a numpy matrix (one row per outcome, one column per issue) so utilities can be
evaluated over every outcome at once. Labelled (discrete) values are encoded by their index.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

Value = Union[str, int, float]
Bundle = dict[str, Value]

__all__ = [
    "Bundle",
    "BundleProblem",
    "ContinuousIssue",
    "DiscreteIssue",
    "IntegerIssue",
    "Issue",
    "OutcomeSpace",
    "Value",
]


class _IssueBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*$")
    description: str = ""
    synonyms: list[str] = Field(default_factory=list, description="Other words for the issue.")

    @property
    def words(self) -> list[str]:
        """Every word or phrase that names this issue in text."""
        base = [self.name, self.name.replace("_", " ").replace("-", " ")]
        return list(dict.fromkeys(w.lower() for w in base + list(self.synonyms)))


class DiscreteIssue(_IssueBase):
    """An issue with a finite list of labelled values (e.g. payment terms)."""

    type: Literal["discrete"] = "discrete"
    values: list[str] = Field(min_length=1)
    value_synonyms: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> "DiscreteIssue":
        if len(set(self.values)) != len(self.values):
            raise ValueError(f"issue {self.name!r} lists a value twice")
        unknown = set(self.value_synonyms) - set(self.values)
        if unknown:
            raise ValueError(f"value_synonyms of {self.name!r} name unknown values {sorted(unknown)}")
        return self

    @property
    def size(self) -> int:
        return len(self.values)

    def grid(self, resolution: int | None = None) -> np.ndarray:
        return np.arange(len(self.values), dtype=np.float64)

    def encode(self, value: Value) -> float:
        return float(self.values.index(str(value)))

    def decode(self, code: float) -> Value:
        return self.values[int(round(code))]

    def check(self, value: object) -> tuple[str, str] | None:
        if not isinstance(value, str):
            return "wrong_type", f"{self.name} takes one of {self.values}, not {value!r}"
        if value not in self.values:
            return "out_of_range", f"{self.name} must be one of {self.values}, not {value!r}"
        return None


class IntegerIssue(_IssueBase):
    """An integer range, optionally with a unit (``weeks``) or a division recipient.

    When ``recipient`` is set the issue divides ``max`` units of an item between the two roles
    and the value is the number of units the recipient role gets; the other role gets the rest.
    Such a bundle is perspective-free: it says which role gets what.
    """

    type: Literal["integer"] = "integer"
    min: int
    max: int
    unit: str | None = None
    recipient: str | None = None
    item: str | None = Field(default=None, description="Singular item name for division issues.")
    items: str | None = Field(default=None, description="Plural item name (default: the issue name).")

    @model_validator(mode="after")
    def _check(self) -> "IntegerIssue":
        if self.max < self.min:
            raise ValueError(f"issue {self.name!r}: max {self.max} is below min {self.min}")
        if self.recipient is not None and self.min != 0:
            raise ValueError(f"division issue {self.name!r} must start at 0")
        return self

    @property
    def size(self) -> int:
        return self.max - self.min + 1

    def grid(self, resolution: int | None = None) -> np.ndarray:
        return np.arange(self.min, self.max + 1, dtype=np.float64)

    def encode(self, value: Value) -> float:
        return float(value)

    def decode(self, code: float) -> Value:
        return int(round(code))

    def check(self, value: object) -> tuple[str, str] | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "wrong_type", f"{self.name} takes a whole number, not {value!r}"
        if isinstance(value, float) and not value.is_integer():
            return "wrong_type", f"{self.name} takes a whole number, not {value!r}"
        if not self.min <= value <= self.max:
            return "out_of_range", f"{self.name} must be between {self.min} and {self.max}, not {value!r}"
        return None


class ContinuousIssue(_IssueBase):
    """A real interval, optionally with a unit. ``resolution`` points are used to enumerate.

    With ``recipient`` set it divides a continuous good of size ``max`` (a pie): the value is
    the amount the recipient role gets and the other role gets the rest.
    """

    type: Literal["continuous"] = "continuous"
    min: float
    max: float
    unit: str | None = None
    resolution: int = Field(default=101, ge=2)
    recipient: str | None = None
    item: str | None = None
    items: str | None = None

    @model_validator(mode="after")
    def _check(self) -> "ContinuousIssue":
        if not (math.isfinite(self.min) and math.isfinite(self.max)) or self.max < self.min:
            raise ValueError(f"issue {self.name!r}: need finite min <= max")
        if self.recipient is not None and self.min != 0:
            raise ValueError(f"division issue {self.name!r} must start at 0")
        return self

    @property
    def size(self) -> int:
        return self.resolution

    def grid(self, resolution: int | None = None) -> np.ndarray:
        return np.linspace(self.min, self.max, resolution or self.resolution)

    def encode(self, value: Value) -> float:
        return float(value)

    def decode(self, code: float) -> Value:
        return float(code)

    def check(self, value: object) -> tuple[str, str] | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "wrong_type", f"{self.name} takes a number, not {value!r}"
        if not math.isfinite(value) or not self.min - 1e-9 <= value <= self.max + 1e-9:
            return "out_of_range", f"{self.name} must be between {self.min:g} and {self.max:g}, not {value!r}"
        return None


Issue = Annotated[Union[DiscreteIssue, IntegerIssue, ContinuousIssue], Field(discriminator="type")]


@dataclass(frozen=True)
class BundleProblem:
    """One reason a bundle does not belong to a space; ``code`` is machine-readable."""

    code: Literal["unknown_issue", "missing_issue", "out_of_range", "wrong_type"]
    issue: str
    message: str


class OutcomeSpace:
    """The cartesian product of a game's issues.

    Args:
        issues: the issues, in a fixed order that defines the matrix columns.
    """

    def __init__(self, issues: list[DiscreteIssue | IntegerIssue | ContinuousIssue]) -> None:
        if not issues:
            raise ValueError("an outcome space needs at least one issue")
        names = [i.name for i in issues]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate issue names in {names}")
        self.issues = list(issues)
        self._by_name = {i.name: i for i in issues}
        # per issue, what a valid value certainly looks like (see ``problems``): name, exact type
        # accepted, and the allowed values (discrete) or the closed range (numeric)
        self._quick: list[tuple[str, type, frozenset[str] | None, float, float]] = []
        for i in self.issues:
            if isinstance(i, DiscreteIssue):
                self._quick.append((i.name, str, frozenset(i.values), 0.0, 0.0))
            elif isinstance(i, IntegerIssue):
                self._quick.append((i.name, int, None, i.min, i.max))
            else:
                self._quick.append((i.name, float, None, i.min - 1e-9, i.max + 1e-9))

    @property
    def names(self) -> list[str]:
        return [i.name for i in self.issues]

    def issue(self, name: str) -> DiscreteIssue | IntegerIssue | ContinuousIssue:
        return self._by_name[name]

    @property
    def is_discrete(self) -> bool:
        return not any(isinstance(i, ContinuousIssue) for i in self.issues)

    @property
    def cardinality(self) -> int:
        """Number of outcomes (continuous issues count their enumeration resolution)."""
        return math.prod(i.size for i in self.issues)

    # ------------------------------------------------------------------ validation
    def problems(self, bundle: Mapping[str, object]) -> list[BundleProblem]:
        """Everything wrong with ``bundle``; empty when it is a complete, valid outcome."""
        if self._valid(bundle):
            return []
        out: list[BundleProblem] = []
        for key in bundle:
            if key not in self._by_name:
                out.append(BundleProblem("unknown_issue", str(key),
                                         f"there is no issue named {key!r}; the issues are {self.names}"))
        for issue in self.issues:
            if issue.name not in bundle:
                out.append(BundleProblem("missing_issue", issue.name, f"the offer says nothing about {issue.name}"))
                continue
            bad = issue.check(bundle[issue.name])
            if bad:
                out.append(BundleProblem(bad[0], issue.name, bad[1]))  # type: ignore[arg-type]
        return out

    def _valid(self, bundle: Mapping[str, object]) -> bool:
        """A quick test that is True only for bundles in which ``problems`` finds nothing: exactly
        the issues, each with a value of the plain type its issue takes (``int`` for integer,
        ``str`` for discrete, ``float`` for continuous issues) inside its range or list. False
        means "look closer", not "invalid"."""
        if len(bundle) != len(self._quick):
            return False
        for name, kind, allowed, lo, hi in self._quick:
            value = bundle.get(name, bundle)
            if type(value) is not kind:
                return False
            if allowed is not None:
                if value not in allowed:
                    return False
            elif not lo <= value <= hi:  # a NaN fails this too; infinities fall outside the range
                return False
        return True

    def normalize(self, bundle: Mapping[str, Value]) -> Bundle:
        """Return a copy with integer issues as ``int`` and continuous ones as ``float``."""
        out: Bundle = {}
        for issue in self.issues:
            v = bundle[issue.name]
            if isinstance(issue, IntegerIssue):
                out[issue.name] = int(v)
            elif isinstance(issue, ContinuousIssue):
                out[issue.name] = float(v)
            else:
                out[issue.name] = str(v)
        return out

    # ------------------------------------------------------------------ matrices
    def to_row(self, bundle: Mapping[str, Value]) -> np.ndarray:
        return np.array([i.encode(bundle[i.name]) for i in self.issues], dtype=np.float64)

    def to_matrix(self, bundles: list[Mapping[str, Value]]) -> np.ndarray:
        if not bundles:
            return np.empty((0, len(self.issues)))
        return np.vstack([self.to_row(b) for b in bundles])

    def from_row(self, row: np.ndarray) -> Bundle:
        return {i.name: i.decode(float(x)) for i, x in zip(self.issues, row)}

    def grids(self, resolution: int | None = None) -> list[np.ndarray]:
        return [i.grid(resolution) for i in self.issues]

    def enumerate(self, resolution: int | None = None) -> np.ndarray:
        """All outcomes as an ``(N, n_issues)`` float matrix (continuous issues on a grid)."""
        grids = self.grids(resolution)
        sizes = [len(g) for g in grids]
        out = np.empty((math.prod(sizes), len(grids)), dtype=np.result_type(*grids))
        cells = out.reshape(*sizes, len(grids))  # a view: cells[i0, i1, ..., k] is column k of a row
        for k, g in enumerate(grids):
            shape = [1] * len(grids)
            shape[k] = len(g)
            cells[..., k] = g.reshape(shape)  # the k-th issue varies along axis k
        return out

    def iter_chunks(self, chunk: int = 1 << 20, resolution: int | None = None) -> Iterator[np.ndarray]:
        """Enumerate in chunks of at most ``chunk`` rows, for spaces too large for one matrix."""
        grids = self.grids(resolution)
        sizes = np.array([len(g) for g in grids], dtype=np.int64)
        total = int(np.prod(sizes))
        strides = np.ones_like(sizes)
        for k in range(len(sizes) - 2, -1, -1):
            strides[k] = strides[k + 1] * sizes[k + 1]
        for start in range(0, total, chunk):
            flat = np.arange(start, min(total, start + chunk), dtype=np.int64)
            cols = [g[(flat // s) % n] for g, s, n in zip(grids, strides, sizes)]
            yield np.stack(cols, axis=1)

    def describe(self, bundle: Mapping[str, Value]) -> str:
        """A short, human-readable rendering such as ``price=120, terms=net 30``."""
        parts = []
        for issue in self.issues:
            if issue.name in bundle:
                v = bundle[issue.name]
                unit = getattr(issue, "unit", None)
                text = f"{v:g}" if isinstance(v, float) else str(v)
                if unit == "$":
                    text = "$" + text
                elif unit:
                    text = f"{text} {unit}"
                parts.append(f"{issue.name}={text}")
        return ", ".join(parts)
