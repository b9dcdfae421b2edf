"""Genius XML: a domain (``negotiation_template``) and its profiles (``utility_space``).

Semantics follow Genius (``genius.core.utility``), so an imported profile gives exactly the
utility Genius computes:

* additive profiles: u(bid) = min(1, sum_i w_i * eval_i(bid_i)), the weights as written (Genius
  does not renormalize them on loading); the cap only binds when the weights let the sum pass 1,
  and such profiles become hyper-rectangle utilities that keep it exactly;
* discrete issues (``EvaluatorDiscrete``): eval(v) = evaluation(v) / max of the issue's
  evaluations (0 when that maximum is below 1e-5); a value of the domain without an
  ``evaluation`` is an error, as in Genius's completeness check;
* integer issues (``EvaluatorInteger``): eval(v) = clip(slope * (v - lowerbound) + offset, 0, 1);
* real issues (``EvaluatorReal``): ``linear`` clip(parameter1 * x + parameter0, 0, 1),
  ``constant`` parameter0, ``triangular`` rising from parameter0 to 1 at parameter2 and falling to
  0 at parameter1;
* non-linear profiles (``NonlinearUtilitySpace``): u = min(1, f / maxutility), f the sum of the
  ``utility`` (times ``weight``) of the satisfied ``hyperRectangle`` constraints; ``INCLUDES`` is
  satisfied when every bound holds, ``EXCLUDES`` when at least one bound fails;
* ``discount_factor`` d: utility u * d^t at normalized time t; Genius treats d <= 0 or d > 1 as
  1 (no discount); ``reservation`` is on the same [0, 1] scale (0 when absent).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ..space import ContinuousIssue, DiscreteIssue, IntegerIssue
from .common import AnyIssue, ImportedDomain, ImportedProfile, fail, issue_name

__all__ = ["GeniusDomain", "read_domain", "read_profile", "read_root", "root_tag"]

_GENERIC_STEMS = {"domain", "template", "negotiation_template"}
_MAX_TABLE = 100_000  # largest integer range a clipped integer evaluator is tabulated over


# ---------------------------------------------------------------------- XML reading
def _decode(raw: bytes) -> str:
    """Text of an XML file: UTF-16/32 by their byte-order marks, else UTF-8 (with or without a
    BOM), else Latin-1 (Genius reads files in the platform charset, often Windows-1252)."""
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                       (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            return raw.decode(codec)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


_TAG = re.compile(r"<(/?)([^\s/>]+)((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>", re.DOTALL)
_ATTR = re.compile(r"([^\s=]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.DOTALL)
_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _NAMED[name]


def _lenient(text: str) -> ET.Element | None:
    """Genius's own parser (``SimpleDOMParser``) is far more lenient than XML: it takes a bare
    ``&``, unquoted or repeated attributes (the last one wins) and comments or declarations in
    odd places. This reads the same element tree the way it does; None if the tags do not nest."""
    text = re.sub(r"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<![^>]*>", "", text, flags=re.DOTALL)
    root: ET.Element | None = None
    stack: list[ET.Element] = []
    for m in _TAG.finditer(text):
        closing, tag, attrs, empty = m.groups()
        if closing:
            if not stack or stack[-1].tag != tag:
                return None
            stack.pop()
            continue
        el = ET.Element(tag)
        for a in _ATTR.finditer(attrs):
            raw = next(v for v in a.groups()[1:] if v is not None)
            el.set(a.group(1), _ENTITY.sub(_entity, raw))
        if stack:
            stack[-1].append(el)
        elif root is None:
            root = el
        else:
            return None  # a second root element
        if not empty:
            stack.append(el)
    return root if root is not None and not stack else None


def read_root(path: Path) -> ET.Element:
    """Parse an XML file as Genius does: leniently about encodings, misplaced declarations and
    comments, bare ``&`` and repeated attributes (see :func:`_lenient`)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        fail(path, f"cannot read the file ({exc.strerror})")
    text = _decode(raw)
    # Some shipped profiles put a comment before the XML declaration, which a conforming
    # parser rejects. Declarations carry nothing we need (the text is already decoded).
    text = re.sub(r"<\?xml[^>]*\?>", "", text)
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        root = _lenient(text)
        if root is not None:
            return root
        line, col = exc.position
        fail(path, f"is not well-formed XML (line {line}, column {col})")


