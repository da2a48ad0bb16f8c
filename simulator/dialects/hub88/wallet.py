"""Reference-wallet endpoints of the ``hub88`` dialect: what an operator implements for Hub88's seamless
wallet (``/user/info``, ``/user/balance``, ``/transaction/bet|win|rollback``), over the one ledger.

Every reply is HTTP 200 with a ``status``; a signature that does not verify with Hub88's public key (ours, as
the operator registers it) changes nothing. A transactional request seen before under the same
``request_uuid`` and content gets the very reply it got then; with other content,
``RS_ERROR_DUPLICATE_TRANSACTION``. Hub88's balance and rollback bodies carry no currency: the player's
account currency is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator.clock import Clock
from simulator.dialects import hub88 as wire
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
from simulator.wallet.records import lock_player

MAX_ID = 255


class Hub88InfoBody(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    user: str = Field(min_length=1, max_length=MAX_ID)
    request_uuid: str = Field(min_length=1, max_length=MAX_ID)


class Hub88BalanceBody(Hub88InfoBody):
    token: str = Field(min_length=1, max_length=512)
    game_code: str | None = Field(None, max_length=MAX_ID)


class Hub88RoundBody(Hub88BalanceBody):
    """What a bet, a win and a rollback share."""

    transaction_uuid: str = Field(min_length=1, max_length=MAX_ID)
    supplier_transaction_id: str | None = Field(None, max_length=MAX_ID)
    supplier_user: str | None = Field(None, max_length=MAX_ID)
    round: str = Field(min_length=1, max_length=MAX_ID)
    round_closed: bool = False


class Hub88RollbackBody(Hub88RoundBody):
    reference_transaction_uuid: str = Field(min_length=1, max_length=MAX_ID)
    meta: dict[str, Any] | None = None


class Hub88TransactionBody(Hub88RoundBody):
    reference_transaction_uuid: str | None = Field(None, min_length=1, max_length=MAX_ID)
    currency: str = Field(min_length=3, max_length=8)
    amount: int = Field(ge=0, description="1/100000 of the currency's major unit.")
    is_free: bool | None = None
    is_aggregated: bool | None = None
    reward_uuid: str | None = None
    bet: str | None = None
    meta: dict[str, Any] | None = None


class Hub88Reply(BaseModel):
    user: str | None = None
    status: str = Field(description="RS_OK or an RS_ERROR_ status.")
    request_uuid: str | None = None
    currency: str | None = None
    balance: int | None = Field(None, description="1/100000 of the major unit; also sent with NOT_ENOUGH_MONEY.")


MODELS: dict[str, type[Hub88InfoBody]] = {
    "info": Hub88InfoBody,
    "balance": Hub88BalanceBody,
    "bet": Hub88TransactionBody,
    "win": Hub88TransactionBody,
    "rollback": Hub88RollbackBody,
}


def _bonus(req: Hub88TransactionBody) -> dict[str, Any] | None:
    """A free bet's campaign: the bonus object in ``meta`` when the studio sent one, else ``reward_uuid``."""
    if not req.is_free:
        return None
    carried = (req.meta or {}).get("bonus")
    if isinstance(carried, dict):
        return carried
    return {"campaign_id": req.reward_uuid} if req.reward_uuid else {}


def _reply(status: str, **fields: Any) -> dict[str, Any]:
    return {"status": status} | {k: v for k, v in fields.items() if v is not None}


