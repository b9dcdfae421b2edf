"""Importers. This module: Genius (XML) and GeniusWeb (JSON) domains as arena games
(:func:`import_domain`); corpora have their own modules (``importers.dond``).

A domain folder holds one domain file and two or more profile files; the first two profiles in
sorted file-name order become the two roles unless ``profiles`` names them. A path to one of
the folder's files works too (a domain file: the folder's profiles; a profile: it comes first).

    >>> spec = import_domain("path/to/partydomain")        # doctest: +SKIP
    >>> load_game("path/to/partydomain")                   # the same, anywhere a game name goes

Imported games use the alternating-offers protocol with a deadline of
:data:`DEFAULT_MAX_ROUNDS` offers; Genius discount factors become time-based discounts
(``discount_basis: time``, t = (round - 1) / (max_rounds - 1)).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

from ..game import Game, GameError, GameSpec, parse_spec
from . import genius, geniusweb
from .common import ImportedDomain, ImportedProfile, fail, generic_narrative, role_names

__all__ = ["DEFAULT_MAX_ROUNDS", "detect_format", "import_domain"]

DEFAULT_MAX_ROUNDS = 100
"""Deadline of imported games, in offers: long enough for time-dependent strategies to unfold
their concession curves (Genius sessions ran on a clock), short enough for model seats."""

Format = Literal["genius", "geniusweb"]


def _json_kind(path: Path, strict: bool = False) -> str | None:
    if strict:
        data = geniusweb.read_json(path)
    else:
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return None
    if geniusweb.is_geniusweb_domain(data):
        return "domain"
    if geniusweb.is_geniusweb_profile(data):
        return "profile"
    return None


class _Folder:
    """The domain and profile files of a folder, in sorted order, by format."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.xml_domains: list[Path] = []
        self.xml_profiles: list[Path] = []
        self.json_domains: list[Path] = []
        self.json_profiles: list[Path] = []
        for p in sorted(folder.glob("*.xml")):
            tag = genius.read_root(p).tag  # a file that is not well-formed XML is reported, not skipped
            if tag == "negotiation_template":
                self.xml_domains.append(p)
            elif tag == "utility_space":
                self.xml_profiles.append(p)
        for p in sorted(folder.glob("*.json")):
            kind = _json_kind(p, strict=True)
            if kind == "domain":
                self.json_domains.append(p)
            elif kind == "profile":
                self.json_profiles.append(p)

    def pick(self) -> tuple[Format, Path | None, list[Path]]:
        """The folder's format, its one domain file, and its profiles; Genius XML wins."""
        if self.xml_domains:
            if len(self.xml_domains) > 1:
                fail(self.folder, f"has several Genius domain files "
                                  f"({', '.join(p.name for p in self.xml_domains)}); pass the one to use")
            return "genius", self.xml_domains[0], self.xml_profiles
        if self.json_domains or self.json_profiles:
            if len(self.json_domains) > 1:
                fail(self.folder, f"has several GeniusWeb domain files "
                                  f"({', '.join(p.name for p in self.json_domains)}); pass the one to use")
            return "geniusweb", (self.json_domains[0] if self.json_domains else None), self.json_profiles
        if self.xml_profiles:
            fail(self.folder, "has Genius profiles but no domain file (an XML file whose root is "
                              "<negotiation_template>)")
        fail(self.folder, "holds no Genius (.xml) or GeniusWeb (.json) domain")


def _prefix(domain: Path) -> str:
    """``Laptop-A-`` for ``Laptop-A-domain.xml``: ANAC folders hold several domains whose
    profiles share that prefix (``Laptop-A-prof1.xml``)."""
    return re.sub(r"domain$", "", domain.stem, flags=re.IGNORECASE)


def _profiles_for(domain: Path, domains: list[Path], profiles: list[Path]) -> list[Path]:
    prefix = _prefix(domain)
    if len(domains) > 1 and prefix:
        mine = [p for p in profiles if p.stem.startswith(prefix)]
        if mine:
            return mine
    return profiles


def _domain_for(profile: Path, domains: list[Path]) -> Path | None:
    if len(domains) == 1:
        return domains[0]
    mine = [d for d in domains if _prefix(d) and profile.stem.startswith(_prefix(d))]
    return mine[0] if len(mine) == 1 else None


def detect_format(path: str | Path) -> Format:
    """``"genius"`` or ``"geniusweb"`` for a domain folder or one of its files.

    Raises:
        GameError: the path holds neither format.
    """
    p = Path(path)
    if p.is_dir():
        return _Folder(p).pick()[0]
    if p.suffix.lower() == ".xml":
        return "genius"
    if p.suffix.lower() == ".json":
        return "geniusweb"
    fail(p, "is neither a Genius .xml nor a GeniusWeb .json file")


def _resolve(folder: Path, names: list[str | Path]) -> list[Path]:
    out = []
    for n in names:
        p = Path(n)
        if not p.is_absolute() and not p.exists():
            p = folder / p
        if not p.is_file():
            fail(folder, f"has no profile {str(n)!r}")
        out.append(p)
    return out


