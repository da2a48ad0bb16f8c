"""The ``groove`` dialect: the casino-side Transaction API Groove calls, wire for wire: one endpoint, every
call a GET whose ``request`` parameter names it (``getaccount``, ``getbalance``, ``wager``, ``result``,
``rollback``), decimal amounts of the major unit, a numeric ``code`` in a JSON reply, and the optional
``X-Groove-Signature`` (HMAC-SHA256, keyed with the security key, over the values of every query parameter
but ``request``, in the order of their sorted names). docs/compatibility/groove.md lists what is emulated.

Groove's resend rules decide what is final: a result (our win) is resent on any code but success; a rollback
is final on success, ``102`` (wager not found) and ``110`` (not allowed), resent otherwise; a wager refused
with a code is final, and one without an answer is rolled back. A rollback names the wager's own
``transactionid``.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from simulator.clock import Clock
from simulator.dialects.amounts import from_decimal, to_decimal
from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.dialects.common import Codes, reply_object, reverse
from simulator.errors import WalletError, WalletProtocolError, WalletRefused

NAME = "groove"
SIGNATURE_HEADER = "X-Groove-Signature"
API_VERSION = "1.2"
REQUESTS = {"balance": "getbalance", "bet": "wager", "win": "result", "rollback": "rollback"}
ACCOUNT = "getaccount"
ROLLBACK_NAMESPACE = uuid.UUID("2c51a0f4-96a8-4b0e-9d1e-6f5b3c7a9e21")

OK = 200
TO_NATIVE = {
    102: "TRANSACTION_NOT_FOUND",
    110: "INVALID_REQUEST",  # "operation not allowed": Groove folds many refusals into it (see CONFLATED)
    400: "TRANSACTION_MISMATCH",
    409: "ROUND_CLOSED",  # "round closed or transaction id exists"
    1000: "INVALID_SESSION",  # "not logged on": unknown or expired session
    1003: "INVALID_SIGNATURE",  # "authentication failed"
    1006: "INSUFFICIENT_FUNDS",
    1019: "LIMIT_EXCEEDED",
    1035: "PLAYER_BLOCKED",
}
UNCERTAIN = frozenset({1})
FROM_NATIVE = reverse(
    TO_NATIVE,
    {
        "INTERNAL_ERROR": 1,
        "SESSION_EXPIRED": 1000,
        "CURRENCY_MISMATCH": 110,
        "UNKNOWN_GAME": 110,
        "TRANSACTION_ROLLED_BACK": 409,
    },
)
CODES = Codes(NAME, OK, TO_NATIVE, UNCERTAIN)
# the native codes each Groove refusal may stand for: Groove has one code where we have several
CONFLATED = {
    "INVALID_REQUEST": frozenset({"CURRENCY_MISMATCH", "UNKNOWN_GAME", "ROUND_CLOSED", "TRANSACTION_ROLLED_BACK"}),
    "ROUND_CLOSED": frozenset({"TRANSACTION_ROLLED_BACK"}),
    "INVALID_SESSION": frozenset({"SESSION_EXPIRED"}),
}
FINAL_ROLLBACK_CODES = frozenset({102, 110})
STATUS_TEXT = {
    200: "Success",
    1: "Technical error",
    102: "Wager not found",
    110: "Operation not allowed",
    400: "Transaction parameter mismatch",
    409: "Round closed or transaction ID exists",
    1000: "Not logged on",
    1003: "Authentication failed",
    1006: "Out of money",
    1019: "Gaming limit",
    1035: "Account blocked",
}


def signature(params: Mapping[str, str], key: bytes) -> str:
    """Hex HMAC-SHA256 over the values of every parameter but ``request``, ordered by parameter name
    (``nogsgameid`` sorts as ``gameid``)."""
    names = sorted((k for k in params if k != "request"), key=lambda k: "gameid" if k == "nogsgameid" else k)
    return hmac.new(key, "".join(params[k] for k in names).encode(), hashlib.sha256).hexdigest()


def signature_valid(params: Mapping[str, str], key: bytes, given: str) -> bool:
    return hmac.compare_digest(signature(params, key), given)


def rollback_ledger_id(wager_id: str) -> str:
    """A Groove rollback carries the wager's transactionid only; the wallet books it under this id."""
    return str(uuid.uuid5(ROLLBACK_NAMESPACE, f"rollback:{wager_id}"))


def wire_params(call: WalletCall) -> dict[str, str]:
    params = {
        "request": REQUESTS[call.operation],
        "accountid": call.player_id,
        "gamesessionid": call.session_id,
        "device": "desktop",
        "gameid": call.game_id,
        "apiversion": API_VERSION,
    }
    if call.operation == "bet":
        params |= {"betamount": to_decimal(call.amount, call.currency)}
    elif call.operation == "win":
        params |= {
            "result": to_decimal(call.amount, call.currency),
            "gamestatus": "completed" if call.round_closed else "pending",
        }
    elif call.operation == "rollback":
        params |= {"rollbackamount": to_decimal(call.amount, call.currency)}
    if call.operation != "balance":
        # a rollback names the wager it reverses by the wager's own transactionid
        txid = call.reference_transaction_id if call.operation == "rollback" else call.transaction_id
        params |= {"roundid": call.round_id, "transactionid": txid or call.transaction_id}
    if call.bonus is not None and isinstance(call.bonus.get("campaign_id"), str):
        params["frbid"] = call.bonus["campaign_id"]
    return params


class GrooveDialect:
    name = NAME

    def __init__(self, base_url: str, key: bytes, clock: Clock) -> None:
        self._url = base_url.rstrip("/")
        self._key = key
        self._clock = clock

    def request(self, params: dict[str, str]) -> WalletRequest:
        headers = {SIGNATURE_HEADER: signature(params, self._key)}
        return WalletRequest(f"{self._url}?{urlencode(params)}", headers, b"", method="GET")

    def build(self, call: WalletCall) -> WalletRequest:
        params = wire_params(call)
        if call.operation != "balance":
            return self.request(params)
        # a session starts as Groove's does: getaccount validates it, then getbalance
        account = {k: v for k, v in params.items() if k != "gameid"} | {"request": ACCOUNT}
        balance = self.request(params)
        first = self.request(account)
        return WalletRequest(first.url, first.headers, first.body, then=balance, method="GET")

    def parse(self, call: WalletCall, status: int, body: bytes) -> WalletReply:
        data = reply_object(call, status, body, decimals=True)
        code = data.get("code")
        if code != OK:
            raw = data.get("real_balance", data.get("balance"))
            balance = _amount(raw, call.currency) if raw is not None else None
            try:
                CODES.refuse(call, code, message=data.get("status"), balance=balance)
            except WalletRefused as exc:
                if call.operation == "win" or (call.operation == "rollback" and code not in FINAL_ROLLBACK_CODES):
                    raise WalletError(f"{exc.message}: Groove resends the {REQUESTS[call.operation]}") from None
                raise
        # our balance is cash: Groove's real_balance, or its balance (real plus bonus) when it sends no split
        cash = data.get("real_balance", data.get("balance"))
        return WalletReply(_amount(cash, call.currency), call.currency, _text(data))


def _amount(value: Any, currency: str) -> int:
    try:
        return from_decimal(value, currency)
    except WalletProtocolError:
        raise
    except (ValueError, ArithmeticError) as exc:
        raise WalletProtocolError(f"wallet sent {value!r} where a decimal amount was expected") from exc


def _text(data: Mapping[str, Any]) -> str | None:
    for key in ("accounttransactionid", "walletTx"):
        value = data.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    return None