class Hub88Endpoints(RememberingEndpoints):
    def __init__(self, verifier: Verifier | None, unavailable: str | None, clock: Clock) -> None:
        super().__init__(wire.CODES, clock)
        self._verifier = verifier
        self._unavailable = unavailable

    async def handle(self, request: web.Request, verb: str) -> web.Response:
        if self._unavailable is not None or self._verifier is None:
            return json_response(_reply("RS_ERROR_UNKNOWN"), status=503)
        body = await request.read()
        signature = request.headers.get(wire.SIGNATURE_HEADER, "")
        if not signature or not self._verifier.verify(body, signature):
            return json_response(_reply("RS_ERROR_INVALID_SIGNATURE"))
        try:
            data = loads(body, unique=True)
        except ValueError:  # also nested too deep or a repeated key
            return json_response(_reply("RS_ERROR_WRONG_SYNTAX"))
        if not isinstance(data, dict):
            return json_response(_reply("RS_ERROR_WRONG_SYNTAX"))
        try:
            req = MODELS[verb].model_validate(data, strict=True)
        except ValidationError:
            request_uuid = data.get("request_uuid")
            return json_response(_reply("RS_ERROR_WRONG_TYPES", request_uuid=request_uuid))
        if verb == "info":
            return json_response(await self._info(request, req))
        if not isinstance(req, Hub88RoundBody):
            return json_response(await self._run(request, "balance", req))
        op: LedgerOp = "rollback" if isinstance(req, Hub88RollbackBody) else ("bet" if verb == "bet" else "win")
        reply = await self.remembered(
            req.request_uuid,
            req.model_dump(),
            lambda: self._run(request, op, req),
            lambda: _reply("RS_ERROR_DUPLICATE_TRANSACTION", request_uuid=req.request_uuid),
        )
        return json_response(reply)

    async def _currency(self, request: web.Request, user: str) -> str:
        async with request.app[LEDGER].db.transaction() as tx:
            return (await lock_player(tx, user, for_update=False)).currency

    async def _info(self, request: web.Request, req: Hub88InfoBody) -> dict[str, Any]:
        base = {"user": req.user, "request_uuid": req.request_uuid}
        try:
            await self._currency(request, req.user)
        except SimulatorError:
            return _reply("RS_ERROR_INVALID_TOKEN", **base)
        return _reply(wire.OK, **base)

    async def _run(self, request: web.Request, op: LedgerOp, req: Hub88InfoBody) -> dict[str, Any]:
        assert isinstance(req, Hub88BalanceBody)
        base: dict[str, Any] = {"user": req.user, "request_uuid": req.request_uuid}
        try:
            currency = (
                req.currency if isinstance(req, Hub88TransactionBody) else await self._currency(request, req.user)
            )
        except SimulatorError:
            return _reply("RS_ERROR_INVALID_TOKEN", **base)
        base["currency"] = currency
        if currency not in EXPONENTS or not wire.supports(currency):
            return _reply("RS_ERROR_WRONG_CURRENCY", **base)
        fields: dict[str, Any] = {
            "request_id": req.request_uuid,
            "player_id": req.user,
            "session_id": req.token,
            "currency": currency,
        }
        try:
            if isinstance(req, Hub88TransactionBody | Hub88RollbackBody):
                fields |= {
                    "transaction_id": req.transaction_uuid,
                    "round_id": req.round,
                    "game_id": req.game_code or "",
                    "amount": from_scaled(req.amount, currency, wire.SCALE)
                    if isinstance(req, Hub88TransactionBody)
                    else 0,
                    "round_closed": req.round_closed,
                    "reference_transaction_id": req.reference_transaction_uuid,
                    "bonus": _bonus(req) if isinstance(req, Hub88TransactionBody) else None,
                }
            result = await apply(request.app[LEDGER], op, fields)
        except WalletProtocolError:
            return _reply("RS_ERROR_WRONG_TYPES", **base)
        except SimulatorError as exc:
            balance = refusal_balance(exc)
            scaled = None if balance is None else to_scaled(balance, currency, wire.SCALE)
            return _reply(wire.FROM_NATIVE[native_code(exc)], balance=scaled, **base)
        return _reply(wire.OK, **base, balance=to_scaled(result["balance"], result["currency"], wire.SCALE))


def _doc(verb: str, model: type[BaseModel]) -> RouteDoc:
    return route_doc(
        f"hub88 dialect: {verb}, as Hub88 calls an operator's wallet. Body signed with RSA-SHA256 in"
        " X-Hub88-Signature; amounts are integers in 1/100000 of the major unit.",
        wire.CODES,
        request=model,
        response=Hub88Reply,
    )


def add_routes(app: web.Application, endpoints: Hub88Endpoints, prefix: str = "/hub88") -> None:
    endpoints.open_replies(app)
    paths: Mapping[str, str] = {"info": wire.INFO_PATH, **wire.PATHS}
    for verb, path in paths.items():
        add_verb_route(app, prefix + path, _doc(verb, MODELS[verb]), endpoints.handle, verb)
