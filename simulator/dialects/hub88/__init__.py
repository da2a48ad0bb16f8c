"""The ``hub88`` dialect: the seamless-wallet calls Hub88 makes to an operator, wire for wire (paths, field
names, ``RS_`` statuses, integer amounts in 1/100000 of the major unit, an RSA-SHA256 signature of the raw
body in ``X-Hub88-Signature``). docs/compatibility/hub88.md lists what is emulated, field by field.

Hub88's rollback policy differs from our native one: a bet answered with any status but ``RS_OK``,
``RS_ERROR_NOT_ENOUGH_MONEY`` or ``RS_ERROR_LIMIT_REACHED`` is rolled back, so those refusals are raised as
``RefusalNeedsRollback``: the player still sees the refusal, and the settler queues the rollback.
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from simulator.clock import Clock
from simulator.dialects.amounts import scale_supports, to_scaled
from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.dialects.common import Codes, reverse, scaled_status_reply
from simulator.dialects.rsa_json.keys import Signer
from simulator.errors import RefusalNeedsRollback, WalletRefused
from simulator.jsonbytes import dumps

NAME = "hub88"
SCALE = 5
SIGNATURE_HEADER = "X-Hub88-Signature"
PATHS = {
    "balance": "/user/balance",
    "bet": "/transaction/bet",
    "win": "/transaction/win",
    "rollback": "/transaction/rollback",
}
INFO_PATH = "/user/info"
REQUEST_NAMESPACE = uuid.UUID("b7c4d1f0-5a0e-4f55-8f0b-1d2c8a9e6b31")

OK = "RS_OK"
TO_NATIVE = {
    "RS_ERROR_WRONG_SYNTAX": "INVALID_REQUEST",
    "RS_ERROR_WRONG_TYPES": "INVALID_REQUEST",
    "RS_ERROR_INVALID_PARTNER": "INVALID_REQUEST",
    "RS_ERROR_INVALID_SIGNATURE": "INVALID_SIGNATURE",
    "RS_ERROR_INVALID_TOKEN": "INVALID_SESSION",
    "RS_ERROR_TOKEN_EXPIRED": "SESSION_EXPIRED",
    "RS_ERROR_USER_DISABLED": "PLAYER_BLOCKED",
    "RS_ERROR_NOT_ENOUGH_MONEY": "INSUFFICIENT_FUNDS",
    "RS_ERROR_LIMIT_REACHED": "LIMIT_EXCEEDED",
    "RS_ERROR_WRONG_CURRENCY": "CURRENCY_MISMATCH",
    "RS_ERROR_INVALID_GAME": "UNKNOWN_GAME",
    "RS_ERROR_TRANSACTION_DOES_NOT_EXIST": "TRANSACTION_NOT_FOUND",
    "RS_ERROR_DUPLICATE_TRANSACTION": "TRANSACTION_MISMATCH",
    "RS_ERROR_TRANSACTION_ROLLED_BACK": "TRANSACTION_ROLLED_BACK",
}
UNCERTAIN = frozenset({"RS_ERROR_UNKNOWN"})
# Hub88 names no status for a transaction in a settled round: the reference wallet answers it as a general error
FROM_NATIVE = reverse(TO_NATIVE, {"INTERNAL_ERROR": "RS_ERROR_UNKNOWN", "ROUND_CLOSED": "RS_ERROR_UNKNOWN"})
FINAL_BET_REFUSALS = frozenset({"RS_ERROR_NOT_ENOUGH_MONEY", "RS_ERROR_LIMIT_REACHED"})


class Hub88Codes(Codes):
    """Hub88's codes with its rollback policy: a bet refused with a status that is not final is rolled back."""

    __slots__ = ()

    def refuse(self, call: WalletCall, code: object, *, message: object = "", balance: int | None = None) -> NoReturn:
        try:
            super().refuse(call, code, message=message, balance=balance)
        except WalletRefused as exc:
            if call.operation == "bet" and code not in FINAL_BET_REFUSALS:
                raise RefusalNeedsRollback(exc.message, code=exc.code, extra=exc.extra) from None
            raise


CODES = Hub88Codes(NAME, OK, TO_NATIVE, UNCERTAIN)


def supports(currency: str) -> bool:
    return scale_supports(currency, SCALE)


def request_uuid(call: WalletCall) -> str:
    """Stable across retries of a transaction, so a retry is answered from the wallet's remembered reply; fresh
    for a balance enquiry, which changes nothing."""
    if call.operation == "balance":
        return str(uuid.uuid4())
    return str(uuid.uuid5(REQUEST_NAMESPACE, f"{call.operation}:{call.transaction_id}"))


def wire_fields(call: WalletCall) -> dict[str, Any]:
    """The documented body of each call. Our transaction ids are UUIDs, so ``transaction_uuid`` is the
    transaction id itself and ``supplier_transaction_id`` repeats it (the studio behind us keeps no other)."""
    fields: dict[str, Any] = {
        "user": call.player_id,
        "token": call.session_id,
        "request_uuid": request_uuid(call),
        "game_code": call.game_id,
    }
    if call.operation == "balance":
        return fields
    fields |= {
        "transaction_uuid": call.transaction_id,
        "supplier_transaction_id": call.transaction_id,
        "supplier_user": call.player_id,
        "round": call.round_id,
        "round_closed": call.round_closed,
        "meta": None,
    }
    if call.operation == "rollback":
        fields["reference_transaction_uuid"] = call.reference_transaction_id
        return fields
    fields |= {
        "currency": call.currency,
        "amount": to_scaled(call.amount, call.currency, SCALE),
        "is_free": call.bonus is not None,
        "is_aggregated": False,
        "reward_uuid": None if call.bonus is None else call.bonus.get("campaign_id"),
        "bet": None,
    }
    if call.bonus is not None:  # the campaign's own data rides in meta, which Hub88 leaves to the integration
        fields["meta"] = {"bonus": call.bonus}
    if call.operation == "win":
        fields["reference_transaction_uuid"] = call.reference_transaction_id
    return fields


class Hub88Dialect:
    name = NAME

    def __init__(self, base_url: str, signer: Signer, clock: Clock) -> None:
        self._urls = {op: base_url.rstrip("/") + path for op, path in PATHS.items()}
        self._signer = signer
        self._clock = clock

    def build(self, call: WalletCall) -> WalletRequest:
        body = dumps(wire_fields(call))
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: self._signer.sign(body)}
        return WalletRequest(self._urls[call.operation], headers, body)

    def parse(self, call: WalletCall, status: int, body: bytes) -> WalletReply:
        balance, _ = scaled_status_reply(call, status, body, CODES, SCALE)
        return WalletReply(balance, call.currency, None)
