import json
import subprocess
import sys
from pathlib import Path

import pytest

from arena.game import GameError
from arena.importers.dond import import_dond, read_dond
from arena.transcript import read_transcript
from evaluators.extraction import accepted_in_text, final_deal_extraction
from tests.conftest import REPO

A = ("<input> 3 1 2 1 1 5 </input> <dialogue> YOU: i would like the ball and 1 book <eos> THEM: i'll take the ball "
     "and 1 hat <eos> YOU: no sorry . how about i take the ball and you get the rest ? <eos> THEM: ok <eos> "
     "YOU: <selection> </dialogue> <output> item0=0 item1=0 item2=1 item0=3 item1=2 item2=0 </output> "
     "<partner_input> 3 2 2 1 1 2 </partner_input>")
B = ("<input> 3 2 2 1 1 2 </input> <dialogue> THEM: i would like the ball and 1 book <eos> YOU: i'll take the ball "
     "and 1 hat <eos> THEM: no sorry . how about i take the ball and you get the rest ? <eos> YOU: ok <eos> "
     "THEM: <selection> </dialogue> <output> item0=3 item1=2 item2=0 item0=0 item1=0 item2=1 </output> "
     "<partner_input> 3 1 2 1 1 5 </partner_input>")
NO_DEAL = ("<input> 1 6 3 0 2 2 </input> <dialogue> YOU: you can have all the hats if i get the book and balls . "
           "<eos> THEM: <selection> </dialogue> <output> <disagree> <disagree> <disagree> <disagree> <disagree> "
           "<disagree> </output> <partner_input> 1 2 3 2 2 1 </partner_input>")
MISMATCH_A = A.replace("item0=0 item1=0 item2=1 item0=3", "item0=1 item1=0 item2=1 item0=2")


def test_each_dialogue_imported_once_with_both_values(tmp_path: Path) -> None:
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join([A, NO_DEAL, B]) + "\n")
    transcripts, report = import_dond(corpus, tmp_path / "out")
    assert report.lines == 3 and report.dialogues == 2 and report.agreements == 1
    deal = next(t for t in transcripts if t.end.outcome == "agreement")
    assert deal.end.agreement == {"books": 0, "hats": 0, "balls": 1}  # alice (the first speaker) takes the ball
    game = deal.game()
    assert [i.max for i in game.space.issues] == [3, 2, 1]
    assert deal.end.utilities == {"alice": 5.0, "bob": 3 * 2 + 2 * 1}
    assert [u.role for u in deal.of_kind("utterance")] == ["alice", "bob", "alice", "bob", "alice"]  # alice selects
    assert len(deal.of_kind("parsed")) == 5
    # the last offer accepted in the text ("i take the ball and you get the rest", then "ok") is the deal
    ex = final_deal_extraction(transcripts)
    assert ex.checked == 1 and ex.correct == 1
    assert accepted_in_text(deal) == deal.end.agreement
    files = sorted((tmp_path / "out").glob("*.jsonl"))
    assert len(files) == 2 and read_transcript(files[0]).start.source == "dond"


def test_inconsistent_selections_are_no_agreement(tmp_path: Path) -> None:
    corpus = tmp_path / "c.txt"
    corpus.write_text(MISMATCH_A + "\n" + B + "\n")
    transcripts, report = import_dond(corpus)
    assert report.dialogues == 1 and report.agreements == 0
    assert transcripts[0].end.reason == "inconsistent selections"


def test_malformed_line_names_the_line(tmp_path: Path) -> None:
    corpus = tmp_path / "c.txt"
    corpus.write_text(A + "\n<input> 1 2 </input> hello\n")
    with pytest.raises(GameError, match="line 2"):
        list(read_dond(corpus))


REAL = REPO.parent / "shared" / "data" / "dond" / "val.txt"


