"""The reference wallet as an aiohttp application: the native protocol, a sandbox API and a ledger export.

It runs inside ``casino-sim serve`` under ``/wallet`` or alone with ``casino-sim wallet``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from simulator.clock import Clock
from simulator.dialects.native import KEY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_valid
from simulator.http import RouteDoc, documented, error_middleware, json_response, parse_model, read_model
from simulator.ids import Ids
from simulator.settings import Settings
from simulator.store.database import open_database
from simulator.wallet.ledger import Ledger, LedgerError
from simulator.wallet.models import (
    BalanceRequest,
    CreatedPlayer,
    CreatePlayer,
    IssueToken,
    OperationRequest,
    PlayerInfo,
    TokenInfo,
    WalletReplyModel,
)

LEDGER = web.AppKey("ledger", Ledger)

_PROTOCOL_ERRORS = (
    "INVALID_REQUEST",
    "INVALID_SIGNATURE",
    "INVALID_SESSION",
    "SESSION_EXPIRED",
    "PLAYER_BLOCKED",
    "INSUFFICIENT_FUNDS",
    "CURRENCY_MISMATCH",
    "TRANSACTION_NOT_FOUND",
    "TRANSACTION_MISMATCH",
    "TRANSACTION_ROLLED_BACK",
    "ROUND_CLOSED",
)


def _verify(request: web.Request, body: bytes, keys: dict[str, bytes], clock: Clock, window: int) -> None:
    key_id = request.headers.get(KEY_HEADER, "")
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    secret = keys.get(key_id)
    if secret is None or not timestamp.isdigit() or not signature:
        raise LedgerError("INVALID_SIGNATURE", "missing or unknown key, timestamp or signature")
    if abs(clock.now() - int(timestamp)) > window:
        raise LedgerError("INVALID_SIGNATURE", f"timestamp outside the {window}s window")
    if not signature_valid(secret, timestamp, body, signature):
        raise LedgerError("INVALID_SIGNATURE", "signature does not match the body")


Operation = Callable[[Ledger, Any], Awaitable[dict[str, Any]]]


def _protocol_handler(
    model: type[BalanceRequest], operation: Operation, keys: dict[str, bytes], clock: Clock, window: int
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        body = await request.read()
        _verify(request, body, keys, clock, window)
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise LedgerError("INVALID_REQUEST", "body is not valid JSON") from None
        req = parse_model(model, data)
        try:
            result = await operation(request.app[LEDGER], req)
        except LedgerError as exc:
            exc.extra["request_id"] = req.request_id
            raise
        return json_response(result | {"request_id": req.request_id})

    return handler


def _protocol_doc(op: str, model: type[BaseModel]) -> RouteDoc:
    return RouteDoc(
        f"Native protocol: {op}. Signed with X-Casino-Sim-Key/Timestamp/Signature.",
        "wallet protocol",
        request=model,
        response=WalletReplyModel,
        errors=_PROTOCOL_ERRORS,
    )


@documented(
    RouteDoc(
        "Create a sandbox player with a starting balance and a session token",
        "wallet sandbox",
        request=CreatePlayer,
        response=CreatedPlayer,
        status=201,
        errors=("CONFLICT",),
    )
)
async def create_player(request: web.Request) -> web.Response:
    body = await read_model(request, CreatePlayer)
    player, token, expires = await request.app[LEDGER].create_player(
        body.player_id, body.currency, body.balance, blocked=body.blocked, token_ttl=body.token_ttl
    )
    return json_response(
        dataclasses.asdict(player) | {"token": token, "token_expires_at": expires}, status=201
    )


@documented(RouteDoc("A sandbox player's balance and status", "wallet sandbox", response=PlayerInfo))
async def get_player(request: web.Request) -> web.Response:
    player = await request.app[LEDGER].get_player(request.match_info["player_id"])
    return json_response(dataclasses.asdict(player))


@documented(
    RouteDoc(
        "Issue another session token for a player",
        "wallet sandbox",
        request=IssueToken,
        response=TokenInfo,
        status=201,
    )
)
async def issue_token(request: web.Request) -> web.Response:
    body = await read_model(request, IssueToken)
    player_id = request.match_info["player_id"]
    token, expires = await request.app[LEDGER].issue_token(player_id, body.ttl)
    return json_response({"token": token, "player_id": player_id, "expires_at": expires}, status=201)


@documented(
    RouteDoc(
        "Ledger export for reconciliation (JSON, or CSV with format=csv)",
        "wallet sandbox",
        query=(
            ("player_id", "only this player's entries"),
            ("after", "entries after this seq"),
            ("limit", "page size, at most 10000"),
            ("format", "json or csv"),
        ),
    )
)
async def export_ledger(request: web.Request) -> web.Response:
    q = request.query
    try:
        after = int(q.get("after", "0"))
        limit = min(int(q.get("limit", "1000")), 10000)
    except ValueError:
        raise LedgerError("INVALID_REQUEST", "after and limit must be integers") from None
    if limit < 1 or after < 0:
        raise LedgerError("INVALID_REQUEST", "limit must be positive and after non-negative")
    rows = await request.app[LEDGER].entries(player_id=q.get("player_id"), after=after, limit=limit)
    if q.get("format", "json") == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["seq"])
        writer.writeheader()
        writer.writerows(rows)
        return web.Response(text=out.getvalue(), content_type="text/csv")
    next_after = rows[-1]["seq"] if rows else after
    return json_response({"entries": rows, "next_after": next_after})


def create_wallet_app(
    settings: Settings, *, clock: Clock, ids: Ids, keys: dict[str, bytes]
) -> web.Application:
    app = web.Application(middlewares=[error_middleware], client_max_size=settings.max_body_bytes)

    async def ledger_ctx(app: web.Application) -> AsyncIterator[None]:
        db = await open_database(settings.wallet_database_url)
        ledger = Ledger(db, clock, ids, unknown_rollback=settings.unknown_rollback)
        await ledger.migrate()
        app[LEDGER] = ledger
        yield
        await db.close()

    app.cleanup_ctx.append(ledger_ctx)
    window = settings.signature_window
    operations: dict[str, tuple[type[BalanceRequest], Operation]] = {
        "balance": (BalanceRequest, Ledger.balance),
        "bet": (OperationRequest, Ledger.bet),
        "win": (OperationRequest, Ledger.win),
        "rollback": (OperationRequest, Ledger.rollback),
    }
    for op, (model, operation) in operations.items():
        handler = documented(_protocol_doc(op, model))(
            _protocol_handler(model, operation, keys, clock, window)
        )
        app.router.add_post(f"/{op}", handler)
    app.router.add_post("/sandbox/players", create_player)
    app.router.add_get("/sandbox/players/{player_id}", get_player)
    app.router.add_post("/sandbox/players/{player_id}/tokens", issue_token)
    app.router.add_get("/ledger", export_ledger)
    return app
