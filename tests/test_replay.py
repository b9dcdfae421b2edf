"""Replays: steps with both utilities, re-parse, re-score, fork at turn k (agent or edited
message), the replay agent, cut-off transcripts, and the `arena replay` / `arena fork` commands."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from arena.agents.base import Observation, Reply
from arena.cli_web import fork_command, replay_command
from arena.importers.dond import import_dond
from arena.replay import (
    ForkError,
    ReplayAgent,
    divergence,
    fork,
    logged_replies,
    read_partial,
    reparse,
    rescore,
    steps,
)
from arena.runner import run_match
from arena.transcript import read_transcript
from tests.browser.corpus import DIALOGUE, write_dond


@pytest.fixture
def parent(tmp_path: Path) -> Path:
    out = tmp_path / "parent.jsonl"
    run_match("buyer-seller", "linear", "boulware", seed=1, out=out)
    return out


def cli() -> typer.Typer:
    app = typer.Typer()
    app.command("replay")(replay_command)
    app.command("fork")(fork_command)
    return app


def test_steps_show_text_move_verdict_and_both_utilities(parent: Path) -> None:
    t = read_transcript(parent)
    s = steps(t)
    assert len(s) == len(t.of_kind("utterance"))
    first = s[0]
    assert first.role == "seller" and first.verdict == "ok" and first.accepted
    assert first.move == "offer: price=$4000" and first.utilities == {"buyer": -800.0, "seller": 2000.0}
    last = s[-1]
    assert last.move == "accept" and last.utilities == {r: v for r, v in t.end.utilities.items()}


def test_reparse_and_rescore_find_what_changed(parent: Path, tmp_path: Path) -> None:
    t = read_transcript(parent)
    assert reparse(t) == [] and rescore(t)["changed"] == []
    # tamper: the log says turn 2 was read as $1,300 and the buyer scored 999
    lines = [json.loads(x) for x in parent.read_text().splitlines()]
    for ev in lines:
        if ev["kind"] == "parsed" and ev["turn"] == 2:
            ev["result"]["action"]["bundle"]["price"] = 1300
        if ev["kind"] == "session_end":
            ev["utilities"]["buyer"] = 999.0
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("".join(json.dumps(e) + "\n" for e in lines))
    t2 = read_transcript(tampered)
    diffs = reparse(t2)
    assert [(d.turn, d.role) for d in diffs] == [(2, "buyer")]
    assert "1300" in diffs[0].before and "1200" in diffs[0].after
    assert rescore(t2)["changed"] == ["buyer"] and rescore(t2)["now"]["buyer"] == t.end.utilities["buyer"]


def test_replay_agent_says_logged_texts_then_delegates() -> None:
    class Echo:
        async def act(self, obs: Observation) -> Reply:
            return Reply(text="delegate")

    agent = ReplayAgent(["one", Reply(text="two")], Echo())
    texts = [asyncio.run(agent.act(None)).text for _ in range(3)]  # type: ignore[arg-type]
    assert texts == ["one", "two", "delegate"] and agent.remaining == 0
    with pytest.raises(RuntimeError):
        asyncio.run(ReplayAgent([]).act(None))  # type: ignore[arg-type]


def test_fork_with_another_agent_keeps_the_past_and_links_the_parent(parent: Path, tmp_path: Path) -> None:
    t = read_transcript(parent)
    child = fork(parent, 5, agent="conceder", out=tmp_path / "child.jsonl")
    assert child.start.parent == {"transcript": str(parent), "turn": 5}
    assert child.start.agents["seller"].name == "conceder" and child.start.agents["buyer"].name == "linear"
    before = [u.text for u in t.of_kind("utterance") if u.turn < 5]
    assert [u.text for u in child.of_kind("utterance") if u.turn < 5] == before
    assert divergence(t, child, 5) is None
    assert child.end is not None and read_transcript(tmp_path / "child.jsonl").start.parent["turn"] == 5


def test_fork_with_an_edited_message(parent: Path, tmp_path: Path) -> None:
    child = fork(parent, 5, message="I will take $3,100, my final word.", out=tmp_path / "edit.jsonl")
    said = [(u.turn, u.role, u.text) for u in child.of_kind("utterance")]
    assert said[4] == (5, "seller", "I will take $3,100, my final word.")
    assert child.start.agents["seller"].name == "boulware"  # the original agent continues
    assert child.start.options["tags"]["fork"] == {"side": "seller", "agent": None, "message": True}


def test_fork_refuses_what_it_cannot_do(parent: Path, tmp_path: Path) -> None:
    with pytest.raises(ForkError, match="between 1 and"):
        fork(parent, 99, agent="linear")
    with pytest.raises(ForkError, match="different agent or an edited message"):
        fork(parent, 2)
    with pytest.raises(ForkError, match="unknown side"):
        fork(parent, 2, agent="linear", side="pilot")
    transcripts, _ = import_dond(write_dond(tmp_path / "c.txt"), tmp_path / "dond")
    with pytest.raises(ForkError, match="cannot be re-created"):
        fork(transcripts[0], 2, agent="linear")  # alice was a person in the corpus
    child = fork(transcripts[0], 3, agent="conceder", other="linear", out=tmp_path / "dond-fork.jsonl")
    # the corpus' words go through the referee now: the partial first offer needs a repair turn
    assert child.of_kind("utterance")[0].text == DIALOGUE[0] and child.end is not None


def test_read_partial_drops_a_cut_off_last_line(parent: Path, tmp_path: Path) -> None:
    lines = parent.read_text().splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[:7]) + lines[7][: len(lines[7]) // 2])
    t = read_partial(cut)
    assert len(t.events) == 7 and t.end is None
    said = [u.text for u in t.of_kind("utterance") if u.role == "seller"]
    assert [r.text for r in logged_replies(t, "seller")] == said


def test_steps_of_an_imported_corpus(tmp_path: Path) -> None:
    transcripts, _ = import_dond(write_dond(tmp_path / "c.txt"), tmp_path / "dond")
    s = steps(transcripts[0])
    assert [x.text for x in s] == [*DIALOGUE, "<selection>"] and all(x.verdict is None for x in s)
    assert s[1].accepted and s[1].utilities == {"alice": 4.0, "bob": 8.0}
    assert s[2].move == "accept" and s[2].utilities == {"alice": 4.0, "bob": 8.0}
    assert reparse(transcripts[0]) == []


def test_cli_replay_reparse_and_fork(parent: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(cli(), ["replay", str(parent), "--plot", str(tmp_path / "plot.png")])
    assert r.exit_code == 0, r.output
    assert "offer: price=$4000" in r.output and "buyer -800, seller 2000" in r.output and "agreement" in r.output
    assert (tmp_path / "plot.png").read_bytes()[:4] == b"\x89PNG"
    r = runner.invoke(cli(), ["replay", str(parent), "--reparse"])
    assert r.exit_code == 0 and "reads all" in r.output
    r = runner.invoke(cli(), ["replay", str(parent), "--json"])
    assert json.loads(r.output)["steps"][0]["utilities"] == {"buyer": -800.0, "seller": 2000.0}
    out = tmp_path / "f.jsonl"
    r = runner.invoke(cli(), ["fork", str(parent), "--turn", "4", "--agent", "conceder", "--side", "buyer",
                              "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    child = read_transcript(out)
    assert child.start.parent == {"transcript": str(parent), "turn": 4}
    assert child.start.agents["buyer"].name == "conceder"
    r = runner.invoke(cli(), ["fork", str(parent), "--turn", "4", "--agent", "no-such-agent"])
    assert r.exit_code == 2 and "unknown agent" in r.output
    r = runner.invoke(cli(), ["replay", str(tmp_path / "missing.jsonl")])
    assert r.exit_code == 2 and "cannot read" in r.output
