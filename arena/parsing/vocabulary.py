"""Per-game vocabulary for the parser: the words that name issues, values, units, items and
roles, with their regexes compiled once and cached per game.

Nothing here is specific to one game: every word comes from the game spec (issue names,
synonyms, units, item names, discrete values and their synonyms, role names, labels and
synonyms), plus a few general English forms (plurals, "wk" for "week").
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from ..space import ContinuousIssue, DiscreteIssue, IntegerIssue
from .numbers import NUMBER_WORDS, NUMWORD_PATTERN
from .textutil import trie_pattern

if TYPE_CHECKING:
    from ..game import Game

__all__ = ["DivisionIssue", "Vocabulary", "norm", "vocabulary"]

AnyIssue = DiscreteIssue | IntegerIssue | ContinuousIssue

# Unit spellings beyond the singular and plural of the unit the spec names.
_UNIT_FORMS = {
    "weeks": ["week", "weeks", "wk", "wks"],
    "days": ["day", "days"],
    "months": ["month", "months", "mo", "mos"],
    "hours": ["hour", "hours", "hr", "hrs"],
    "years": ["year", "years", "yr", "yrs"],
}
# Everyday names of common items (people say "basketballs" for the balls of Deal or No Deal).
_ITEM_ALIASES = {"ball": ["basketball", "basketballs"], "hat": [], "book": []}

_NORM_RE = re.compile(r"[^0-9a-z]+")
_BRACKETS_RE = re.compile(r"\(.*?\)|\[.*?\]")
_KEY_UNIT_RE = re.compile(r"(?:[\s_-]+(?:in[\s_-]+)?(?:weeks?|days?|months?|usd|dollars?|eur|pct|percent))+\s*$|\$",
                          re.IGNORECASE)


def norm(text: str) -> str:
    """A key for loose matching: lower case, letters and digits only ("Lead-Time" -> "leadtime")."""
    return _NORM_RE.sub("", text.lower())


def _alternation(words: list[str]) -> str:
    """A regex for any of the phrases (longest first, flexible inner whitespace)."""
    return trie_pattern({w.lower() for w in words if w})


@lru_cache(maxsize=512)
def _compile(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


@dataclass(frozen=True)
class DivisionIssue:
    """What the parser needs of an issue that divides a good between the roles."""

    name: str
    max: float
    recipient: str
    continuous: bool
    unit: str | None


@dataclass
class Vocabulary:
    """Words and compiled regexes for one game (built by :func:`vocabulary`)."""

    issues: dict[str, AnyIssue]
    roles: list[str]
    division: bool
    key_lookup: dict[str, str] = field(default_factory=dict)
    role_lookup: dict[str, str] = field(default_factory=dict)
    discrete_values: dict[str, dict[str, str]] = field(default_factory=dict)
    # contract (non-division) issues
    contract: list[str] = field(default_factory=list)
    numeric: list[str] = field(default_factory=list)  # contract issues that take numbers
    discrete: list[str] = field(default_factory=list)  # contract issues with labelled values
    continuous: frozenset[str] = frozenset()  # issues of type continuous
    mention_re: re.Pattern[str] | None = None
    mention_map: dict[str, str] = field(default_factory=dict)
    # the mention words as usually written ("price", "Price", "PRICE"), each with what
    # ``mention_map[norm(word)]`` gives, so most mentions are looked up without normalising
    mention_spelled: dict[str, str] = field(default_factory=dict)
    value_re: re.Pattern[str] | None = None
    value_map: dict[str, tuple[str, str]] = field(default_factory=dict)
    # values that several issues share ("valueA" in every ANL domain issue, "0 kW" in Energy):
    # the issue named next to such a value in its clause decides which one it is
    value_shared: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    unit_re: re.Pattern[str] | None = None
    unit_map: dict[str, str] = field(default_factory=dict)
    unit_issues: dict[str, list[str]] = field(default_factory=dict)
    # division issues
    div: dict[str, DivisionIssue] = field(default_factory=dict)
    item_re: re.Pattern[str] | None = None
    item_starts: re.Pattern[str] | None = None
    item_map: dict[str, tuple[str, str]] = field(default_factory=dict)
    role_pre_re: re.Pattern[str] | None = None
    role_post_re: re.Pattern[str] | None = None
    role_gate: frozenset[str] = frozenset()

    # ------------------------------------------------------------------ lookups
    def issue_for_key(self, key: str) -> str | None:
        """The issue a bundle key names (case-insensitive, synonyms, item names, a unit in
        brackets or at the end: "Lead time (weeks)", "price_usd"), or None."""
        if key in self.issues:
            return key
        found = self.key_lookup.get(norm(key))
        if found is None:
            bare = _KEY_UNIT_RE.sub("", _BRACKETS_RE.sub("", key))
            found = self.key_lookup.get(norm(bare)) if bare.strip() else None
        return found

    def role_for_key(self, key: str, speaker: str) -> str | None:
        """The role a key names: a role name, label or synonym, or "me"/"you" seen from ``speaker``."""
        k = norm(key)
        if k in ("me", "i", "my", "mine", "myself", "self", "speaker"):
            return speaker
        if k in ("you", "your", "yours", "them", "they", "their", "other", "opponent", "partner",
                 "counterpart", "listener"):
            return self.other(speaker)
        return self.role_lookup.get(k)

    def other(self, role: str) -> str:
        a, b = self.roles
        return b if role == a else a

    def discrete_value(self, issue: str, value: str) -> str | None:
        """The canonical label of a discrete value (case-insensitive, value synonyms), or None."""
        return self.discrete_values.get(issue, {}).get(norm(value))


def _build(game: Game) -> Vocabulary:
    spec = game.spec
    issues: dict[str, AnyIssue] = {i.name: i for i in game.space.issues}
    roles = list(game.role_names)
    v = Vocabulary(issues=issues, roles=roles, division=bool(spec.is_division))

    for r in spec.roles:
        for w in [r.name, r.label, *r.synonyms]:
            if w:
                v.role_lookup.setdefault(norm(w), r.name)

    for issue in issues.values():
        words = list(issue.words)
        item = getattr(issue, "item", None)
        items = getattr(issue, "items", None)
        for w in [issue.name, *words, item, items]:
            if w:
                v.key_lookup.setdefault(norm(w), issue.name)
        if isinstance(issue, DiscreteIssue):
            table: dict[str, str] = {}
            for value in issue.values:
                table[norm(value)] = value
                for syn in issue.value_synonyms.get(value, []):
                    table.setdefault(norm(syn), value)
            v.discrete_values[issue.name] = table

    contract = [i for i in issues.values() if getattr(i, "recipient", None) is None]
    division = [i for i in issues.values() if getattr(i, "recipient", None) is not None]
    v.contract = [i.name for i in contract]
    v.numeric = [i.name for i in contract if i.type != "discrete"]
    v.discrete = [i.name for i in contract if i.type == "discrete"]
    v.continuous = frozenset(i.name for i in issues.values() if i.type == "continuous")

    # ---- contract issues: mention words, discrete values, unit words
    owners: dict[str, set[str]] = {}
    for issue in contract:
        for w in issue.words:
            owners.setdefault(w, set()).add(issue.name)
    # a word that names two issues names neither
    mention_words = [w for w, names in owners.items() if len(names) == 1]
    for w in mention_words:
        v.mention_map[norm(w)] = next(iter(owners[w]))
    for w in mention_words:
        for form in (w, w.lower(), w.capitalize(), w.title(), w.upper()):
            if norm(form) in v.mention_map:
                v.mention_spelled[form] = v.mention_map[norm(form)]
    if mention_words:
        v.mention_re = _compile(rf"(?<![\w-])(?:{_alternation(mention_words)})(?![\w-])")
    value_words: list[str] = []
    for issue in contract:
        if isinstance(issue, DiscreteIssue):
            for key, value in v.discrete_values[issue.name].items():
                if key in v.value_shared:
                    v.value_shared[key] += ((issue.name, value),)
                elif key in v.value_map and v.value_map[key][0] != issue.name:
                    v.value_shared[key] = (v.value_map.pop(key), (issue.name, value))
                else:
                    v.value_map[key] = (issue.name, value)
            for value in issue.values:
                value_words.append(value)
                value_words.extend(issue.value_synonyms.get(value, []))
    if value_words:
        # "net 30" also matches "net-30", "Net30"
        alts = sorted({w.lower() for w in value_words}, key=lambda w: (-len(w), w))
        parts = [r"[\s_-]*".join(re.escape(p) for p in re.findall(r"[a-z]+|\d+|[^\sa-z\d]", w)) for w in alts]
        v.value_re = _compile(rf"(?<![\w-])(?:{'|'.join(parts)})(?![\w-])")
    unit_words: list[str] = []
    for issue in contract:
        unit = getattr(issue, "unit", None)
        if not unit or unit == "$" or isinstance(issue, DiscreteIssue):
            continue
        forms = _UNIT_FORMS.get(unit.lower(), [unit.lower(), unit.lower().rstrip("s"), _plural(unit.lower())])
        for f in forms:
            unit_words.append(f)
            v.unit_map[f] = unit.lower()
        v.unit_issues.setdefault(unit.lower(), []).append(issue.name)
    for issue in contract:
        if getattr(issue, "unit", None) == "$":
            v.unit_issues.setdefault("$", []).append(issue.name)
    if unit_words:
        v.unit_re = _compile(rf"\s*(?:-\s*)?(?P<unit>{_alternation(unit_words)})(?![\w-])")

    # ---- division issues: item words, role markers
    item_words: list[str] = []
    for issue in division:
        assert isinstance(issue, (IntegerIssue, ContinuousIssue))
        v.div[issue.name] = DivisionIssue(issue.name, float(issue.max), str(issue.recipient),
                                          isinstance(issue, ContinuousIssue), issue.unit)
        singular = (issue.item or "").lower()
        plural = (issue.items or "").lower()
        forms: dict[str, str] = {}
        if singular:
            forms[singular] = "singular"
            for alias in _ITEM_ALIASES.get(singular, []):
                forms[alias] = "plural" if alias.endswith("s") else "singular"
        for w in [issue.name.lower(), issue.name.replace("_", " ").lower(), plural]:
            if w:
                forms.setdefault(w, "plural")
        if singular and not plural and _plural(singular) not in forms:
            forms[_plural(singular)] = "plural"
        for syn in issue.synonyms:
            s = syn.lower()
            forms.setdefault(s, "singular" if s == singular else "synonym")
        for w, form in forms.items():
            v.item_map[norm(w)] = (issue.name, form)
            item_words.append(w)
    if item_words:
        det = (r"all\s+(?:of\s+)?(?:the\s+|my\s+|your\s+|those\s+|these\s+)?|both(?:\s+of)?(?:\s+the)?\s+|"
               r"the\s+(?:whole|entire|full)\s+|(?:a\s+)?half\s+(?:of\s+)?(?:the\s+)?|none\s+of\s+the\s+|"
               r"the\s+other\s+|another\s+|an?\s+extra\s+|one\s+more\s+|each\s+|every\s+|"
               r"(?:the|my|your|those|these|that|this)\s+|an?\s+|no\s+|zero\s+")
        num = rf"\d+(?:\.\d+)?|\.\d+|{NUMWORD_PATTERN}"
        firsts = {w.split()[0] for w in item_words if w.split()}
        starts = firsts | set(NUMBER_WORDS) | {
            "only", "just", "all", "both", "the", "a", "an", "half", "halves", "quarter", "quarters", "third",
            "thirds", "none", "another", "one", "each", "every", "my", "your", "those", "these", "that", "this",
            "no", "zero"}
        v.item_starts = _compile(rf"(?<![A-Za-z0-9_.-])(?:(?:{trie_pattern(starts)})(?![A-Za-z])|\.?\d)")
        items_alt = _alternation(item_words)
        v.item_re = _compile(
            # "books: 3", "budget 8" (the amount after the item, not followed by another item)
            rf"(?<![\w-])(?P<item2>{items_alt})(?:\s*[:=]\s*|\s+)(?P<post>\d+(?:\.\d+)?|\.\d+|{NUMWORD_PATTERN})"
            rf"(?P<postpct>\s*(?:%|percent\b|per\s*cent\b))?(?![\w.-])(?!\s*(?:of\s+)?(?:the\s+)?(?:{items_alt})(?![\w-]))"
            # "2 books", "all the hats", "71.43% of the surplus", "the ball"
            rf"|(?<![\w-])(?:(?:only|just)\s+)?(?P<det>{det})?"
            rf"(?:(?P<pct>\d+(?:\.\d+)?|\.\d+)\s*(?:%|percent|per\s*cent)\s*(?:of\s+)?(?:the\s+|my\s+|your\s+)?"
            rf"|(?P<num>{num})\s*(?:(?:of\s+)?(?:the|my|your|those|these)\s+|of\s+)?)?"
            rf"(?P<item>{items_alt})(?![\w-])")
    role_words = [w for r in spec.roles for w in [r.name, r.label, *r.synonyms] if w]
    if division and role_words:
        alt = _alternation([w.lower() for w in role_words])
        v.role_pre_re = _compile(
            rf"(?<![\w-])(?:the\s+)?(?P<role>{alt})\s+(?:gets?|takes?|keeps?|receives?|has|"
            rf"(?:will|would|should|can|could)\s+(?:get|take|keep|have|receive))(?![\w-])")
        v.role_gate = frozenset(w.lower().split()[0] for w in role_words if w.split() and w.split()[0].isascii()
                                and w.split()[0].isalpha())
        if any(not (w.split() and w.split()[0].isascii() and w.split()[0].isalpha()) for w in role_words):
            v.role_gate = frozenset()  # a name the word gate cannot see: always run
        v.role_post_re = _compile(rf"(?<![\w-])(?:for|to)\s+(?:the\s+)?(?P<role>{alt})(?![\w-])")
    return v


_CACHE: weakref.WeakKeyDictionary[Game, Vocabulary] = weakref.WeakKeyDictionary()


def vocabulary(game: Game) -> Vocabulary:
    """The game's vocabulary, built once per game object (regexes are shared across games)."""
    try:
        return _CACHE[game]
    except KeyError:
        v = _build(game)
        try:
            _CACHE[game] = v
        except TypeError:  # not weak-referenceable: just do not cache
            pass
        return v
