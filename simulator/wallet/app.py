"""The reference wallet as an aiohttp application: the native protocol, plus the sandbox API and the ledger
export of ``routes``.

It runs inside ``casino-sim serve`` under ``/wallet`` or alone with ``casino-sim wallet``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from simulator.auth.keys import load_auth_keys
from simulator.auth.middleware import request_guards
from simulator.auth.signing import TIMESTAMP
from simulator.clock import Clock
from simulator.dialects import config as dialect_config
from simulator.dialects import registry
from simulator.dialects.native import ERROR_CODES, KEY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_valid
from simulator.dialects.protocol import WalletDialects
from simulator.http import RouteDoc, documented, error_middleware, json_response, parse_model
from simulator.ids import Ids, SeededIds
from simulator.jsonbytes import RepeatedKey, TooDeep, loads
from simulator.settings import Settings
from simulator.state import LEDGER, SANDBOX
from simulator.store.database import open_database
from simulator.store.epochs import next_epoch
from simulator.wallet import routes
from simulator.wallet.ledger import Ledger, LedgerError
from simulator.wallet.models import BalanceRequest, OperationRequest, WalletReplyModel
from simulator.wallet.sandbox import Sandbox

__all__ = ["LEDGER", "SANDBOX", "create_wallet_app"]

# what the reference wallet can refuse with; INTERNAL_ERROR is a failure, not a refusal
_PROTOCOL_ERRORS = tuple(sorted(ERROR_CODES - {"INTERNAL_ERROR"}))


def _verify(request: web.Request, body: bytes, keys: dict[str, bytes], clock: Clock, window: int) -> None:
    key_id = request.headers.get(KEY_HEADER, "")
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    secret = keys.get(key_id)
    sent = int(timestamp) if TIMESTAMP.fullmatch(timestamp) else None  # ASCII digits, at most 12
    if secret is None or sent is None or not signature:
        raise LedgerError("INVALID_SIGNATURE", "missing or unknown key, timestamp or signature")
    if abs(clock.now() - sent) > window:
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
            data = loads(body, unique=True)
        except (TooDeep, RepeatedKey) as exc:
            raise LedgerError("INVALID_REQUEST", f"body refused: {exc}") from None
        except ValueError:
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
        auth="signature",
        request=model,
        response=WalletReplyModel,
        errors=_PROTOCOL_ERRORS,
    )


def create_wallet_app(
    settings: Settings,
    *,
    clock: Clock,
    ids: Ids,
    keys: dict[str, bytes],
    dialects: WalletDialects | None = None,
    embedded: bool = False,
) -> web.Application:
    """The wallet app. ``keys`` check the native protocol; ``dialects`` the other dialects (default: resolved
    from ``settings`` and the development credentials, exactly as the simulator resolves them). Alone, it guards
    its own routes (the sandbox and the ledger export take the admin token unless ``auth = false``);
    ``embedded`` under the simulator, the simulator's middlewares guard them."""
    guards = []
    if not embedded:
        admin = load_auth_keys(settings) if settings.auth else None
        guards = request_guards(settings, clock=clock, keys=admin, nonces=None)
    app = web.Application(middlewares=[error_middleware, *guards], client_max_size=settings.max_body_bytes)

    async def ledger_ctx(app: web.Application) -> AsyncIterator[None]:
        db = await open_database(settings.wallet_database_url)
        ledger = Ledger(db, clock, unknown_rollback=settings.unknown_rollback)
        await ledger.migrate()
        if settings.deterministic and isinstance(ids, SeededIds):
            ids.begin_epoch(await next_epoch(db, "wallet", clock.now()))
        app[LEDGER] = ledger
        app[SANDBOX] = Sandbox(db, clock, ids)
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
        handler = documented(_protocol_doc(op, model))(_protocol_handler(model, operation, keys, clock, window))
        app.router.add_post(f"/{op}", handler)
    routes.add_routes(app)
    if dialects is None:
        dialect_config.ensure_dev_keys(settings)
        dialects = WalletDialects(dialect_config.resolve(settings, dialect_config.credentials_for(settings)))
    for room in registry.rooms():
        if room.mount is not None:
            prefix = "" if room.primary else f"/{room.name}"
            room.mount(app, prefix, dialects.endpoints[room.name], dialects, clock, window)
    return app
