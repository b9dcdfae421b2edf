"""The ``arena`` command line (typer + rich).

User mistakes (an unknown game or agent, a malformed file) end with a one-paragraph message and
exit status 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, Optional, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from .agents.base import AgentError, agent_names, parse_agent_spec
from .game import GameError, available_games, load_game, load_spec
from .models import MissingKeyError
from .transcript import AgentConfig, Transcript, TranscriptError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode="rich",
                  help="negotiation-arena: language models and scripted negotiators bargain, refereed and scored.")
console = Console()
err_console = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])
_USER_ERRORS = (GameError, AgentError, TranscriptError, FileNotFoundError, MissingKeyError)


def _friendly(fn: F) -> F:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except _USER_ERRORS as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}")
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def summarize(t: Transcript) -> dict[str, Any]:
    """A machine-readable summary of one session (what ``arena run --json`` prints)."""
    from evaluators import parser_accuracy

    end = t.end
    acc = parser_accuracy([t])
    violations: dict[str, int] = {}
    for e in t.of_kind("verdict"):
        if not e.verdict.ok:
            violations[e.verdict.code] = violations.get(e.verdict.code, 0) + 1
    tokens = {"prompt": 0, "completion": 0}
    costs: list[float | None] = []
    for u in t.of_kind("utterance"):
        if u.usage is not None:
            tokens["prompt"] += u.usage.prompt_tokens
            tokens["completion"] += u.usage.completion_tokens
            costs.append(u.usage.cost_usd)
    return {
        "game": t.start.game["name"],
        "seed": t.start.seed,
        "agents": {r: c.args.get("model", c.name) for r, c in t.start.agents.items()},
        "outcome": end.outcome if end else "incomplete",
        "reason": end.reason if end else "",
        "bundle": end.agreement if end else None,
        "agreement_round": end.agreement_round if end else None,
        "utilities": end.utilities if end else {},
        "rounds": end.rounds if end else 0,
        "turns": end.turns if end else 0,
        "violations": violations,
        "repair_turns": sum(1 for u in t.of_kind("utterance") if u.attempt > 0),
        "tokens": tokens,
        "cost_usd": None if any(c is None for c in costs) else round(sum(c for c in costs if c is not None), 6),
        "parser_accuracy": None if acc.moves == 0 else round(acc.accuracy, 4),
        "transcript": str(t.path) if t.path else None,
    }


def _role_colors(t: Transcript) -> dict[str, str]:
    roles = list(t.start.agents)
    return {roles[0]: "cyan", roles[1]: "magenta"} if len(roles) == 2 else {}


def show_dialogue(t: Transcript, *, show_parse: bool = True) -> None:
    """Print a session: each message, the move read from it, the verdict, and the result."""
    colors = _role_colors(t)
    game = t.game()
    parsed = {(e.turn, e.attempt, e.role): e for e in t.of_kind("parsed")}
    verdicts = {(e.turn, e.attempt, e.role): e for e in t.of_kind("verdict")}
    for u in t.of_kind("utterance"):
        key = (u.turn, u.attempt, u.role)
        c = colors.get(u.role, "white")
        console.print(f"[bold {c}]{escape(game.roles[u.role].label)}:[/] {escape(u.text)}")
        if show_parse and key in parsed:
            res = parsed[key].result
            move = _describe_result(res)
            v = verdicts.get(key)
            tag = "" if v is None or v.verdict.ok else f"  [red]violation {v.verdict.code}[/]"
            console.print(f"    [dim]-> {escape(move)}[/]{tag}")
    end = t.end
    if end is None:
        console.print("[yellow]The session did not finish.[/]")
        return
    if end.outcome == "agreement" and end.agreement is not None:
        console.print(f"[bold green]Deal[/] in round {end.agreement_round}: {escape(game.space.describe(end.agreement))}")
    else:
        console.print(f"[bold yellow]No deal[/] ({end.outcome}: {escape(end.reason)})")
    table = Table(show_header=True, header_style="bold")
    table.add_column("role")
    table.add_column("utility", justify="right")
    table.add_column("reservation", justify="right")
    for role, u in end.utilities.items():
        table.add_row(game.roles[role].label, f"{u:.4g}", f"{game.roles[role].reservation:.4g}")
    console.print(table)


def _describe_result(res: Any) -> str:
    if not res.ok:
        return f"unparsed ({res.reason})"
    a = res.action
    if a.kind == "offer":
        return "offer " + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in a.bundle.items())
    return a.kind.replace("_", " ")


DEMO = [
    ("logrolling", "integrative", "integrative"),
    ("supplier-contract", "boulware", "tit-for-tat"),
    ("split-the-pie", "spe", "spe"),
    ("deal-or-no-deal", "linear", "conceder"),
]


@app.command()
@_friendly
def demo(seed: int = typer.Option(0, help="Seed for phrasing and generated scenarios.")) -> None:
    """Watch scripted negotiators bargain in natural language over a few games (offline)."""
    from evaluators import parser_accuracy

    from .runner import run_match

    transcripts = []
    for game, a, b in DEMO:
        g = load_game(game, seed=seed)
        console.rule(f"[bold]{escape(g.spec.title or g.name)}[/]  ({a} vs {b})")
        console.print(f"[italic]{escape(g.spec.narrative)}[/]\n")
        t = run_match(g, a, b, seed=seed)
        transcripts.append(t)
        show_dialogue(t)
        console.print()
    acc = parser_accuracy(transcripts)
    console.rule()
    console.print(f"The referee acted only on what the parser read from the text: it read {acc.correct} of "
                  f"{acc.moves} moves exactly as the scripted negotiators meant them.")
    console.print("Next: [bold]arena run --game logrolling --a integrative --b boulware[/], "
                  "[bold]arena games[/], [bold]arena agents[/].")


def _seat(spec: str, options: dict[str, Any]) -> AgentConfig:
    """An agent config; model strings (provider/name) get the command line's model options."""
    config = parse_agent_spec(spec)
    if "/" in config.name or config.name == "llm":
        args = {k: v for k, v in options.items() if v is not None}
        if "/" in config.name:
            return AgentConfig(name="llm", args={"model": config.name, **args, **config.args})
        return AgentConfig(name="llm", args={**args, **config.args})
    return config


