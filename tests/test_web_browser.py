"""End to end in a real browser: Playwright drives Debian's Chromium (headless) against a real
uvicorn server on 127.0.0.1. A person creates a session on the start page and plays it to the
end against a scripted agent and against a model behind a loopback OpenAI server; a wrong token
is refused; nothing the page receives holds the opponent's preferences; the replay viewer shows
an imported corpus dialogue and an arena transcript."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi, uvicorn) is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="the test extra playwright is not installed")

from arena.importers.dond import import_dond  # noqa: E402
from arena.loopback import LoopbackLLM  # noqa: E402
from arena.runner import run_match  # noqa: E402
from arena.transcript import read_transcript  # noqa: E402
from tests.browser.chromium import CHROMIUM, LAUNCH_ARGS, chromium_problem  # noqa: E402
from tests.browser.corpus import DIALOGUE, write_dond  # noqa: E402
from tests.browser.live import LiveServer  # noqa: E402
from tests.browser.play import private_strings  # noqa: E402

HANG_GUARD_MS = 60_000  # only against a hang; nothing here is timed


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium (fresh user-data-dir) for the module."""
    problem = chromium_problem()
    if problem:
        pytest.skip(f"browser tests need Chromium: {problem}")
    with sync_api.sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="arena-chromium-") as profile:
        context = pw.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM), headless=True,
                                                        args=LAUNCH_ARGS)
        context.set_default_timeout(HANG_GUARD_MS)
        yield context
        context.close()


class Recorder:
    """Keeps every response the page receives, to scan their bodies once the server stopped (an
    event stream's body is complete only then)."""

    def __init__(self, page: Any) -> None:
        self.responses: list[Any] = []
        page.on("response", lambda response: self.responses.append(response))

    def bodies(self) -> list[tuple[str, str]]:
        out = []
        for r in self.responses:
            try:
                out.append((r.url, r.body().decode("utf-8", "replace")))
            except Exception:  # noqa: BLE001  (a response cut off by the shutdown has no body)
                out.append((r.url, ""))
        return out


def start_session(page: Any, url: str, opponent: str, api_base: str | None = None) -> None:
    """Fill the start page as a person would and follow the buyer's link."""
    page.goto(url + "/")
    page.select_option("#game", "buyer-seller")
    page.select_option("#role", "buyer")
    if opponent.startswith("openai/"):
        page.check("input[name=kind][value=model]")
        page.fill("#model", opponent)
        page.fill("#api_base", api_base or "")
    else:
        page.select_option("#agent", opponent)
    page.click("#start")
    page.click("a.seat-link[data-role=buyer]")
    page.wait_for_selector("#status:has-text('Your turn')")


def send(page: Any, text: str = "") -> None:
    """Send a message and wait until the other side has answered (or the session ended)."""
    before = page.locator("#history li").count()
    if text:
        page.fill("#text", text)
    page.click("#send")
    page.wait_for_function("n => document.querySelectorAll('#history li').length >= n"
                           " || !document.getElementById('outcome').hidden", arg=before + 2)
    page.wait_for_selector("#status:has-text('Your turn'), #outcome:visible")


def finish(page: Any, accept_at: float, counter: str) -> None:
    """Accept the standing offer once it is worth ``accept_at`` to the buyer, else counter."""
    while page.locator("#outcome").is_hidden():
        worth = float(page.text_content("#standing-worth").replace(",", ""))
        send(page, "Deal, I accept." if worth >= accept_at else counter)


def assert_private(recorder: Recorder) -> None:
    secrets = private_strings("buyer-seller", "seller")
    bodies = recorder.bodies()
    assert any("/api/s/" in url and "/state" in url for url, _ in bodies)
    assert any("/events" in url and "data: " in body for url, body in bodies)
    leaks = [(url, s) for url, body in bodies for s in secrets if s in body]
    assert not leaks


