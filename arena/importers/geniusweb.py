"""GeniusWeb JSON: a domain (``{"name", "issuesValues"}``) and ``LinearAdditiveUtilitySpace`` profiles.

Semantics follow GeniusWeb (``geniusweb.profile.utilityspace``):

* u(bid) = sum_i w_i * util_i(bid_i); the weights must sum to 1;
* discrete value sets: ``discreteutils`` (or the older key ``DiscreteValueSetUtilities``) map
  every value of the issue, and only those, to a utility in [0, 1];
* number value sets (``{"range": {"low", "high", "step"}}``): ``numberutils`` (or
  ``NumberValueSetUtilities``) interpolate linearly from ``lowUtility`` at ``lowValue`` (the range's
  low) to ``highUtility`` at ``highValue`` (its high);
* ``reservationBid``: the reservation value is the utility of that bid; null or absent means
  there is no reservation bid (any agreement beats none) and the reservation value is 0.

GeniusWeb profiles have no discount factor.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..space import DiscreteIssue, IntegerIssue, OutcomeSpace
from ..utility import LinearAdditiveSpec, build_utility
from .common import AnyIssue, ImportedDomain, ImportedProfile, fail, issue_name

__all__ = ["is_geniusweb_domain", "is_geniusweb_profile", "read_domain", "read_json", "read_profile"]

_DISCRETE_KEYS = ("discreteutils", "DiscreteValueSetUtilities")
_NUMBER_KEYS = ("numberutils", "NumberValueSetUtilities")
_MAX_STEPS = 100_000


def read_json(path: Path) -> Any:
    """Parse a JSON file, numbers with fractions as :class:`Decimal` (GeniusWeb is decimal-exact)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        fail(path, f"cannot read the file ({exc.strerror})")
    except UnicodeDecodeError:
        fail(path, "is not UTF-8 text")
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        fail(path, f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})")


def is_geniusweb_domain(data: object) -> bool:
    return isinstance(data, dict) and "issuesValues" in data


def is_geniusweb_profile(data: object) -> bool:
    """One key naming the profile type, holding its utilities or its domain. Types the importer
    cannot read (partial orderings of ANAC 2020, ``SumOfGroupsUtilitySpace``) count too, so
    that reading them reports the type rather than finding no profiles."""
    if not (isinstance(data, dict) and len(data) == 1):
        return False
    body = next(iter(data.values()))
    return isinstance(body, dict) and bool({"issueUtilities", "domain"} & set(body))


def _number(path: Path, x: object, what: str) -> Decimal:
    if isinstance(x, bool) or not isinstance(x, (int, Decimal)):
        fail(path, f"{what} must be a number, not {x!r}")
    d = Decimal(x)
    if not d.is_finite():
        fail(path, f"{what} must be a finite number")
    return d


