"""``arena tournament`` and ``arena leaderboard``.

``arena/cli.py`` mounts the two commands with ``app.command("tournament")(tournament_command)``
and ``app.command("leaderboard")(leaderboard_command)``. Standing alone, this module's ``app``
runs them too (``python -m arena.cli_tournament tournament SPEC --out DIR``). User errors end
with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import Callable
from contextlib import nullcontext
from functools import wraps
from pathlib import Path
from typing import Any, Optional, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from .agents.base import AgentError
from .game import GameError
from .models import MissingKeyError
from .tournament import (
    RunOptions,
    TournamentError,
    TournamentProgress,
    TournamentResult,
    TournamentRunner,
    load_tournament_spec,
)
from .transcript import TranscriptError

__all__ = ["app", "leaderboard_command", "tournament_command"]

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Tournaments and leaderboards.")
console = Console()
err_console = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])
_USER_ERRORS = (TournamentError, GameError, AgentError, TranscriptError, FileNotFoundError, MissingKeyError)
EXIT_BUDGET = 3
EXIT_INTERRUPTED = 130


def _friendly(fn: F) -> F:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except _USER_ERRORS as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}")
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def _money(v: float) -> str:
    return f"${v:,.4f}" if v < 1 else f"${v:,.2f}"


def _cost_text(p: TournamentProgress | TournamentResult) -> str:
    unknown = f" + {p.unknown_cost} unknown" if p.unknown_cost else ""
    return f"{_money(p.cost_usd)}{unknown}"


async def _run_with_signals(runner: TournamentRunner) -> TournamentResult:
    """Run, turning SIGTERM into the same clean stop as Ctrl-C."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    if task is not None:
        try:
            loop.add_signal_handler(signal.SIGTERM, task.cancel)
        except (NotImplementedError, RuntimeError):  # pragma: no cover (not on this platform)
            pass
    return await runner.run()


def _summary(result: TournamentResult) -> dict[str, Any]:
    return {"out": str(result.out), "total": result.total, "ok": result.ok, "failed": result.failed,
            "pending": result.pending, "ran": result.ran, "tokens": result.tokens,
            "cost_usd": round(result.cost_usd, 6), "unknown_cost_sessions": result.unknown_cost,
            "wall_s": round(result.wall_s, 3), "sessions_per_s": round(result.ran / result.wall_s, 2) if result.wall_s else None,
            "stopped": result.stopped, "complete": result.complete,
            "recovered": result.reconcile.describe() or None,
            "failures": [{"cell": c, "error": e} for c, e in result.failures[:50]]}