def test_a_person_plays_a_whole_session_against_a_scripted_agent(browser: Any, tmp_path: Path) -> None:
    page = browser.new_page()
    recorder = Recorder(page)
    with LiveServer(tmp_path / "sessions") as srv:
        start_session(page, srv.url, "conceder")
        assert "$1,000: 3,000" in page.text_content("#preferences")  # the buyer's own table
        assert page.text_content("#standing-words") == "price=$4000"
        page.fill("#text", "I can pay $2,500 for it")
        page.wait_for_selector("#preview:has-text('Read as offer: price=$2500')")
        assert "worth 700 to you" in page.text_content("#preview")
        page.click("#argue summary")
        page.select_option("#arg-kind", "market")
        page.fill("#arg-text", "similar <b>cars</b> sell for that")
        send(page)
        assert page.locator("#history li.you .argument").first.text_content() == \
            "argument (market): similar <b>cars</b> sell for that"  # shown as text, not as HTML
        page.click("#builder summary")  # the offer builder: one control per issue
        page.select_option("#action", "offer")
        page.fill("input.control[data-issue=price]", "2700")
        page.wait_for_selector("#preview:has-text('Read as offer: price=$2700')")
        send(page)
        assert "offer: price=$2700" in page.locator("#history li.you .move").nth(1).text_content()
        finish(page, 300, "How about $2,900?")
        outcome = page.text_content("#outcome")
        assert "Deal: price=" in outcome and "Your utility" in outcome
        session_id = page.evaluate("() => document.body.dataset.session")
    t = read_transcript(tmp_path / "sessions" / f"{session_id}.jsonl")
    assert t.end.outcome == "agreement" and t.start.agents["seller"].name == "conceder"
    assert_private(recorder)
    page.close()


def test_a_person_plays_against_a_model_behind_a_loopback_server(browser: Any, tmp_path: Path) -> None:
    move = '```json\n{{"action": "{}"{}}}\n```'
    replies = ["I can let it go for $3,500. " + move.format("offer", ', "bundle": {"price": 3500}'),
               "Alright, $3,000 and it is yours. " + move.format("offer", ', "bundle": {"price": 3000}'),
               "Deal! " + move.format("accept", "")]
    page = browser.new_page()
    recorder = Recorder(page)
    with LoopbackLLM(replies) as llm, LiveServer(tmp_path / "sessions") as srv:
        start_session(page, srv.url, "openai/loopback", llm.url)
        assert page.locator("#history li.them .text").first.text_content() == "I can let it go for $3,500."
        send(page, "I offer $2,600.")
        send(page, "Meet me at $2,800?")
        assert page.text_content("#outcome").startswith("Deal: price=$2800") and llm.calls == 3
    assert_private(recorder)
    page.close()


def test_a_wrong_token_is_refused(browser: Any, tmp_path: Path) -> None:
    page = browser.new_page()
    with LiveServer(tmp_path / "sessions") as srv:
        start_session(page, srv.url, "linear")
        session_id = page.evaluate("() => document.body.dataset.session")
        response = page.goto(f"{srv.url}/play/{session_id}?t=not-the-token")
        assert response.status == 403 and "token is wrong or missing" in page.text_content("#error")
        assert page.goto(f"{srv.url}/play/{session_id}").status == 403
        status = page.evaluate("id => fetch('/api/s/' + id + '/state', {headers: {'X-Seat-Token': 'nope'}})"
                               ".then(r => r.status)", session_id)
        assert status == 403
    page.close()


def test_the_replay_viewer_shows_a_corpus_dialogue_and_an_arena_transcript(browser: Any, tmp_path: Path) -> None:
    corpus, runs = tmp_path / "dond", tmp_path / "runs"
    import_dond(write_dond(tmp_path / "val.txt"), corpus)
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API keeps an event loop running in this thread
        pool.submit(run_match, "buyer-seller", "linear", "boulware", seed=1, out=runs / "run.jsonl").result()
    page = browser.new_page()
    with LiveServer(tmp_path / "sessions", transcripts=[corpus, runs]) as srv:
        page.goto(srv.url + "/replay")
        page.click("a[href='/replay/1/dond-00001.jsonl']")
        rows = page.locator("#steps tr.step")
        assert [rows.nth(i).locator("td.text").text_content() for i in range(3)] == DIALOGUE
        assert "accept" in rows.nth(2).text_content() and "8" in rows.nth(2).locator("td.num").nth(1).text_content()
        page.click("#prev")
        assert page.text_content("#position") == "3 / 4" and rows.nth(3).is_hidden()  # the last: <selection>
        page.wait_for_function("() => document.getElementById('plot').complete")
        assert page.evaluate("() => document.getElementById('plot').naturalWidth") > 100
        page.goto(srv.url + "/replay/2/run.jsonl")
        first = page.locator("#steps tr.step").first.text_content()
        assert "offer: price=$4000" in first and "2000" in first and "-800" in first
        assert "agreement" in page.text_content("#end")
    page.close()
