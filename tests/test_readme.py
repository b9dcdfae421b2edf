"""The README's commands and examples, run as a user would run them."""

import json
import os
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from arena.transcript import read_transcript
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert m, f"README has no section {title!r}"
    return m.group(1)


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def test_quick_start_has_exactly_two_commands() -> None:
    blocks = _blocks(_section("Quick start"), "bash")
    commands = [line for b in blocks for line in b.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2
    assert "pip install ." in commands[0] and commands[0].endswith("arena demo")
    assert '".[test]"' in commands[1] and "pytest" in commands[1]
    ci = (REPO / ".ci" / "run").read_text()
    assert 'pip install --quiet -e ".[test]"' in ci and "python -m pytest" in ci


def test_wheel_ships_games_and_prompts_and_demo_runs_from_it(tmp_path: Path) -> None:
    """What `pip install . && arena demo` installs: a wheel with the data inside, usable anywhere."""
    dist = tmp_path / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "--no-index", "-w", str(dist), str(REPO)], capture_output=True, text=True)
    if build.returncode != 0 and "hatchling" in build.stderr:
        pytest.skip("hatchling is not installed in this environment")
    assert build.returncode == 0, build.stderr
    (wheel,) = dist.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "arena/_data/games/logrolling.yaml" in names
    assert "arena/_data/prompts/scripted/terms.j2" in names
    assert any(n.startswith("evaluators/") for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "COLUMNS": "160"}
    where = subprocess.run([sys.executable, "-c", "import arena.resources as r; print(r.data_dir('games'))"],
                           capture_output=True, text=True, cwd=elsewhere, env=env)
    assert where.stdout.strip().startswith(str(site)), where.stderr
    demo = subprocess.run([sys.executable, "-m", "arena", "demo"], capture_output=True, text=True,
                          cwd=elsewhere, env=env, timeout=300)
    assert demo.returncode == 0, demo.stderr
    assert "Deal" in demo.stdout


def _usage_commands() -> list[str]:
    out = []
    for block in _blocks(_section("Using it"), "bash"):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("arena "):
                out.append(line)
    return out


@pytest.mark.parametrize("command", _usage_commands())
def test_usage_commands_run(command: str, tmp_path: Path) -> None:
    command = command.replace("--seeds 100", "--seeds 2")  # same command, a smaller sample
    args = shlex.split(command)[1:]
    r = subprocess.run([sys.executable, "-m", "arena", *args], capture_output=True, text=True, cwd=tmp_path,
                       env={**os.environ, "COLUMNS": "160"}, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip()


def test_python_example() -> None:
    (code,) = _blocks(_section("Using it"), "python")
    namespace: dict[str, object] = {}
    exec(compile(code.replace("print(", "_ = ("), "README", "exec"), namespace)  # noqa: S102
    t = namespace["t"]
    assert t.end.outcome == "agreement"  # type: ignore[attr-defined]
    assert t.end.utilities == {"alice": 75.0, "bob": 75.0}  # type: ignore[attr-defined]


def test_scoring_section_runs_as_one_script(tmp_path: Path) -> None:
    (block,) = _blocks(_section("Scoring, experiments and reports"), "bash")
    corpus = REPO.parent / "shared" / "data" / "dond" / "val.txt"
    script = block.replace("../shared/data/dond/val.txt", str(corpus))
    if not corpus.exists():
        script = "\n".join(line for line in script.splitlines() if "import dond" not in line)
    script = script.replace("--pairs 20", "--pairs 3")  # same command, a smaller sample
    prelude = f'set -euo pipefail\narena() {{ "{sys.executable}" -m arena "$@"; }}\n'
    r = subprocess.run(["bash", "-c", prelude + script], capture_output=True, text=True, cwd=tmp_path,
                       env={**os.environ, "COLUMNS": "160"}, timeout=900)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "report.html").exists() and (tmp_path / "runs" / "a.jsonl").exists()
    assert "beta" in r.stdout and '"agreement_rate"' in r.stdout
    if corpus.exists():
        assert '"final_deal_extraction_accuracy"' in r.stdout


def _run_section(title: str, tmp_path: Path, skip: str | None = None) -> subprocess.CompletedProcess[str]:
    (block,) = _blocks(_section(title), "bash")[-1:]
    block = block.replace(" examples/", f" {REPO / 'examples'}/")  # the README runs from the checkout
    lines = [line for line in block.splitlines() if not (skip and skip in line)]
    prelude = f'set -euo pipefail\narena() {{ "{sys.executable}" -m arena "$@"; }}\n'
    return subprocess.run(["bash", "-c", prelude + "\n".join(lines)], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "COLUMNS": "160"}, timeout=900)


def test_tournament_section_runs_as_one_script(tmp_path: Path) -> None:
    r = _run_section("Tournaments and leaderboards", tmp_path)
    assert r.returncode == 0, r.stderr
    start = re.search(r"^\{", r.stdout, re.M)  # the last command prints JSON
    assert start, r.stdout
    board = json.loads(r.stdout[start.start():])
    assert {"boulware", "tough-linear"} <= {row["competitor"] for row in board["overall"]}
    assert (tmp_path / "runs" / "tournament" / "leaderboard").is_dir()


def test_replay_section_runs_as_one_script(tmp_path: Path) -> None:
    r = _run_section("In the browser, and replays", tmp_path, skip="arena serve")
    assert r.returncode == 0, r.stderr
    assert "reads all" in r.stdout
    for name in ("s-fork.jsonl", "s-edit.jsonl"):
        child = read_transcript(tmp_path / "runs" / name)
        assert child.start.parent is not None and child.start.parent["transcript"].endswith("s.jsonl")
        assert child.start.parent["turn"] == 3
