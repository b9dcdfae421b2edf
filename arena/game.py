"""Games: declarative specs (YAML, validated by pydantic) and their runtime form.

A :class:`GameSpec` is the static rules: issues, two roles with private preferences, a protocol
and a narrative. A spec may name a *generator* that draws a concrete scenario from a seed
(Deal or No Deal draws item counts and private values); :func:`load_game` resolves it, and the
resolved spec is what a transcript records, so a transcript alone determines the scores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .resources import data_dir
from .space import Bundle, Issue, OutcomeSpace, Value
from .utility import UtilityFunction, UtilitySpec, build_utility, discounted

__all__ = [
    "Game",
    "GameError",
    "GameSpec",
    "ProtocolSpec",
    "Role",
    "RoleSpec",
    "available_games",
    "load_game",
    "register_generator",
]


class GameError(ValueError):
    """A game could not be found or is malformed; the message is meant for the user."""


class RoleSpec(BaseModel):
    """One side of the table: a name, private preferences and what walking away is worth."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = ""
    synonyms: list[str] = Field(default_factory=list)
    brief: str = Field(default="", description="Private narrative shown only to this role.")
    utility: UtilitySpec
    reservation: float = Field(default=0.0, description="Utility of no deal (the disagreement point).")
    discount: float = Field(default=1.0, gt=0.0, le=1.0, description="Per-round discount factor delta.")
    discount_basis: Literal["round", "time"] = Field(
        default="round",
        description='"round": u * delta^(round - 1). "time": Genius\'s u * delta^t, t = (round - 1) / '
                    "(max_rounds - 1) the normalized time of the agreement (0 for the first offer, 1 for the last).")


class ProtocolSpec(BaseModel):
    """Which protocol runs the game, and its parameters."""

    model_config = ConfigDict(extra="forbid")

    type: str = "alternating-offers"
    first: str | None = Field(default=None, description="The role that moves first (default: the first role).")
    max_rounds: int = Field(default=10, ge=1, description="Deadline: the number of offers that may be made.")
    max_turns: int | None = Field(default=None, ge=1, description="Hard cap on turns (default 4 x max_rounds).")
    repair_budget: int = Field(default=2, ge=0, description="Repair attempts per turn after a violation.")
    arguments: bool = Field(default=True, description="Whether argument claims are shown to the opponent.")


class GameSpec(BaseModel):
    """A whole game as written in ``games/*.yaml``."""

    model_config = ConfigDict(extra="forbid")

    name: str
    title: str = ""
    narrative: str = ""
    issues: list[Issue] = Field(default_factory=list)
    roles: list[RoleSpec] = Field(default_factory=list)
    protocol: ProtocolSpec = Field(default_factory=ProtocolSpec)
    generator: dict[str, Any] | None = None
    public: dict[str, Any] = Field(default_factory=dict,
                                   description="Common knowledge both sides may use (e.g. discount factors).")
    seed: int | None = Field(default=None, description="The seed a generator resolved this spec with.")

    @model_validator(mode="after")
    def _check(self) -> "GameSpec":
        if self.generator is not None and not self.issues:
            return self  # resolved later by the generator
        if len(self.roles) != 2:
            raise ValueError(f"a game needs exactly two roles, this one has {len(self.roles)}")
        names = [r.name for r in self.roles]
        if len(set(names)) != 2:
            raise ValueError(f"the two roles need different names, got {names}")
        if self.protocol.first is not None and self.protocol.first not in names:
            raise ValueError(f"protocol.first is {self.protocol.first!r}, not one of the roles {names}")
        for issue in self.issues:
            rec = getattr(issue, "recipient", None)
            if rec is not None and rec not in names:
                raise ValueError(f"issue {issue.name!r} has recipient {rec!r}, not one of the roles {names}")
        return self

    @property
    def is_division(self) -> bool:
        return bool(self.issues) and all(getattr(i, "recipient", None) for i in self.issues)


@dataclass(frozen=True)
class Role:
    """A role at runtime: its spec plus its built utility function."""

    name: str
    label: str
    spec: RoleSpec
    utility: UtilityFunction
    reservation: float
    discount: float


