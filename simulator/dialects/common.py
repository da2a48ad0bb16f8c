"""Reply handling shared by the non-native dialects: reading a JSON reply, a dialect's table of codes (``Codes``)
turning its status code into the native vocabulary with the right exception (``WalletRefused`` when definitive,
``WalletError`` when unknown), and the reply of the dialects that answer with a ``status`` and a scaled integer
``balance`` (``scaled_status_reply``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn

from simulator.dialects.amounts import from_scaled
from simulator.dialects.call import WalletCall
from simulator.errors import WalletError, WalletProtocolError, WalletRefused


def reply_object(call: WalletCall, status: int, body: bytes, *, decimals: bool = False) -> dict[str, Any]:
    """The reply as a JSON object (numbers with a fraction parsed as ``Decimal`` when ``decimals``); a 5xx
    without one is an unknown outcome, anything else unreadable is a protocol error."""
    parse_float: Callable[[str], Any] | None = Decimal if decimals else None
    try:
        data = json.loads(body, parse_float=parse_float)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested deeper than the parser goes
        data = None
    if isinstance(data, dict):
        return data
    if status >= 500:
        raise WalletError(f"wallet answered {call.operation} with HTTP {status}")
    raise WalletProtocolError(f"wallet answered {call.operation} with HTTP {status} and no JSON object")


def raise_for_code(
    call: WalletCall,
    dialect: str,
    code: object,
    *,
    to_native: Mapping[Any, str],
    uncertain: frozenset[Any],
    message: object = "",
    balance: int | None = None,
) -> NoReturn:
    """Raise for a non-success ``code`` of ``dialect``: unknown outcome for ``uncertain`` codes, a refusal
    with the native code for known ones, a protocol error for codes the dialect does not define. ``message`` is
    the reply's own explanation, ignored unless it is a string."""
    message = message if isinstance(message, str) else ""
    if not isinstance(code, str | int) or isinstance(code, bool):
        raise WalletProtocolError(
            f"wallet answered {call.operation} with a {dialect} code that is not a code: {code!r}"
        )
    if code in uncertain:
        raise WalletError(f"wallet failed {call.operation}: {dialect} {code} {message}".rstrip())
    native = to_native.get(code)
    if native is None:
        raise WalletProtocolError(f"wallet answered {call.operation} with a code {dialect} does not define: {code!r}")
    detail = f"{message} ({code})" if message else str(code)
    raise WalletRefused(
        f"wallet refused {call.operation}: {detail}",
        code=native,
        extra={} if balance is None else {"balance": balance},
    )


@dataclass(frozen=True, slots=True)
class Codes:
    """A dialect's codes: the success code, the native code of each refusal, and those after which the outcome
    is unknown."""

    dialect: str
    ok: object
    to_native: Mapping[Any, str]
    uncertain: frozenset[Any]

    @property
    def defined(self) -> frozenset[object]:
        """Every code the dialect defines, success included."""
        return frozenset({self.ok, *self.to_native, *self.uncertain})

    @property
    def errors(self) -> tuple[str, ...]:
        """The failure codes as the reference wallet's route docs list them."""
        return tuple(str(code) for code in sorted({*self.to_native, *self.uncertain}))

    def refuse(self, call: WalletCall, code: object, *, message: object = "", balance: int | None = None) -> NoReturn:
        """Raise for a reply with the non-success ``code`` (``raise_for_code``)."""
        raise_for_code(
            call,
            self.dialect,
            code,
            to_native=self.to_native,
            uncertain=self.uncertain,
            message=message,
            balance=balance,
        )


def scaled_status_reply(
    call: WalletCall, status: int, body: bytes, codes: Codes, scale: int, *, message_field: str | None = None
) -> tuple[int, dict[str, Any]]:
    """The balance (minor units) and the whole reply of a dialect whose JSON replies carry the code in ``status``,
    the balance as an integer of 10**-scale major units (also sent with some refusals) and the call's
    ``currency``; ``message_field`` names the reply's own explanation of a refusal, if it has one."""
    data = reply_object(call, status, body)
    code = data.get("status")
    if status >= 500 and code is None:
        raise WalletProtocolError(f"wallet answered {call.operation} with HTTP {status} and no status")
    balance_raw = data.get("balance")
    if code != codes.ok:
        balance = from_scaled(balance_raw, call.currency, scale) if type(balance_raw) is int else None
        message = data.get(message_field) if message_field is not None else ""
        codes.refuse(call, code, message=message, balance=balance)
    check_currency(call, data.get("currency"))
    return from_scaled(balance_raw, call.currency, scale), data


def reverse(to_native: Mapping[Any, str], preferred: Mapping[str, Any]) -> dict[str, Any]:
    """Native code -> dialect code for the wallet side: the first dialect code mapping to each native code,
    unless ``preferred`` names one."""
    out: dict[str, Any] = {}
    for dialect_code, native in to_native.items():
        out.setdefault(native, dialect_code)
    return out | dict(preferred)


def check_currency(call: WalletCall, currency: object) -> None:
    """A reply in another currency than the call's cannot be trusted for its balance."""
    if currency != call.currency:
        raise WalletProtocolError(f"wallet answered {call.operation} in {currency!r}, not {call.currency}")