def _locate(path: Path, profiles: list[str | Path] | None) -> tuple[Format, Path | None, list[Path]]:
    if not path.exists():
        raise GameError(f"no Genius or GeniusWeb domain at {path}")
    if path.is_dir():
        fmt, domain, found = _Folder(path).pick()
        return fmt, domain, (_resolve(path, profiles) if profiles else found[:2])
    folder = _Folder(path.parent)
    suffix = path.suffix.lower()
    if suffix == ".xml":
        tag = genius.root_tag(path)
        if tag == "negotiation_template":
            found = _profiles_for(path, folder.xml_domains, folder.xml_profiles)
            return "genius", path, (_resolve(path.parent, profiles) if profiles else found[:2])
        if tag == "utility_space":
            domain = _domain_for(path, folder.xml_domains)
            if domain is None:
                fail(path.parent, f"has {len(folder.xml_domains)} Genius domain files and none is clearly the "
                                  f"domain of {path.name}; pass the domain file and --profiles")
            found = _profiles_for(domain, folder.xml_domains, folder.xml_profiles)
            rest = [p for p in found if p.resolve() != path.resolve()]
            return "genius", domain, (_resolve(path.parent, profiles) if profiles else [path, *rest][:2])
        if tag is None:
            genius.read_domain(path)  # reports why the file is not readable XML
        fail(path, f"is neither a Genius domain nor a profile (root element <{tag}>)")
    if suffix == ".json":
        kind = _json_kind(path)
        if kind == "domain":
            return "geniusweb", path, (_resolve(path.parent, profiles) if profiles else folder.json_profiles[:2])
        if kind == "profile":
            domain = folder.json_domains[0] if len(folder.json_domains) == 1 else None
            rest = [p for p in folder.json_profiles if p.resolve() != path.resolve()]
            return "geniusweb", domain, (_resolve(path.parent, profiles) if profiles else [path, *rest][:2])
        geniusweb.read_json(path)  # reports invalid JSON
        fail(path, "is neither a GeniusWeb domain (\"issuesValues\") nor a profile (\"LinearAdditiveUtilitySpace\")")
    fail(path, "is neither a Genius .xml nor a GeniusWeb .json file")


def _read(fmt: Format, domain_file: Path | None,
          profile_files: list[Path]) -> tuple[ImportedDomain, list[ImportedProfile]]:
    if fmt == "genius":
        assert domain_file is not None
        dom = genius.read_domain(domain_file)
        return dom, [genius.read_profile(p, dom) for p in profile_files]
    datas = [geniusweb.read_json(p) for p in profile_files]
    if domain_file is not None:
        wdom = geniusweb.read_domain(domain_file)
    else:  # every GeniusWeb profile carries its domain
        body = next(iter(datas[0].values()), None) if isinstance(datas[0], dict) else None
        inner = body.get("domain") if isinstance(body, dict) else None
        if inner is None:
            fail(profile_files[0], "has no domain and the folder has no domain file")
        wdom = geniusweb.read_domain(profile_files[0], inner)
    return wdom, [geniusweb.read_profile(p, wdom, d) for p, d in zip(profile_files, datas)]


def import_domain(path: str | Path, narrative: str | Path | None = None, *,
                  profiles: list[str | Path] | None = None, max_rounds: int = DEFAULT_MAX_ROUNDS,
                  name: str | None = None) -> GameSpec:
    """Import a Genius or GeniusWeb domain and two of its profiles as a :class:`GameSpec`.

    Args:
        path: a domain folder, its domain file, or one of its profiles.
        narrative: a text file whose content replaces the generic narrative.
        profiles: the two profile files to use (names in the folder, or paths).
        max_rounds: the deadline, in offers.
        name: the game's name (default: the domain's name).

    Raises:
        GameError: the files are missing or malformed; the message names the file and element.
    """
    path = Path(path)
    fmt, domain_file, profile_files = _locate(path, profiles)
    if len(profile_files) != 2:
        where = path if path.is_dir() else path.parent
        fail(where, f"needs two profiles, found {len(profile_files)}"
                    + (f" ({', '.join(p.name for p in profile_files)})" if profile_files else ""))
    domain, imported = _read(fmt, domain_file, profile_files)
    roles = role_names([p.stem for p in profile_files])
    text = generic_narrative(domain)
    if narrative is not None:
        npath = Path(narrative)
        try:
            text = npath.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise GameError(f"cannot read the narrative file {npath}: {exc}") from None
        if not text:
            fail(npath, "the narrative file is empty")
    title = f"{domain.name} ({domain.format}: {profile_files[0].stem} vs {profile_files[1].stem})"
    data = {
        "name": name or domain.name,
        "title": title,
        "narrative": text,
        "issues": [i.model_dump(mode="json") for i in domain.issues],
        "roles": [
            {"name": role, "label": prof.source.stem,
             "brief": f"Your preferences are those of the {domain.format} profile {prof.source.name}.",
             "utility": prof.utility, "reservation": prof.reservation, "discount": prof.discount,
             "discount_basis": prof.discount_basis}
            for role, prof in zip(roles, imported)
        ],
        "protocol": {"type": "alternating-offers", "first": roles[0], "max_rounds": int(max_rounds)},
    }
    spec = parse_spec(data, str(path))
    Game(spec)  # builds both utilities: a profile that does not fit the domain fails here
    return spec
