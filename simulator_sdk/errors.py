"""Every exception the SDK raises, drawn from its root. An answer with an error status becomes the class of its
family (by HTTP status) carrying the server's ``code``, ``message``, ``status`` and the whole error ``body``; a
server that cannot be reached, or answers with something that is not JSON, is a ``TransportError``.
``tests/simulator_sdk/test_errors.py`` checks this drawing against the classes.

    SimulatorClientError(Exception)                       root: catch this for "anything the SDK raises"
    ├── ApiError                                          an error answer: code, message, status, body
    │   ├── InvalidRequest(ApiError, ValueError)          400, 405, 413, 415 and other 4xx: the request is wrong
    │   ├── Unauthorized(ApiError, PermissionError)       401: signature, key, timestamp, nonce or admin token
    │   ├── InsufficientFunds                             402: the wallet refused the bet for lack of money
    │   ├── Forbidden(ApiError, PermissionError)          403: blocked player or country, disabled game, limits
    │   ├── NotFound(ApiError, LookupError)               404: unknown game, session, round, player, fault rule
    │   ├── Conflict                                      409: contradicts current state (round finished, busy...)
    │   ├── Gone                                          410: the game session has expired
    │   ├── RateLimited                                   429: the key's rate limit; ``retry_after`` in seconds
    │   ├── WalletFailure                                 502, 504: the wallet gave no usable answer in time
    │   └── ServerError                                   500, 503 and other 5xx
    ├── TransportError(SimulatorClientError, ConnectionError)  no answer, or one that is not JSON
    └── SimulatorNotStarted(SimulatorClientError, RuntimeError)  simulator_sdk.server: exited or silent at start
"""

from __future__ import annotations

from typing import Any


class SimulatorClientError(Exception):
    """Root of every SDK exception."""


class ApiError(SimulatorClientError):
    """The server answered with an error status: ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.body: dict[str, Any] = body or {}


class InvalidRequest(ApiError, ValueError):
    pass


class Unauthorized(ApiError, PermissionError):
    pass


class InsufficientFunds(ApiError):
    pass


class Forbidden(ApiError, PermissionError):
    pass


class NotFound(ApiError, LookupError):
    pass


class Conflict(ApiError):
    pass


class Gone(ApiError):
    pass


class RateLimited(ApiError):
    """``retry_after``: seconds the server asked to wait (``Retry-After``), when it said."""

    retry_after: float | None = None


class WalletFailure(ApiError):
    pass


class ServerError(ApiError):
    pass


class TransportError(SimulatorClientError, ConnectionError):
    """``code`` is ``CONNECTION_FAILED`` (nothing came back) or ``NOT_JSON`` (an answer that is not JSON)."""

    def __init__(self, message: str, *, code: str = "CONNECTION_FAILED", status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message


FAMILIES: dict[int, type[ApiError]] = {
    401: Unauthorized,
    402: InsufficientFunds,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    410: Gone,
    429: RateLimited,
    502: WalletFailure,
    504: WalletFailure,
}


def family(status: int) -> type[ApiError]:
    """The class an error answer with this status is raised as."""
    if status in FAMILIES:
        return FAMILIES[status]
    return ServerError if status >= 500 else InvalidRequest


class SimulatorNotStarted(SimulatorClientError, RuntimeError):
    """The server exited, or said nothing, before listening; the message ends with its log."""
