"""What the conformance suite does to ``tally`` requests: sign a changed body again, or with a wrong key."""

from __future__ import annotations

from typing import ClassVar

from simulator.conformance.registry import Capability
from simulator.conformance.wire import HUGE, WRONG_KEY, AmountVariant, HeaderSigned
from simulator.dialects.call import WalletRequest
from tests.simulator.dialects import tally


class TallyWire(HeaderSigned):
    name = tally.NAME
    MISSING: ClassVar[dict[Capability, str]] = {
        "timestamp": "tally requests carry no timestamp",
        "request_id": "tally requests carry no request id",
    }
    setup_hint = "tally signs with a shared secret: give --secret"
    signature_header = tally.MAC_HEADER
    ok_code = tally.OK
    codes = frozenset({tally.OK, *tally.TO_NATIVE, "INTERNAL_ERROR"})
    unknown_code = "status {!r} is not a tally status"

    def _signature(self, request: WalletRequest, *, wrong: bool = False) -> str:
        return tally.mac(WRONG_KEY if wrong else self._secret(), request.body)

    def wire_amount(self, variant: AmountVariant, amount: int, currency: str) -> object | None:
        return {"negative": -amount, "finer": None, "huge": HUGE}[variant]
