"""The HTML report in a real browser (Playwright driving Debian's Chromium, headless), opened from
disk with every network request refused: its tables render and its plots decode."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the test extra playwright is not installed")

from arena.runner import run_match  # noqa: E402
from evaluators.report import write_report  # noqa: E402
from tests.browser.chromium import CHROMIUM, LAUNCH_ARGS, chromium_problem  # noqa: E402


def test_report_renders_offline_with_its_plots(tmp_path: Path) -> None:
    problem = chromium_problem()
    if problem:
        pytest.skip(f"browser tests need Chromium: {problem}")
    runs = tmp_path / "runs"
    transcripts = [run_match("logrolling", "integrative", "boulware", seed=1, out=runs / "a.jsonl"),
                   run_match("buyer-seller", "boulware", "conceder", seed=2, out=runs / "b.jsonl")]
    out = tmp_path / "report.html"
    write_report(transcripts, out)
    requested: list[str] = []
    with sync_api.sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="arena-chromium-") as profile:
        context = pw.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM), headless=True,
                                                        args=LAUNCH_ARGS)
        context.set_default_timeout(60_000)  # only against a hang; nothing here is timed

        def refuse(route: Any) -> None:
            requested.append(route.request.url)
            route.abort()

        context.route("http*://**", refuse)
        page = context.new_page()
        page.goto(out.as_uri())
        page.wait_for_load_state("load")
        headings = page.locator("h2").all_inner_texts()
        sizes = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
        board = page.locator("table").nth(1).inner_text()
        context.close()
    assert {"Summary", "Leaderboard", "Sessions"} <= set(headings)
    assert len(sizes) == 4 and all(done and w > 200 and h > 200 for done, w, h in sizes), sizes
    assert "integrative" in board and "conceder" in board
    assert requested == []  # nothing fetched from the network
