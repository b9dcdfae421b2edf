"""Jinja2 prompts: one environment over ``prompts/`` with StrictUndefined.

:func:`render` returns a :class:`Rendered` (template name, sha256 of the template source, text),
so a transcript can record exactly which prompt produced each message.
"""

from __future__ import annotations

import hashlib
from collections import ChainMap
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
import jinja2.runtime

from .resources import data_dir

__all__ = ["Rendered", "environment", "number_words", "render", "template_names"]

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(n: int) -> str:
    """English words for a whole number below one million ("two thousand four hundred")."""
    n = int(n)
    if n < 0:
        return "minus " + number_words(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " and " + number_words(rest))
    if n < 1_000_000:
        rest = n % 1000
        head = number_words(n // 1000) + " thousand"
        if rest == 0:
            return head
        return head + (" and " if rest < 100 else " ") + number_words(rest)
    return f"{n:,}"


def _money(v: float, style: str = "plain") -> str:
    """Format an amount of dollars: plain "$2,400", k "$2.4k", words "two thousand four hundred dollars"."""
    if style == "k" and abs(v) >= 1000:
        return f"${v / 1000:g}k"
    if style == "words" and float(v).is_integer():
        return number_words(int(v)) + " dollars"
    if style == "dollars":
        return f"{v:,.0f} dollars" if float(v).is_integer() else f"{v:,.2f} dollars"
    return f"${v:,.0f}" if float(v).is_integer() else f"${v:,.2f}"


def _num(v: float, style: str = "plain") -> str:
    if style == "words" and float(v).is_integer() and 0 <= v < 1_000_000:
        return number_words(int(v))
    return f"{v:g}" if isinstance(v, float) else str(v)


def _percent(v: float, digits: int = 2) -> str:
    text = f"{100 * v:.{digits}f}".rstrip("0").rstrip(".")
    return text + "%"


def _article(phrase: str) -> str:
    """``"an amount"``, ``"a price"``: the indefinite article a phrase takes."""
    low = phrase.lower()
    vowel_sound = low[:1] in "aeiou" and not low.startswith(("uni", "use", "usu", "eu", "one"))
    return ("an " if vowel_sound else "a ") + phrase


def _unit(unit: str, value: float) -> str:
    """A plural unit made singular for one (``1 week``)."""
    return unit[:-1] if value == 1 and unit.endswith("s") and len(unit) > 2 else unit


def _plural(word: str, n: float) -> str:
    if n == 1:
        return word
    if word.endswith("s") or word.endswith("x"):
        return word + "es"
    return word + "s"


_DICT_ATTRIBUTES = frozenset(dir(dict))
_Macro = jinja2.runtime.Macro
_CONTEXT_ONLY = frozenset(("_loop_vars", "_block_vars"))


class _Context(jinja2.runtime.Context):
    """A Jinja2 context that calls a template's own macros directly.

    ``{{ one(t, style) }}`` goes through ``Context.call``, which inspects the callable for the
    arguments to inject, then through ``Macro.__call__``, which sorts out positional, keyword
    and caller arguments. For a plain macro called with all its positional arguments (and at
    most the loop or block variables ``Context.call`` drops for it) both come down to
    ``macro._func(*args)``, made ``Markup`` under autoescape; that case is taken here directly,
    every other call as before. It also collects the keys of the globals from their dicts rather
    than through their ``ChainMap``.
    """

    def __init__(self, environment: jinja2.Environment, parent: dict[str, Any], name: str | None,
                 blocks: dict[str, Any], globals: Any = None) -> None:  # noqa: A002  (Jinja2's signature)
        if _plain_chain(globals):  # the set of its keys without iterating the ChainMap
            super().__init__(environment, parent, name, blocks, None)
            self.globals_keys = set().union(*globals.maps)
        else:
            super().__init__(environment, parent, name, blocks, globals)

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805  (Jinja2's signature)
        # ``_loop_vars``/``_block_vars`` are for callables that take the context; a macro takes the
        # evaluation context, and ``Context.call`` drops them for it
        if type(__obj) is _Macro and len(args) == __obj._argument_count \
                and not (__obj.caller or __obj.catch_kwargs or __obj.catch_varargs) \
                and (not kwargs or _CONTEXT_ONLY.issuperset(kwargs)):
            try:
                rv = __obj._func(*args)
            except StopIteration:
                return __self.environment.undefined("value was undefined because a callable raised a"
                                                    " StopIteration exception")
            return jinja2.runtime.Markup(rv) if __self.eval_ctx.autoescape else rv
        return super().call(__obj, *args, **kwargs)


def _plain_chain(mapping: Any) -> bool:
    return type(mapping) is ChainMap and all(type(m) is dict for m in mapping.maps)


class _Template(jinja2.Template):
    """A template whose context is built from its globals' plain dicts directly.

    ``Template.new_context`` copies the template's globals, a ``ChainMap`` over the template's
    and the environment's dicts, with the render variables on top; iterating a ``ChainMap``
    key by key is most of a small template's rendering time. Merging its dicts (the last one
    first) gives the same dict, keys in the same order, every value from the first dict that
    has it.
    """

    def new_context(self, vars: dict[str, Any] | None = None, shared: bool = False,  # noqa: A002
                    locals: Any = None) -> jinja2.runtime.Context:  # noqa: A002  (Jinja2's signature)
        g = self.globals
        if shared or locals or not _plain_chain(g) or (vars and not all(type(k) is str for k in vars)):
            return super().new_context(vars, shared, locals)
        parent: dict[str, Any] = {}
        for m in reversed(g.maps):
            parent.update(m)
        if vars:
            parent.update(vars)
        return self.environment.context_class(self.environment, parent, self.name, self.blocks, globals=g)


def _macros_can_be_called_directly() -> bool:
    """Whether this Jinja2's macros have the attributes the fast path of :class:`_Context` reads."""
    macro = _Macro(jinja2.Environment(), lambda: "", "m", (), False, False, False, False)
    return all(hasattr(macro, a) for a in ("_argument_count", "_func", "caller", "catch_kwargs", "catch_varargs"))


class _Environment(jinja2.Environment):
    """A Jinja2 environment whose ``x.name`` lookups on plain dicts skip the failed attribute
    lookup (and its exception) that Jinja2 tries first: for a ``dict`` that is not a subclass,
    ``getattr(d, name)`` can only succeed for the names ``dict`` itself has, so for any other
    name the result is what Jinja2 falls back to anyway, ``d[name]`` or undefined."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


@cache
def environment() -> jinja2.Environment:
    """The shared Jinja2 environment (StrictUndefined: a missing variable is an error)."""
    env = _Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("prompts"))),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(money=_money, num=_num, percent=_percent, plural=_plural, words=number_words,
                       article=_article, unit=_unit)
    if not env.is_async and _macros_can_be_called_directly():
        env.context_class = _Context
        env.template_class = _Template
    return env


@dataclass(frozen=True)
class Rendered:
    """A rendered prompt: which template, the sha256 of its source, and the text."""

    template: str
    sha256: str
    text: str


@cache
def _source_hash(name: str) -> str:
    env = environment()
    source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


@cache
def _template(name: str) -> jinja2.Template:
    return environment().get_template(name)


def render(name: str, **context: Any) -> Rendered:
    """Render ``prompts/<name>`` with ``context``."""
    text = _template(name).render(**context).strip()
    return Rendered(template=name, sha256=_source_hash(name), text=text)


def template_names(folder: str) -> list[str]:
    """Names of the templates under ``prompts/<folder>/`` (sorted, e.g. ``scripted/offer_1.j2``)."""
    return sorted(n for n in environment().list_templates() if n.startswith(folder.rstrip("/") + "/"))
