"""Reference-wallet endpoints of the ``md5_form`` dialect (see ``simulator.dialects.md5_form``).

Replies are HTTP 200 JSON with a numeric ``error`` (0 = success) and decimal ``cash`` written as an exact JSON
number. ``endRound`` closes the round in the ledger without moving money. A ``refund`` without
``betReference`` treats ``reference`` as the bet to reverse (the form some studios use). ``bonusCode`` makes the
operation a free-spin one of that campaign, as ``bonus.campaign_id`` does in the native protocol, and ``bonusType``,
``bonusBet``, ``promoReference`` and ``promotion`` carry the rest of the bonus context (docs/bonus.md). ``bonusWin``
(a campaign's total) and ``promoWin`` (a promotional payout) are wins with no bet, each ending its own round.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from simulator.clock import Clock
from simulator.dialects import md5_form as wire
from simulator.dialects.amounts import from_decimal, to_decimal
from simulator.dialects.wallet_common import LedgerOp, add_verb_route, apply, native_code, refusal_balance, route_doc
from simulator.errors import SimulatorError, WalletProtocolError
from simulator.http import strict_int
from simulator.money import EXPONENTS
from simulator.state import LEDGER

REQUIRED = {
    "balance": ("userId", "token", "currency"),
    "bet": ("userId", "token", "currency", "gameId", "roundId", "reference", "amount"),
    "result": ("userId", "token", "currency", "gameId", "roundId", "reference", "amount"),
    "refund": ("userId", "token", "currency", "roundId", "reference", "amount"),
    wire.END_ROUND: ("userId", "gameId", "roundId"),
    "bonusWin": ("userId", "token", "currency", "roundId", "reference", "amount", "bonusCode"),
    "promoWin": ("userId", "token", "currency", "roundId", "reference", "amount", "promoReference"),
}
LEDGER_OPS: dict[str, LedgerOp] = {
    "balance": "balance",
    "bet": "bet",
    "result": "win",
    "refund": "rollback",
    "bonusWin": "win",
    "promoWin": "win",
}


class FormBody(BaseModel):
    """Form fields (all strings); ``hash`` is MD5 over the other non-empty fields, sorted, joined, plus the
    secret."""

    model_config = ConfigDict(extra="allow")
    providerId: str
    timestamp: str = Field(description="Unix milliseconds.")
    hash: str
    userId: str
    token: str | None = None
    currency: str | None = None
    gameId: str | None = None
    roundId: str | None = None
    reference: str | None = None
    betReference: str | None = None
    amount: str | None = Field(None, description="Decimal major units, e.g. 1.50.")
    bonusCode: str | None = Field(None, description="The free-round campaign the operation belongs to.")
    bonusType: str | None = Field(None, description="free_round, campaign_total, promo or jackpot.")
    bonusBet: str | None = Field(None, description="A free round's stake, decimal major units (its amount is 0).")
    promoReference: str | None = Field(None, description="The operator's reference of a promotional payout.")
    promotion: str | None = None


class Md5FormReply(BaseModel):
    error: int = Field(description="0 on success, else a code from the dialect's table.")
    description: str
    cash: Decimal | None = Field(None, description="Balance in major units, an exact decimal number.")
    bonus: Decimal | None = None
    currency: str | None = None
    transactionId: str | None = None


def reply_bytes(
    code: int,
    *,
    currency: str | None = None,
    cash: int | None = None,
    transaction_id: str | None = None,
    description: str | None = None,
) -> bytes:
    """JSON with ``cash`` written as an exact decimal literal (no float ever holds it)."""
    fields: dict[str, Any] = {"error": code, "description": description or wire.DESCRIPTIONS.get(code, "")}
    if currency is not None:
        fields["currency"] = currency
    if transaction_id is not None:
        fields["transactionId"] = transaction_id
    text = json.dumps(fields, separators=(",", ":"))
    if cash is not None and currency is not None:
        zero = to_decimal(0, currency)
        text = f'{text[:-1]},"cash":{to_decimal(cash, currency)},"bonus":{zero}}}'
    return text.encode()


def _response(body: bytes) -> web.Response:
    return web.Response(body=body, content_type="application/json")


class Md5FormEndpoints:
    def __init__(self, secrets: dict[str, bytes], clock: Clock, window: int) -> None:
        self._secrets = secrets
        self._clock = clock
        self._window = window

    async def handle(self, request: web.Request, verb: str) -> web.Response:
        raw = await request.read()
        try:
            pairs = parse_qsl(raw.decode(), keep_blank_values=True, strict_parsing=bool(raw))
        except (ValueError, UnicodeDecodeError):
            return _response(reply_bytes(6, description="body is not form-encoded"))
        params = dict(pairs)
        if len(params) != len(pairs):
            return _response(reply_bytes(6, description="a parameter is repeated"))
        secret = self._secrets.get(params.get("providerId", ""))
        if secret is None or not wire.hash_valid(params, secret):
            return _response(reply_bytes(5))
        stamp = strict_int(params.get("timestamp", ""))
        if stamp is None or abs(self._clock.now() - stamp / 1000) > self._window:
            return _response(reply_bytes(5, description=f"timestamp outside the {self._window}s window"))
        missing = [name for name in REQUIRED[verb] if not params.get(name)]
        if missing:
            return _response(reply_bytes(6, description=f"missing {', '.join(missing)}"))
        return _response(await self._run(request, verb, params))

    async def _run(self, request: web.Request, verb: str, p: dict[str, str]) -> bytes:
        ledger = request.app[LEDGER]
        currency = p.get("currency")
        if currency is not None and currency not in EXPONENTS:
            return reply_bytes(8, description=f"unknown currency {currency}")
        try:
            if verb == wire.END_ROUND:
                result = await ledger.end_round(p["userId"], p["roundId"])
                return reply_bytes(0, currency=result["currency"], cash=result["balance"])
            assert currency is not None
            fields: dict[str, Any] = {
                "request_id": f"{verb}:{p.get('reference', p['timestamp'])}"[:255],
                "player_id": p["userId"],
                "session_id": p["token"],
                "currency": currency,
            }
            if verb != "balance":
                reference, bet_reference = p["reference"], p.get("betReference") or None
                if verb == "refund" and bet_reference is None:
                    reference, bet_reference = f"refund:{reference}", reference
                fields |= {
                    "transaction_id": reference,
                    "round_id": p["roundId"],
                    "game_id": p.get("gameId", ""),
                    "amount": from_decimal(p["amount"], currency),
                    "reference_transaction_id": bet_reference,
                }
                fields["bonus"] = wire.bonus_context(p, currency)
                if verb in wire.BONUS_VERBS.values():  # a win with no bet: it names no bet and ends its own round
                    fields["round_closed"] = True
                if fields["amount"] < 0:
                    return reply_bytes(6, description="amount must not be negative")
            result = await apply(ledger, LEDGER_OPS[verb], fields)
        except WalletProtocolError as exc:
            return reply_bytes(6, description=exc.message)
        except SimulatorError as exc:
            code = wire.FROM_NATIVE[native_code(exc)]
            return reply_bytes(
                code,
                currency=currency,
                cash=refusal_balance(exc),
                description=f"{wire.DESCRIPTIONS.get(code, '')}: {exc.message}",
            )
        return reply_bytes(
            0,
            currency=result["currency"],
            cash=result["balance"],
            transaction_id=result.get("transaction_id"),
        )


def add_routes(app: web.Application, endpoints: Md5FormEndpoints, prefix: str = "/md5_form") -> None:
    for verb in REQUIRED:
        doc = route_doc(
            f"md5_form dialect: {verb}. Form-encoded, MD5 hash over sorted non-empty fields plus the secret.",
            wire.CODES,
            request=FormBody,
            response=Md5FormReply,
            request_content_type="application/x-www-form-urlencoded",
        )
        add_verb_route(app, f"{prefix}/{verb}", doc, endpoints.handle, verb)
