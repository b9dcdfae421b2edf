"""A human seat in the terminal: free text in, the parsed move shown back for confirmation.

The human sees only their own private preferences. Each message is previewed through the same
parser the referee uses; the human confirms it, types it again, or edits the move field by field
(the edited move is appended as a JSON block, which the parser reads as the last block).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..parsing import ParseContext, parse
from ..space import DiscreteIssue, IntegerIssue
from .base import Observation, Reply
from .views import bundle_in_words, issue_rows, move_in_words, preference_offset, preference_rows, spoken_part

__all__ = ["HumanAgent"]

MAX_MESSAGE = 2000


class HumanAgent:
    """A person at the terminal.

    Args:
        console: where to print (default: a new rich Console).
        ask: reads one line of input given a prompt (default: ``console.input``).
    """

    def __init__(self, console: Console | None = None, ask: Callable[[str], str] | None = None) -> None:
        self.console = console or Console()
        self._ask = ask or (lambda prompt: self.console.input(prompt))
        self._briefed = False

    def ask(self, prompt: str) -> str:
        try:
            return self._ask(prompt)
        except EOFError:
            return "\x04"

    def brief(self, obs: Observation) -> None:
        game, c = obs.game, self.console
        c.rule(f"[bold]{escape(game.spec.title or game.name)}[/]")
        c.print(escape(game.spec.narrative))
        c.print(f"\nYou are [bold]{escape(game.roles[obs.role].label)}[/] (role {obs.role}). {escape(obs.brief)}")
        t = Table(title="The issues", show_header=True, header_style="bold")
        t.add_column("issue")
        t.add_column("values")
        t.add_column("meaning")
        for row in issue_rows(game):
            t.add_row(row["name"], row["values"], row["meaning"])
        c.print(t)
        p = Table(title="Your private preferences (only you see these)", show_header=True, header_style="bold")
        p.add_column("issue")
        p.add_column("what values are worth to you")
        for row in preference_rows(obs):
            p.add_row(row["issue"], row["values"])
        c.print(p)
        offset = preference_offset(obs)
        if abs(offset) > 1e-9:
            c.print(f"Your utility is {offset:+,.4g} plus these amounts.")
        c.print(f"No deal is worth [bold]{obs.reservation:g}[/] to you. {escape(obs.rules)}\n")

    def _edit(self, obs: Observation) -> dict[str, Any] | None:
        kind = self.ask(f"move ({'/'.join(obs.legal)}): ").strip().lower().replace(" ", "_")
        if kind not in obs.legal:
            self.console.print(f"[red]not a legal move now[/]: choose one of {', '.join(obs.legal)}")
            return None
        if kind != "offer":
            return {"action": kind}
        bundle: dict[str, Any] = {}
        for issue in obs.space.issues:
            raw = self.ask(f"  {issue.name} ({issue_rows(obs.game)[obs.space.names.index(issue.name)]['values']}): ").strip()
            if isinstance(issue, DiscreteIssue):
                bundle[issue.name] = raw
            else:
                try:
                    bundle[issue.name] = int(raw) if isinstance(issue, IntegerIssue) else float(raw)
                except ValueError:
                    self.console.print(f"[red]{issue.name} needs a number[/]")
                    return None
        return {"action": "offer", "bundle": bundle}

    async def act(self, obs: Observation) -> Reply:
        c = self.console
        if not self._briefed:
            self.brief(obs)
            self._briefed = True
        if obs.violation is not None and obs.attempt > 0:
            c.print(f"[red]The referee did not accept that:[/] {escape(obs.violation.message)}")
        theirs = [m for m in obs.history if m.role == obs.opponent]
        if theirs and obs.attempt == 0:
            last = theirs[-1]
            c.print(f"[magenta]{escape(obs.game.roles[obs.opponent].label)}:[/] {escape(spoken_part(last.text))}")
            c.print(f"   [dim]their move: {escape(move_in_words(obs.game, last.action, obs.role))}[/]")
            for a in last.action.arguments if obs.arguments_enabled else []:
                c.print(f"   [dim]justification ({a.kind}): {escape(a.text)}[/]")
        if obs.standing is not None and obs.standing_by == obs.opponent:
            c.print(f"On the table: {escape(bundle_in_words(obs.game, obs.standing, obs.role))} "
                    f"(worth [bold]{obs.utility(obs.standing):,.4g}[/] to you)")
        c.print(f"[dim]round {obs.round + 1} of {obs.max_rounds}; you may: {', '.join(obs.legal)}[/]")
        while True:
            text = self.ask("[bold cyan]you>[/] ")[:MAX_MESSAGE]
            if text == "\x04":  # end of input: leave the table
                return Reply(text="I am walking away. No deal.")
            if not text.strip():
                continue
            result = parse(text, ParseContext(obs.game, obs.role, obs.standing, obs.standing_by))
            if result.ok:
                a = result.action  # type: ignore[union-attr]
                c.print(f"[dim]read as[/] {escape(move_in_words(obs.game, a, obs.role))}")
                deal = a.bundle if a.kind == "offer" else obs.standing if a.kind == "accept" else None  # type: ignore[union-attr]
                if deal is not None and not obs.space.problems(deal):
                    worth = obs.utility(deal)
                    warn = " [red](less than no deal!)[/]" if worth < obs.reservation else ""
                    c.print(f"[dim]that deal is worth[/] {worth:,.4g} [dim]to you[/]{warn}")
            else:
                c.print(f"[yellow]no move could be read[/] ({escape(result.reason)})")  # type: ignore[union-attr]
            answer = self.ask("send? \\[y]es / \\[n]o, retype / \\[e]dit the move: ").strip().lower()
            if answer in ("", "y", "yes"):
                return Reply(text=text)
            if answer in ("e", "edit"):
                move = self._edit(obs)
                if move is not None:
                    return Reply(text=f"{text}\n```json\n{json.dumps(move)}\n```")
            if answer == "\x04":
                return Reply(text="I am walking away. No deal.")
