"""What the conformance suite does to token_query requests: drop or forge the operator token in the query
string; read a reply against the status-string shape with decimal balances."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from simulator.conformance.registry import Capability
from simulator.conformance.wire import (
    WRONG_KEY,
    AmountVariant,
    Wire,
    decimal_amount,
    exact_decimal,
    json_body,
)
from simulator.dialects import token_query
from simulator.dialects.call import WalletCall, WalletRequest


class TokenQueryWire(Wire):
    name = "token_query"
    amount_path = ("transaction", "amount")
    open_wins = False
    MISSING: ClassVar[dict[Capability, str]] = {
        "body_signature": "token_query authenticates with the operator token in the query string; the body carries"
        " no signature that a changed field could break",
        "timestamp": "token_query requests carry no timestamp, so there is no replay window to test",
    }
    setup_hint = "token_query sends the operator token: give it with --secret"
    id_field = "uuid"
    ok_code = token_query.OK
    codes = token_query.CODES.defined
    unknown_code = "status {!r} is not a token_query status"

    def with_fields(self, request: WalletRequest, fields: Mapping[str, Any], *, sign: bool = True) -> WalletRequest:
        return dataclasses.replace(request, body=json_body(fields))  # the token in the query string stays

    def _with_token(self, request: WalletRequest, token: str | None) -> WalletRequest:
        parts = urlsplit(request.url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != token_query.TOKEN_PARAM]
        if token is not None:
            query.append((token_query.TOKEN_PARAM, token))
        return dataclasses.replace(request, url=urlunsplit(parts._replace(query=urlencode(query))))

    def unsigned(self, request: WalletRequest) -> WalletRequest:
        return self._with_token(request, None)

    def wrongly_signed(self, request: WalletRequest) -> WalletRequest:
        return self._with_token(request, WRONG_KEY.decode())

    def wire_amount(self, variant: AmountVariant, amount: int, currency: str) -> object | None:
        return decimal_amount(variant, amount, currency)

    def _field_problems(self, call: WalletCall, code: object, data: dict[str, Any]) -> list[str]:
        balance = data.get("balance")
        if code in (token_query.OK, "INSUFFICIENT_FUNDS") and not exact_decimal(
            balance, call.currency, numbers=True, strings=True
        ):
            return [f"balance must be a decimal with at most the {call.currency} decimal places, got {balance!r}"]
        return []
