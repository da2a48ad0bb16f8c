"""Reference-wallet endpoints of the ``rsa_json`` dialect (see ``simulator.dialects.rsa_json``).

Every reply is HTTP 200 with a ``status``; a signature that does not verify changes nothing. Transactional
requests are answered from the remembered reply when their ``request_id`` was seen before with the same
content, and refused with ``RS_ERROR_DUPLICATE_TRANSACTION`` when it was seen with other content.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator.clock import Clock
from simulator.dialects import rsa_json as wire
from simulator.dialects.amounts import from_scaled, to_scaled
from simulator.dialects.rsa_json.keys import Verifier
from simulator.dialects.wallet_common import (
    LedgerOp,
    RememberingEndpoints,
    add_verb_route,
    apply,
    native_code,
    refusal_balance,
    route_doc,
)
from simulator.errors import SimulatorError, WalletProtocolError
from simulator.http import RouteDoc, json_response
from simulator.jsonbytes import loads
from simulator.money import EXPONENTS
from simulator.state import LEDGER

MAX_ID = 255


class BalanceBody(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    request_id: str = Field(min_length=1, max_length=MAX_ID)
    sent_at: int = Field(description="Unix seconds; outside the signature window the request is refused.")
    player: str = Field(min_length=1, max_length=MAX_ID)
    session_token: str = Field(min_length=1, max_length=512)
    currency: str = Field(min_length=3, max_length=8)
    game: str = Field("", max_length=MAX_ID)
    studio: str = Field("", max_length=MAX_ID)


class TransactionBody(BalanceBody):
    tx_id: str = Field(min_length=1, max_length=MAX_ID)
    ref_tx_id: str | None = Field(None, min_length=1, max_length=MAX_ID)
    round: str = Field(min_length=1, max_length=MAX_ID)
    amount: int = Field(ge=0, description="1/100000 of the currency's major unit.")
    round_closed: bool = False
    bonus: dict[str, Any] | None = None


class RsaJsonReply(BaseModel):
    status: str = Field(description="RS_OK or an RS_ERROR_ code.")
    request_id: str | None = None
    player: str | None = None
    currency: str | None = None
    balance: int | None = Field(None, description="1/100000 of the major unit; also sent with NOT_ENOUGH_MONEY.")
    tx_id: str | None = None
    message: str | None = None


def _error(code: str, message: str, **fields: Any) -> dict[str, Any]:
    return {"status": code, "message": message} | {k: v for k, v in fields.items() if v is not None}


class RsaJsonEndpoints(RememberingEndpoints):
    def __init__(
        self, verifiers: Mapping[str, Verifier] | None, unavailable: str | None, clock: Clock, window: int
    ) -> None:
        super().__init__(wire.CODES, clock)
        self._verifiers = verifiers or {}
        self._unavailable = unavailable
        self._window = window

    def _authentic(self, request: web.Request, body: bytes) -> str | None:
        """None when the signature verifies, else why not."""
        verifier = self._verifiers.get(request.headers.get(wire.KEY_HEADER, ""))
        signature = request.headers.get(wire.SIGNATURE_HEADER, "")
        if verifier is None or not signature:
            return "missing or unknown key id or signature"
        if not verifier.verify(body, signature):
            return "the signature does not match the body"
        return None

    async def handle(self, request: web.Request, op: LedgerOp) -> web.Response:
        if self._unavailable is not None:
            return json_response(_error("RS_ERROR_UNKNOWN", self._unavailable), status=503)
        body = await request.read()
        if (why := self._authentic(request, body)) is not None:
            return json_response(_error("RS_ERROR_INVALID_SIGNATURE", why))
        try:
            data = loads(body, unique=True)
        except ValueError:  # also nested too deep or a repeated key
            return json_response(_error("RS_ERROR_WRONG_SYNTAX", "body is not JSON"))
        model = BalanceBody if op == "balance" else TransactionBody
        try:
            req = model.model_validate(data, strict=True)
        except ValidationError as exc:
            message = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
            request_id = data.get("request_id") if isinstance(data, dict) else None
            return json_response(_error("RS_ERROR_WRONG_TYPES", message, request_id=request_id))
        if abs(self.clock.now() - req.sent_at) > self._window:
            return json_response(
                _error(
                    "RS_ERROR_INVALID_SIGNATURE",
                    f"sent_at outside the {self._window}s window",
                    request_id=req.request_id,
                )
            )
        if not isinstance(req, TransactionBody):
            return json_response(await self._run(request, op, req))
        reply = await self.remembered(
            req.request_id,
            req.model_dump(exclude={"sent_at"}),
            lambda: self._run(request, op, req),
            lambda: _error(
                "RS_ERROR_DUPLICATE_TRANSACTION", "request_id reused with other content", request_id=req.request_id
            ),
        )
        return json_response(reply)

    async def _run(self, request: web.Request, op: LedgerOp, req: BalanceBody) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "request_id": req.request_id,
            "player_id": req.player,
            "session_id": req.session_token,
            "currency": req.currency,
        }
        base = {"request_id": req.request_id, "player": req.player, "currency": req.currency}
        if req.currency not in EXPONENTS or not wire.supports(req.currency):
            return _error("RS_ERROR_WRONG_CURRENCY", f"{req.currency} cannot be carried by this dialect", **base)
        try:
            if isinstance(req, TransactionBody):
                fields |= {
                    "transaction_id": req.tx_id,
                    "round_id": req.round,
                    "game_id": req.game,
                    "studio_id": req.studio,
                    "amount": from_scaled(req.amount, req.currency, wire.SCALE),
                    "round_closed": req.round_closed,
                    "reference_transaction_id": req.ref_tx_id,
                    "bonus": req.bonus,
                }
            result = await apply(request.app[LEDGER], op, fields)
        except WalletProtocolError as exc:
            return _error("RS_ERROR_WRONG_TYPES", exc.message, **base)
        except SimulatorError as exc:
            balance = refusal_balance(exc)
            scaled = None if balance is None else to_scaled(balance, req.currency, wire.SCALE)
            return _error(wire.FROM_NATIVE[native_code(exc)], exc.message, balance=scaled, **base)
        return {
            "status": wire.OK,
            **base,
            "currency": result["currency"],
            "balance": to_scaled(result["balance"], result["currency"], wire.SCALE),
            "tx_id": result.get("transaction_id"),
        }


def _doc(op: str, model: type[BaseModel]) -> RouteDoc:
    return route_doc(
        f"rsa_json dialect: {op}. Body signed with RSA-SHA256 (X-Sim-Signature, X-Sim-Key-Id); amounts are"
        " integers in 1/100000 of the major unit.",
        wire.CODES,
        request=model,
        response=RsaJsonReply,
    )


def add_routes(app: web.Application, endpoints: RsaJsonEndpoints, prefix: str = "/rsa_json") -> None:
    endpoints.open_replies(app)
    ops: dict[LedgerOp, type[BaseModel]] = {
        "balance": BalanceBody,
        "bet": TransactionBody,
        "win": TransactionBody,
        "rollback": TransactionBody,
    }
    for op, model in ops.items():
        add_verb_route(app, prefix + wire.PATHS[op], _doc(op, model), endpoints.handle, op)
