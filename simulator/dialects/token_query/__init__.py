"""The ``token_query`` dialect: JSON POSTs to ``check``, ``balance``, ``debit``, ``credit`` and ``cancel``,
authenticated by an operator token in the query string, decimal amounts as strings and status strings.
Modelled on publicly documented live-casino wallets; names and statuses are our own (see
docs/dialects/token_query.md).

A balance enquiry (made at launch) is ``check`` (is the session valid?) followed by ``balance``. A credit
settles the bet named by ``transaction.refId`` and ends its round; a cancel reverses that bet. A win that settles no
bet (a campaign's total, a promotional payout) is a ``promo_payout``. ``transaction.promo`` carries the bonus
context as the native protocol's ``bonus`` (docs/bonus.md).
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from simulator.clock import Clock
from simulator.dialects.amounts import from_decimal, to_decimal
from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.dialects.common import Codes, reply_object, reverse
from simulator.errors import WalletProtocolError
from simulator.jsonbytes import dumps

NAME = "token_query"
TOKEN_PARAM = "authToken"  # noqa: S105 - the parameter's name, not a secret
VERBS = {"bet": "debit", "win": "credit", "rollback": "cancel"}
PROMO_PAYOUT = "promo_payout"
"""A win with no bet (a campaign's total, a promotional payout): it settles no bet and ends its own round."""

OK = "OK"
TO_NATIVE = {
    "INVALID_PARAMETER": "INVALID_REQUEST",
    "INVALID_TOKEN_ID": "INVALID_SIGNATURE",
    "INVALID_SID": "INVALID_SESSION",
    "SID_EXPIRED": "SESSION_EXPIRED",
    "ACCOUNT_LOCKED": "PLAYER_BLOCKED",
    "ACCOUNT_SELF_EXCLUDED": "SELF_EXCLUDED",
    "INSUFFICIENT_FUNDS": "INSUFFICIENT_FUNDS",
    "LIMIT_REACHED": "LIMIT_EXCEEDED",
    "INVALID_CURRENCY": "CURRENCY_MISMATCH",
    "INVALID_GAME": "UNKNOWN_GAME",
    "BET_DOES_NOT_EXIST": "TRANSACTION_NOT_FOUND",
    "BET_ALREADY_EXIST": "TRANSACTION_MISMATCH",
    "BET_ALREADY_CANCELLED": "TRANSACTION_ROLLED_BACK",
    "BET_ALREADY_SETTLED": "ROUND_CLOSED",
}
UNCERTAIN = frozenset({"TEMPORARY_ERROR", "UNKNOWN_ERROR", "OPERATION_IN_PROCESS"})
FROM_NATIVE = reverse(TO_NATIVE, {"INTERNAL_ERROR": "UNKNOWN_ERROR"})
CODES = Codes(NAME, OK, TO_NATIVE, UNCERTAIN)


def _status(call: WalletCall, data: dict[str, Any], currency_checked: bool) -> None:
    code = data.get("status")
    if code == OK:
        return
    balance_raw = data.get("balance")
    balance = from_decimal(balance_raw, call.currency) if balance_raw is not None and currency_checked else None
    CODES.refuse(call, code, balance=balance)


class TokenQueryDialect:
    name = NAME

    def __init__(self, base_url: str, casino_id: str, auth_token: bytes, clock: Clock) -> None:
        self._base = base_url.rstrip("/")
        self._casino_id = casino_id
        self._query = f"?{TOKEN_PARAM}={quote(auth_token.decode(), safe='')}"
        self._clock = clock

    def _request(self, verb: str, fields: dict[str, Any], **kwargs: Any) -> WalletRequest:
        body = dumps({"uuid": str(uuid.uuid4())} | fields)
        headers = {"Content-Type": "application/json", "X-Casino-Id": self._casino_id}
        return WalletRequest(f"{self._base}/{verb}{self._query}", headers, body, **kwargs)

    def _check(self, call: WalletCall, status: int, body: bytes) -> None:
        _status(call, reply_object(call, status, body, decimals=True), currency_checked=False)

    def build(self, call: WalletCall) -> WalletRequest:
        fields: dict[str, Any] = {"sid": call.session_id, "userId": call.player_id, "currency": call.currency}
        if call.operation == "balance":
            balance = self._request("balance", fields | {"game": {"id": call.game_id, "studio": call.studio_id}})
            return self._request("check", fields, then=balance, check_reply=self._check)
        transaction: dict[str, Any] = {
            "id": call.transaction_id,
            "refId": call.reference_transaction_id or call.transaction_id,
            "amount": to_decimal(call.amount, call.currency),
        }
        if call.bonus is not None:
            transaction["promo"] = call.bonus
        fields |= {
            "game": {"id": call.game_id, "studio": call.studio_id, "round": call.round_id},
            "transaction": transaction,
        }
        if call.operation == "win" and call.reference_transaction_id is None:
            return self._request(PROMO_PAYOUT, fields)
        return self._request(VERBS[call.operation], fields)

    def parse(self, call: WalletCall, status: int, body: bytes) -> WalletReply:
        data = reply_object(call, status, body, decimals=True)
        currency_ok = data.get("currency") == call.currency
        _status(call, data, currency_ok)
        if not currency_ok:
            raise WalletProtocolError(
                f"wallet answered {call.operation} in {data.get('currency')!r}, not {call.currency}"
            )
        return WalletReply(from_decimal(data.get("balance"), call.currency), call.currency, None)
