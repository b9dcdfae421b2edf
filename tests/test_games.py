from pathlib import Path

import pytest

from arena.game import GameError, available_games, load_game

SHIPPED = {"split-the-pie", "logrolling", "supplier-contract", "buyer-seller", "ultimatum", "deal-or-no-deal"}


def test_shipped_games_load() -> None:
    assert SHIPPED <= set(available_games())
    for name in available_games():
        g = load_game(name, seed=1)
        assert len(g.role_names) == 2
        assert g.spec.narrative
        assert g.space.cardinality > 1


def test_unknown_game_lists_the_valid_ones() -> None:
    with pytest.raises(GameError, match="logrolling"):
        load_game("no-such-game")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("name: x\nroles: []\n", "exactly two roles"),
        ("name: x\nissues: [{name: p, type: integer, min: 5, max: 1}]\nroles: []", "issues.0"),
        ("name: x\nissues: [{name: p, type: integr, min: 0, max: 1}]", "issues.0"),
        (": : :\n  - [", "not valid YAML"),
        ("- just a list", "mapping"),
        ("name: x\nissues: [{name: p, type: integer, min: 0, max: 9}]\nroles:\n"
         "  - {name: a, utility: {type: linear-additive, values: {q: {type: increasing}}}}\n"
         "  - {name: b, utility: {type: linear-additive, values: {p: {type: increasing}}}}\n", "unknown issues"),
        ("name: x\nissues: [{name: p, type: integer, min: 0, max: 9}]\nroles:\n"
         "  - {name: a, utility: {type: linear-additive, values: {p: {type: increasing}}}, discount: 1.5}\n"
         "  - {name: b, utility: {type: linear-additive, values: {p: {type: increasing}}}}\n", "roles.0.discount"),
    ],
)
def test_bad_game_files_give_one_paragraph_errors(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(GameError) as info:
        load_game(path)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message.strip() or "Traceback" not in message
    if "YAML" not in message:
        assert str(path) in message


def test_game_loads_from_any_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_game("logrolling").name == "logrolling"
