"""What every dialect endpoint of the reference wallet shares: the ledger call, the native code of a failure and
the balance a refusal carries, the routes and their documentation, and the durable request-id replies (same
request id and content -> the very same reply, even for a refusal).

Each dialect lives under ``/{dialect}`` of the wallet app (``/wallet/md5_form/bet`` in the embedded default)
and only translates: wire format in, a ledger operation, wire format out. Keys come from the same resolved
endpoints the simulator's clients use, so the embedded default needs no configuration.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Literal, TypeVar

from aiohttp import web

from simulator.clock import Clock
from simulator.dialects.common import Codes
from simulator.errors import SimulatorError
from simulator.http import RouteDoc, documented, parse_model
from simulator.state import LEDGER
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


def add_verb_route(
    app: web.Application,
    path: str,
    doc: RouteDoc,
    handle: Callable[[web.Request, Verb], Awaitable[web.Response]],
    verb: Verb,
) -> None:
    """A documented POST route answered by the dialect's ``handle`` with the verb its path names."""
    app.router.add_post(path, documented(doc)(bound(handle, verb)))


def route_doc(summary: str, codes: Codes, **details: Any) -> RouteDoc:
    """A dialect route's documentation: listed under "wallet dialects", authenticated as the dialect signs, failing
    with the dialect's codes."""
    return RouteDoc(summary, "wallet dialects", auth="signature", errors=codes.errors, **details)


def native_code(exc: SimulatorError) -> str:
    """The native code of a failure inside the wallet; request and currency errors map to their nearest."""
    if isinstance(exc, LedgerError):
        return exc.code
    if exc.code == "UNKNOWN_CURRENCY":
        return "CURRENCY_MISMATCH"
    return "INVALID_REQUEST"


def refusal_balance(exc: SimulatorError) -> int | None:
    """The balance (minor units) a refusal carries, if it carries one."""
    balance = exc.extra.get("balance")
    return balance if isinstance(balance, int) else None


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


class RememberingEndpoints:
    """Endpoints of a dialect whose transactional requests carry a request id. A request seen before under the same
    id and content gets the very reply it got then, even a refusal; under the same id with other content, the
    dialect's refusal of a reused id. The replies live in the wallet's database, opened when the wallet app
    starts (``open_replies``)."""

    def __init__(self, codes: Codes, clock: Clock) -> None:
        self._codes = codes
        self.clock = clock
        self.replies: ReplyStore | None = None

    def open_replies(self, app: web.Application) -> None:
        async def replies_ctx(app: web.Application) -> AsyncIterator[None]:
            store = ReplyStore(app[LEDGER].db, self._codes.dialect, self.clock)
            await store.migrate()
            self.replies = store
            yield

        app.cleanup_ctx.append(replies_ctx)

    async def remembered(
        self,
        request_id: str,
        content: Mapping[str, Any],
        run: Callable[[], Awaitable[dict[str, Any]]],
        reused: Callable[[], dict[str, Any]],
    ) -> dict[str, Any]:
        """The reply to a transactional request: the remembered one, ``reused()``, or ``run()``'s, remembered
        unless its ``status`` leaves the outcome unknown."""
        assert self.replies is not None
        print_ = fingerprint(content)
        if (seen := await self.replies.get(request_id)) is not None:
            return seen[1] if seen[0] == print_ else reused()
        reply = await run()
        if reply["status"] not in self._codes.uncertain:
            await self.replies.put(request_id, print_, reply)
        return reply