def root_tag(path: Path) -> str | None:
    """The root element's tag, or None when the file is not XML."""
    try:
        return read_root(path).tag
    except Exception:  # noqa: BLE001 - detection only; reading reports errors properly
        return None


def _float(path: Path, el: ET.Element, attr: str, what: str, default: float | None = None) -> float:
    raw = el.get(attr)
    if raw is None or raw.strip() == "" or raw.strip() == "null":
        if default is not None:
            return default
        fail(path, f"{what} has no {attr!r} attribute")
    try:
        x = float(raw)
    except ValueError:
        fail(path, f"{what}: {attr}={raw!r} is not a number")
    if not math.isfinite(x):
        fail(path, f"{what}: {attr}={raw!r} is not a finite number")
    return x


def _int(path: Path, el: ET.Element, attr: str, what: str) -> int:
    raw = el.get(attr)
    if raw is None:
        fail(path, f"{what} has no {attr!r} attribute")
    try:
        return int(raw.strip())
    except ValueError:
        fail(path, f"{what}: {attr}={raw!r} is not a whole number")


def _issue_type(el: ET.Element) -> str:
    """Genius's rule: the ``type`` attribute decides; an issue without one is discrete."""
    return (el.get("type") or "discrete").strip().lower()


def _bounds(path: Path, el: ET.Element, what: str, integer: bool) -> tuple[float, float]:
    """lowerbound/upperbound as attributes of the issue (newer files) or of a ``range`` child."""
    holder = el if el.get("lowerbound") is not None else el.find("range")
    if holder is None:
        fail(path, f"{what} has no lowerbound/upperbound (neither attributes nor a <range> element)")
    conv = _int if integer else _float
    lo = conv(path, holder, "lowerbound", what)
    hi = conv(path, holder, "upperbound", what)
    if hi < lo:
        fail(path, f"{what}: upperbound {hi} is below lowerbound {lo}")
    return float(lo), float(hi)


# ---------------------------------------------------------------------- domain
@dataclass
class GeniusDomain(ImportedDomain):
    """An :class:`ImportedDomain` that also knows each issue's Genius index and type."""

    index: dict[int, str] = field(default_factory=dict)  # Genius issue index -> arena issue name
    kind: dict[str, str] = field(default_factory=dict)   # arena issue name -> discrete | integer | real


