"""Transcripts written before the region-recursive protocol (schema version 1, the current
shape) still read, re-serialize byte for byte, and scripted runs still reproduce them exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arena.runner import SessionConfig, run_match
from arena.transcript import SCHEMA_VERSION, read_transcript
from tests.conftest import strip_volatile

FIXTURES = Path(__file__).parent / "data" / "transcripts"
PAIRS = {"supplier-contract": ("boulware", "tit-for-tat"), "deal-or-no-deal": ("linear", "conceder"),
         "split-the-pie": ("spe", "random"), "logrolling": ("integrative", "boulware"),
         "buyer-seller": ("anchor(value=3800)", "tit-for-tat"), "ultimatum": ("random", "random")}


@pytest.mark.parametrize("game", sorted(PAIRS))
def test_old_transcript_reads_and_round_trips(game: str) -> None:
    path = FIXTURES / f"v1-{game}.jsonl"
    t = read_transcript(path)
    assert t.start.schema_version == SCHEMA_VERSION == 1
    assert t.to_jsonl() == path.read_text(encoding="utf-8")  # no event gained or lost a field
    assert t.end is not None and t.game().name == game


@pytest.mark.parametrize("game", sorted(PAIRS))
def test_scripted_runs_reproduce_the_old_transcripts(game: str) -> None:
    a, b = PAIRS[game]
    t = run_match(game, a, b, seed=5, config=SessionConfig(session_id="fixture"))
    old = (FIXTURES / f"v1-{game}.jsonl").read_text(encoding="utf-8")
    assert strip_volatile(t.to_jsonl()) == strip_volatile(old)
    assert all("sealed" not in json.loads(line) for line in old.splitlines())