@pytest.mark.skipif(not REAL.exists(), reason="the DoND validation split is not beside the checkout")
def test_real_corpus_import_and_score(tmp_path: Path) -> None:
    out = tmp_path / "D"
    r = subprocess.run([sys.executable, "-m", "arena", "import", "dond", str(REAL), "--out", str(out), "--json"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["dialogues"] < rep["lines"] <= 2 * rep["dialogues"]
    assert 0 < rep["final_deal_extraction_accuracy"] <= 1
    s = subprocess.run([sys.executable, "-m", "arena", "score", str(out), "--json"], capture_output=True, text=True,
                       timeout=600)
    assert s.returncode == 0, s.stderr
    summary = json.loads(s.stdout)
    assert 0.5 < summary["agreement_rate"] < 1
    assert 0 < summary["pareto_optimal_rate"] <= 1
    assert summary["mean_joint_utility"] > 5
    assert summary["final_deal_extraction_accuracy"] == pytest.approx(rep["final_deal_extraction_accuracy"], abs=1e-4)


SHORT = ("<input> 1 4 2 1 4 1 </input> <dialogue> YOU: i want the book and the balls <eos> THEM: deal <eos> "
         "YOU: <selection> </dialogue> <output> item0=1 item1=0 item2=4 item0=0 item1=2 item2=0 </output> "
         "<partner_input> 1 0 2 5 4 0 </partner_input>")
SHORT_B = ("<input> 1 0 2 5 4 0 </input> <dialogue> THEM: i want the book and the balls <eos> YOU: deal <eos> "
           "THEM: <selection> </dialogue> <output> item0=0 item1=2 item2=0 item0=1 item1=0 item2=4 </output> "
           "<partner_input> 1 4 2 1 4 1 </partner_input>")
SHORT_B_NO = SHORT_B.replace("item0=0 item1=2 item2=0 item0=1 item1=0 item2=4", " ".join(["<no_agreement>"] * 6))
SILENT = ("<input> 1 4 2 1 4 1 </input> <dialogue> YOU: <selection> </dialogue> <output> item0=1 item1=0 item2=4 "
          "item0=0 item1=2 item2=0 </output> <partner_input> 1 0 2 5 4 0 </partner_input>")
SILENT_B = ("<input> 1 0 2 5 4 0 </input> <dialogue> THEM: <selection> </dialogue> <output> item0=0 item1=2 item2=0 "
            "item0=1 item1=0 item2=4 </output> <partner_input> 1 4 2 1 4 1 </partner_input>")


def test_identical_negotiations_are_paired_one_to_one_never_merged(tmp_path: Path) -> None:
    """Two different negotiations with the same items, values and words (one agreed, one did
    not), an unpaired view, and a dialogue where nobody spoke: every negotiation is imported once."""
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join([SHORT, SHORT_B, SHORT_B_NO, SHORT, NO_DEAL, SILENT, SILENT_B]) + "\n")
    transcripts, report = import_dond(corpus)
    assert report.lines == 7 and report.dialogues == 4
    by_lines = {tuple(t.start.options["lines"]): t.end for t in transcripts}
    assert by_lines[(1, 2)].agreement == {"books": 1, "hats": 0, "balls": 4}
    assert by_lines[(4, 3)].agreement is None and by_lines[(4, 3)].reason == "no agreement"
    assert by_lines[(5,)].agreement is None
    assert by_lines[(6, 7)].agreement == {"books": 1, "hats": 0, "balls": 4}
    assert by_lines[(6, 7)].utilities == {"alice": 8.0, "bob": 10.0}


def test_pressing_selection_accepts_the_standing_offer(tmp_path: Path) -> None:
    """In the corpus a person ends the talk by pressing <selection>: that is their acceptance of
    the deal as discussed, logged as a structured accept by the presser."""
    quiet = SHORT.replace("<eos> THEM: deal <eos> YOU: <selection>", "<eos> THEM: <selection>")
    quiet_b = SHORT_B.replace("<eos> YOU: deal <eos> THEM: <selection>", "<eos> YOU: <selection>")
    corpus = tmp_path / "c.txt"
    corpus.write_text(quiet + "\n" + quiet_b + "\n")
    (t,), _ = import_dond(corpus)
    last_text, last_parsed = t.of_kind("utterance")[-1], t.of_kind("parsed")[-1]
    assert (last_text.role, last_text.text) == ("bob", "<selection>")
    assert last_parsed.result.action.kind == "accept" and last_parsed.result.method == "given"
    assert accepted_in_text(t) == t.end.agreement == {"books": 1, "hats": 0, "balls": 4}
    assert final_deal_extraction([t]).correct == 1
