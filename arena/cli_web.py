"""``arena serve``, ``arena replay`` and ``arena fork`` (typer command functions that
:mod:`arena.cli` mounts)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .agents.base import AgentError
from .game import GameError
from .replay import ForkError, agent_config, divergence, fork, read_partial, reparse, rescore, steps
from .transcript import TranscriptError

__all__ = ["fork_command", "replay_command", "serve_command"]

console = Console()
err_console = Console(stderr=True, soft_wrap=True)
_USER_ERRORS = (GameError, AgentError, TranscriptError, ForkError, FileNotFoundError)


def _fail(exc: Exception) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {escape(str(exc))}")
    return typer.Exit(2)


def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 exposes the server to the network)."),
    port: int = typer.Option(8000, help="Port to listen on."),
    data: Path = typer.Option(Path("arena-sessions"), "--data", help="Sessions folder: transcripts and seat "
                              "records; open sessions found here are resumed."),
    transcripts: Optional[list[Path]] = typer.Option(None, "--transcripts", help="More folders of transcripts for "
                                                     "the replay viewer (e.g. an imported corpus)."),
    api_base: Optional[str] = typer.Option(None, help="Default OpenAI-compatible server for model opponents."),
) -> None:
    """Serve the web UI: people play against models, scripted agents or each other, and anyone can
    replay transcripts. Each seat gets its own link with a secret token."""
    from .web import serve

    console.print(f"negotiation-arena on [bold]http://{host}:{port}/[/] (sessions in {data}); Ctrl-C stops it")
    serve(host=host, port=port, data=data, transcripts=transcripts, api_base=api_base)


def _utilities(u: dict[str, float] | None, roles: list[str]) -> str:
    return "" if not u else ", ".join(f"{r} {u[r]:.4g}" for r in roles)


def replay_command(
    path: Path = typer.Argument(..., help="A transcript (JSONL), from a run, a web session or an imported corpus."),
    step: bool = typer.Option(False, "--step", help="Wait for Enter after each turn."),
    do_reparse: bool = typer.Option(False, "--reparse", help="Re-run the current parser over the logged text and "
                                    "list every move that would now be read differently."),
    plot: Optional[Path] = typer.Option(None, help="Write the utility-space plot (PNG) here."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (the steps, or the differences with --reparse)."),
) -> None:
    """Step through a transcript: each message, the move read from it, the verdict and both sides'
    utilities; re-score the outcome with the current code; optionally re-parse or plot."""
    try:
        t = read_partial(path)
        game = t.game()
    except _USER_ERRORS as exc:
        raise _fail(exc) from None
    roles = game.role_names
    if do_reparse:
        diffs = reparse(t)
        if as_json:
            sys.stdout.write(json.dumps([d.__dict__ for d in diffs], indent=2) + "\n")
        elif not diffs:
            console.print(f"The current parser reads all {len(t.of_kind('utterance'))} messages as logged.")
        else:
            table = Table(show_header=True, header_style="bold", title=f"{len(diffs)} message(s) read differently now")
            for col in ("turn", "role", "message", "logged", "now"):
                table.add_column(col)
            for d in diffs:
                turn = f"{d.turn}.{d.attempt}" if d.attempt else str(d.turn)
                table.add_row(turn, d.role, escape(d.text[:200]), escape(d.before), escape(d.after))
            console.print(table)
        return
    all_steps = steps(t)
    if as_json:
        sys.stdout.write(json.dumps({"steps": [s.as_dict() for s in all_steps], "rescore": rescore(t)}, indent=2,
                                    default=str) + "\n")
        return
    console.rule(f"[bold]{escape(game.spec.title or game.name)}[/] ({t.start.source}, session {t.start.session_id})")
    if t.start.parent:
        console.print(f"[dim]fork of {escape(str(t.start.parent.get('transcript')))} at turn "
                      f"{t.start.parent.get('turn')}[/]")
    for s in all_steps:
        turn = f"{s.turn}.{s.attempt}" if s.attempt else str(s.turn)
        console.print(f"[bold]{turn} {escape(s.label)}:[/] {escape(s.text)}")
        verdict = "" if s.verdict is None else "  [green]ok[/]" if s.verdict == "ok" else \
            f"  [red]{escape(s.verdict)}[/]"
        utils = f"  [dim]utilities: {_utilities(s.utilities, roles)}[/]" if s.utilities else ""
        console.print(f"    [dim]-> {escape(s.move)}[/]{verdict}{utils}")
        for a in s.arguments:
            console.print(f"    [dim]argument {escape(a)}[/]")
        if step and sys.stdin.isatty():
            input()
    _print_end(t, roles)
    if plot is not None:
        from evaluators.plots import utility_space_plot

        from .web.pages import plottable

        utility_space_plot(plottable(t), plot)
        console.print(f"plot: {plot}")


def _print_end(t: Any, roles: list[str]) -> None:
    end = t.end
    if end is None:
        console.print("[yellow]The session did not finish.[/]")
        return
    console.print(f"[bold]{end.outcome}[/]" + (f": {escape(t.game().space.describe(end.agreement))}"
                                                 if end.agreement else "") + f" ({escape(end.reason)})")
    scores = rescore(t)
    for r in roles:
        now = f" [red](now scores {scores['now'][r]:.4g})[/]" if r in scores["changed"] else ""
        console.print(f"  {r}: utility {end.utilities.get(r, float('nan')):.4g}{now}")


def fork_command(
    path: Path = typer.Argument(..., help="The parent transcript."),
    turn: int = typer.Option(..., "--turn", help="Replay the turns before this one, then continue differently."),
    agent: Optional[str] = typer.Option(None, "--agent", help="The agent that plays SIDE from turn K (a scripted "
                                        "agent or a model string)."),
    side: Optional[str] = typer.Option(None, "--side", help="The role that changes (default: who spoke at turn K)."),
    message: Optional[str] = typer.Option(None, "--message", help="An edited message SIDE says at turn K (then "
                                          "AGENT, or its original agent, continues)."),
    other: Optional[str] = typer.Option(None, "--other", help="Agent for the other side, when its original cannot "
                                        "be re-created (a person, an imported corpus)."),
    out: Optional[Path] = typer.Option(None, "--out", help="The new transcript (default: PARENT-fork-tK.jsonl)."),
    api_base: Optional[str] = typer.Option(None, help="OpenAI-compatible server for model strings."),
    quiet: bool = typer.Option(False, help="Do not print the new dialogue."),
) -> None:
    """Continue a negotiation from turn K with a different agent or an edited message; the new
    transcript links to its parent (session_start.parent)."""
    target = out or path.with_name(f"{path.stem}-fork-t{turn}.jsonl")
    try:
        parent = read_partial(path)
        child = fork(parent, turn, agent=agent_config(agent, api_base) if agent else None, side=side,
                     message=message, other=agent_config(other, api_base) if other else None, out=target)
    except _USER_ERRORS as exc:
        raise _fail(exc) from None
    if not quiet:
        replay_command(target, step=False, do_reparse=False, plot=None, as_json=False)
    at = divergence(parent, child, turn)
    if at is not None:
        err_console.print(f"[yellow]warning:[/] the replayed turns were read differently from turn {at} on "
                          "(the parser changed since); see arena replay --reparse")
    console.print(f"fork: {target} (parent {path}, turn {turn})")

