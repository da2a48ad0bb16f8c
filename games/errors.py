"""Errors raised by the pure game library.

Every error a player or operator can cause is a ``GameError``; the API layer turns each one into a 4xx with its
``code``.
Leaf errors also inherit the builtin a caller would naturally catch::

    GameError
    ├── InvalidBet(GameError, ValueError)          amount outside limits, unknown bet type, bad parameters
    ├── IllegalAction(GameError, ValueError)       action not allowed in the round's current state
    ├── RoundFinished(IllegalAction)               any action on a round that has already ended
    └── UnknownEngine(GameError, LookupError)      no engine or math variant by that id
"""

from __future__ import annotations


class GameError(Exception):
    """Root of the game library's errors; ``code`` is the stable machine-readable name."""

    code = "GAME_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidBet(GameError, ValueError):
    code = "INVALID_BET"


class IllegalAction(GameError, ValueError):
    code = "ILLEGAL_ACTION"


class RoundFinished(IllegalAction):
    code = "ROUND_FINISHED"


class UnknownEngine(GameError, LookupError):
    code = "UNKNOWN_ENGINE"
