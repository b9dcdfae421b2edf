"""Score one session: a pure function of its transcript (and the resolved game spec it carries).

:func:`score_session` returns one row (a flat dict) per role. Session-level fields repeat on both
rows, so a frame of rows can be grouped by agent, by role or by session alike.

Definitions (``u_i`` realized utility, ``r_i`` reservation of role ``i``; see
:mod:`evaluators.solutions` for the Pareto, Nash and Kalai-Smorodinsky definitions):

Session-level fields
    ``session_id``, ``game``, ``seed``, ``source``: from the ``session_start`` event.
    ``outcome``: ``agreement``, ``disagreement``, ``forfeit``, ``error``, or ``incomplete`` when
    the transcript has no ``session_end`` event (a crashed run; scored as no deal).
    ``agreement``: True only for an agreement. ``deal``: the agreed bundle as sorted JSON, or None.
    ``agreement_round``, ``rounds``, ``turns``, ``reason``, ``forfeit_by``: from ``session_end``.
    ``first``: the role that moved first.
    ``social_welfare``: ``u_1 + u_2`` (realized). ``max_welfare``: the largest ``u_1 + u_2`` over
    the outcome space (undiscounted). ``welfare_ratio``: their ratio, when ``max_welfare > 0``.
    ``pareto_optimal``, ``pareto_distance``, ``nash_distance``, ``ks_distance``: of the realized
    utility pair (the disagreement point ``(r_1, r_2)`` when there is no deal), in per-role
    min-max normalized utility space.
    ``rubinstein_deviation``: for pie games only (a single-issue division game whose spec has
    ``public.discounts`` for both roles) and only with an agreement: the first mover's realized
    share of the pie minus its subgame-perfect share
    ``x* = (1 - d_responder) / (1 - d_proposer * d_responder)``. The realized share is the first
    mover's undiscounted utility over the sum of both undiscounted utilities (the pie size), i.e.
    the split as agreed, before delay costs. None elsewhere.

Per-role fields
    ``role``, ``opponent_role``, ``is_first``.
    ``agent``: the agent's spec as recorded, ``name`` or ``name(k=v, ...)`` with its arguments
    (so two models behind one agent class are different agents); ``agent_name``: the registered
    name alone; ``opponent``: the other seat's ``agent``.
    ``utility``: realized utility (the agreement's utility discounted by its round, else ``r_i``).
    ``reservation``: ``r_i``. ``gain``: ``u_i - r_i``.
    ``normalized_utility``: ``(u_i - min_i) / (max_i - min_i)``, min and max over the whole space.
    ``surplus_share``: ``(u_i - r_i) / sum_j (u_j - r_j)``, only when that sum is > 0 (for a
    single price with zero reservations this is the buyer's share of the zone of agreement).
    ``pie_share`` / ``spe_share``: pie games with an agreement: the role's realized share of the
    pie and its subgame-perfect share (``x*`` for the first mover, ``1 - x*`` for the other).
    ``violations``: referee violations of this role; ``violation_<code>``: by code (every code
    in ``arena.verdicts.VIOLATION_CODES`` is present, zero-filled, plus any other code seen).
    ``parse_failures``: parses that found no move. ``utterances``: everything the role said,
    repairs included. ``repair_turns``: utterances with ``attempt > 0``.
    ``prompt_tokens``, ``completion_tokens``, ``tokens``: sums over the role's utterance usage.
    ``cost_usd``: sum of usage costs; None if any utterance with usage has an unknown cost
    (utterances without usage, as from scripted agents, made no model call and cost 0).
    ``latency_s``: summed model latency.
    ``parser_moves`` / ``parser_correct`` / ``parser_accuracy``: utterances whose intended move is
    known (scripted agents), how many the parser read back exactly, and their ratio (None when
    no move is known); see :mod:`evaluators.parsing`.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

from arena.transcript import ParsedEvent, Transcript, Utterance, VerdictEvent
from arena.verdicts import VIOLATION_CODES, Violation

from .parsing import parser_accuracy
from .solutions import realized_utilities, score_outcome

__all__ = ["agent_label", "rubinstein_share", "score_session"]


_INFRASTRUCTURE = {"api_base", "cache_dir", "timeout", "max_retries", "backoff", "backoff_max", "concurrency",
                   "max_tokens"}


def agent_label(config: Any) -> str:
    """``name`` or ``name(k=v, ...)`` (arguments sorted) for a recorded ``AgentConfig``.

    A model seat is labelled by its model string plus the options that change its behaviour
    (``openai/gpt-4o-mini(temperature=0.7)``); where it was served from, its cache and its
    retry settings do not make it a different agent."""
    if config is None:
        return "unknown"
    args = getattr(config, "args", None) or {}
    if config.name == "llm" and "model" in args:
        rest = {k: v for k, v in args.items() if k != "model" and k not in _INFRASTRUCTURE}
        inner = ", ".join(f"{k}={v!r}" for k, v in sorted(rest.items()))
        return f"{args['model']}({inner})" if inner else str(args["model"])
    if not args:
        return str(config.name)
    inner = ", ".join(f"{k}={v!r}" for k, v in sorted(args.items()))
    return f"{config.name}({inner})"


def rubinstein_share(game: Any) -> dict[str, float] | None:
    """Each role's subgame-perfect share of the pie in a Rubinstein game, or None.

    A pie game is a single-issue division game whose spec lists ``public.discounts`` for both
    roles. The first mover's share is ``x* = (1 - d_r) / (1 - d_p * d_r)`` (``d_p`` its own
    discount, ``d_r`` the responder's); the responder gets ``1 - x*``.
    """
    spec = game.spec
    discounts = (spec.public or {}).get("discounts")
    if not isinstance(discounts, Mapping) or len(spec.issues) != 1 or not spec.is_division:
        return None
    first, second = game.first, game.other(game.first)
    try:
        dp, dr = float(discounts[first]), float(discounts[second])
    except (KeyError, TypeError, ValueError):
        return None
    denom = 1.0 - dp * dr
    if denom <= 0:
        return None
    x = (1.0 - dr) / denom
    return {first: x, second: 1.0 - x}


def _clean(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _conduct(t: Transcript, role: str) -> dict[str, Any]:
    codes: Counter[str] = Counter()
    parse_failures = utterances = repairs = 0
    prompt_tokens = completion_tokens = 0
    cost: float | None = 0.0
    latency = 0.0
    for e in t.events:
        if getattr(e, "role", None) != role:
            continue
        if isinstance(e, VerdictEvent) and isinstance(e.verdict, Violation):
            codes[e.verdict.code] += 1
        elif isinstance(e, ParsedEvent) and not e.result.ok:
            parse_failures += 1
        elif isinstance(e, Utterance):
            utterances += 1
            repairs += e.attempt > 0
            if e.usage is not None:
                prompt_tokens += e.usage.prompt_tokens
                completion_tokens += e.usage.completion_tokens
                latency += e.usage.latency_s
                if e.usage.cost_usd is None:
                    cost = None
                elif cost is not None:
                    cost += e.usage.cost_usd
    own = Transcript([t.start, *(e for e in t.events[1:] if getattr(e, "role", None) == role)])
    acc = parser_accuracy([own], keep_failures=0)
    row: dict[str, Any] = {
        "violations": sum(codes.values()),
        **{f"violation_{c}": codes.get(c, 0) for c in VIOLATION_CODES},
        **{f"violation_{c}": n for c, n in codes.items() if c not in VIOLATION_CODES},
        "parse_failures": parse_failures,
        "utterances": utterances,
        "repair_turns": repairs,
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "tokens": prompt_tokens + completion_tokens,
        "cost_usd": cost,
        "latency_s": latency,
        "parser_moves": acc.moves,
        "parser_correct": acc.correct,
        "parser_accuracy": acc.correct / acc.moves if acc.moves else None,
    }
    return row


def score_session(transcript: Transcript) -> list[dict[str, Any]]:
    """Score one session: one flat row per role (definitions in this module's docstring).

    Args:
        transcript: a transcript (e.g. from ``arena.transcript.read_transcript``).

    Returns:
        Two dicts, in the game's role order.
    """
    start, end = transcript.start, transcript.end
    game = transcript.game()
    roles = list(game.role_names)
    bundle = end.agreement if end is not None and end.outcome == "agreement" else None
    agreed = bundle is not None
    round_index = (end.agreement_round if end is not None else None) or 1
    try:
        utilities = realized_utilities(game, bundle, round_index)
    except (KeyError, ValueError, TypeError):  # e.g. an imported corpus with a malformed bundle
        utilities = dict(end.utilities) if end is not None else realized_utilities(game, None)
    scores = score_outcome(game, bundle, round_index, utilities=utilities)

    spe = rubinstein_share(game)
    pie: dict[str, float] | None = None
    if spe is not None and agreed:
        raw = realized_utilities(game, bundle, 1)
        size = sum(raw.values())
        if size > 0:
            pie = {r: raw[r] / size for r in roles}
    first = game.first

    session: dict[str, Any] = {
        "session_id": start.session_id,
        "game": game.name,
        "seed": start.seed,
        "source": start.source,
        "outcome": end.outcome if end is not None else "incomplete",
        "agreement": agreed,
        "deal": json.dumps(bundle, sort_keys=True) if agreed else None,
        "agreement_round": end.agreement_round if end is not None and agreed else None,
        "rounds": end.rounds if end is not None else None,
        "turns": end.turns if end is not None else None,
        "reason": end.reason if end is not None else "no session_end event",
        "forfeit_by": end.forfeit_by if end is not None else None,
        "first": first,
        "social_welfare": scores.social_welfare,
        "max_welfare": _clean(scores.max_welfare),
        "welfare_ratio": scores.welfare_ratio,
        "pareto_optimal": scores.pareto_optimal,
        "pareto_distance": scores.pareto_distance,
        "nash_distance": scores.nash_distance,
        "ks_distance": scores.ks_distance,
        "rubinstein_deviation": (pie[first] - spe[first]) if pie is not None and spe is not None else None,
    }
    rows = []
    for role in roles:
        other = game.other(role)
        me, them = start.agents.get(role), start.agents.get(other)
        row = dict(session)
        row.update({
            "role": role,
            "opponent_role": other,
            "is_first": role == first,
            "agent": agent_label(me),
            "agent_name": me.name if me is not None else "unknown",
            "opponent": agent_label(them),
            "utility": scores.utilities[role],
            "reservation": float(game.roles[role].reservation),
            "gain": scores.gains[role],
            "normalized_utility": scores.normalized[role],
            "surplus_share": scores.surplus_shares[role],
            "pie_share": pie[role] if pie is not None else None,
            "spe_share": spe[role] if spe is not None and pie is not None else None,
        })
        row.update(_conduct(transcript, role))
        rows.append(row)
    return rows
