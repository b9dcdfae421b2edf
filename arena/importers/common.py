"""What the Genius and GeniusWeb importers share: the imported domain and profiles, name
sanitizing, the generic narrative, and errors that name the file and the element."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NoReturn

from ..game import GameError
from ..space import ContinuousIssue, DiscreteIssue, IntegerIssue

__all__ = [
    "ImportedDomain",
    "ImportedProfile",
    "fail",
    "generic_narrative",
    "issue_name",
    "role_names",
]

AnyIssue = DiscreteIssue | IntegerIssue | ContinuousIssue


def fail(file: Path | str, message: str) -> NoReturn:
    """Raise the one-line :class:`GameError` every malformed input ends in: ``file: message``."""
    raise GameError(f"{Path(file).name if isinstance(file, Path) else file}: {message}")


@dataclass
class ImportedDomain:
    """The issues of an imported domain, in the arena's form, with the original names kept."""

    name: str
    source: Path
    format: str
    issues: list[AnyIssue]
    original: dict[str, str] = field(default_factory=dict)  # arena issue name -> name in the file


@dataclass
class ImportedProfile:
    """One party's preferences, already translated to an arena utility spec (as a plain dict)."""

    source: Path
    utility: dict[str, object]
    reservation: float = 0.0
    discount: float = 1.0
    discount_basis: Literal["round", "time"] = "round"


_ISSUE_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


def issue_name(original: str, taken: set[str]) -> str:
    """An arena issue name for ``original`` (``[A-Za-z_][A-Za-z0-9_-]*``), unique among ``taken``."""
    name = original.strip()
    if not _ISSUE_OK.match(name):
        name = re.sub(r"[^A-Za-z0-9_\-]+", "_", name).strip("_-")
        if not name or not re.match(r"[A-Za-z_]", name):
            name = "issue_" + name
    base, k = name, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def _role_name(stem: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")
    if not name:
        return "party"
    return name if name[0].isalpha() else "p_" + name


def role_names(stems: list[str]) -> list[str]:
    """Role names (``^[a-z][a-z0-9_]*$``) from profile file stems, made unique."""
    out: list[str] = []
    for stem in stems:
        name, k = _role_name(stem), 2
        base = name
        while name in out:
            name, k = f"{base}_{k}", k + 1
        out.append(name)
    return out


def _describe(issue: AnyIssue) -> str:
    if isinstance(issue, DiscreteIssue):
        return "one of " + "; ".join(issue.values)
    if isinstance(issue, IntegerIssue):
        return f"a whole number from {issue.min} to {issue.max}"
    return f"a number from {issue.min:g} to {issue.max:g}"


def generic_narrative(domain: ImportedDomain) -> str:
    """A plain narrative that names the issues and their values as the domain file has them."""
    lines = [
        f"Two parties negotiate the {domain.name} domain (imported from {domain.format}). "
        f"An agreement fixes a value for each of its {len(domain.issues)} issues:",
    ]
    for issue in domain.issues:
        label = domain.original.get(issue.name, issue.name)
        lines.append(f"- {label}: {_describe(issue)}")
    lines.append("Each party has private preferences over these terms; no deal leaves each with "
                 "its reservation value.")
    return "\n".join(lines)
