import base64
import re
import subprocess
import sys
from pathlib import Path

from arena.runner import run_match
from evaluators.plots import offers_by_role


def test_report_is_self_contained_with_plots(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    run_match("logrolling", "integrative", "boulware", seed=1, out=runs / "a.jsonl")
    run_match("buyer-seller", "boulware", "conceder", seed=2, out=runs / "b.jsonl")
    out = tmp_path / "report.html"
    r = subprocess.run([sys.executable, "-m", "arena", "report", str(runs), "--out", str(out)], capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    html = out.read_text()
    assert "Leaderboard" in html and "integrative" in html and "boulware" in html
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == 4
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from the network
    pngs = sorted((tmp_path / "report_files").glob("*.png"))
    assert len(pngs) == 4 and all(p.stat().st_size > 5000 for p in pngs)


def test_offer_trajectories_follow_the_transcript() -> None:
    t = run_match("logrolling", "integrative", "integrative", seed=0)
    offers = offers_by_role(t)
    utter = [u for u in t.of_kind("utterance") if u.intended.kind == "offer"]
    assert sum(len(v) for v in offers.values()) == len(utter)
    assert offers["alice"][0][1] == {"budget": 10, "deadline": 10, "scope": 10}


def test_report_on_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "arena", "report", str(tmp_path), "--out", str(tmp_path / "r.html")],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 2 and "no transcripts" in r.stderr and "Traceback" not in r.stderr


PARTIAL = ("<input> 1 4 2 1 1 2 </input> <dialogue> YOU: i want the book <eos> THEM: you can have the book if i get "
           "the hats and balls <eos> YOU: deal <eos> THEM: <selection> </dialogue> <output> item0=1 item1=0 "
           "item2=0 item0=0 item1=2 item2=1 </output> <partner_input> 1 2 2 3 1 1 </partner_input>")


def test_imported_corpus_with_partial_offers_plots_and_reports(tmp_path: Path) -> None:
    from arena.importers.dond import import_dond

    corpus = tmp_path / "c.txt"
    corpus.write_text(PARTIAL + "\n")
    (t,), _ = import_dond(corpus, tmp_path / "corpus")
    space = t.game().space
    parsed = [e for e in t.of_kind("parsed") if e.result.ok and e.result.action.kind == "offer"]
    assert any(space.problems(e.result.action.bundle) for e in parsed)  # the corpus has a partial offer
    offers = offers_by_role(t)
    assert all(not space.problems(b) for v in offers.values() for _, b in v)
    out = tmp_path / "report.html"
    r = subprocess.run([sys.executable, "-m", "arena", "report", str(tmp_path / "corpus"), "--out", str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "data:image/png;base64," in out.read_text()