def _label(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    return text[:-2] if text.endswith(".0") else text


# ---------------------------------------------------------------------- domain
@dataclass
class GeniusWebDomain(ImportedDomain):
    """An :class:`ImportedDomain` that keeps the (low, high, step) of each number range."""

    ranges: dict[str, tuple[Decimal, Decimal, Decimal]] = field(default_factory=dict)


def read_domain(path: Path, data: object | None = None) -> GeniusWebDomain:
    """Read a GeniusWeb domain: a file ``{"name", "issuesValues"}`` or such an object in a profile."""
    data = read_json(path) if data is None else data
    if not is_geniusweb_domain(data):
        fail(path, "is not a GeniusWeb domain (no \"issuesValues\")")
    assert isinstance(data, dict)
    name = data.get("name")
    if not isinstance(name, str) or not name:
        fail(path, "the domain has no \"name\"")
    values = data["issuesValues"]
    if not isinstance(values, dict) or not values:
        fail(path, "\"issuesValues\" must be a non-empty object")
    issues: list[AnyIssue] = []
    original: dict[str, str] = {}
    taken: set[str] = set()
    dom = GeniusWebDomain(name=name, source=path, format="GeniusWeb", issues=issues, original=original)
    for label, vs in values.items():
        what = f"issue {label!r}"
        aname = issue_name(label, taken)
        words = [label] if label.lower() not in {aname.lower(), aname.replace("_", " ").lower()} else []
        common = {"name": aname, "description": label if aname != label else "", "synonyms": words}
        if not isinstance(vs, dict) or not ({"values", "range"} & set(vs)):
            fail(path, f"{what} needs {{\"values\": [...]}} or {{\"range\": {{...}}}}")
        try:
            if "values" in vs:
                raw = vs["values"]
                if not isinstance(raw, list) or not raw:
                    fail(path, f"{what} has no values")
                labels = []
                for v in raw:
                    if isinstance(v, (dict, list)) or v is None:
                        fail(path, f"{what}: value {v!r} is not a plain value")
                    labels.append(v if isinstance(v, str) else _label(Decimal(v)))
                dup = sorted({v for v in labels if labels.count(v) > 1})
                if dup:
                    fail(path, f"{what} lists the value {dup[0]!r} twice")
                issue: AnyIssue = DiscreteIssue(values=labels, **common)  # type: ignore[arg-type]
            else:
                rng = vs["range"]
                if not isinstance(rng, dict):
                    fail(path, f"{what}: \"range\" must be an object with low, high and step")
                low = _number(path, rng.get("low"), f"{what}: range low")
                high = _number(path, rng.get("high"), f"{what}: range high")
                step = _number(path, rng.get("step"), f"{what}: range step")
                if high < low or step <= 0:
                    fail(path, f"{what}: the range needs low <= high and a positive step")
                n = int((high - low) / step) + 1
                if n > _MAX_STEPS:
                    fail(path, f"{what}: the range has {n} values, too many to enumerate")
                dom.ranges[aname] = (low, high, step)
                if step == 1 and low == low.to_integral_value():
                    issue = IntegerIssue(min=int(low), max=int(low) + n - 1, **common)  # type: ignore[arg-type]
                else:  # a stepped number range: its values, each by name
                    labels = [_label(low + k * step) for k in range(n)]
                    issue = DiscreteIssue(values=labels, **common)  # type: ignore[arg-type]
        except ValidationError as exc:
            fail(path, f"{what}: {exc.errors()[0]['msg']}")
        issues.append(issue)
        original[aname] = label
    return dom


def _range_values(dom: GeniusWebDomain, aname: str) -> list[Decimal]:
    low, high, step = dom.ranges[aname]
    n = int((high - low) / step) + 1
    return [low + k * step for k in range(n)]


# ---------------------------------------------------------------------- profiles
def read_profile(path: Path, domain: GeniusWebDomain, data: object | None = None) -> ImportedProfile:
    """Read a GeniusWeb ``LinearAdditiveUtilitySpace`` profile for ``domain``."""
    data = read_json(path) if data is None else data
    if not isinstance(data, dict) or len(data) != 1:
        fail(path, "is not a GeniusWeb profile (expected one key such as \"LinearAdditiveUtilitySpace\")")
    kind, body = next(iter(data.items()))
    if kind != "LinearAdditiveUtilitySpace":
        fail(path, f"profile type {kind!r} is not supported (only LinearAdditiveUtilitySpace)")
    if not isinstance(body, dict):
        fail(path, "LinearAdditiveUtilitySpace must be an object")
    utils, weights = body.get("issueUtilities"), body.get("issueWeights")
    if not isinstance(utils, dict):
        fail(path, "has no \"issueUtilities\" object")
    if not isinstance(weights, dict):
        fail(path, "has no \"issueWeights\" object")
    by_label = {label: aname for aname, label in domain.original.items()}
    for key, what in ((utils, "issueUtilities"), (weights, "issueWeights")):
        extra = sorted(set(key) - set(by_label))
        missing = sorted(set(by_label) - set(key))
        if extra:
            fail(path, f"{what} names issue {extra[0]!r}, which the domain {domain.name!r} does not have")
        if missing:
            fail(path, f"{what} has nothing for issue {missing[0]!r}")
    total = Decimal(0)
    out_w: dict[str, float] = {}
    out_v: dict[str, object] = {}
    for label, aname in by_label.items():
        what = f"issue {label!r}"
        w = _number(path, weights[label], f"issueWeights[{label!r}]")
        total += w
        out_w[aname] = float(w)
        out_v[aname] = _value_function(path, domain, aname, utils[label], what)
    if abs(total - 1) > Decimal("1e-6"):
        fail(path, f"the issue weights sum to {total}, not 1")
    utility = {"type": "linear-additive", "weights": out_w, "values": out_v}
    reservation = _reservation(path, domain, utility, body)
    return ImportedProfile(source=path, utility=utility, reservation=reservation)


def _value_function(path: Path, domain: GeniusWebDomain, aname: str, spec: object, what: str) -> dict[str, object]:
    if not isinstance(spec, dict) or len(spec) != 1:
        fail(path, f"{what}: expected one of {_DISCRETE_KEYS + _NUMBER_KEYS}")
    key, body = next(iter(spec.items()))
    issue = next(i for i in domain.issues if i.name == aname)
    is_number = aname in domain.ranges
    if key in _DISCRETE_KEYS:
        if is_number:
            fail(path, f"{what}: {key} given for a number range")
        table = body.get("valueUtilities") if isinstance(body, dict) else None
        if not isinstance(table, dict):
            fail(path, f"{what}: {key} has no \"valueUtilities\" object")
        assert isinstance(issue, DiscreteIssue)
        scores: dict[str, float] = {}
        for v, u in table.items():
            if v not in issue.values:
                fail(path, f"{what}: valueUtilities names {v!r}, which is not a value of the issue")
            x = _number(path, u, f"{what}, value {v!r}")
            if not 0 <= x <= 1:
                fail(path, f"{what}, value {v!r}: utility {x} is outside [0, 1]")
            scores[v] = float(x)
        missing = [v for v in issue.values if v not in scores]
        if missing:
            fail(path, f"{what}: the value {missing[0]!r} has no utility")
        return {"type": "table", "scores": scores}
    if key in _NUMBER_KEYS:
        if not is_number:
            fail(path, f"{what}: {key} given for a discrete value set")
        if not isinstance(body, dict):
            fail(path, f"{what}: {key} must be an object")
        lv = _number(path, body.get("lowValue"), f"{what}: lowValue")
        hv = _number(path, body.get("highValue"), f"{what}: highValue")
        lu = _number(path, body.get("lowUtility"), f"{what}: lowUtility")
        hu = _number(path, body.get("highUtility"), f"{what}: highUtility")
        low, high, _ = domain.ranges[aname]
        if lv != low or hv != high:
            fail(path, f"{what}: {key} runs from {lv} to {hv} but the range is {low}..{high}")
        if not (0 <= lu <= 1 and 0 <= hu <= 1):
            fail(path, f"{what}: lowUtility and highUtility must be in [0, 1]")
        if hv <= lv:
            fail(path, f"{what}: highValue must be above lowValue")
        # GeniusWeb's NumberValueSetUtilities: lowU + (highU - lowU) * (x - lowV) / (highV - lowV),
        # rounded half-up to 8 decimals. A linear function where that rounding changes nothing,
        # else a table of the rounded utilities.
        xs = _range_values(domain, aname)
        exact = [_number_utility(lv, lu, hv, hu, x) for x in xs]
        slope = float((hu - lu) / (hv - lv))
        intercept = float(lu) - slope * float(lv)
        if isinstance(issue, IntegerIssue) and all(float(u) == slope * float(x) + intercept for u, x in zip(exact, xs)):
            return {"type": "linear", "slope": slope, "intercept": intercept}
        labels = [str(v) for v in range(issue.min, issue.max + 1)] if isinstance(issue, IntegerIssue) else issue.values
        return {"type": "table", "scores": {lab: float(u) for lab, u in zip(labels, exact)}}
    fail(path, f"{what}: value utilities of kind {key!r} are not supported")


def _number_utility(lv: Decimal, lu: Decimal, hv: Decimal, hu: Decimal, x: Decimal) -> Decimal:
    """GeniusWeb's number utility of ``x``, exactly as ``NumberValueSetUtilities.getUtility``."""
    if x < lv or x > hv:
        return Decimal(0)
    return (lu + (hu - lu) * (x - lv) / (hv - lv)).quantize(Decimal("1.00000000"), rounding=ROUND_HALF_UP)


def _bundle_value(path: Path, domain: GeniusWebDomain, aname: str, v: object, what: str) -> str | int:
    issue = next(i for i in domain.issues if i.name == aname)
    if aname in domain.ranges:
        x = _number(path, v, what)
        if isinstance(issue, IntegerIssue):
            if x != x.to_integral_value() or not issue.min <= x <= issue.max:
                fail(path, f"{what}: {v} is not in the range")
            return int(x)
        assert isinstance(issue, DiscreteIssue)
        for lab, y in zip(issue.values, _range_values(domain, aname)):
            if x == y:
                return lab
        fail(path, f"{what}: {v} is not one of the range's values")
    assert isinstance(issue, DiscreteIssue)
    if not isinstance(v, str) or v not in issue.values:
        fail(path, f"{what}: {v!r} is not a value of the issue")
    return v


def _reservation(path: Path, domain: GeniusWebDomain, utility: dict[str, object], body: dict[str, Any]) -> float:
    bid = body.get("reservationBid")
    if bid is None:
        return 0.0  # no reservation bid: any agreement is better than none
    values = bid.get("issuevalues") if isinstance(bid, dict) else None
    if not isinstance(values, dict):
        fail(path, "reservationBid must be null or {\"issuevalues\": {...}}")
    by_label = {label: aname for aname, label in domain.original.items()}
    bundle: dict[str, str | int] = {}
    for label, v in values.items():
        if label not in by_label:
            fail(path, f"reservationBid names issue {label!r}, which the domain does not have")
        bundle[by_label[label]] = _bundle_value(path, domain, by_label[label], v, f"reservationBid[{label!r}]")
    # A partial reservation bid is legal in GeniusWeb: an issue it leaves out adds 0 utility.
    present = dict(utility)
    present["values"] = {n: vf for n, vf in utility["values"].items() if n in bundle}  # type: ignore[union-attr]
    for issue in domain.issues:
        if issue.name not in bundle:  # any value: the issue has no value function here
            filler = issue.values[0] if isinstance(issue, DiscreteIssue) else issue.min
            bundle[issue.name] = filler  # type: ignore[assignment]
    space = OutcomeSpace(list(domain.issues))
    u = build_utility(LinearAdditiveSpec.model_validate(present), space, "reservation")
    r = u(bundle)
    assert math.isfinite(r)
    return float(r)
