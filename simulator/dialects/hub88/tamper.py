"""What the conformance suite does to hub88 requests: sign again with Hub88's RSA key (a wrong signature is a
genuine one of other bytes); read a reply against the RS_ status shape with scaled integer balances."""

from __future__ import annotations

from typing import ClassVar

from simulator.conformance.registry import Capability
from simulator.conformance.wire import Shifted
from simulator.dialects import hub88
from simulator.dialects.protocol import Dialect
from simulator.dialects.rsa_json.tamper import RsaSignedWire


class Hub88Wire(RsaSignedWire):
    name = "hub88"
    MISSING: ClassVar[dict[Capability, str]] = {
        "timestamp": "hub88 bodies carry no timestamp: idempotency rests on request_uuid and transaction_uuid",
        "round_closed_code": "hub88 defines no status for a transaction in a settled round",
    }
    id_field = "request_uuid"
    remembers_request_ids = True
    signature_header = hub88.SIGNATURE_HEADER
    scale = hub88.SCALE
    ok_code = hub88.OK
    codes = hub88.CODES.defined
    unknown_code = "status {!r} is not a Hub88 status"

    def dialect(self, age: float = 0.0) -> Dialect:
        return hub88.Hub88Dialect(self.url, self.signer, Shifted(self.clock, age))