def read_domain(path: Path) -> GeniusDomain:
    """Read a Genius domain file (root ``negotiation_template``)."""
    root = read_root(path)
    if root.tag != "negotiation_template":
        fail(path, f"is not a Genius domain: the root element is <{root.tag}>, not <negotiation_template>")
    space = root.find("utility_space")
    if space is None:
        fail(path, "has no <utility_space> element")
    issues: list[AnyIssue] = []
    original: dict[str, str] = {}
    index: dict[int, str] = {}
    kind: dict[str, str] = {}
    taken: set[str] = set()
    for el in space.iter("issue"):  # preorder, through nested objectives, as Genius enumerates
        label = el.get("name")
        if not label:
            fail(path, f"an <issue> (index {el.get('index')}) has no name")
        what = f"issue {label!r}"
        idx = _int(path, el, "index", what)
        if idx in index:
            fail(path, f"{what}: index {idx} is used twice")
        name = issue_name(label, taken)
        t = _issue_type(el)
        desc = el.get("description") or ""
        words = [label] if label.lower() not in {name.lower(), name.replace("_", " ").lower()} else []
        common = {"name": name, "description": desc or (label if name != label else ""), "synonyms": words}
        try:
            if t == "discrete":
                values = [item.get("value") for item in el.findall("item")]
                if not values:
                    fail(path, f"{what} has no items")
                if any(v is None for v in values):
                    fail(path, f"{what}: an <item> has no value attribute")
                dup = sorted({v for v in values if values.count(v) > 1})
                if dup:
                    fail(path, f"{what} lists the item {dup[0]!r} twice")
                issue: AnyIssue = DiscreteIssue(values=values, **common)  # type: ignore[arg-type]
            elif t == "integer":
                lo, hi = _bounds(path, el, what, integer=True)
                issue = IntegerIssue(min=int(lo), max=int(hi), **common)  # type: ignore[arg-type]
            elif t == "real":
                lo, hi = _bounds(path, el, what, integer=False)
                issue = ContinuousIssue(min=lo, max=hi, **common)  # type: ignore[arg-type]
            else:
                fail(path, f"{what} has unknown type {t!r} (expected discrete, integer or real)")
        except ValidationError as exc:  # the arena's own checks of the issue
            fail(path, f"{what}: {exc.errors()[0]['msg']}")
        issues.append(issue)
        original[name] = label
        index[idx] = name
        kind[name] = t
    if not issues:
        fail(path, "defines no issues")
    # ANAC 2014 and Genius's non-linear examples name every domain file "domain.xml": then the
    # folder names the domain.
    name = path.stem if path.stem.lower() not in _GENERIC_STEMS else (path.resolve().parent.name or path.stem)
    return GeniusDomain(name=name, source=path, format="Genius", issues=issues, original=original,
                        index=index, kind=kind)


# ---------------------------------------------------------------------- profiles
def _discount_and_reservation(path: Path, root: ET.Element) -> tuple[float, float]:
    d_el = root.find("discount_factor")
    if d_el is None:
        d_el = next(root.iter("discount_factor"), None)
    d = 1.0
    if d_el is not None:
        d = _float(path, d_el, "value", "<discount_factor>")
        if d <= 0.0 or d > 1.0:  # Genius's validateDiscount: d <= 0 or d > 1 means no discount
            d = 1.0
    r_el = root.find("reservation")
    if r_el is None:
        r_el = next(root.iter("reservation"), None)
    r = 0.0 if r_el is None else _float(path, r_el, "value", "<reservation>")
    return d, r


def read_profile(path: Path, domain: GeniusDomain) -> ImportedProfile:
    """Read a Genius profile (root ``utility_space``), additive or non-linear, for ``domain``."""
    root = read_root(path)
    if root.tag != "utility_space":
        fail(path, f"is not a Genius profile: the root element is <{root.tag}>, not <utility_space>")
    kind = (root.get("type") or "").strip().lower()
    if kind == "constraint" or (next(root.iter("rules"), None) is not None and next(root.iter("weight"), None) is None):
        fail(path, "is a Genius constraint profile (<utility_space type=\"constraint\"> with <rules>), "
                   "which is not supported (additive and non-linear hyper-rectangle profiles are)")
    discount, reservation = _discount_and_reservation(path, root)
    # Genius's UTILITYSPACETYPE: "nonlinear" is the hyper-rectangle space; no type, "linear",
    # "uncertain" (ANAC 2019: the additive profile plus elicitation settings) and the other
    # spellings found in shipped copies ("any") are additive.
    nonlinear = kind == "nonlinear" or next(root.iter("ufun"), None) is not None
    utility = _nonlinear(path, root, domain) if nonlinear else _additive(path, root, domain)
    return ImportedProfile(source=path, utility=utility, reservation=reservation, discount=discount,
                           discount_basis="time")


