"""What the conformance suite does to native requests: sign again with the shared secret, or with a wrong
one; read a reply against the native shape, where the HTTP status says success or refusal."""

from __future__ import annotations

from typing import Any

from simulator.conformance.wire import (
    HUGE,
    WRONG_KEY,
    AmountVariant,
    HeaderSigned,
    container_kind,
    is_int,
    read_object,
)
from simulator.dialects import native
from simulator.dialects.call import WalletCall, WalletRequest


class NativeWire(HeaderSigned):
    name = "native"
    setup_hint = "the native dialect signs with a shared secret: give --secret"
    id_field = "request_id"
    signature_header = native.SIGNATURE_HEADER

    def _signature(self, request: WalletRequest, *, wrong: bool = False) -> str:
        secret = WRONG_KEY if wrong else self._secret()
        return native.sign(secret, request.headers[native.TIMESTAMP_HEADER], request.body)

    def wire_amount(self, variant: AmountVariant, amount: int, currency: str) -> object | None:
        if variant == "negative":
            return -amount
        if variant == "finer":
            return amount + 0.5  # half a minor unit: a JSON number with a fraction
        return HUGE

    def _problems(self, call: WalletCall, status: int, data: dict[str, Any]) -> list[str]:
        """Native replies say success or refusal with the HTTP status, not with a code in the body."""
        out: list[str] = []
        if 200 <= status < 300:
            if not is_int(data.get("balance")) or data["balance"] < 0:
                out.append(f"balance must be a non-negative integer of minor units, got {data.get('balance')!r}")
            if data.get("currency") != call.currency:
                out.append(f"currency must be {call.currency!r}, got {data.get('currency')!r}")
            if "bonus_balance" in data and not is_int(data["bonus_balance"]):
                out.append(f"bonus_balance must be an integer, got {data['bonus_balance']!r}")
            if call.operation != "balance" and data.get("transaction_id") != call.transaction_id:
                out.append(f"transaction_id must echo {call.transaction_id!r}, got {data.get('transaction_id')!r}")
            return out
        if not 400 <= status < 500:
            return [f"a refusal must be a 4xx, got HTTP {status}"]
        error = data.get("error")
        if not isinstance(error, dict):
            return ['a refusal must carry {"error": {"code": ..., "message": ...}}']
        if (container := container_kind(error.get("code"))) is not None:
            out.append(f"error.code is {container}, not a string code")
        elif error.get("code") not in native.ERROR_CODES:
            out.append(f"error.code {error.get('code')!r} is not a native code")
        if not isinstance(error.get("message"), str):
            out.append("error.message must be a string")
        if error.get("code") == "INSUFFICIENT_FUNDS" and not is_int(data.get("balance")):
            out.append("INSUFFICIENT_FUNDS must carry the integer balance")
        return out

    def unreadable(self, status: int, body: bytes) -> str | None:
        """The native parser looks a refusal's error.code up among the native codes: a list or an object there
        is named here instead."""
        if 200 <= status < 300:
            return None
        data, _ = read_object(body)
        error = data.get("error") if data is not None else None
        container = container_kind(error.get("code")) if isinstance(error, dict) else None
        return None if container is None else f"HTTP {status}: error.code is {container}, not a string code"
