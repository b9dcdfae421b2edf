"""The shipped conformance suite (arena.conformance): every shipped game passes it, so do imported
Genius domains, and it catches protocols and utilities that break the contract."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from arena.actions import Action
from arena.conformance import check_game
from arena.game import available_games, load_spec
from arena.protocols.alternating import AlternatingOffers
from arena.protocols.base import register_protocol
from arena.protocols.state import NegotiationState
from tests.conftest import REPO


@pytest.mark.parametrize("name", sorted(available_games()))
def test_every_shipped_game_passes(name: str) -> None:
    report = check_game(name, seeds=10)
    assert report.ok, report.summary()


@pytest.mark.parametrize("folder", ["fruit", "mixed", "nonlinear"])
def test_imported_genius_domains_pass(folder: str) -> None:
    report = check_game(REPO / "tests" / "data" / "genius" / folder, seeds=5, determinism_seeds=1)
    assert report.ok, report.summary()


@register_protocol("test-never-ends")
class NeverEnds(AlternatingOffers):
    """Forgets to end the negotiation on an acceptance or a walk-away."""

    def apply(self, state: NegotiationState, role: str, action: Action) -> NegotiationState:
        if action.kind in ("accept", "walk_away"):
            return state.evolve(turn=state.turn + 1, to_move=self._other(role))
        return super().apply(state, role, action)


@register_protocol("test-lax")
class Lax(AlternatingOffers):
    """Lets anyone move at any time."""

    def check(self, state: NegotiationState, role: str, action: Action):  # type: ignore[no-untyped-def]
        return None


def _variant(tmp_path: Path, protocol: str) -> Path:
    data = load_spec("buyer-seller").model_dump(mode="json")
    data["protocol"]["type"] = protocol
    path = tmp_path / f"{protocol}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_protocol_that_never_ends_is_caught(tmp_path: Path) -> None:
    report = check_game(_variant(tmp_path, "test-never-ends"), seeds=3, determinism_seeds=0)
    assert not report.ok
    assert any(f.check == "random_play" and "did not end" in f.message for f in report.findings)
    assert "finding" in report.summary()


def test_a_referee_that_lets_everything_through_is_caught(tmp_path: Path) -> None:
    report = check_game(_variant(tmp_path, "test-lax"), seeds=2, determinism_seeds=0)
    messages = [f.message for f in report.findings if f.check == "illegal_moves"]
    assert any("out of turn: expected not_your_turn, got Ok" in m for m in messages)
    assert any("expected no_standing_offer" in m for m in messages)