def _additive(path: Path, root: ET.Element, domain: GeniusDomain) -> dict[str, object]:
    # Genius reads the <weight>s of each level of the objective tree and gives an issue the
    # weight with its index among its siblings; a weight elsewhere is used only as a fallback.
    weights: dict[int, float] = {}
    local: dict[int, float] = {}
    elements: dict[int, ET.Element] = {}
    for parent in root.iter():
        level: dict[int, float] = {}
        for w in parent.findall("weight"):
            idx = _int(path, w, "index", "a <weight>")
            level[idx] = weights[idx] = _float(path, w, "value", f"<weight index={idx}>")
        for el in parent.findall("issue"):
            idx = _int(path, el, "index", f"issue {el.get('name')!r}")
            elements[idx] = el
            if idx in level:
                local[idx] = level[idx]
    weights.update(local)
    out_w: dict[str, float] = {}
    out_v: dict[str, object] = {}
    best_total = 0.0
    for idx, name in domain.index.items():
        label = domain.original[name]
        what = f"issue {label!r} (index {idx})"
        el = elements.get(idx)
        if el is None:
            fail(path, f"{what} of the domain has no evaluator in this profile")
        if idx not in weights:
            fail(path, f"{what} has no <weight>")
        t = _issue_type(el)
        if t != domain.kind[name]:
            fail(path, f"{what} is {domain.kind[name]} in the domain but {t} in this profile")
        issue = next(i for i in domain.issues if i.name == name)
        other = (el.get("name") or "").strip()
        if other and other != label:  # Genius matches by index only; say so if something fails
            what += f" (this profile's issue with that index is named {other!r})"
        if isinstance(issue, DiscreteIssue):
            vf, top = _discrete(path, el, issue, what)
        elif isinstance(issue, IntegerIssue):
            vf, top = _integer(path, el, issue, what)
        else:
            assert isinstance(issue, ContinuousIssue)
            vf, top = _real(path, el, issue, what)
        w = weights[idx]
        out_w[name], out_v[name] = w, vf
        best_total += max(w * top[0], w * top[1])
    if best_total <= 1.0 + 1e-12:
        return {"type": "linear-additive", "weights": out_w, "values": out_v}
    return _capped(path, domain, out_w, out_v, best_total)


def _capped(path: Path, domain: GeniusDomain, weights: dict[str, float], values: dict[str, object],
            best: float) -> dict[str, object]:
    """Genius caps an additive utility at 1. When the weights let it pass 1 (shipped profiles
    whose weights sum to 1.00005 exist), the profile is written exactly as one box per issue
    value holding w * eval(value), with u = min(1, sum): a hyper-rectangle utility."""
    constraints: list[dict[str, object]] = []
    for issue in domain.issues:
        vf = values[issue.name]
        w = weights[issue.name]
        assert isinstance(vf, dict)
        if isinstance(issue, ContinuousIssue):
            fail(path, f"the weights allow a utility of {best:.6g} > 1, which Genius caps at 1; with the real issue "
                       f"{domain.original[issue.name]!r} the cap cannot be expressed exactly (rescale the weights)")
        if isinstance(issue, DiscreteIssue):
            scores = {v: float(vf["scores"][v]) for v in issue.values}  # type: ignore[index]
            boxes = [({"values": [v]}, x) for v, x in scores.items()]
        else:
            assert isinstance(issue, IntegerIssue)
            if issue.size > 10_000:
                fail(path, f"the weights allow a utility of {best:.6g} > 1, which Genius caps at 1; the integer issue "
                           f"{domain.original[issue.name]!r} is too large to express the cap exactly")
            span = range(issue.min, issue.max + 1)
            if vf["type"] == "table":
                pairs = [(v, float(vf["scores"][str(v)])) for v in span]  # type: ignore[index]
            else:
                pairs = [(v, float(vf["slope"]) * v + float(vf["intercept"])) for v in span]  # type: ignore[arg-type]
            boxes = [({"min": v, "max": v}, x) for v, x in pairs]
        for bound, x in boxes:
            if w * x != 0.0:
                constraints.append({"bounds": {issue.name: bound}, "value": w * x})
    return {"type": "hyper-rectangle", "constraints": constraints, "max_utility": 1.0}


_Evaluator = tuple[dict[str, object], tuple[float, float]]  # value function spec, (lowest, highest) value