class Game:
    """A resolved game: outcome space, roles with utilities, protocol spec and narrative."""

    def __init__(self, spec: GameSpec) -> None:
        if spec.generator is not None and not spec.issues:
            raise GameError(f"game {spec.name!r} needs a seed to generate its scenario")
        self.spec = spec
        self.space = OutcomeSpace(list(spec.issues))
        self.roles: dict[str, Role] = {}
        for r in spec.roles:
            try:
                u = build_utility(r.utility, self.space, r.name)
            except (ValueError, KeyError, TypeError) as exc:
                raise GameError(f"game {spec.name!r}, role {r.name!r}, utility: {exc}") from exc
            self.roles[r.name] = Role(r.name, r.label or r.name, r, u, r.reservation, r.discount)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def role_names(self) -> list[str]:
        return [r.name for r in self.spec.roles]

    @property
    def first(self) -> str:
        return self.spec.protocol.first or self.role_names[0]

    def other(self, role: str) -> str:
        a, b = self.role_names
        return b if role == a else a

    def normalized_time(self, round_index: int) -> float:
        """Genius's normalized time t in [0, 1] of the offer made in ``round_index``.

        t = (round - 1) / (max_rounds - 1): the first offer is made at t = 0 and the last one the
        deadline allows at t = 1, so a time-discounted agreement is worth u * delta^t between
        u (at once) and u * delta (at the deadline), as in Genius. One-round games have t = 0.
        """
        n = self.spec.protocol.max_rounds
        if n <= 1:
            return 0.0
        return min(1.0, max(0.0, (round_index - 1) / (n - 1)))

    def utility(self, role: str, bundle: Mapping[str, Value], round_index: int = 1) -> float:
        """The role's utility of ``bundle`` agreed in ``round_index`` (discount applied)."""
        r = self.roles[role]
        if r.spec.discount_basis == "time":
            return float(r.utility(bundle)) * float(r.discount) ** self.normalized_time(round_index)
        return discounted(r.utility(bundle), r.discount, round_index)

    def utilities(self, bundle: Bundle | None, round_index: int = 1) -> dict[str, float]:
        """Each role's utility of an agreement, or its reservation value when ``bundle`` is None."""
        if bundle is None:
            return {n: float(r.reservation) for n, r in self.roles.items()}
        return {n: self.utility(n, bundle, round_index) for n in self.roles}


# ---------------------------------------------------------------------- generators
Generator = Callable[[GameSpec, int], GameSpec]
_GENERATORS: dict[str, Generator] = {}


def register_generator(name: str) -> Callable[[Generator], Generator]:
    """Register a scenario generator under ``name`` (used as ``generator: {type: NAME}``)."""

    def deco(fn: Generator) -> Generator:
        _GENERATORS[name] = fn
        return fn

    return deco


# ---------------------------------------------------------------------- loading
def available_games() -> dict[str, Path]:
    """Names and files of the games shipped in ``games/``."""
    return {p.stem: p for p in sorted(data_dir("games").glob("*.yaml"))}


def _format_validation(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(x) for x in err["loc"] if not str(x).startswith("function-after"))
        lines.append(f"{loc or '(top level)'}: {err['msg']}")
    more = "" if len(exc.errors()) <= 5 else f" (and {len(exc.errors()) - 5} more problems)"
    return f"{source} is not a valid game: " + "; ".join(lines) + more


def parse_spec(data: object, source: str = "game") -> GameSpec:
    """Validate raw data (e.g. parsed YAML) as a :class:`GameSpec`, with a readable error."""
    if not isinstance(data, dict):
        raise GameError(f"{source} is not a valid game: expected a mapping at the top level")
    try:
        return GameSpec.model_validate(data)
    except ValidationError as exc:
        raise GameError(_format_validation(exc, source)) from None


def _read_yaml(path: Path) -> GameSpec:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise GameError(f"{path} is not valid YAML: {exc}") from None
    except OSError as exc:
        raise GameError(f"cannot read {path}: {exc.strerror}") from None
    return parse_spec(data, str(path))


def resolve_spec(spec: GameSpec, seed: int | None) -> GameSpec:
    """Run the spec's generator (if any) with ``seed`` and return a concrete spec."""
    if spec.generator is None or spec.issues:
        return spec
    kind = spec.generator.get("type")
    if kind not in _GENERATORS:
        _load_builtin_generators()
    if kind not in _GENERATORS:
        raise GameError(f"game {spec.name!r}: unknown generator {kind!r}; known: {sorted(_GENERATORS)}")
    resolved = _GENERATORS[kind](spec, 0 if seed is None else int(seed))
    return resolved.model_copy(update={"seed": 0 if seed is None else int(seed)})


def _load_builtin_generators() -> None:
    from . import generators  # noqa: F401  (registers on import)


def load_spec(name_or_path: str | Path) -> GameSpec:
    """Load an unresolved spec by shipped name, by path to a YAML file, or by path to a Genius /
    GeniusWeb domain (a folder with a domain and profiles, or one of its ``.xml``/``.json`` files)."""
    path = Path(name_or_path)
    if path.suffix.lower() in (".xml", ".json") or (path.is_dir() and str(name_or_path) not in available_games()):
        from .importers import import_domain  # lazy: only foreign formats need the importers

        return import_domain(path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise GameError(f"no game file at {path}")
        return _read_yaml(path)
    games = available_games()
    if str(name_or_path) not in games:
        raise GameError(f"unknown game {str(name_or_path)!r}; the games are: {', '.join(games)} "
                        "(or pass a path to a .yaml file)")
    return _read_yaml(games[str(name_or_path)])


def load_game(name_or_path: str | Path | GameSpec, seed: int | None = None) -> Game:
    """Load a game by name, path or spec, resolving its generator with ``seed``.

    Raises:
        GameError: the game is unknown or its file is malformed (the message names the file
            and the field).
    """
    spec = name_or_path if isinstance(name_or_path, GameSpec) else load_spec(name_or_path)
    try:
        return Game(resolve_spec(spec, seed))
    except GameError as exc:
        if isinstance(name_or_path, GameSpec):
            raise
        raise GameError(f"{name_or_path}: {exc}") from None
