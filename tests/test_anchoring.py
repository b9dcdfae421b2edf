import json
import subprocess
import sys

import pytest

from arena.experiments import AnchoringConfig, run_anchoring, zone
from arena.game import GameError, load_game
from evaluators.anchoring import anchoring_effect, spearman


def test_zone_of_buyer_seller() -> None:
    assert zone(load_game("buyer-seller")) == (2000.0, 3200.0)
    with pytest.raises(GameError):
        zone(load_game("logrolling"))


def test_paired_runs_share_everything_but_the_first_offer() -> None:
    ts = run_anchoring(AnchoringConfig(subject="linear", pairs=1))
    by = {t.start.options["tags"]["condition"]: t for t in ts}
    first = {c: t.of_kind("utterance")[0].intended.bundle["price"] for c, t in by.items()}
    assert first["low"] == 2300 and first["high"] == 4000 and first["low"] < first["none"] < first["high"]
    later = {c: [u.intended for u in t.of_kind("utterance")[1:6]] for c, t in by.items()}
    assert later["low"] == later["none"] == later["high"]


def test_ignoring_agent_has_zero_beta_and_tit_for_tat_positive() -> None:
    ignore = anchoring_effect(run_anchoring(AnchoringConfig(subject="boulware", pairs=4)))
    tft = anchoring_effect(run_anchoring(AnchoringConfig(subject="tit-for-tat", pairs=4)))
    assert abs(ignore.beta) < 0.02
    assert tft.beta > 0.1
    assert tft.ci_low > 0


def test_spearman() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1)
    assert spearman([1, 2, 3], [1, 1, 1]) != spearman([1, 2, 3], [1, 1, 1])  # NaN


def test_cli_json() -> None:
    r = subprocess.run([sys.executable, "-m", "arena", "experiment", "anchoring", "--subject", "tit-for-tat",
                        "--pairs", "3", "--json"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["beta"] > 0 and set(data["by_condition"]) == {"low", "none", "high"}


def test_model_subject_through_a_loopback_server() -> None:
    from arena.loopback import LoopbackLLM

    # a "model" that always asks for $2,500 and accepts anything at or below $2,700
    def reply(body: dict) -> str:
        last = body["messages"][-1]["content"]
        import re

        m = re.search(r"price=\$(\d+)", last)
        if m and int(m.group(1)) <= 2700:
            return '```json\n{"action": "accept"}\n```'
        return '```json\n{"action": "offer", "bundle": {"price": 2500}}\n```'

    with LoopbackLLM(reply) as srv:
        r = subprocess.run([sys.executable, "-m", "arena", "experiment", "anchoring", "--subject", "openai/subject",
                            "--api-base", srv.url, "--pairs", "2", "--json"], capture_output=True, text=True,
                           timeout=600)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["sessions"] == 6 and data["agreements"] >= 1
