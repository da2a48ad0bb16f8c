"""Errors of the simulator. Each carries a stable ``code`` and the HTTP ``status`` the API answers with::

    SimulatorError
    ├── RequestError(SimulatorError, ValueError)          400: malformed or invalid input
    │   ├── UnknownCurrency                               400
    │   ├── BetOutOfLimits                                400
    │   └── UnsupportedMediaType                          415: a body that is not application/json where it must be
    ├── Unauthorized(SimulatorError, PermissionError)     401: no, wrong, stale or replayed credentials
    ├── Forbidden(SimulatorError, PermissionError)        403: not allowed (country blocked, game disabled)
    ├── NotFound(SimulatorError, LookupError)             404: unknown game, session, round, player
    ├── SessionExpired(SimulatorError)                    410: the game session is over
    ├── Conflict(SimulatorError)                          409: the request contradicts current state
    ├── TooManyRequests(SimulatorError)                   429: an operator key's rate limit; see Retry-After
    ├── ShuttingDown(SimulatorError)                      503: draining before a stop; retry shortly
    ├── WalletRefused(SimulatorError)                     402/403/409: the wallet answered with a definitive error code
    └── WalletError(SimulatorError)                       502: the wallet gave no usable answer (outcome unknown)
        ├── WalletTimeout(WalletError, TimeoutError)      504
        ├── WalletUnavailable(WalletError, ConnectionError)
        └── WalletProtocolError(WalletError, ValueError)  reply unreadable or not in the dialect

``WalletError`` means "we do not know whether the wallet applied it": bets are rolled back, wins and rollbacks retried.
``WalletRefused`` means "the wallet said no": nothing was applied and nothing is retried.
"""

from __future__ import annotations

from typing import Any


class SimulatorError(Exception):
    """``extra`` joins the JSON error body; ``headers`` the HTTP response (``Retry-After``, ``WWW-Authenticate``)."""

    code = "SIMULATOR_ERROR"
    status = 500

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra or {}
        self.headers = headers or {}


class RequestError(SimulatorError, ValueError):
    code = "INVALID_REQUEST"
    status = 400


class UnknownCurrency(RequestError):
    code = "UNKNOWN_CURRENCY"


class BetOutOfLimits(RequestError):
    code = "BET_OUT_OF_LIMITS"


class UnsupportedMediaType(RequestError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    status = 415


class Unauthorized(SimulatorError, PermissionError):
    code = "UNAUTHORIZED"
    status = 401


class Forbidden(SimulatorError, PermissionError):
    code = "FORBIDDEN"
    status = 403


class NotFound(SimulatorError, LookupError):
    code = "NOT_FOUND"
    status = 404


class SessionExpired(SimulatorError):
    code = "SESSION_EXPIRED"
    status = 410


class Conflict(SimulatorError):
    code = "CONFLICT"
    status = 409


class TooManyRequests(SimulatorError):
    code = "RATE_LIMITED"
    status = 429


class ShuttingDown(SimulatorError):
    code = "SHUTTING_DOWN"
    status = 503


class WalletRefused(SimulatorError):
    """The wallet refused the operation with one of the protocol's error codes; ``extra`` may hold its balance."""

    status = 402


class WalletError(SimulatorError):
    code = "WALLET_UNAVAILABLE"
    status = 502


class WalletTimeout(WalletError, TimeoutError):
    code = "WALLET_TIMEOUT"
    status = 504


class WalletUnavailable(WalletError, ConnectionError):
    code = "WALLET_UNAVAILABLE"


class WalletProtocolError(WalletError, ValueError):
    code = "WALLET_PROTOCOL_ERROR"
