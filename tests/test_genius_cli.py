"""``arena import genius``: writes YAML that loads back to the same game; malformed input gives
one line on stderr and exit status 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from arena.cli_import import import_app, spec_to_yaml
from arena.game import Game, load_game
from arena.importers import import_domain

DATA = Path(__file__).parent / "data" / "genius"


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(import_app, name="import")
    return app


@pytest.mark.parametrize("folder", ["fruit", "mixed", "nonlinear", "geniusweb"])
def test_yaml_round_trip(tmp_path: Path, folder: str) -> None:
    spec = import_domain(DATA / folder)
    path = tmp_path / f"{folder}.yaml"
    path.write_text(spec_to_yaml(spec))
    again = load_game(path).spec
    assert again.model_dump() == spec.model_dump()
    g, h = Game(spec), load_game(path)
    X = g.space.enumerate()
    for role in g.role_names:
        assert (g.roles[role].utility.evaluate(X) == h.roles[role].utility.evaluate(X)).all()


def test_cli_writes_a_game_file(tmp_path: Path, cli: typer.Typer) -> None:
    story = tmp_path / "story.txt"
    story.write_text("A fruit wholesaler and a grocer.\n")
    out = tmp_path / "games" / "fruit.yaml"
    result = CliRunner().invoke(cli, ["import", "genius", str(DATA / "fruit"), "--out", str(out), "--narrative",
                                      str(story), "--profiles", "bob.xml,alice.xml", "--max-rounds", "30",
                                      "--name", "fruit"])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output
    g = load_game(out)
    assert g.name == "fruit" and g.role_names == ["bob", "alice"]
    assert g.spec.narrative == "A fruit wholesaler and a grocer."
    assert g.spec.protocol.max_rounds == 30
    assert g.utilities({"Fruit": "cherry", "Boxes": 1}) == pytest.approx({"alice": 0.8, "bob": 0.5 / 3 + 0.25})


def test_cli_errors_are_one_line_and_exit_2(tmp_path: Path, cli: typer.Typer) -> None:
    dst = tmp_path / "fruit"
    shutil.copytree(DATA / "fruit", dst)
    text = (dst / "alice.xml").read_text().replace('evaluation="2"', "")
    (dst / "alice.xml").write_text(text)
    result = CliRunner().invoke(cli, ["import", "genius", str(dst), "--out", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: alice.xml:"), result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.yaml").exists()