@app.command()
@_friendly
def run(
    game: str = typer.Option(..., "--game", "-g", help="A game name (see `arena games`) or a path to a game YAML."),
    a: str = typer.Option("linear", "--a", help="Seat of the game's first role: a scripted agent (boulware, "
                          "anchor(value=2900), ...) or a model string (openai/gpt-4o-mini, ollama/llama3.1)."),
    b: str = typer.Option("linear", "--b", help="Seat of the game's second role."),
    seed: int = typer.Option(0, help="Seed for the scenario, the scripted agents and the models' sampling."),
    out: Optional[Path] = typer.Option(None, help="Write the transcript (JSONL) here."),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable summary instead of the dialogue."),
    quiet: bool = typer.Option(False, help="Do not print the dialogue."),
    api_base: Optional[str] = typer.Option(None, help="Base URL of an OpenAI-compatible server, e.g. "
                                           "http://127.0.0.1:8000/v1 (for openai/<name> model strings)."),
    temperature: Optional[float] = typer.Option(None, help="Sampling temperature of model seats."),
    cache: Optional[Path] = typer.Option(None, help="Cache model responses in this folder (re-runs are free)."),
    timeout: float = typer.Option(120.0, help="Seconds per model call."),
    arguments: Optional[bool] = typer.Option(None, "--arguments/--no-arguments",
                                             help="Show argument claims to the opponent (default: the game's)."),
    extractor: Optional[str] = typer.Option(None, help="A model string: when the parsers find no move in a "
                                            "message, this model transcribes it (uses --api-base too)."),
) -> None:
    """Run one session between two seats and print the dialogue and the outcome."""
    from .models import Model, ModelConfig
    from .runner import SessionConfig, run_match

    options = {"api_base": api_base, "temperature": temperature, "cache_dir": str(cache) if cache else None,
               "timeout": timeout}
    extract_model = None
    if extractor:
        extract_model = Model(ModelConfig(model=extractor, api_base=api_base, temperature=0.0, timeout=timeout,
                                          cache_dir=str(cache) if cache else None))
        extract_model.check_keys()
    t = run_match(game, _seat(a, options), _seat(b, options), seed=seed, out=out,
                  config=SessionConfig(arguments=arguments, extractor=extract_model))
    if as_json:
        sys.stdout.write(json.dumps(summarize(t), indent=2) + "\n")
        return
    if not quiet:
        show_dialogue(t)
    if out:
        console.print(f"transcript: {out}")


