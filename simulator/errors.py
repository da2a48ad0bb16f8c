"""Every exception class of the simulator and of the game library, drawn from its roots, with where it is defined.

Under ``SimulatorError`` sits everything that reaches a user as it is: each carries a stable ``code`` and the HTTP
``status`` the API answers with (``simulator.http.error_middleware``), and the CLI prints its message and exits 2.
The other roots stay apart on purpose, and each is turned into something of the first tree (or an exit code) at one
boundary, written next to it: the game library depends on nothing of the simulator, the transport's errors say what
happened to a connection and the wallet client decides what that means, and a check's skip or stop is control flow.
``tests/simulator/test_errors.py`` fails when a class defined anywhere in ``simulator/`` or ``games/`` is missing here.
The client SDK (``simulator_sdk``) imports nothing from here: its own tree is drawn in ``simulator_sdk/errors.py``.

    SimulatorError                                        500
    ├── ConfigurationError(SimulatorError, ValueError)    settings, config file, keys, certificates: never an answer
    │   └── CredentialsError                              simulator.credentials: credentials.json unreadable
    ├── RequestError(SimulatorError, ValueError)          400: malformed or invalid input
    │   ├── UnknownCurrency                               400
    │   ├── BetOutOfLimits                                400
    │   └── UnsupportedMediaType                          415: a body that is not application/json where it must be
    ├── Unauthorized(SimulatorError, PermissionError)     401: no, wrong, stale or replayed credentials
    ├── Forbidden(SimulatorError, PermissionError)        403: not allowed (country blocked, game disabled)
    ├── NotFound(SimulatorError, LookupError)             404: unknown game, session, round, player
    ├── SessionExpired(SimulatorError)                    410: the game session is over
    ├── Conflict(SimulatorError)                          409: the request contradicts current state
    │   ├── NoFreeRoundLeft                               simulator.store.campaigns: none left to claim
    │   ├── CurrencyConflict                              simulator.store.campaigns: player held in another currency
    │   └── ReferenceReused                               simulator.store.campaigns: a reference, other terms
    ├── TooManyRequests(SimulatorError)                   429: an operator key's rate limit; see Retry-After
    ├── ShuttingDown(SimulatorError)                      503: draining before a stop; retry shortly
    ├── ReplayCacheFull                                   503: simulator.auth.nonces, too many nonces to remember
    ├── StoreError                                        503: simulator.store.database
    │   ├── DuplicateKey                                  409
    │   ├── PoolMoved                                     simulator.store.jackpots: a pool's win seen twice
    │   └── SchemaTooNew                                  simulator.store.migrations: a database newer than the code
    ├── DatabaseUnavailable                               503: simulator.store.postgres, the server never answered
    ├── WalletRefused(SimulatorError)                     the wallet answered with a definitive error code; the
    │   │                                                 game API answers WALLET_REFUSAL_STATUS[code] (else 409)
    │   ├── AmountNotRepresentable(WalletRefused, ValueError)  400: simulator.dialects.amounts, nothing was sent
    │   ├── RefusalNeedsRollback(WalletRefused)            a bet refusal the dialect's provider rolls back anyway
    │   └── DialectUnavailable                            503: simulator.dialects.registry, nothing was sent
    ├── WalletError(SimulatorError)                       502: the wallet gave no usable answer (outcome unknown)
    │   ├── WalletTimeout(WalletError, TimeoutError)      504
    │   ├── WalletUnavailable(WalletError, ConnectionError)
    │   └── WalletProtocolError(WalletError, ValueError)  reply unreadable or not in the dialect
    ├── LedgerError                                       simulator.wallet.records: the reference wallet's refusals,
    │                                                     with the protocol's code and status
    ├── ConformanceError                                  simulator.conformance.errors
    │   ├── SetupError(ConformanceError, ValueError)      400: the suite cannot start (players, keys, options)
    │   └── WalletUnreachable(ConformanceError, ConnectionError)  502
    └── SourceError                                       simulator.commands.reconcile: a side cannot be read

    TransportError(Exception)                             simulator.wallet_client.transport; the wallet client
    ├── ConnectFailed                                     turns each into a WalletError (unavailable or protocol)
    ├── ConnectionLost
    └── BadReply

    GameError(Exception)                                  games.errors; simulator.http answers 400 with its code
    ├── InvalidBet(GameError, ValueError)                 (409 for RoundFinished)
    ├── IllegalAction(GameError, ValueError)
    │   └── RoundFinished
    └── UnknownEngine(GameError, LookupError)

    TooDeep(ValueError)                                   simulator.jsonbytes: a body nested past MAX_DEPTH
    RepeatedKey(ValueError)                               simulator.jsonbytes: a key twice in one object; body
                                                          readers answer both with a 400 in their API's terms
    LedgerFileError(ValueError)                           simulator.settlement.reconcile: an operator's ledger
                                                          file; reported by reconcile and the scenario invariants
    BadInput(Exception)                                   simulator.commands.rng_cert: exit 2
    Refused(Exception)                                    simulator.commands.history: the server refused the
                                                          query; exit 1
    Unavailable(Exception)                                simulator.conformance.players: no player fits, skip
    Skipped(Exception)                                    simulator.conformance.context: a check skips itself
    Stop(Exception)                                       simulator.conformance.context: a required step failed

``WalletError`` means "we do not know whether the wallet applied it": bets are rolled back, wins and rollbacks retried.
``WalletRefused`` means "the wallet said no": nothing was applied and nothing is retried.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any


class SimulatorError(Exception):
    """``extra`` joins the JSON error body; ``headers`` the HTTP response (``Retry-After``, ``WWW-Authenticate``).
    A subclass names its own code and status in its header: ``class NotFound(SimulatorError, code="NOT_FOUND",
    status=404)``; what it leaves out it inherits."""

    code = "SIMULATOR_ERROR"
    status = 500

    def __init_subclass__(cls, *, code: str | None = None, status: int | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code
        if status is not None:
            cls.status = status

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


class ConfigurationError(SimulatorError, ValueError, code="INVALID_CONFIGURATION", status=500):
    """Settings, a config file, keys or certificates the process cannot start with. The CLI prints the message and
    exits 2; it is never an answer to a request, so its status is the server's own fault."""