def _discrete(path: Path, el: ET.Element, issue: DiscreteIssue, what: str) -> _Evaluator:
    evals: dict[str, float] = {}
    for item in el.findall("item"):
        value = item.get("value")
        if value is None:
            fail(path, f"{what}: an <item> has no value attribute")
        raw = item.get("evaluation")
        if raw is None or raw.strip() in ("", "null"):
            continue  # Genius skips it; a domain value left without evaluation is reported below
        # Genius's loader takes negative evaluations as written (some shipped copies have them):
        # they stay negative after the division by the maximum, as in Genius.
        evals[value] = _float(path, item, "evaluation", f"{what}, item {value!r}")
    missing = [v for v in issue.values if v not in evals]
    if missing:
        listed = {item.get("value") for item in el.findall("item")}
        why = "its <item> has no evaluation" if missing[0] in listed else "the profile has no <item> for it"
        extra = [v for v in evals if v not in issue.values]
        hint = f"; the profile evaluates {extra[0]!r}, which the domain does not have" if extra else ""
        fail(path, f"{what}: the value {missing[0]!r} has no evaluation ({why}{hint}); Genius cannot "
                   "evaluate a bid with it")
    top = max(evals.values())
    scores = {v: (evals[v] / top if top >= 1e-5 else 0.0) for v in issue.values}
    vals = list(scores.values())
    return {"type": "table", "scores": scores}, (min(vals), max(vals))


def _clip01(x: float) -> float:
    return min(1.0, max(0.0, x))


def _integer(path: Path, el: ET.Element, issue: IntegerIssue, what: str) -> _Evaluator:
    ev = el.find("evaluator")
    if ev is None:
        fail(path, f"{what} has no <evaluator>")
    slope = _float(path, ev, "slope", f"{what}, <evaluator>")
    offset = _float(path, ev, "offset", f"{what}, <evaluator>")
    if el.get("lowerbound") is not None or el.find("range") is not None:
        lb, _ = _bounds(path, el, what, integer=True)
    else:
        lb = float(issue.min)
    raw = [slope * (v - lb) + offset for v in (issue.min, issue.max)]
    if all(0.0 <= r <= 1.0 for r in raw):  # linear, never clipped over the issue's range
        return {"type": "linear", "slope": slope, "intercept": offset - slope * lb}, (raw[0], raw[1])
    if issue.size > _MAX_TABLE:
        fail(path, f"{what}: the evaluator is clipped to [0, 1] inside the range and the range is too "
                   f"large ({issue.size} values) to tabulate")
    scores = {str(v): _clip01(slope * (v - lb) + offset) for v in range(issue.min, issue.max + 1)}
    vals = list(scores.values())
    return {"type": "table", "scores": scores}, (min(vals), max(vals))


def _real(path: Path, el: ET.Element, issue: ContinuousIssue, what: str) -> _Evaluator:
    ev = el.find("evaluator")
    if ev is None:
        fail(path, f"{what} has no <evaluator>")
    ftype = (ev.get("ftype") or "").strip().lower()
    lo, hi = issue.min, issue.max
    if ftype == "linear":
        # Genius reads parameter0 (intercept) and parameter1 (slope). Files written by NegMAS spell
        # them offset and slope, as integer evaluators do; those are read the same way.
        if ev.get("parameter0") is None and ev.get("parameter1") is None and ev.get("slope") is not None:
            p0 = _float(path, ev, "offset", f"{what}, <evaluator>")
            p1 = _float(path, ev, "slope", f"{what}, <evaluator>")
        else:
            p0 = _float(path, ev, "parameter0", f"{what}, <evaluator>")
            p1 = _float(path, ev, "parameter1", f"{what}, <evaluator>")
        ends = (p1 * lo + p0, p1 * hi + p0)
        if not all(0.0 <= e <= 1.0 for e in ends):
            fail(path, f"{what}: the linear evaluator leaves [0, 1] inside the range and Genius clips it, "
                       "which a continuous issue cannot express exactly")
        return {"type": "linear", "slope": p1, "intercept": p0}, ends
    if ftype == "constant":
        p0 = _float(path, ev, "parameter0", f"{what}, <evaluator>")
        return {"type": "linear", "slope": 0.0, "intercept": p0}, (p0, p0)
    if ftype == "triangular":
        p0 = _float(path, ev, "parameter0", f"{what}, <evaluator>")
        p1 = _float(path, ev, "parameter1", f"{what}, <evaluator>")
        top = _float(path, ev, "parameter2", f"{what}, <evaluator>")
        if not (math.isclose(p0, lo) and math.isclose(p1, hi) and lo < top < hi):
            fail(path, f"{what}: only triangular evaluators spanning the issue's range with the top inside it "
                       f"are supported (got {p0:g}..{top:g}..{p1:g} on [{lo:g}, {hi:g}])")
        return {"type": "triangular", "peak": top}, (0.0, 1.0)
    fail(path, f"{what}: evaluator type {ftype or '(none)'!r} is not supported (linear, constant, triangular)")


