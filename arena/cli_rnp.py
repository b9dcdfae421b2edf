"""``arena experiment rnp``: the region-recursive protocol against alternating offers (see
docs/rnp.md). ``arena/cli.py`` mounts it with ``experiment_app.command("rnp")(rnp_command)``;
the experiment and the evaluators are imported only when the command runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

__all__ = ["rnp_command"]

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def _int_list(text: str, what: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise typer.BadParameter(f"{what} must be comma-separated whole numbers, not {text!r}") from None


def rnp_command(
    spaces: str = typer.Option("linear,bell,ces,hypercube", help="Utility spaces, comma-separated."),
    issues: str = typer.Option("4", help="Numbers of issues, comma-separated (e.g. 2,4,6)."),
    seeds: int = typer.Option(50, min=1, help="Seeds (games) per space and number of issues."),
    seed: int = typer.Option(0, help="First seed."),
    rounds: int = typer.Option(40, min=2, help="Rounds of the region protocol; alternating offers gets twice as many offers."),
    jobs: int = typer.Option(2, min=1, help="Worker processes."),
    out: Optional[Path] = typer.Option(None, help="Folder for transcripts, results.csv and an HTML report with a plot."),
    as_json: bool = typer.Option(False, "--json", help="Print the table as JSON."),
) -> None:
    """The region-recursive protocol (region agents) against alternating offers (time-dependent and
    similarity-based trade-off agents): Pareto distance, welfare, agreement, rounds (docs/rnp.md)."""
    from evaluators.rnp import (
        CONDITION_LABELS,
        RNP_METRICS,
        format_ci,
        paired_differences,
        rnp_table,
        score_cell,
        write_rnp_report,
    )

    from .experiments_rnp import RNPConfig, iter_cells, run_rnp

    cfg = RNPConfig(spaces=tuple(x.strip() for x in spaces.split(",") if x.strip()),
                    issues=tuple(_int_list(issues, "--issues")), seeds=seeds, seed=seed, rounds=rounds, jobs=jobs,
                    out_dir=out / "transcripts" if out else None)
    try:
        cfg.check()
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    import pandas as pd

    with Progress(console=err_console, transient=True, disable=as_json) as progress:
        task = progress.add_task("RNP experiment (games)", total=len(list(iter_cells(cfg))))
        df = pd.DataFrame(run_rnp(cfg, score_cell, progress=lambda: progress.advance(task)))
    agg = rnp_table(df)
    if as_json:
        sys.stdout.write(agg.to_json(orient="records", indent=2) + "\n")
    else:
        table = Table(show_header=True, header_style="bold",
                      title=f"RNP vs alternating offers: {len(df)} sessions, issues {issues}, mean [95% bootstrap CI]")
        for col in ("space", "protocol", "n", *RNP_METRICS):
            table.add_column(col.replace("_", " "), justify="left" if col in ("space", "protocol") else "right")
        for _, row in agg.iterrows():
            table.add_row(str(row["space"]), CONDITION_LABELS.get(row["condition"], row["condition"]), str(int(row["n"])),
                          *[format_ci(row, m, 1 if m in ("rounds", "moves") else 3) for m in RNP_METRICS])
        # a pipe or file gets the whole table on one line per row; a terminal wraps at its width
        wide = console if console.is_terminal else Console(width=200)
        wide.print(table)
        diffs = paired_differences(df)
        if not diffs.empty:
            paired = Table(show_header=True, header_style="bold", title="Paired on the same games: Pareto distance of "
                           "RNP minus the other protocol's (negative: RNP closer to the frontier)")
            for col in ("space", "versus", "games", "mean difference [95% CI]", "RNP closer", "RNP farther"):
                paired.add_column(col, justify="left" if col in ("space", "versus") else "right")
            for _, row in diffs.iterrows():
                paired.add_row(str(row["space"]), CONDITION_LABELS.get(row["condition"], row["condition"]),
                               str(int(row["n"])), format_ci(row, "diff"), f"{row['base_lower']:.0%}",
                               f"{row['base_higher']:.0%}")
            wide.print(paired)
    if out is not None:
        path = write_rnp_report(df, out, settings=f"spaces {spaces}; issues {issues}; {seeds} seeds from {seed}; "
                                                  f"{rounds} RNP rounds, {2 * rounds} alternating offers")
        (console if not as_json else err_console).print(f"report: {path}")