@app.command()
@_friendly
def play(
    game: str = typer.Option(..., "--game", "-g", help="A game name or a path to a game YAML."),
    opponent: str = typer.Option("linear", "--opponent", help="A scripted agent or a model string."),
    role: Optional[str] = typer.Option(None, help="Your role (default: the game's first role)."),
    seed: int = typer.Option(0, help="Seed for the scenario and the opponent."),
    out: Optional[Path] = typer.Option(None, help="Write the transcript (JSONL) here."),
    api_base: Optional[str] = typer.Option(None, help="Base URL of an OpenAI-compatible server."),
    temperature: Optional[float] = typer.Option(None, help="Sampling temperature of a model opponent."),
) -> None:
    """Negotiate yourself, in the terminal, against a scripted agent or a model. Type free text; you
    see how it was read and confirm or edit it before it is sent."""
    import asyncio

    from .agents.base import make_agent
    from .agents.human import HumanAgent
    from .runner import run_session

    g = load_game(game, seed=seed)
    me = role or g.role_names[0]
    if me not in g.role_names:
        raise GameError(f"unknown role {me!r}; the roles of {g.name} are {', '.join(g.role_names)}")
    them = g.other(me)
    human = HumanAgent(console=console)
    human.config = AgentConfig(name="human")  # type: ignore[attr-defined]
    seats = {me: human, them: make_agent(_seat(opponent, {"api_base": api_base, "temperature": temperature}), seed)}
    t = asyncio.run(run_session(g, seats, seed=seed, out=out))
    end = t.end
    console.rule()
    if end and end.outcome == "agreement" and end.agreement is not None:
        console.print(f"[bold green]Deal[/]: {escape(g.space.describe(end.agreement))}")
    else:
        console.print(f"[bold yellow]No deal[/] ({end.outcome if end else 'incomplete'}: {escape(end.reason if end else '')})")
    if end:
        console.print(f"Your utility: [bold]{end.utilities[me]:,.4g}[/] (no deal was worth {g.roles[me].reservation:g})")
    if out:
        console.print(f"transcript: {out}")


@app.command()
@_friendly
def estimate(
    game: str = typer.Option(..., "--game", "-g", help="A game name or a path to a game YAML."),
    model: str = typer.Option(..., "--model", help="A litellm model string, e.g. openai/gpt-4o-mini."),
    sessions: int = typer.Option(1, help="How many sessions the run will have."),
    seats: int = typer.Option(2, min=1, max=2, help="Model seats per session (1 against a scripted agent)."),
    completion_tokens: int = typer.Option(250, help="Expected tokens per model reply."),
) -> None:
    """Estimate tokens and cost of a run before making it (no model is called)."""
    from .estimate import estimate_session

    e = estimate_session(load_game(game), model, completion_tokens)
    share = seats / 2 * sessions

    def money(v: float | None) -> str:
        return "unknown (not in litellm's price map)" if v is None else f"${v * share:,.4f}"

    console.print(f"{sessions} session(s) of {game} with {seats} seat(s) of {model}:")
    console.print(f"  typical:     {int(e.prompt_tokens * share):,} prompt + {int(e.completion_tokens * share):,} "
                  f"completion tokens, {money(e.cost_usd)}")
    console.print(f"  upper bound: {int(e.upper_prompt_tokens * share):,} prompt + "
                  f"{int(e.upper_completion_tokens * share):,} completion tokens, {money(e.upper_cost_usd)}")
    console.print("[dim]tokens counted as characters/4; the conversation is re-sent every turn[/]")