@_friendly
def tournament_command(
    spec: Path = typer.Argument(..., help="The tournament spec (YAML): games and seeds, competitors, pairings."),
    out: Path = typer.Option(..., "--out", help="The tournament folder: transcripts, index.sqlite."),
    concurrency: Optional[int] = typer.Option(None, min=1, help="Sessions in flight at once (default: the spec's)."),
    resume: bool = typer.Option(False, "--resume", help="Finish the tournament already in --out."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Play the sessions recorded as failed again "
                                      "(implies --resume)."),
    max_cost: Optional[float] = typer.Option(None, "--max-cost", min=0.0, help="Stop launching sessions before the "
                                             "tournament's total cost (USD) would pass this budget."),
    fsync: bool = typer.Option(True, "--fsync/--no-fsync", help="fsync each transcript before committing it."),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable summary at the end."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Play every session of a tournament spec, concurrently; resumable after any crash.

    Every finished session is committed atomically (its transcript and a row in an SQLite index);
    after a crash or kill, run again with --resume. Exit status 3: --max-cost held sessions back.
    """
    parsed = load_tournament_spec(spec)
    options = RunOptions(concurrency=concurrency, resume=resume, retry_failed=retry_failed, max_cost=max_cost,
                         fsync=fsync)
    columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("[green]ok {task.fields[ok]}[/] [red]failed {task.fields[failed]}[/] "
                          "running {task.fields[running]}  tokens {task.fields[tokens]}  cost {task.fields[cost]}"),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn()]
    bar = Progress(*columns, console=err_console, disable=quiet or as_json)
    tasks: list[Any] = []

    def update(p: TournamentProgress) -> None:
        if not tasks:  # sessions of earlier runs start as done, so they do not count toward the ETA's speed
            tasks.append(bar.add_task(parsed.name, total=p.total, completed=p.previously_done, ok=0, failed=0,
                                      running=0, tokens="0", cost="$0"))
        bar.update(tasks[0], completed=p.done, ok=p.ok, failed=p.failed, running=p.running,
                   tokens=f"{p.tokens:,}", cost=_cost_text(p))

    runner = TournamentRunner(parsed, out, options, on_update=update)
    with err_console.status("checking the spec and the folder...") if not (quiet or as_json) else nullcontext():
        runner.open()  # user errors surface here, before any progress bar
    with bar:
        try:
            result = asyncio.run(_run_with_signals(runner))
        except (KeyboardInterrupt, asyncio.CancelledError):
            p = runner.progress
            bar.stop()
            err_console.print(f"[yellow]interrupted:[/] {p.done} of {p.total} sessions committed "
                              f"({p.ran} in this run). Run again with --resume to finish.")
            raise typer.Exit(EXIT_INTERRUPTED) from None
    if result.reconcile.describe():
        err_console.print(f"[yellow]recovered:[/] {escape(result.reconcile.describe())}")
    if as_json:
        sys.stdout.write(json.dumps(_summary(result), indent=2) + "\n")
    else:
        rate = f" ({result.ran / result.wall_s:.1f} sessions/s)" if result.wall_s > 0 and result.ran else ""
        console.print(f"{result.ok + result.failed} of {result.total} sessions done: {result.ok} ok, "
                      f"{result.failed} failed, {result.pending} not played; {result.ran} played in "
                      f"{result.wall_s:.1f} s{rate}; tokens {result.tokens:,}; cost {_cost_text(result)}")
        if result.unknown_cost:
            console.print(f"{result.unknown_cost} sessions had calls whose price litellm does not know: their cost "
                          "is unknown (give the competitor a `price` in the spec).")
        for cell, error in result.failures[:5]:
            console.print(f"[red]failed[/] {escape(cell)}: {escape(error)}")
        if result.failed:
            console.print(f"{result.failed} failed sessions are recorded with their cause; "
                          f"replay them with [bold]--retry-failed[/].")
        if result.stopped == "budget":
            console.print(f"[yellow]budget:[/] stopped launching sessions before passing {_money(max_cost or 0)}; "
                          f"{result.pending} sessions not played (raise --max-cost and --resume to go on).")
        console.print(f"next: [bold]arena leaderboard {escape(str(out))}[/]")
    if result.stopped == "budget":
        raise typer.Exit(EXIT_BUDGET)


@_friendly
def leaderboard_command(
    path: Path = typer.Argument(..., help="A tournament folder (or any folder of transcripts)."),
    as_json: bool = typer.Option(False, "--json", help="Print the leaderboard as JSON."),
    export: Optional[Path] = typer.Option(None, "--export", help="Folder for the CSV, Parquet and HTML files "
                                          "(default: PATH/leaderboard)."),
    no_export: bool = typer.Option(False, "--no-export", help="Print only; write no files."),
    include_failed: bool = typer.Option(False, "--include-failed", help="Score failed sessions as no deal "
                                        "instead of leaving them out."),
    n_boot: int = typer.Option(2000, "--n-boot", min=100, help="Bootstrap resamples per confidence interval."),
) -> None:
    """Per competitor, overall and per game: normalized utility, surplus share, agreement rate,
    Pareto and Nash distance, violations, tokens and cost, each with a 95% bootstrap CI; a
    pairwise matrix; CSV, Parquet and HTML exports."""
    from evaluators.leaderboard import cell_text, export_leaderboard, fmt, leaderboard, write_leaderboard_html

    if not path.exists():
        raise FileNotFoundError(f"no such folder: {path}")
    with err_console.status("scoring sessions..."):
        board = leaderboard(path, n_boot=n_boot, include_failed=include_failed)
    if board.overall.empty:
        raise TournamentError(f"{path}: no scored sessions to rank")
    files: list[Path] = []
    notes: list[str] = []
    if not no_export:
        target = export or (path / "leaderboard" if path.is_dir() else Path("leaderboard"))
        with err_console.status("writing exports and plots..."):
            files, notes = export_leaderboard(board, target)
            files.append(write_leaderboard_html(board, target / "leaderboard.html", folder=path))
    if as_json:
        data = board.to_dict()
        data["exports"] = [str(f) for f in files]
        data["notes"] = notes
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    short = {"normalized_utility": "norm. utility", "surplus_share": "surplus share", "agreement": "agreement",
             "pareto_distance": "Pareto dist.", "nash_distance": "Nash dist.", "violations": "violations",
             "tokens": "tokens", "cost_usd": "cost $"}
    table = Table(title=f"Leaderboard: {board.sessions} sessions (mean [95% CI])", header_style="bold")
    for col in ("#", "competitor", "n", "fail rate"):
        table.add_column(col, justify="left" if col == "competitor" else "right")
    for m in board.metrics:
        table.add_column(short.get(m, m), justify="right")
    for _, r in board.overall.iterrows():
        table.add_row(str(r["rank"]), escape(str(r["competitor"])), str(int(r["n"])), f"{fmt(r['failure_rate'])}",
                      *[" ".join(cell_text(r, m)) for m in board.metrics])
    console.print(table)
    games = board.by_game.pivot(index="competitor", columns="game", values=board.metrics[0])
    per_game = Table(title=f"{board.metrics[0]} per game", header_style="bold")
    per_game.add_column("competitor")
    for g in games.columns:
        per_game.add_column(escape(str(g)), justify="right")
    for comp, row in games.iterrows():
        per_game.add_row(escape(str(comp)), *[fmt(v) for v in row])
    console.print(per_game)
    matrix = board.matrix()
    pair = Table(title=f"pairwise: {board.pair_metric} of the row against the column", header_style="bold")
    pair.add_column("")
    for c in matrix.columns:
        pair.add_column(escape(str(c)), justify="right")
    for comp, row in matrix.iterrows():
        pair.add_row(escape(str(comp)), *[fmt(v) for v in row])
    console.print(pair)
    if board.failed:
        console.print(f"{board.failed} failed sessions are left out of the metrics (see the failed column; "
                      "--include-failed scores them as no deal).")
    for note in notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    if files:
        console.print(f"exports: {escape(str(files[0].parent))} ({', '.join(f.name for f in files)})")


app.command("tournament")(tournament_command)
app.command("leaderboard")(leaderboard_command)

if __name__ == "__main__":
    app()
