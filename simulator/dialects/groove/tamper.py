"""What the conformance suite does to groove requests: edit the query string and sign it again (or with a wrong
key), or drop the signature header; read a reply against Groove's numeric-code shape with decimal balances."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from simulator.conformance.registry import Capability
from simulator.conformance.wire import WRONG_KEY, AmountVariant, Wire, decimal_amount, exact_decimal, is_int
from simulator.dialects import groove
from simulator.dialects.call import WalletCall, WalletRequest

AMOUNTS = {"wager": "betamount", "result": "result", "rollback": "rollbackamount"}


class GrooveWire(Wire):
    name = "groove"
    MISSING: ClassVar[dict[Capability, str]] = {
        "timestamp": "groove requests carry no timestamp, so there is no replay window to test",
        "request_id": "groove requests carry no request id: idempotency rests on transactionid alone",
        "final_win_refusal": "groove resends a result on any code but success, and a result names no wager: no"
        " refusal of a win is final",
        "currency_field": "groove calls carry no currency: the wallet uses the account's own",
    }
    setup_hint = "groove signs with the security key: give it with --secret"
    code_field = "code"
    code_kind = "a numeric code"
    ok_code = groove.OK
    codes = groove.CODES.defined
    unknown_code = "code must be one of Groove's numeric codes, got {!r}"
    conflated = groove.CONFLATED

    def fields(self, request: WalletRequest) -> dict[str, Any]:
        return dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))

    def _with_query(self, request: WalletRequest, params: Mapping[str, str], signature: str | None) -> WalletRequest:
        parts = urlsplit(request.url)
        headers = {k: v for k, v in request.headers.items() if k != groove.SIGNATURE_HEADER}
        if signature is not None:
            headers[groove.SIGNATURE_HEADER] = signature
        url = urlunsplit(parts._replace(query=urlencode(params)))
        return dataclasses.replace(request, url=url, headers=headers)

    def with_fields(self, request: WalletRequest, fields: Mapping[str, Any], *, sign: bool = True) -> WalletRequest:
        params = {k: str(v) for k, v in fields.items()}
        old = request.headers.get(groove.SIGNATURE_HEADER)
        return self._with_query(request, params, groove.signature(params, self._secret()) if sign else old)

    def unsigned(self, request: WalletRequest) -> WalletRequest:
        return self._with_query(request, self.fields(request), None)

    def wrongly_signed(self, request: WalletRequest) -> WalletRequest:
        params = self.fields(request)
        return self._with_query(request, params, groove.signature(params, WRONG_KEY))

    def amount(self, request: WalletRequest) -> object:
        fields = self.fields(request)
        return fields[AMOUNTS[fields["request"]]]

    def with_amount(self, request: WalletRequest, value: object, *, sign: bool = True) -> WalletRequest:
        fields = self.fields(request)
        fields[AMOUNTS[fields["request"]]] = value
        return self.with_fields(request, fields, sign=sign)

    def wire_amount(self, variant: AmountVariant, amount: int, currency: str) -> object | None:
        return decimal_amount(variant, amount, currency)

    def _known(self, code: object) -> bool:
        return is_int(code) and code in self.codes

    def _problems(self, call: WalletCall, status: int, data: dict[str, Any]) -> list[str]:
        """Groove's replies echo no currency: the common check of it is left out."""
        out = [] if status == 200 else [f"every reply is HTTP 200, got {status}"]
        code = data.get(self.code_field)
        if not self._known(code):
            out.append(self.unknown_code.format(code))
        return out + self._field_problems(call, code, data)

    def _field_problems(self, call: WalletCall, code: object, data: dict[str, Any]) -> list[str]:
        out = [] if isinstance(data.get("status"), str) else ["status must be a string"]
        for name in ("balance", "real_balance", "bonus_balance"):
            value = data.get(name)
            needed = name == "balance" and code in (groove.OK, 1006)
            if (needed or value is not None) and not exact_decimal(value, call.currency, numbers=True, strings=False):
                out.append(
                    f"{name} must be a JSON number with at most the {call.currency} decimal places, got {value!r}"
                )
        return out
