"""Agents: the contract, the registry, and the built-in scripted negotiators."""

from .base import (
    Agent,
    AgentError,
    Message,
    Observation,
    Reply,
    agent_names,
    make_agent,
    parse_agent_spec,
    register_agent,
)

__all__ = [
    "Agent",
    "AgentError",
    "Message",
    "Observation",
    "Reply",
    "agent_names",
    "make_agent",
    "parse_agent_spec",
    "register_agent",
]
