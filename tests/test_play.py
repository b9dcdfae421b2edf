"""A human in the terminal: typed text, preview, confirm or edit (stdin driven, as a person types)."""

import subprocess
import sys
from pathlib import Path

from arena.transcript import read_transcript


def play(stdin: str, tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path / "play.jsonl"
    r = subprocess.run([sys.executable, "-m", "arena", "play", "--game", "buyer-seller", "--opponent", "boulware",
                        "--role", "buyer", "--out", str(out), *extra], input=stdin, capture_output=True, text=True,
                       timeout=300, env={"COLUMNS": "150", "PATH": "/usr/bin:/bin"})
    return r, out


def test_human_types_confirms_and_edits(tmp_path: Path) -> None:
    stdin = "I offer $2,000 for the car\ny\nok how about 2500 dollars\ne\noffer\n2600\nI accept\ny\n"
    r, out = play(stdin, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Your private preferences" in r.stdout and "3,200" in r.stdout
    assert "2,000" not in r.stdout.split("Your private preferences")[1].split("Seller:")[0]  # seller's cost hidden
    assert "read as offer: price=$2000" in r.stdout
    t = read_transcript(out)
    buyer = [p.result.action for p in t.of_kind("parsed") if p.role == "buyer"]
    assert [a.kind for a in buyer] == ["offer", "offer", "accept"]
    assert buyer[0].bundle == {"price": 2000}
    assert buyer[1].bundle == {"price": 2600}  # the edited move wins over the typed "2500"
    assert t.end.outcome == "agreement"
    assert "less than no deal" in r.stdout


def test_end_of_input_walks_away(tmp_path: Path) -> None:
    r, out = play("", tmp_path)
    assert r.returncode == 0, r.stderr
    t = read_transcript(out)
    assert t.end.outcome == "disagreement" and "walked away" in t.end.reason


def test_unknown_role(tmp_path: Path) -> None:
    r, _ = play("", tmp_path, "--role", "pilot")
    assert r.returncode == 2 and "unknown role" in r.stderr
