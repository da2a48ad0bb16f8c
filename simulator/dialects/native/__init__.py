"""The native protocol: JSON POST to ``{wallet_url}/{operation}``, signed with HMAC-SHA256.

Signature recipe (also in the README): ``X-Casino-Sim-Signature: sha256=<hex HMAC-SHA256(secret, timestamp +
"." + raw body)>`` where ``timestamp`` is the integer Unix time sent in ``X-Casino-Sim-Timestamp`` and
``X-Casino-Sim-Key`` names the key. Success is a 2xx ``{"balance": int, "currency": str, "transaction_id":
...}``; refusal is a 4xx ``{"error": {"code": ..., "message": ...}, "balance": int?}`` with a code from
``ERROR_CODES``.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from simulator.clock import Clock
from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.errors import WalletError, WalletProtocolError, WalletRefused
from simulator.ids import RandomIds
from simulator.jsonbytes import dumps, loads

KEY_HEADER = "X-Casino-Sim-Key"
TIMESTAMP_HEADER = "X-Casino-Sim-Timestamp"
SIGNATURE_HEADER = "X-Casino-Sim-Signature"

ERROR_CODES = frozenset(
    {
        "INVALID_REQUEST",
        "INVALID_SIGNATURE",
        "INVALID_SESSION",
        "SESSION_EXPIRED",
        "PLAYER_BLOCKED",
        "SELF_EXCLUDED",
        "INSUFFICIENT_FUNDS",
        "LIMIT_EXCEEDED",
        "CURRENCY_MISMATCH",
        "UNKNOWN_GAME",
        "TRANSACTION_NOT_FOUND",
        "TRANSACTION_MISMATCH",
        "TRANSACTION_ROLLED_BACK",
        "ROUND_CLOSED",
        "INTERNAL_ERROR",
    }
)
# codes after which the outcome of the call is unknown: treated like a timeout, never like a refusal
UNCERTAIN_CODES = frozenset({"INTERNAL_ERROR"})


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.digest(secret, timestamp.encode() + b"." + body, "sha256").hex()


def signature_valid(secret: bytes, timestamp: str, body: bytes, signature: str) -> bool:
    """Constant-time check; header values may hold any character, so both sides are compared as bytes."""
    expected = sign(secret, timestamp.encode("utf-8", "replace").decode(), body).encode()
    return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))


def call_fields(call: WalletCall, request_id: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "request_id": request_id,
        "player_id": call.player_id,
        "session_id": call.session_id,
        "currency": call.currency,
    }
    if call.operation != "balance":
        fields |= {
            "transaction_id": call.transaction_id,
            "round_id": call.round_id,
            "game_id": call.game_id,
            "studio_id": call.studio_id,
            "amount": call.amount,
            "round_closed": call.round_closed,
        }
        if call.reference_transaction_id is not None:
            fields["reference_transaction_id"] = call.reference_transaction_id
        if call.bonus is not None:
            fields["bonus"] = call.bonus
    return fields


class NativeDialect:
    name = "native"

    def __init__(
        self,
        base_url: str,
        key_id: str,
        secret: bytes,
        clock: Clock,
        *,
        request_ids: Callable[[], str] | None = None,
    ) -> None:
        """``request_ids`` mints ``request_id`` values (random UUIDv7 by default; seeded in deterministic mode)."""
        self._urls = {op: f"{base_url.rstrip('/')}/{op}" for op in ("balance", "bet", "win", "rollback")}
        self._key_id = key_id
        self._secret = secret
        self._clock = clock
        self._request_id = request_ids or RandomIds().uuid

    def build(self, call: WalletCall) -> WalletRequest:
        body = dumps(call_fields(call, self._request_id()))
        timestamp = str(int(self._clock.now()))
        headers = {
            "Content-Type": "application/json",
            KEY_HEADER: self._key_id,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self._secret, timestamp, body),
        }
        return WalletRequest(self._urls[call.operation], headers, body)

    def parse(self, call: WalletCall, status: int, body: bytes) -> WalletReply:
        try:
            data = loads(body)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
            data = None
        if not isinstance(data, dict):
            if status >= 500:
                raise WalletError(f"wallet answered {call.operation} with HTTP {status}")
            raise WalletProtocolError(
                f"wallet answered {call.operation} with HTTP {status} and a body that is not JSON"
            )
        if 200 <= status < 300:
            balance, currency = data.get("balance"), data.get("currency")
            if type(balance) is not int or not isinstance(currency, str):
                raise WalletProtocolError(f"wallet reply to {call.operation} lacks an integer balance and a currency")
            txid = data.get("transaction_id")
            return WalletReply(balance, currency, txid if isinstance(txid, str) else None)
        error = data.get("error")
        code = error.get("code") if isinstance(error, dict) else None
        message = error.get("message", "") if isinstance(error, dict) else ""
        if code is not None and not isinstance(code, str):
            raise WalletProtocolError(
                f"wallet answered {call.operation} with HTTP {status} and a {type(code).__name__} for error.code"
            )
        if not isinstance(message, str):
            message = ""
        if code in UNCERTAIN_CODES or status >= 500:  # a 5xx never proves that nothing was applied
            raise WalletError(f"wallet failed {call.operation}: HTTP {status} {code or ''}".rstrip())
        if code not in ERROR_CODES:
            raise WalletProtocolError(f"wallet answered {call.operation} with HTTP {status} and unknown code {code!r}")
        balance = data.get("balance")
        extra = {"balance": balance} if type(balance) is int else {}
        raise WalletRefused(f"wallet refused {call.operation}: {message or code}", code=code, extra=extra)
