"""Reference-wallet endpoints of the ``token_query`` dialect (see ``simulator.dialects.token_query``).

Replies are HTTP 200 JSON with a ``status`` string and decimal amounts as strings. ``check`` validates the
session and moves nothing; ``credit`` settles the bet named by ``refId`` and ends its round; ``cancel``
reverses that bet.
"""

from __future__ import annotations

import hmac
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator.dialects import token_query as wire
from simulator.dialects.amounts import from_decimal, to_decimal
from simulator.dialects.wallet_common import LedgerOp, add_verb_route, apply, native_code, refusal_balance, route_doc
from simulator.errors import SimulatorError, WalletProtocolError
from simulator.http import json_response
from simulator.jsonbytes import loads
from simulator.money import EXPONENTS
from simulator.state import LEDGER

MAX_ID = 255
LEDGER_OPS: dict[str, LedgerOp] = {
    "check": "balance",
    "balance": "balance",
    "debit": "bet",
    "credit": "win",
    "cancel": "rollback",
    wire.PROMO_PAYOUT: "win",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class GameRef(_Strict):
    id: str = Field("", max_length=MAX_ID)
    studio: str = Field("", max_length=MAX_ID)
    round: str = Field("", max_length=MAX_ID)


class TransactionRef(_Strict):
    id: str = Field(min_length=1, max_length=MAX_ID)
    refId: str = Field(min_length=1, max_length=MAX_ID, description="The bet this transaction belongs to.")
    amount: str = Field(min_length=1, max_length=40, description="Decimal major units as a string, e.g. '1.50'.")
    promo: dict[str, Any] | None = Field(None, description="Free-spin campaign data, as the native bonus.")


class TokenQueryBody(_Strict):
    uuid: str = Field(min_length=1, max_length=MAX_ID)
    sid: str = Field(min_length=1, max_length=512)
    userId: str = Field(min_length=1, max_length=MAX_ID)
    currency: str = Field(min_length=3, max_length=8)
    game: GameRef = GameRef()
    transaction: TransactionRef | None = None


class TokenQueryReply(BaseModel):
    status: str = Field(description="OK or an error status string.")
    uuid: str | None = None
    sid: str | None = None
    currency: str | None = None
    balance: str | None = Field(None, description="Decimal major units as a string.")
    bonus: str | None = None


class TokenQueryEndpoints:
    def __init__(self, auth_tokens: list[bytes]) -> None:
        self._tokens = auth_tokens

    def _authorised(self, request: web.Request) -> bool:
        given = request.query.get(wire.TOKEN_PARAM, "").encode()
        return any(hmac.compare_digest(given, token) for token in self._tokens)

    async def handle(self, request: web.Request, verb: str) -> web.Response:
        if not self._authorised(request):
            return json_response({"status": "INVALID_TOKEN_ID"})
        try:
            data = loads(await request.read(), unique=True)
        except ValueError:  # also nested too deep or a repeated key
            return json_response({"status": "INVALID_PARAMETER"})
        try:
            body = TokenQueryBody.model_validate(data, strict=True)
        except ValidationError:
            return json_response({"status": "INVALID_PARAMETER"})
        if verb not in ("check", "balance") and (body.transaction is None or not body.game.round):
            return json_response({"status": "INVALID_PARAMETER", "uuid": body.uuid})
        return json_response(await self._run(request, verb, body))

    async def _run(self, request: web.Request, verb: str, body: TokenQueryBody) -> dict[str, Any]:
        base: dict[str, Any] = {"uuid": body.uuid}
        if body.currency not in EXPONENTS:
            return base | {"status": "INVALID_CURRENCY"}
        fields: dict[str, Any] = {
            "request_id": body.uuid,
            "player_id": body.userId,
            "session_id": body.sid,
            "currency": body.currency,
        }
        try:
            if body.transaction is not None and verb not in ("check", "balance"):
                tx = body.transaction
                amount = from_decimal(tx.amount, body.currency)
                if amount < 0:
                    return base | {"status": "INVALID_PARAMETER"}
                fields |= {
                    "transaction_id": tx.id,
                    "round_id": body.game.round,
                    "game_id": body.game.id,
                    "studio_id": body.game.studio,
                    "amount": amount,
                    "round_closed": verb in ("credit", wire.PROMO_PAYOUT),
                    "reference_transaction_id": None if verb in ("debit", wire.PROMO_PAYOUT) else tx.refId,
                    "bonus": tx.promo,
                }
            result = await apply(request.app[LEDGER], LEDGER_OPS[verb], fields)
        except WalletProtocolError:
            return base | {"status": "INVALID_PARAMETER"}
        except SimulatorError as exc:
            out = base | {"status": wire.FROM_NATIVE[native_code(exc)]}
            if (balance := refusal_balance(exc)) is not None:
                out |= {"currency": body.currency, "balance": to_decimal(balance, body.currency)}
            return out
        if verb == "check":
            return base | {"status": wire.OK, "sid": body.sid}
        currency = result["currency"]
        return base | {
            "status": wire.OK,
            "currency": currency,
            "balance": to_decimal(result["balance"], currency),
            "bonus": to_decimal(0, currency),
        }


def add_routes(app: web.Application, endpoints: TokenQueryEndpoints, prefix: str = "/token_query") -> None:
    for verb in LEDGER_OPS:
        doc = route_doc(
            f"token_query dialect: {verb}. JSON; the operator token rides in the authToken query parameter.",
            wire.CODES,
            request=TokenQueryBody,
            response=TokenQueryReply,
            query=((wire.TOKEN_PARAM, "the operator's auth token"),),
        )
        add_verb_route(app, f"{prefix}/{verb}", doc, endpoints.handle, verb)
