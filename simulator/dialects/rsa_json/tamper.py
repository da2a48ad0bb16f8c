"""What the conformance suite does to rsa_json requests: sign again with the RSA key (a wrong signature is a
genuine one of other bytes); read a reply against the RS_ status shape with scaled integer balances.
``RsaSignedWire`` holds what hub88, signed and scaled the same way, shares."""

from __future__ import annotations

from typing import Any, ClassVar

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


class RsaSignedWire(HeaderSigned):
    """A dialect that signs its JSON body with an RSA key into one header, carries amounts as integers of
    10**-scale major units and answers with RS_ statuses."""

    scale: ClassVar[int]

    def __init__(self, url: str, keys: Keys, clock: Clock) -> None:
        if keys.signer is not None:
            self.signer: rsa_keys.Signer = keys.signer
        elif keys.private_key is None:
            raise SetupError(f"{self.name} signs with an RSA private key: give --private-key")
        elif not rsa_keys.available():
            raise SetupError(f"{self.name} needs the 'cryptography' package to sign")
        else:
            try:
                self.signer = rsa_keys.RsaSigner(keys.private_key)
            except ValueError as exc:
                raise SetupError(f"the {self.name} private key cannot be read: {exc}") from None
        super().__init__(url, keys, clock)

    def _signature(self, request: WalletRequest, *, wrong: bool = False) -> str:
        return self.signer.sign(request.body + b" " if wrong else request.body)  # wrong: genuine, of other bytes

    def wire_amount(self, variant: AmountVariant, amount: int, currency: str) -> object | None:
        if variant == "negative":
            return -to_scaled(amount, currency, self.scale)
        if variant == "finer":
            if exponent(currency) >= self.scale:
                return None
            return to_scaled(amount, currency, self.scale) + 1
        return to_scaled(HUGE, currency, self.scale)

    def _field_problems(self, call: WalletCall, code: object, data: dict[str, Any]) -> list[str]:
        factor = 10 ** (self.scale - exponent(call.currency))
        balance = data.get("balance")
        needs_balance = code in (self.ok_code, "RS_ERROR_NOT_ENOUGH_MONEY")
        whole = isinstance(balance, int) and not isinstance(balance, bool) and balance >= 0 and balance % factor == 0
        if (needs_balance or balance is not None) and not whole:
            return [
                f"balance must be a non-negative integer of 1/{10**self.scale} units, whole {call.currency},"
                f" got {balance!r}"
            ]
        return []


class RsaJsonWire(RsaSignedWire):
    name = "rsa_json"
    id_field = "request_id"
    remembers_request_ids = True
    signature_header = rsa_json.SIGNATURE_HEADER
    scale = rsa_json.SCALE
    ok_code = rsa_json.OK
    codes = rsa_json.CODES.defined
    unknown_code = "status {!r} is not an rsa_json status"
    tx_field = "tx_id"

    def dialect(self, age: float = 0.0) -> Dialect:
        return rsa_json.RsaJsonDialect(self.url, self.keys.key_id, self.signer, Shifted(self.clock, age))

    def _field_problems(self, call: WalletCall, code: object, data: dict[str, Any]) -> list[str]:
        out = super()._field_problems(call, code, data)
        if code != rsa_json.OK and "message" in data and not isinstance(data["message"], str):
            out.append("message must be a string")
        return out
