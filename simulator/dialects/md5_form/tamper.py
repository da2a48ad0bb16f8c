"""What the conformance suite does to md5_form requests: edit the form and hash it again (or with a wrong
secret); read a reply against the numeric-code shape with exact decimal ``cash``."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode

from simulator.conformance.registry import Capability
from simulator.conformance.wire import (
    WRONG_KEY,
    AmountVariant,
    Wire,
    decimal_amount,
    exact_decimal,
    is_int,
)
from simulator.dialects import md5_form
from simulator.dialects.call import WalletCall, WalletRequest


class Md5FormWire(Wire):
    name = "md5_form"
    MISSING: ClassVar[dict[Capability, str]] = {
        "request_id": "md5_form requests carry no request id: idempotency rests on `reference` alone",
    }
    setup_hint = "md5_form hashes with a shared secret: give --secret"
    code_field = "error"
    code_kind = "a numeric code"
    ok_code = md5_form.OK
    codes = md5_form.CODES.defined
    unknown_code = "error must be one of the dialect's numeric codes, got {!r}"

    def fields(self, request: WalletRequest) -> dict[str, Any]:
        return dict(parse_qsl(request.body.decode(), keep_blank_values=True))

    def with_fields(self, request: WalletRequest, fields: Mapping[str, Any], *, sign: bool = True) -> WalletRequest:
        params = {k: str(v) for k, v in fields.items()}
        if sign:
            params.pop(md5_form.HASH_FIELD, None)
            params[md5_form.HASH_FIELD] = md5_form.digest(params, self._secret())
        return dataclasses.replace(request, body=urlencode(params).encode())

    def unsigned(self, request: WalletRequest) -> WalletRequest:
        params = {k: v for k, v in self.fields(request).items() if k != md5_form.HASH_FIELD}
        return dataclasses.replace(request, body=urlencode(params).encode())

    def wrongly_signed(self, request: WalletRequest) -> WalletRequest:
        params = {k: v for k, v in self.fields(request).items() if k != md5_form.HASH_FIELD}
        params[md5_form.HASH_FIELD] = md5_form.digest(params, WRONG_KEY)
        return dataclasses.replace(request, body=urlencode(params).encode())

    def wire_amount(self, variant: AmountVariant, amount: int, currency: str) -> object | None:
        return decimal_amount(variant, amount, currency)

    def _known(self, code: object) -> bool:
        return is_int(code) and code in self.codes

    def _field_problems(self, call: WalletCall, code: object, data: dict[str, Any]) -> list[str]:
        out = [] if isinstance(data.get("description"), str) else ["description must be a string"]
        cash = data.get("cash")
        if code in (md5_form.OK, 1) and not exact_decimal(cash, call.currency, numbers=True, strings=False):
            out.append(f"cash must be a JSON number with at most the {call.currency} decimal places, got {cash!r}")
        return out
