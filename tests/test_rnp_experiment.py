"""The RNP experiment on tiny settings: the Python API (serial and in worker processes) and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from arena.experiments_rnp import RNPConfig, cell_games, run_rnp
from evaluators.rnp import RNP_METRICS, rnp_table, score_cell


def test_conditions_share_the_utilities_and_differ_in_protocol() -> None:
    games = cell_games(RNPConfig(rounds=10), "bell", 2, 3)
    assert games["rnp"].spec.protocol.type == "region-recursive" and games["rnp"].spec.protocol.max_rounds == 10
    assert games["ao-time"] is games["ao-tradeoff"] and games["ao-time"].spec.protocol.max_rounds == 20
    assert games["rnp"].spec.roles == games["ao-time"].spec.roles


def test_api_rows_and_table(tmp_path: Path) -> None:
    cfg = RNPConfig(spaces=("bell", "linear"), issues=(2,), seeds=2, rounds=12, jobs=2, out_dir=tmp_path)
    df = pd.DataFrame(run_rnp(cfg, score_cell))
    assert len(df) == 2 * 2 * 3 and set(df["condition"]) == {"rnp", "ao-time", "ao-tradeoff"}
    assert (df["pareto_distance"] >= 0).all() and df["welfare_product"].between(0, 1.01).all()
    assert len(list(tmp_path.rglob("*.jsonl"))) == 12
    agg = rnp_table(df, n_boot=200)
    assert len(agg) == 6 and all(f"{m}_lo" in agg for m in RNP_METRICS)
    serial = pd.DataFrame(run_rnp(RNPConfig(spaces=("bell", "linear"), issues=(2,), seeds=2, rounds=12), score_cell))
    assert serial.drop(columns="session_id").equals(df.drop(columns="session_id"))  # same seeds, same results


def test_cli_prints_the_table_and_writes_a_report(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "arena", "experiment", "rnp", "--spaces", "bell,ces", "--issues", "2",
                        "--seeds", "2", "--rounds", "10", "--jobs", "1", "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "RNP, region agents" in r.stdout and "AO, trade-off" in r.stdout and "bell" in r.stdout
    html = (tmp_path / "rnp-report.html").read_text()
    assert "data:image/png;base64," in html and "Pareto" in html or "pareto_distance" in html
    assert (tmp_path / "rnp.png").stat().st_size > 0 and (tmp_path / "results.csv").exists()
    j = subprocess.run([sys.executable, "-m", "arena", "experiment", "rnp", "--spaces", "hypercube", "--issues", "2",
                        "--seeds", "1", "--rounds", "8", "--jobs", "1", "--json"], capture_output=True, text=True,
                       timeout=600)
    assert j.returncode == 0, j.stderr
    rows = json.loads(j.stdout)
    assert {r["condition"] for r in rows} == {"rnp", "ao-time", "ao-tradeoff"}
    bad = subprocess.run([sys.executable, "-m", "arena", "experiment", "rnp", "--spaces", "nope", "--seeds", "1"],
                         capture_output=True, text=True, timeout=600)
    assert bad.returncode != 0 and "unknown space" in bad.stderr
