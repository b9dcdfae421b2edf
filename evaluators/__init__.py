"""Evaluators: pure functions of transcripts (and the game specs they carry)."""

from .parsing import ParserAccuracy, parser_accuracy, same_action

__all__ = ["ParserAccuracy", "parser_accuracy", "same_action"]
