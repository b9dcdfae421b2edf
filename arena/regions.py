"""Regions of an outcome space: hyper-rectangles with a closed range ``[lo, hi]`` per issue.

A region is a mapping ``{issue: (lo, hi)}`` over a space's numeric (integer or continuous) issues;
a point (a contract) is the region whose ranges all have ``lo == hi``. These pure helpers validate,
intersect, measure and sample regions for the region-recursive protocol and its agents.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .space import Bundle, ContinuousIssue, IntegerIssue, OutcomeSpace

__all__ = [
    "Box",
    "RegionProblem",
    "as_box",
    "box_arrays",
    "box_of_bundle",
    "centre",
    "contains",
    "full_box",
    "intersect",
    "is_point",
    "region_problems",
    "round_inward",
    "sample_box",
    "widths",
]

Box = dict[str, tuple[float, float]]
_TOL = 1e-9


@dataclass(frozen=True)
class RegionProblem:
    """One reason a proposed region is not valid; ``code`` is a referee violation code."""

    code: str
    issue: str
    message: str


def _fmt(v: float) -> str:
    return f"{v:g}"


def full_box(space: OutcomeSpace) -> Box:
    """The whole space as a region."""
    out: Box = {}
    for issue in space.issues:
        if not isinstance(issue, (IntegerIssue, ContinuousIssue)):
            raise ValueError(f"needs numeric issues; {issue.name!r} is discrete")
        out[issue.name] = (float(issue.min), float(issue.max))
    return out


def box_of_bundle(bundle: Mapping[str, object]) -> Box:
    """A contract as a region of zero width."""
    return {k: (float(v), float(v)) for k, v in bundle.items()}  # type: ignore[arg-type]


def as_box(region: Mapping[str, object]) -> Box:
    """A validated region (``{issue: [lo, hi]}``) as a :data:`Box` of floats."""
    return {k: (float(v[0]), float(v[1])) for k, v in region.items()}  # type: ignore[index]


def widths(box: Mapping[str, tuple[float, float]]) -> dict[str, float]:
    return {k: hi - lo for k, (lo, hi) in box.items()}


def is_point(box: Mapping[str, tuple[float, float]]) -> bool:
    return all(hi - lo <= _TOL for lo, hi in box.values())


def contains(outer: Mapping[str, tuple[float, float]], inner: Mapping[str, tuple[float, float]]) -> bool:
    return all(outer[k][0] - _TOL <= lo and hi <= outer[k][1] + _TOL for k, (lo, hi) in inner.items())


def intersect(a: Mapping[str, tuple[float, float]], b: Mapping[str, tuple[float, float]]) -> Box | None:
    """The overlap of two regions over the same issues, or None when they are disjoint."""
    out: Box = {}
    for k, (lo, hi) in a.items():
        lo2, hi2 = max(lo, b[k][0]), min(hi, b[k][1])
        if lo2 > hi2 + _TOL:
            return None
        out[k] = (lo2, max(lo2, hi2))
    return out


def centre(space: OutcomeSpace, box: Mapping[str, tuple[float, float]]) -> Bundle:
    """The region's centre as a contract (integer issues: the lower middle value; continuous
    ones rounded to 4 decimals, clipped into the region)."""
    out: Bundle = {}
    for issue in space.issues:
        lo, hi = box[issue.name]
        if isinstance(issue, IntegerIssue):
            out[issue.name] = math.ceil(lo - _TOL) + (math.floor(hi + _TOL) - math.ceil(lo - _TOL)) // 2
        else:
            out[issue.name] = float(min(max(round((lo + hi) / 2.0, 4), lo), hi))
    return out


def box_arrays(space: OutcomeSpace, box: Mapping[str, tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Low and high ends as arrays in the space's issue order."""
    lo = np.array([box[n][0] for n in space.names], dtype=np.float64)
    hi = np.array([box[n][1] for n in space.names], dtype=np.float64)
    return lo, hi


