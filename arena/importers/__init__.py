"""Import negotiation domains from Genius (XML) and GeniusWeb (JSON) as arena games.

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


def _json_kind(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if geniusweb.is_geniusweb_domain(data):
        return "domain"
    if geniusweb.is_geniusweb_profile(data):
        return "profile"
    return None


def _scan(folder: Path) -> tuple[Format, Path | None, list[Path]]:
    """Find the domain file and the profiles in ``folder``; Genius XML wins over GeniusWeb JSON."""
    xml_domains, xml_profiles = [], []
    for p in sorted(folder.glob("*.xml")):
        tag = genius.root_tag(p)
        if tag == "negotiation_template":
            xml_domains.append(p)
        elif tag == "utility_space":
            xml_profiles.append(p)
    if xml_domains:
        if len(xml_domains) > 1:
            fail(folder, f"has several Genius domain files ({', '.join(p.name for p in xml_domains)}); "
                         "pass the one to use")
        return "genius", xml_domains[0], xml_profiles
    js_domains, js_profiles = [], []
    for p in sorted(folder.glob("*.json")):
        kind = _json_kind(p)
        if kind == "domain":
            js_domains.append(p)
        elif kind == "profile":
            js_profiles.append(p)
    if js_domains or js_profiles:
        if len(js_domains) > 1:
            fail(folder, f"has several GeniusWeb domain files ({', '.join(p.name for p in js_domains)}); "
                         "pass the one to use")
        return "geniusweb", (js_domains[0] if js_domains else None), js_profiles
    if xml_profiles:
        fail(folder, "has Genius profiles but no domain file (an XML file whose root is <negotiation_template>)")
    fail(folder, "holds no Genius (.xml) or GeniusWeb (.json) domain")


def detect_format(path: str | Path) -> Format:
    """``"genius"`` or ``"geniusweb"`` for a domain folder or one of its files.

    Raises:
        GameError: the path holds neither format.
    """
    p = Path(path)
    if p.is_dir():
        return _scan(p)[0]
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
        fmt, domain, found = _scan(path)
        chosen = _resolve(path, profiles) if profiles else found[:2]
        return fmt, domain, chosen
    folder = path.parent
    fmt, domain, found = _scan(folder)
    if path.suffix.lower() == ".xml" and genius.root_tag(path) == "utility_space" or \
            path.suffix.lower() == ".json" and _json_kind(path) == "profile":
        rest = [p for p in found if p.resolve() != path.resolve()]
        chosen = _resolve(folder, profiles) if profiles else [path, *rest][:2]
        return fmt, domain, chosen
    if path.suffix.lower() == ".xml" and genius.root_tag(path) == "negotiation_template":
        return "genius", path, _resolve(folder, profiles) if profiles else found[:2]
    if path.suffix.lower() == ".json" and _json_kind(path) == "domain":
        return "geniusweb", path, _resolve(folder, profiles) if profiles else found[:2]
    fail(path, "is neither a Genius/GeniusWeb domain nor a profile")


def _read(fmt: Format, domain_file: Path | None, profile_files: list[Path]) -> tuple[ImportedDomain, list[ImportedProfile]]:
    if fmt == "genius":
        assert domain_file is not None
        dom = genius.read_domain(domain_file)
        return dom, [genius.read_profile(p, dom) for p in profile_files]
    datas = [geniusweb.read_json(p) for p in profile_files]
    if domain_file is not None:
        wdom = geniusweb.read_domain(domain_file)
    else:  # every GeniusWeb profile carries its domain
        inner = datas[0].get("LinearAdditiveUtilitySpace", {}).get("domain") if isinstance(datas[0], dict) else None
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