def _nonlinear(path: Path, root: ET.Element, domain: GeniusDomain) -> dict[str, object]:
    utility = next(root.iter("utility"), None)
    if utility is None:
        fail(path, "is a non-linear profile without a <utility> element")
    max_utility = _float(path, utility, "maxutility", "<utility>")
    if max_utility <= 0:
        fail(path, f"<utility>: maxutility {max_utility:g} must be positive")
    ufuns = utility.findall("ufun")
    if len(ufuns) != 1:
        fail(path, f"<utility> needs exactly one <ufun>, found {len(ufuns)}")
    ufun = ufuns[0]
    aggregation = (ufun.get("aggregation") or "").strip().lower()
    if aggregation != "sum":
        fail(path, f"<ufun>: aggregation {ufun.get('aggregation')!r} is not supported (only 'sum')")
    if _float(path, ufun, "weight", "<ufun>", default=1.0) != 1.0:
        fail(path, "<ufun>: a weight other than 1 is not supported")
    constraints: list[dict[str, object]] = []
    for child in ufun:
        if child.tag != "hyperRectangle":
            fail(path, f"<ufun>: element <{child.tag}> is not supported (only <hyperRectangle>)")
        n = len(constraints) + 1
        what = f"hyperRectangle {n}"
        value = _float(path, child, "utility", what) * _float(path, child, "weight", what, default=1.0)
        incl, excl = child.findall("INCLUDES"), child.findall("EXCLUDES")
        if incl and excl:
            fail(path, f"{what} mixes INCLUDES and EXCLUDES (Genius would silently drop the INCLUDES bounds)")
        bounds: dict[str, dict[str, float]] = {}
        for b in incl or excl:
            idx = _int(path, b, "index", f"{what}, a bound")
            if idx not in domain.index:
                fail(path, f"{what}: a bound names issue index {idx}, which the domain does not have")
            name = domain.index[idx]
            if domain.kind[name] == "discrete":
                fail(path, f"{what}: a bound on discrete issue {domain.original[name]!r} "
                           "(Genius bounds integer issues)")
            lo = _float(path, b, "min", f"{what}, bound on index {idx}")
            hi = _float(path, b, "max", f"{what}, bound on index {idx}")
            if name in bounds:  # two bounds on one issue must both hold: intersect them
                lo, hi = max(lo, bounds[name]["min"]), min(hi, bounds[name]["max"])
            bounds[name] = {"min": lo, "max": hi}
        for name, b in bounds.items():
            if b["max"] < b["min"]:  # intersected to nothing: no value of the issue lies inside
                outside = float(getattr(next(i for i in domain.issues if i.name == name), "max")) + 1.0
                b["min"], b["max"] = outside, outside
        constraints.append({"bounds": bounds, "value": value, "mode": "excludes" if excl else "includes"})
    return {"type": "hyper-rectangle", "constraints": constraints, "max_utility": max_utility}