@app.command()
@_friendly
def games() -> None:
    """List the games shipped with the arena."""
    table = Table(show_header=True, header_style="bold")
    for col in ("name", "title", "roles", "issues", "protocol"):
        table.add_column(col)
    for name, path in available_games().items():
        spec = load_spec(path)
        issues = ", ".join(i.name for i in spec.issues) or f"generated ({(spec.generator or {}).get('type')})"
        table.add_row(name, spec.title, ", ".join(r.name for r in spec.roles), issues, spec.protocol.type)
    console.print(table)


@app.command()
def agents() -> None:
    """List the scripted agents; any litellm model string (provider/name) also takes a seat."""
    table = Table(show_header=True, header_style="bold")
    table.add_column("name")
    table.add_column("what it does")
    for name, summary in agent_names().items():
        table.add_row(name, summary)
    console.print(table)
    console.print("Arguments: NAME(key=value, ...), e.g. [bold]anchor(value=3500)[/] or [bold]linear(e=0.5)[/].")
    console.print("Models: [bold]openai/gpt-4o-mini[/], [bold]anthropic/claude-3-5-haiku-latest[/], [bold]ollama/llama3.1[/], "
                  "or [bold]openai/NAME --api-base URL[/] for any OpenAI-compatible server.")


@app.command("parser-accuracy")
@_friendly
def parser_accuracy_cmd(
    seeds: int = typer.Option(100, help="Seeds per game."),
    game: Optional[list[str]] = typer.Option(None, "--game", "-g", help="Games to use (default: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    show_failures: int = typer.Option(5, help="How many misread messages to show."),
) -> None:
    """Measure the parser on scripted negotiators' own words: exact-move accuracy per game."""
    from evaluators import ParserAccuracy, parser_accuracy

    from .runner import run_match

    names = game or list(available_games())
    pairs = [("linear", "boulware"), ("conceder", "tit-for-tat"), ("random", "random"), ("integrative", "linear"),
             ("even-split", "random")]
    per_game: dict[str, ParserAccuracy] = {}
    total = ParserAccuracy()
    with Progress(console=err_console, transient=True, disable=as_json) as progress:
        task = progress.add_task("scripted sessions", total=len(names) * seeds)
        for name in names:
            acc = ParserAccuracy()
            for s in range(seeds):
                a, b = pairs[s % len(pairs)]
                acc.add(parser_accuracy([run_match(name, a, b, seed=s)]))
                progress.advance(task)
            per_game[name] = acc
            total.add(acc)
    report = {
        "moves": total.moves, "accuracy": round(total.accuracy, 4),
        "offers": total.offers, "exact_bundle_accuracy": round(total.bundle_accuracy, 4),
        "per_game": {n: {"moves": a.moves, "accuracy": round(a.accuracy, 4),
                         "exact_bundle_accuracy": round(a.bundle_accuracy, 4)} for n, a in per_game.items()},
    }
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return
    table = Table(show_header=True, header_style="bold", title=f"Parser accuracy on scripted speech ({seeds} seeds per game)")
    for col in ("game", "moves", "exact move", "offers", "exact bundle"):
        table.add_column(col, justify="right" if col != "game" else "left")
    for n, a in per_game.items():
        table.add_row(n, str(a.moves), f"{a.accuracy:.2%}", str(a.offers), f"{a.bundle_accuracy:.2%}")
    table.add_row("[bold]all[/]", str(total.moves), f"[bold]{total.accuracy:.2%}[/]", str(total.offers),
                  f"[bold]{total.bundle_accuracy:.2%}[/]")
    console.print(table)
    for f in total.failures[:show_failures]:
        console.print(f"[red]misread[/] [{f['game']}] {escape(f['text'])}")


# ---------------------------------------------------------------------- scoring
@app.command()
@_friendly
def score(
    paths: list[Path] = typer.Argument(..., help="Transcript files or folders of *.jsonl transcripts."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    csv: Optional[Path] = typer.Option(None, help="Also write one row per session and role to this CSV file."),
) -> None:
    """Score transcripts: agreement, Pareto optimality and distance, Nash distance, utilities."""
    from evaluators import frame, summary

    missing = [p for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"no such file or folder: {missing[0]}")
    from evaluators.extraction import final_deal_extraction
    from evaluators.frame import iter_transcripts

    transcripts = list(iter_transcripts(paths))
    if not transcripts:
        raise TranscriptError(f"no transcripts found in {', '.join(map(str, paths))}")
    df = frame(transcripts)
    result = summary(df)
    imported = [t for t in transcripts if t.start.source != "arena"]
    if imported:  # human corpora: how well the prose parser recovers the deal from the dialogue
        result["final_deal_extraction_accuracy"] = final_deal_extraction(imported).accuracy
    if csv:
        df.to_csv(csv, index=False)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2, default=_json_default) + "\n")
        return
    table = Table(show_header=True, header_style="bold", title=f"{df['session_id'].nunique()} sessions")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in result.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                table.add_row(f"{key}.{sub}", _fmt(v))
        else:
            table.add_row(key, _fmt(value))
    console.print(table)


