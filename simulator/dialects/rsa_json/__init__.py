"""The ``rsa_json`` dialect: JSON bodies signed with RSA-SHA256, integer amounts in 1/100000 of the major
unit, ``RS_`` status strings and request-id idempotency. Modelled on publicly documented aggregator wallets;
the field names, paths and codes are our own (see docs/dialects/rsa_json.md).

Every transactional request carries a ``request_id`` derived from the operation and its transaction id, so a
retry repeats the same request id and the wallet answers it with the reply it gave the first time. Currencies
with more than five decimal places (BTC, USDT) cannot be carried exactly and are refused
(``AmountNotRepresentable``).
"""

from __future__ import annotations

import uuid
from typing import Any

from simulator.clock import Clock
from simulator.dialects.amounts import scale_supports, to_scaled
from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.dialects.common import Codes, reverse, scaled_status_reply
from simulator.dialects.rsa_json.keys import Signer
from simulator.jsonbytes import dumps

NAME = "rsa_json"
SCALE = 5
SIGNATURE_HEADER = "X-Sim-Signature"
KEY_HEADER = "X-Sim-Key-Id"
PATHS = {
    "balance": "/player/balance",
    "bet": "/transaction/bet",
    "win": "/transaction/win",
    "rollback": "/transaction/rollback",
}
REQUEST_NAMESPACE = uuid.UUID("6f1d7a52-3c0e-4d55-9b53-8f3b2f1f7a10")

OK = "RS_OK"
TO_NATIVE = {
    "RS_ERROR_WRONG_SYNTAX": "INVALID_REQUEST",
    "RS_ERROR_WRONG_TYPES": "INVALID_REQUEST",
    "RS_ERROR_INVALID_SIGNATURE": "INVALID_SIGNATURE",
    "RS_ERROR_INVALID_TOKEN": "INVALID_SESSION",
    "RS_ERROR_TOKEN_EXPIRED": "SESSION_EXPIRED",
    "RS_ERROR_USER_DISABLED": "PLAYER_BLOCKED",
    "RS_ERROR_USER_SELF_EXCLUDED": "SELF_EXCLUDED",
    "RS_ERROR_NOT_ENOUGH_MONEY": "INSUFFICIENT_FUNDS",
    "RS_ERROR_LIMIT_REACHED": "LIMIT_EXCEEDED",
    "RS_ERROR_WRONG_CURRENCY": "CURRENCY_MISMATCH",
    "RS_ERROR_INVALID_GAME": "UNKNOWN_GAME",
    "RS_ERROR_TRANSACTION_DOES_NOT_EXIST": "TRANSACTION_NOT_FOUND",
    "RS_ERROR_DUPLICATE_TRANSACTION": "TRANSACTION_MISMATCH",
    "RS_ERROR_TRANSACTION_ROLLED_BACK": "TRANSACTION_ROLLED_BACK",
    "RS_ERROR_ROUND_CLOSED": "ROUND_CLOSED",
}
UNCERTAIN = frozenset({"RS_ERROR_UNKNOWN"})
FROM_NATIVE = reverse(TO_NATIVE, {"INTERNAL_ERROR": "RS_ERROR_UNKNOWN"})
CODES = Codes(NAME, OK, TO_NATIVE, UNCERTAIN)


def supports(currency: str) -> bool:
    return scale_supports(currency, SCALE)


def request_id(call: WalletCall) -> str:
    """Stable across retries of a transaction; fresh for balance enquiries, which change nothing."""
    if call.operation == "balance":
        return str(uuid.uuid4())
    return str(uuid.uuid5(REQUEST_NAMESPACE, f"{call.operation}:{call.transaction_id}"))


def wire_fields(call: WalletCall, sent_at: int) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "request_id": request_id(call),
        "sent_at": sent_at,
        "player": call.player_id,
        "session_token": call.session_id,
        "currency": call.currency,
        "game": call.game_id,
        "studio": call.studio_id,
    }
    if call.operation != "balance":
        fields |= {
            "tx_id": call.transaction_id,
            "round": call.round_id,
            "amount": to_scaled(call.amount, call.currency, SCALE),
            "round_closed": call.round_closed,
        }
        if call.reference_transaction_id is not None:
            fields["ref_tx_id"] = call.reference_transaction_id
        if call.bonus is not None:
            fields["bonus"] = call.bonus
    return fields


class RsaJsonDialect:
    name = NAME

    def __init__(self, base_url: str, key_id: str, signer: Signer, clock: Clock) -> None:
        self._urls = {op: base_url.rstrip("/") + path for op, path in PATHS.items()}
        self._key_id = key_id
        self._signer = signer
        self._clock = clock

    def build(self, call: WalletCall) -> WalletRequest:
        body = dumps(wire_fields(call, int(self._clock.now())))
        headers = {
            "Content-Type": "application/json",
            KEY_HEADER: self._key_id,
            SIGNATURE_HEADER: self._signer.sign(body),
        }
        return WalletRequest(self._urls[call.operation], headers, body)

    def parse(self, call: WalletCall, status: int, body: bytes) -> WalletReply:
        balance, data = scaled_status_reply(call, status, body, CODES, SCALE, message_field="message")
        txid = data.get("tx_id")
        return WalletReply(balance, call.currency, txid if isinstance(txid, str) else None)