def sample_box(space: OutcomeSpace, box: Mapping[str, tuple[float, float]], n: int,
               rng: np.random.Generator) -> np.ndarray:
    """``n`` outcomes drawn uniformly from the region (integer issues: whole numbers)."""
    lo, hi = box_arrays(space, box)
    X = lo + rng.random((n, lo.size)) * (hi - lo)
    for k, issue in enumerate(space.issues):
        if isinstance(issue, IntegerIssue):
            X[:, k] = np.clip(np.rint(X[:, k]), math.ceil(lo[k] - _TOL), math.floor(hi[k] + _TOL))
    return X


def round_inward(space: OutcomeSpace, lo: float, hi: float, issue_name: str) -> tuple[float, float]:
    """A range rounded to what speech says exactly, never growing: integer issues to whole
    numbers, continuous ones to 4 decimals (low end up, high end down)."""
    issue = space.issue(issue_name)
    if isinstance(issue, IntegerIssue):
        a, b = math.ceil(lo - _TOL), math.floor(hi + _TOL)
        if a > b:
            a = b = round((lo + hi) / 2.0)
        return float(a), float(b)
    a, b = math.ceil(lo * 1e4 - 1e-6) / 1e4, math.floor(hi * 1e4 + 1e-6) / 1e4
    if a > b:  # narrower than the rounding step: the rounded middle
        a = b = round((lo + hi) / 2.0, 4)
    return a, b


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(float(value)) else None


def region_problems(space: OutcomeSpace, region: Mapping[str, object], within: Mapping[str, tuple[float, float]],
                    max_width: Mapping[str, float] | None = None) -> list[RegionProblem]:
    """Everything wrong with a proposed region: unknown or missing issues, ranges that are not
    two numbers (or not whole numbers for an integer issue), a low end above the high end,
    ranges outside ``within`` (the current negotiation space) or wider than ``max_width``."""
    out: list[RegionProblem] = []
    for key in region:
        if key not in space.names:
            out.append(RegionProblem("unknown_issue", str(key),
                                     f"there is no issue named {key!r}; the issues are {space.names}"))
    for issue in space.issues:
        name = issue.name
        if name not in region:
            out.append(RegionProblem("missing_issue", name, f"the region gives no range for {name}"))
            continue
        raw = region[name]
        pair = list(raw) if isinstance(raw, (list, tuple)) else None
        nums = [_number(v) for v in pair] if pair is not None and len(pair) == 2 else None
        if nums is None or None in nums:
            out.append(RegionProblem("wrong_type", name, f"the range of {name} must be two numbers [low, high], "
                                                         f"not {raw!r}"))
            continue
        lo, hi = nums[0], nums[1]
        assert lo is not None and hi is not None
        if isinstance(issue, IntegerIssue) and not (float(lo).is_integer() and float(hi).is_integer()):
            out.append(RegionProblem("wrong_type", name, f"{name} takes whole numbers, not [{_fmt(lo)}, {_fmt(hi)}]"))
            continue
        if lo > hi:
            out.append(RegionProblem("out_of_range", name, f"the range of {name} runs backwards: its low end "
                                                           f"{_fmt(lo)} is above its high end {_fmt(hi)}"))
            continue
        a, b = within[name]
        tol = _TOL * max(1.0, abs(b - a))
        if lo < a - tol or hi > b + tol:
            out.append(RegionProblem("out_of_range", name, f"the range of {name} must lie within the current "
                                                           f"negotiation space, {_fmt(a)} to {_fmt(b)}, not "
                                                           f"{_fmt(lo)} to {_fmt(hi)}"))
            continue
        if max_width is not None and hi - lo > max_width[name] + tol:
            out.append(RegionProblem("region_too_large", name, f"the range of {name} is {_fmt(hi - lo)} wide; at "
                                                               f"this point a range may be at most "
                                                               f"{_fmt(max_width[name])} wide"))
    return out
