"""What the conformance suite does to hub88 requests: sign again with Hub88's RSA key (a wrong signature is a
genuine one of other bytes); read a reply against the RS_ status shape with scaled integer balances."""

from __future__ import annotations

from typing import Any, ClassVar

from simulator.clock import Clock
from simulator.conformance.errors import SetupError
from simulator.conformance.registry import Capability
from simulator.conformance.wire import HUGE, AmountVariant, HeaderSigned, Keys, Shifted
from simulator.dialects import hub88
from simulator.dialects.amounts import to_scaled
from simulator.dialects.call import WalletCall, WalletRequest
from simulator.dialects.protocol import Dialect
from simulator.dialects.rsa_json import keys as rsa_keys
from simulator.money import exponent


class Hub88Wire(HeaderSigned):
    name = "hub88"
    MISSING: ClassVar[dict[Capability, str]] = {
        "timestamp": "hub88 bodies carry no timestamp: idempotency rests on request_uuid and transaction_uuid",
        "round_closed_code": "hub88 defines no status for a transaction in a settled round",
    }
    id_field = "request_uuid"
    remembers_request_ids = True
    signature_header = hub88.SIGNATURE_HEADER
    ok_code = hub88.OK
    codes = frozenset({hub88.OK, *hub88.TO_NATIVE, *hub88.UNCERTAIN})
    unknown_code = "status {!r} is not a Hub88 status"

    def __init__(self, url: str, keys: Keys, clock: Clock) -> None:
        if keys.signer is not None:
            self.signer: rsa_keys.Signer = keys.signer
        elif keys.private_key is None:
            raise SetupError("hub88 signs with an RSA private key: give --private-key")
        elif not rsa_keys.available():
            raise SetupError("hub88 needs the 'cryptography' package to sign")
        else:
            try:
                self.signer = rsa_keys.RsaSigner(keys.private_key)
            except ValueError as exc:
                raise SetupError(f"the hub88 private key cannot be read: {exc}") from None
        super().__init__(url, keys, clock)

    def dialect(self, age: float = 0.0) -> Dialect:
        return hub88.Hub88Dialect(self.url, self.signer, Shifted(self.clock, age))

    def _signature(self, request: WalletRequest, *, wrong: bool = False) -> str:
        return self.signer.sign(request.body + b" " if wrong else request.body)  # wrong: genuine, of other bytes

    def wire_amount(self, variant: AmountVariant, amount: int, currency: str) -> object | None:
        if variant == "negative":
            return -to_scaled(amount, currency, hub88.SCALE)
        if variant == "finer":
            if exponent(currency) >= hub88.SCALE:
                return None
            return to_scaled(amount, currency, hub88.SCALE) + 1
        return to_scaled(HUGE, currency, hub88.SCALE)

    def _field_problems(self, call: WalletCall, code: object, data: dict[str, Any]) -> list[str]:
        factor = 10 ** (hub88.SCALE - exponent(call.currency))
        balance = data.get("balance")
        needs_balance = code in (hub88.OK, "RS_ERROR_NOT_ENOUGH_MONEY")
        whole = isinstance(balance, int) and not isinstance(balance, bool) and balance >= 0 and balance % factor == 0
        if (needs_balance or balance is not None) and not whole:
            return [f"balance must be a non-negative integer of 1/100000 units, whole {call.currency}, got {balance!r}"]
        return []
