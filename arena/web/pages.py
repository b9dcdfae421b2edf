"""HTML pages (Jinja2, autoescaped) and the replay library: which transcripts may be shown.

The replay viewer shows both sides' utilities, so a web session is shown only once it has ended:
while it is played, its replay is refused (a player must not learn the other side's preferences
from it). Files are looked up inside the configured folders only; a path leaving them is a 404.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..replay import read_partial, rescore, steps
from ..transcript import ParsedEvent, Transcript, TranscriptError

if TYPE_CHECKING:
    from .live import SessionManager

__all__ = ["ReplayLibrary", "plottable", "render"]

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), undefined=StrictUndefined,
                   autoescape=select_autoescape(default=True, default_for_string=True))
_PLOT_LOCK = threading.Lock()  # pyplot is not thread-safe
MAX_LISTED = 2000


def render(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template from ``templates/`` (every value autoescaped)."""
    return HTMLResponse(_ENV.get_template(template).render(**context), status_code=status_code)


class ReplayLibrary:
    """Transcripts under a few folders, addressed as (folder index, relative path)."""

    def __init__(self, roots: list[Path], manager: "SessionManager") -> None:
        self.roots = roots
        self.manager = manager
        self._plots: dict[tuple[str, int, int], bytes] = {}

    def entries(self) -> list[dict[str, Any]]:
        """Every replayable transcript: root index, name, folder, and whether it is a web session."""
        out: list[dict[str, Any]] = []
        for index, root in enumerate(self.roots):
            if not root.is_dir():
                continue
            files = root.glob("*.jsonl") if index == 0 else root.rglob("*.jsonl")
            for p in sorted(files):
                if len(out) >= MAX_LISTED:
                    return out
                name = p.relative_to(root).as_posix()
                if index == 0 and self._open(p):
                    continue
                out.append({"root": index, "name": name, "folder": str(root)})
        return out

    def _open(self, path: Path) -> bool:
        """Whether ``path`` is a web session still being played (or waiting to be resumed)."""
        live = self.manager.get(path.stem)
        if live is not None and live.running:
            return True
        try:
            return read_partial(path).end is None and path.with_name(f"{path.stem}.seats.json").exists()
        except (TranscriptError, IndexError):
            return True

    def resolve(self, root: int, name: str) -> Path:
        """The file for (root, name), refusing anything outside the folder or still being played."""
        if not 0 <= root < len(self.roots) or not name.endswith(".jsonl"):
            raise HTTPException(404, "no such transcript")
        base = self.roots[root].resolve()
        path = (base / name).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            raise HTTPException(404, "no such transcript")
        if root == 0 and self._open(path):
            raise HTTPException(403, "this session is still being played; its replay opens when it ends")
        return path

    def load(self, root: int, name: str) -> Transcript:
        path = self.resolve(root, name)
        try:
            return read_partial(path)
        except (TranscriptError, IndexError) as exc:
            raise HTTPException(422, f"not a transcript: {exc}") from None

    def page(self, root: int, name: str) -> dict[str, Any]:
        """Everything the replay page shows."""
        t = self.load(root, name)
        game = t.game()
        end = t.end
        return {
            "name": name, "root": root, "title": game.spec.title or game.name, "source": t.start.source,
            "session_id": t.start.session_id, "parent": t.start.parent,
            "roles": [{"name": r, "label": game.roles[r].label, "reservation": game.roles[r].reservation}
                      for r in game.role_names],
            "agents": {r: c.args.get("model", c.name) for r, c in t.start.agents.items()},
            "steps": [s.as_dict() for s in steps(t)],
            "end": end.model_dump(mode="json") if end else None,
            "deal": game.space.describe(end.agreement) if end and end.agreement else None,
            "rescore": rescore(t),
        }

    async def plot(self, root: int, name: str) -> bytes:
        """The utility-space plot (frontier, Nash point, both sides' offers, the deal) as PNG."""
        path = self.resolve(root, name)
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in self._plots:
            t = self.load(root, name)
            self._plots[key] = await asyncio.to_thread(_draw, t)
        return self._plots[key]


def plottable(t: Transcript) -> Transcript:
    """The transcript without parsed offers that are not whole outcomes (people in corpora make
    partial offers, "i want the book"), which have no point in utility space."""
    space = t.game().space

    def keep(e: Any) -> bool:
        return not (isinstance(e, ParsedEvent) and e.result.ok and e.result.action.kind == "offer"
                    and space.problems(e.result.action.bundle))  # type: ignore[union-attr]

    return Transcript([e for e in t.events if keep(e)], t.path)


def _draw(t: Transcript) -> bytes:
    from evaluators.plots import utility_space_plot  # the web app is a front end, like the CLI

    with _PLOT_LOCK, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "plot.png"
        utility_space_plot(plottable(t), out)
        return out.read_bytes()
