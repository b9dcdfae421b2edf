"""``arena import genius``: turn Genius / GeniusWeb domains into arena game files.

``arena/cli.py`` already has an ``import`` sub-app; the command joins it with
``import_app.command("genius")(genius_command)``. Standing alone, this module's own
``import_app`` can be mounted with ``app.add_typer(import_app, name="import")``. Malformed input
ends with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer
import yaml

from .game import GameError, GameSpec

__all__ = ["genius_command", "import_app", "spec_to_yaml"]

import_app = typer.Typer(add_completion=False, no_args_is_help=True,
                         help="Import negotiation domains (Genius XML, GeniusWeb JSON) as arena games.")

# Fields that may be left out of the YAML when empty: each has an empty default in the spec.
_DROP_WHEN_EMPTY = {"synonyms", "value_synonyms", "description", "brief", "label", "public", "title"}


def _clean(x: Any) -> Any:
    if isinstance(x, dict):
        out = {}
        for k, v in x.items():
            if v is None or (k in _DROP_WHEN_EMPTY and v in ("", [], {})):
                continue
            out[k] = _clean(v)
        return out
    if isinstance(x, list):
        return [_clean(v) for v in x]
    return x


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line strings (narratives) as literal blocks."""


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str)


def spec_to_yaml(spec: GameSpec) -> str:
    """The spec as YAML that :func:`arena.game.load_game` reads back to an equal spec."""
    data = _clean(spec.model_dump(mode="json"))
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


@import_app.command("genius")
def genius_command(
    path: Path = typer.Argument(..., help="A Genius or GeniusWeb domain folder, or one of its files."),
    out: Path = typer.Option(..., "--out", "-o", help="The game file to write (e.g. games/party.yaml)."),
    narrative: Optional[Path] = typer.Option(None, "--narrative", help="A text file to use as the narrative."),
    profiles: Optional[str] = typer.Option(None, "--profiles",
                                           help="The two profiles to use, comma-separated (default: the first "
                                                "two in file-name order)."),
    max_rounds: Optional[int] = typer.Option(None, "--max-rounds", min=1, help="Deadline in offers (default 100)."),
    name: Optional[str] = typer.Option(None, "--name", help="The game's name (default: the domain's name)."),
) -> None:
    """Import a Genius (XML) or GeniusWeb (JSON) domain with two of its profiles."""
    from .importers import DEFAULT_MAX_ROUNDS, import_domain

    chosen = [p.strip() for p in profiles.split(",") if p.strip()] if profiles else None
    try:
        spec = import_domain(path, narrative, profiles=chosen,  # type: ignore[arg-type]
                             max_rounds=max_rounds or DEFAULT_MAX_ROUNDS, name=name)
        text = spec_to_yaml(spec)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise GameError(f"cannot write {out}: {exc.strerror}") from None
    except GameError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    roles = ", ".join(r.name for r in spec.roles)
    typer.echo(f"wrote {out}: {spec.name}, {len(spec.issues)} issues, roles {roles}")