def _fmt(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _json_default(v: Any) -> Any:
    try:
        return float(v)
    except (TypeError, ValueError):
        return str(v)


@app.command()
@_friendly
def report(
    paths: list[Path] = typer.Argument(..., help="Transcript files or folders of *.jsonl transcripts."),
    out: Path = typer.Option(Path("report.html"), "--out", help="The HTML file to write (plots go beside it)."),
    sessions: int = typer.Option(6, help="How many sessions to plot."),
) -> None:
    """Write a self-contained HTML report: summary, leaderboard with CIs, the utility space with the
    Pareto frontier, the Nash point and the offer trajectories, concession curves (also as PNGs)."""
    from evaluators.report import write_report

    missing = [p for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"no such file or folder: {missing[0]}")
    with console.status("scoring and plotting..."):
        try:
            html = write_report(paths, out, max_sessions=sessions)
        except ValueError as exc:
            raise TranscriptError(str(exc)) from None
    console.print(f"report: {html} (plots in {html.parent / (html.stem + '_files')})")


# ---------------------------------------------------------------------- import
import_app = typer.Typer(no_args_is_help=True, help="Import corpora and negotiation domains.")
app.add_typer(import_app, name="import")


def _mount_genius() -> None:
    from .cli_import import genius_command

    import_app.command("genius")(genius_command)


_mount_genius()


@import_app.command("dond")
@_friendly
def import_dond_cmd(
    path: Path = typer.Argument(..., help="A Deal or No Deal corpus file (e.g. val.txt)."),
    out: Path = typer.Option(..., "--out", help="Folder for the transcripts (one JSONL file per dialogue)."),
    limit: Optional[int] = typer.Option(None, help="Import at most this many dialogues."),
    as_json: bool = typer.Option(False, "--json", help="Print the import report as JSON."),
) -> None:
    """Import the Deal or No Deal corpus as transcripts (each dialogue once) and measure how
    often the prose parser recovers the final deal from the text."""
    from evaluators.extraction import final_deal_extraction

    from .importers.dond import import_dond

    with console.status("importing dialogues and parsing every message..."):
        transcripts, report = import_dond(path, out, limit=limit)
    ex = final_deal_extraction(transcripts)
    data = {"lines": report.lines, "dialogues": report.dialogues, "agreements": report.agreements,
            "final_deal_extraction_accuracy": round(ex.accuracy, 4), "extraction_checked": ex.checked,
            "out": str(out)}
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    console.print(f"{report.lines} corpus lines -> {report.dialogues} dialogues ({report.agreements} agreements) "
                  f"written to {out}")
    console.print(f"final-deal extraction accuracy of the prose parser: {ex.accuracy:.1%} "
                  f"({ex.correct} of {ex.checked} agreed dialogues)")
    console.print(f"next: [bold]arena score {out}[/]")


# ---------------------------------------------------------------------- experiments
experiment_app = typer.Typer(no_args_is_help=True, help="Run experiments over many paired sessions.")
app.add_typer(experiment_app, name="experiment")


@experiment_app.command("anchoring")
@_friendly
def anchoring_cmd(
    game: str = typer.Option("buyer-seller", "--game", "-g", help="A one-issue game; the opener moves first."),
    subject: str = typer.Option(..., "--subject", help="The agent under test."),
    pairs: int = typer.Option(20, "--pairs", min=2, help="Seeds; each is played low / no anchor / high."),
    low: float = typer.Option(0.25, help="Low first offer, zone-normalized (0 = zone's low end, 1 = high end)."),
    high: float = typer.Option(1.75, help="High first offer, zone-normalized."),
    start: float = typer.Option(1.25, help="Where the opener's schedule starts (its first offer in the control)."),
    seed: int = typer.Option(0, help="First seed."),
    out: Optional[Path] = typer.Option(None, help="Folder for the transcripts."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    api_base: Optional[str] = typer.Option(None, help="Base URL of an OpenAI-compatible server (model subjects)."),
    temperature: Optional[float] = typer.Option(None, help="Sampling temperature of a model subject."),
    cache: Optional[Path] = typer.Option(None, help="Cache model responses in this folder."),
) -> None:
    """Interventional anchoring: paired runs where the opener's first offer is low, absent or
    high (and identical afterwards); beta = slope of the final price on the anchor. The subject
    may be a scripted agent or a model string."""
    from evaluators.anchoring import anchoring_effect

    from .experiments import AnchoringConfig, run_anchoring

    options = {"api_base": api_base, "temperature": temperature, "cache_dir": str(cache) if cache else None}
    cfg = AnchoringConfig(game=game, subject=_seat(subject, options), pairs=pairs, low=low, high=high, start=start,
                          seed=seed, out_dir=out)
    with Progress(console=err_console, transient=True, disable=as_json) as progress:
        task = progress.add_task("anchoring sessions", total=3 * pairs)
        transcripts = run_anchoring(cfg, progress=lambda: progress.advance(task))
    result = anchoring_effect(transcripts)
    if as_json:
        sys.stdout.write(json.dumps(result.as_dict(), indent=2, default=_json_default) + "\n")
        return
    console.print(f"[bold]beta[/] = {result.beta:.3f}  (95% CI {result.ci_low:.3f} to {result.ci_high:.3f}, "
                  f"{result.pairs} pairs, {result.agreements}/{result.sessions} sessions agreed)")
    console.print(f"observational Spearman rho (first offer vs final price) = {result.rho:.3f}")
    table = Table(show_header=True, header_style="bold")
    for col in ("condition", "sessions", "agreements", "first offer (zone)", "final price (zone)"):
        table.add_column(col, justify="right" if col != "condition" else "left")
    for cond, row in result.by_condition.items():
        table.add_row(cond, str(row["sessions"]), str(row["agreements"]), f"{row['mean_first_offer']:.3f}",
                      f"{row['mean_final']:.3f}")
    console.print(table)


def _mount_rnp() -> None:
    from .cli_rnp import rnp_command

    experiment_app.command("rnp")(_friendly(rnp_command))


_mount_rnp()


def _mount_web_and_tournament() -> None:
    from .cli_tournament import leaderboard_command, tournament_command
    from .cli_web import fork_command, replay_command, serve_command

    app.command("serve")(serve_command)
    app.command("replay")(replay_command)
    app.command("fork")(fork_command)
    app.command("tournament")(tournament_command)
    app.command("leaderboard")(leaderboard_command)


_mount_web_and_tournament()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
