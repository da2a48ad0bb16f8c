"""What every dialect endpoint of the reference wallet shares: the keys it checks calls with, the ledger call,
the native code of a failure, and the durable request-id replies (same request id and content -> the very same
reply, even for a refusal).

Each dialect lives under ``/{dialect}`` of the wallet app (``/wallet/md5_form/bet`` in the embedded default)
and only translates: wire format in, a ledger operation, wire format out. Keys come from the same resolved
endpoints the simulator's clients use, so the embedded default needs no configuration.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, TypeVar

from aiohttp import web

from simulator.clock import Clock
from simulator.errors import SimulatorError
from simulator.http import parse_model
from simulator.store.database import Database
from simulator.wallet.ledger import Ledger, LedgerError
from simulator.wallet.models import BalanceRequest, OperationRequest

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS dialect_replies (
        dialect TEXT NOT NULL,
        request_id TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        reply TEXT NOT NULL,
        created_at {real} NOT NULL,
        PRIMARY KEY (dialect, request_id))""",
)
MIGRATIONS = (SCHEMA,)  # simulator.store.migrations


LedgerOp = Literal["balance", "bet", "win", "rollback"]


Verb = TypeVar("Verb", bound=str)


def bound(
    handle: Callable[[web.Request, Verb], Awaitable[web.Response]], verb: Verb
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """One route's handler: the dialect's ``handle`` with the verb its path names."""

    async def handler(request: web.Request) -> web.Response:
        return await handle(request, verb)

    return handler


def native_code(exc: SimulatorError) -> str:
    """The native code of a failure inside the wallet; request and currency errors map to their nearest."""
    if isinstance(exc, LedgerError):
        return exc.code
    if exc.code == "UNKNOWN_CURRENCY":
        return "CURRENCY_MISMATCH"
    return "INVALID_REQUEST"


async def apply(ledger: Ledger, op: LedgerOp, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``fields`` as the native request model and run the ledger operation (may raise
    ``SimulatorError``)."""
    if op == "balance":
        return await ledger.balance(parse_model(BalanceRequest, dict(fields)))
    req = parse_model(OperationRequest, dict(fields))
    if op == "bet":
        return await ledger.bet(req)
    if op == "win":
        return await ledger.win(req)
    return await ledger.rollback(req)


def fingerprint(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


class ReplyStore:
    """Replies remembered by request id, in the wallet's database so every wallet process agrees."""

    def __init__(self, db: Database, dialect: str, clock: Clock) -> None:
        self._db = db
        self._dialect = dialect
        self._clock = clock

    async def migrate(self) -> None:
        await self._db.migrate("dialect_replies", MIGRATIONS)

    async def get(self, request_id: str) -> tuple[str, dict[str, Any]] | None:
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT fingerprint, reply FROM dialect_replies WHERE dialect = ? AND request_id = ?",
                self._dialect,
                request_id,
            )
        if row is None:
            return None
        reply: dict[str, Any] = json.loads(row["reply"])
        return row["fingerprint"], reply

    async def put(self, request_id: str, print_: str, reply: Mapping[str, Any]) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO dialect_replies (dialect, request_id, fingerprint, reply, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (dialect, request_id) DO NOTHING",
                self._dialect,
                request_id,
                print_,
                json.dumps(reply),
                self._clock.now(),
            )
