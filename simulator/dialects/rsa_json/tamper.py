"""What the conformance suite does to rsa_json requests: sign again with the RSA key (a wrong signature is a
genuine one of other bytes); read a reply against the RS_ status shape with scaled integer balances."""

from __future__ import annotations

from typing import Any

from simulator.clock import Clock
from simulator.conformance.errors import SetupError
from simulator.conformance.wire import (
    HUGE,
    AmountVariant,
    HeaderSigned,
    Keys,
    Shifted,
)
from simulator.dialects import rsa_json
from simulator.dialects.amounts import to_scaled
from simulator.dialects.call import WalletCall, WalletRequest
from simulator.dialects.protocol import Dialect
from simulator.dialects.rsa_json import keys as rsa_keys
from simulator.money import exponent


class RsaJsonWire(HeaderSigned):
    name = "rsa_json"
    id_field = "request_id"
    remembers_request_ids = True
    signature_header = rsa_json.SIGNATURE_HEADER
    ok_code = rsa_json.OK
    codes = frozenset({rsa_json.OK, *rsa_json.TO_NATIVE, *rsa_json.UNCERTAIN})
    unknown_code = "status {!r} is not an rsa_json status"
    tx_field = "tx_id"

    def __init__(self, url: str, keys: Keys, clock: Clock) -> None:
        if keys.signer is not None:
            self.signer: rsa_keys.Signer = keys.signer
        elif keys.private_key is None:
            raise SetupError("rsa_json signs with an RSA private key: give --private-key")
        elif not rsa_keys.available():
            raise SetupError("rsa_json needs the 'cryptography' package to sign")
        else:
            try:
                self.signer = rsa_keys.RsaSigner(keys.private_key)
            except ValueError as exc:
                raise SetupError(f"the rsa_json private key cannot be read: {exc}") from None
        super().__init__(url, keys, clock)

    def dialect(self, age: float = 0.0) -> Dialect:
        return rsa_json.RsaJsonDialect(self.url, self.keys.key_id, self.signer, Shifted(self.clock, age))

    def _signature(self, request: WalletRequest, *, wrong: bool = False) -> str:
        return self.signer.sign(request.body + b" " if wrong else request.body)  # wrong: genuine, of other bytes

    def wire_amount(self, variant: AmountVariant, amount: int, currency: str) -> object | None:
        if variant == "negative":
            return -to_scaled(amount, currency, rsa_json.SCALE)
        if variant == "finer":
            if exponent(currency) >= rsa_json.SCALE:
                return None
            return to_scaled(amount, currency, rsa_json.SCALE) + 1
        return to_scaled(HUGE, currency, rsa_json.SCALE)

    def _field_problems(self, call: WalletCall, code: object, data: dict[str, Any]) -> list[str]:
        out: list[str] = []
        factor = 10 ** (rsa_json.SCALE - exponent(call.currency))
        balance = data.get("balance")
        needs_balance = code in (rsa_json.OK, "RS_ERROR_NOT_ENOUGH_MONEY")
        whole = isinstance(balance, int) and not isinstance(balance, bool) and balance >= 0 and balance % factor == 0
        if (needs_balance or balance is not None) and not whole:
            out.append(
                f"balance must be a non-negative integer of 1/100000 units, whole {call.currency}, got {balance!r}"
            )
        if code != rsa_json.OK and "message" in data and not isinstance(data["message"], str):
            out.append("message must be a string")
        return out
