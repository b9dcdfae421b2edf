import json
from pathlib import Path

import pytest

from arena.game import Game, parse_spec
from arena.runner import run_match
from arena.transcript import SCHEMA_VERSION, TranscriptError, read_transcript
from tests.conftest import strip_volatile


def test_round_trip_and_flush(tmp_path: Path) -> None:
    out = tmp_path / "t.jsonl"
    t = run_match("supplier-contract", "boulware", "tit-for-tat", seed=3, out=out)
    back = read_transcript(out)
    assert strip_volatile(back.to_jsonl()) == strip_volatile(t.to_jsonl())
    assert back.start.schema_version == SCHEMA_VERSION
    kinds = [e.kind for e in back.events]
    assert kinds[0] == "session_start" and kinds[-1] == "session_end"
    assert {"utterance", "parsed", "verdict", "state"} <= set(kinds)
    # one line per event, each a JSON object with a kind
    lines = out.read_text().splitlines()
    assert len(lines) == len(kinds) and all("kind" in json.loads(line) for line in lines)


def test_transcript_alone_determines_the_scores(tmp_path: Path) -> None:
    out = tmp_path / "t.jsonl"
    t = run_match("deal-or-no-deal", "linear", "conceder", seed=11, out=out)
    back = read_transcript(out)
    game = Game(parse_spec(back.start.game))  # no access to games/ needed
    end = back.end
    assert end is not None and end.outcome == "agreement"
    assert game.utilities(end.agreement, end.agreement_round) == pytest.approx(end.utilities)
    assert back.start.game == t.start.game


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("not json\n", "line 1: not JSON"),
        ('{"kind": "utterance", "turn": 1, "role": "a", "text": "x"}\n', "session_start"),
        ('{"kind": "session_start", "schema_version": 99, "session_id": "x", "game": {}, "seed": 0, "agents": {}}\n',
         "newer"),
        ('{"kind": "session_start", "session_id": "x", "game": {}, "seed": "zero", "agents": {}}\n', "line 1"),
        ('{"kind": "mystery"}\n', "line 1"),
    ],
)
def test_bad_transcripts_are_reported_with_the_line(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(TranscriptError, match=fragment):
        read_transcript(path)


def test_missing_file() -> None:
    with pytest.raises(TranscriptError, match="cannot read"):
        read_transcript("/nonexistent/transcript.jsonl")
