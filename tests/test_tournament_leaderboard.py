"""The leaderboard of a tournament folder, its exports, and the two commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arena.cli_tournament import app
from arena.loopback import LoopbackLLM
from arena.tournament import load_tournament_spec, run_tournament
from evaluators.leaderboard import LEADERBOARD_METRICS, export_leaderboard, leaderboard, write_leaderboard_html
from tests.conftest import REPO
from tests.test_tournament_models import model, negotiator

runner = CliRunner()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small tournament in which `spe` fails outside pie games (recorded failures)."""
    out = tmp_path_factory.mktemp("lb") / "t"
    data = {"name": "lb", "games": ["split-the-pie", "buyer-seller"], "seeds": [0, 1],
            "competitors": ["boulware", "linear", "spe"]}
    result = run_tournament(load_tournament_spec(data), out)
    assert result.failed == 8 and result.ok == 16
    return out


def test_leaderboard_has_cis_per_competitor_and_game_and_a_pairwise_matrix(folder: Path) -> None:
    board = leaderboard(folder, n_boot=300)
    assert set(board.overall["competitor"]) == {"boulware", "linear", "spe"}
    assert board.sessions == 16 and board.failed == 8
    spe = board.overall.set_index("competitor").loc["spe"]
    assert (spe["sessions"], spe["failed"], spe["n"]) == (16, 8, 8)  # failures counted, not scored
    assert spe["failure_rate"] == pytest.approx(0.5)
    for m in LEADERBOARD_METRICS:
        ok = board.overall[m].notna()
        assert (board.overall.loc[ok, f"{m}_lo"] <= board.overall.loc[ok, m] + 1e-12).all()
        assert (board.overall.loc[ok, m] <= board.overall.loc[ok, f"{m}_hi"] + 1e-12).all()
    assert list(board.overall["rank"]) == [1, 2, 3]
    assert board.overall["normalized_utility"].is_monotonic_decreasing
    assert set(board.by_game["game"]) == {"split-the-pie", "buyer-seller"}
    matrix = board.matrix()
    assert matrix.loc["boulware", "linear"] == pytest.approx(
        board.frame.query("competitor == 'boulware' and opponent_competitor == 'linear'")["normalized_utility"].mean())
    with_failed = leaderboard(folder, n_boot=300, include_failed=True)
    assert with_failed.sessions == 24
    data = json.loads(json.dumps(board.to_dict()))
    assert data["overall"][0]["normalized_utility"].keys() == {"mean", "lo", "hi"}


def test_exports_and_html(folder: Path, tmp_path: Path) -> None:
    board = leaderboard(folder, n_boot=200)
    files, notes = export_leaderboard(board, tmp_path / "x")
    names = {f.name for f in files}
    assert {"leaderboard.csv", "leaderboard_by_game.csv", "pairwise.csv", "sessions.csv"} <= names
    try:
        import pyarrow  # noqa: F401

        assert "leaderboard.parquet" in names and not notes
    except ImportError:
        assert "pyarrow" in notes[0]
    html = write_leaderboard_html(board, tmp_path / "x" / "leaderboard.html", folder=folder).read_text()
    assert "boulware" in html and "data:image/png;base64," in html and "Pairwise" in html


def test_costs_fill_from_spec_prices(tmp_path: Path) -> None:
    with LoopbackLLM(negotiator) as srv:
        data = {"games": ["ultimatum"], "competitors": [model("m", srv.url, price=2.0), "boulware"]}
        run_tournament(load_tournament_spec(data), tmp_path / "t")
    board = leaderboard(tmp_path / "t", n_boot=100).overall.set_index("competitor")
    assert board.loc["m", "cost_usd"] > 0 and board.loc["m", "tokens"] > 0
    assert board.loc["boulware", "cost_usd"] == 0


def test_the_example_spec_runs_from_the_command_line_and_ranks(tmp_path: Path) -> None:
    out = tmp_path / "runs" / "tournament"
    r = runner.invoke(app, ["tournament", str(REPO / "examples" / "tournament.yaml"), "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["complete"] and summary["ok"] == summary["total"] == 240
    r = runner.invoke(app, ["leaderboard", str(out), "--n-boot", "200"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "Leaderboard: 240 sessions" in r.stdout and "[" in r.stdout and "pairwise" in r.stdout
    assert (out / "leaderboard" / "leaderboard.html").exists()
    r = runner.invoke(app, ["leaderboard", str(out), "--json", "--no-export", "--n-boot", "200"])
    data = json.loads(r.stdout)
    assert data["sessions"] == 240 and len(data["overall"]) == 5 and data["exports"] == []


def test_user_errors_are_one_line_with_exit_2(tmp_path: Path) -> None:
    r = runner.invoke(app, ["tournament", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "t")])
    assert r.exit_code == 2 and "cannot read tournament spec" in r.output and "Traceback" not in r.output
    spec = tmp_path / "spec.yaml"
    spec.write_text("games: [logrolling]\ncompetitors: [boulware, {agent: linear, nme: x}]\n")
    r = runner.invoke(app, ["tournament", str(spec), "--out", str(tmp_path / "t")])
    assert r.exit_code == 2 and "competitors.1.nme" in r.output
    r = runner.invoke(app, ["leaderboard", str(tmp_path / "missing")])
    assert r.exit_code == 2 and "no such folder" in r.output


def test_budget_stop_exits_3_and_says_how_far_it_got(tmp_path: Path) -> None:
    with LoopbackLLM(negotiator) as srv:
        spec = tmp_path / "spec.yaml"
        spec.write_text(json.dumps({"games": ["ultimatum"], "seeds": 3,
                                    "competitors": [model("m", srv.url, price=100), "boulware"]}))
        r = runner.invoke(app, ["tournament", str(spec), "--out", str(tmp_path / "t"), "--max-cost", "0.05"])
    assert r.exit_code == 3, r.output
    assert "budget" in r.stdout and "not played" in r.stdout
