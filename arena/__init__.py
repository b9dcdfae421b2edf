"""negotiation-arena: language models and scripted negotiators bargain in natural language;
a parser reads their moves, a referee validates them, and evaluators score the deals."""

from .actions import Accept, Action, Argument, Offer, ProposeRegion, Reject, Say, WalkAway
from .agents import Agent, AgentError, Observation, Reply, agent_names, make_agent, register_agent
from .game import Game, GameError, GameSpec, available_games, load_game
from .parsing import ParseContext, Parsed, ParseFailure, parse
from .protocols import NegotiationState, get_protocol, register_protocol
from .referee import Ok, Referee, Violation
from .runner import SessionConfig, run_match, run_session
from .space import Bundle, ContinuousIssue, DiscreteIssue, IntegerIssue, OutcomeSpace
from .transcript import SCHEMA_VERSION, Transcript, TranscriptError, read_transcript
from .utility import UtilityFunction, build_utility

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "Accept",
    "Action",
    "Agent",
    "AgentError",
    "Argument",
    "Bundle",
    "ContinuousIssue",
    "DiscreteIssue",
    "Game",
    "GameError",
    "GameSpec",
    "IntegerIssue",
    "NegotiationState",
    "Observation",
    "Offer",
    "Ok",
    "OutcomeSpace",
    "ParseContext",
    "ParseFailure",
    "Parsed",
    "ProposeRegion",
    "Referee",
    "Reject",
    "Reply",
    "Say",
    "SessionConfig",
    "Transcript",
    "TranscriptError",
    "UtilityFunction",
    "Violation",
    "WalkAway",
    "agent_names",
    "available_games",
    "build_utility",
    "get_protocol",
    "load_game",
    "make_agent",
    "parse",
    "read_transcript",
    "register_agent",
    "register_protocol",
    "run_match",
    "run_session",
]
