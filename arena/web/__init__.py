"""The web front end: people's seats in the browser (against models, scripted agents or each
other) and the replay viewer. ``arena serve`` runs it; see :mod:`arena.web.app` for the routes."""

from .app import create_app
from .server import ArenaServer, make_server, serve

__all__ = ["ArenaServer", "create_app", "make_server", "serve"]