class RequestError(SimulatorError, ValueError, code="INVALID_REQUEST", status=400): ...


class UnknownCurrency(RequestError, code="UNKNOWN_CURRENCY"): ...


class BetOutOfLimits(RequestError, code="BET_OUT_OF_LIMITS"): ...


class UnsupportedMediaType(RequestError, code="UNSUPPORTED_MEDIA_TYPE", status=415): ...


class Unauthorized(SimulatorError, PermissionError, code="UNAUTHORIZED", status=401): ...


class Forbidden(SimulatorError, PermissionError, code="FORBIDDEN", status=403): ...


class NotFound(SimulatorError, LookupError, code="NOT_FOUND", status=404): ...


class SessionExpired(SimulatorError, code="SESSION_EXPIRED", status=410): ...


class Conflict(SimulatorError, code="CONFLICT", status=409): ...


class TooManyRequests(SimulatorError, code="RATE_LIMITED", status=429): ...


class ShuttingDown(SimulatorError, code="SHUTTING_DOWN", status=503): ...


class WalletRefused(SimulatorError, status=402):
    """The wallet refused the operation with one of the protocol's error codes; ``extra`` may hold its balance."""


# what a wallet's refusal means to the player's client: the HTTP status the game API answers with (others: 409)
WALLET_REFUSAL_STATUS: Mapping[str, int] = MappingProxyType(
    {
        "INSUFFICIENT_FUNDS": 402,
        "PLAYER_BLOCKED": 403,
        "SELF_EXCLUDED": 403,
        "LIMIT_EXCEEDED": 403,
        "INVALID_SESSION": 401,
        "SESSION_EXPIRED": 401,
        "INVALID_SIGNATURE": 502,
        "CURRENCY_MISMATCH": 400,
        "UNKNOWN_GAME": 400,
    }
)


def refusal(exc: WalletRefused) -> WalletRefused:
    """The wallet's refusal as the game API answers it: same code, message and balance, the player-facing status."""
    out = WalletRefused(exc.message, code=exc.code, extra=exc.extra)
    out.status = WALLET_REFUSAL_STATUS.get(exc.code, 409)
    return out


class RefusalNeedsRollback(WalletRefused):
    """A bet refusal after which the dialect's provider rolls the bet back all the same (Hub88 does for every
    status but a few): the player sees the refusal, the settler queues the rollback."""


class WalletError(SimulatorError, code="WALLET_UNAVAILABLE", status=502): ...


class WalletTimeout(WalletError, TimeoutError, code="WALLET_TIMEOUT", status=504): ...


class WalletUnavailable(WalletError, ConnectionError, code="WALLET_UNAVAILABLE"): ...


class WalletProtocolError(WalletError, ValueError, code="WALLET_PROTOCOL_ERROR"): ...
