"""The command line, run as a user runs it (a real subprocess, console script included)."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def arena(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("arena")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "arena", *args]
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd or REPO, env=env, timeout=300)


def test_run_json_split_the_pie_spe() -> None:
    r = arena("run", "--game", "split-the-pie", "--a", "spe", "--b", "spe", "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["outcome"] == "agreement" and s["agreement_round"] == 1
    assert s["bundle"]["share"] == pytest.approx(0.7143, abs=1e-4)
    assert s["parser_accuracy"] == 1.0


def test_run_writes_transcript_and_prints_dialogue(tmp_path: Path) -> None:
    out = tmp_path / "t.jsonl"
    r = arena("run", "--game", "logrolling", "--a", "integrative", "--b", "integrative", "--out", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Deal" in r.stdout and "75" in r.stdout
    assert out.exists() and out.read_text().count("\n") > 5


def test_demo_runs_offline() -> None:
    r = arena("demo")
    assert r.returncode == 0, r.stderr
    assert "Logrolling" in r.stdout and "Deal" in r.stdout
    m = re.search(r"read (\d+) of (\d+) moves", r.stdout)
    assert m and int(m.group(1)) == int(m.group(2)) > 10


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "--game", "nope"], "unknown game 'nope'"),
        (["run", "--game", "logrolling", "--a", "nobody"], "unknown agent 'nobody'"),
        (["run", "--game", "/no/such/file.yaml"], "no game file"),
    ],
)
def test_user_mistakes_are_one_paragraph(args: list[str], fragment: str) -> None:
    r = arena(*args)
    assert r.returncode == 2
    assert fragment in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_malformed_game_file(tmp_path: Path) -> None:
    bad = tmp_path / "g.yaml"
    bad.write_text("name: g\nissues: [{name: p, type: integer, min: 3, max: 1}]\nroles: []\n")
    r = arena("run", "--game", str(bad))
    assert r.returncode == 2 and "not a valid game" in r.stderr and "Traceback" not in r.stderr


def test_listings() -> None:
    games = arena("games")
    assert games.returncode == 0 and "deal-or-no-deal" in games.stdout
    agents = arena("agents")
    assert agents.returncode == 0 and "tit-for-tat" in agents.stdout
    helptext = arena("--help")
    assert helptext.returncode == 0 and "demo" in helptext.stdout


def test_parser_accuracy_command() -> None:
    r = arena("parser-accuracy", "--seeds", "3", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["moves"] > 50 and report["exact_bundle_accuracy"] >= 0.99
    assert set(report["per_game"]) >= {"logrolling", "deal-or-no-deal"}


def test_run_accepts_a_genius_domain_folder() -> None:
    r = arena("run", "--game", str(REPO / "tests" / "data" / "genius" / "fruit"), "--a", "boulware", "--b", "linear",
              "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["outcome"] == "agreement" and set(s["bundle"]) == {"Fruit", "Boxes"}
    assert all(0 <= u <= 1 for u in s["utilities"].values())
