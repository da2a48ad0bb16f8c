"""Exact conversion between minor units and the amounts dialects put on the wire.

Two wire forms exist: an integer count of a fixed fraction of the major unit (``scaled``: 1/100000 for the RSA
dialect) and a decimal number of major units (``decimal``). Nothing is ever rounded: an amount that cannot be
expressed exactly is refused before anything is sent (``AmountNotRepresentable``), and a reply amount finer
than the currency's minor unit is a protocol error (the reply cannot be trusted, so the operation's outcome is
unknown).

>>> to_scaled(150, "USD", 5), from_scaled(150000, "USD", 5)
(150000, 150)
>>> to_decimal(150, "USD"), from_decimal("1.5", "USD"), to_decimal(7, "JPY")
('1.50', 150, '7')
"""

from __future__ import annotations

import re
from decimal import Decimal

from simulator.errors import WalletProtocolError, WalletRefused
from simulator.money import exponent

AMOUNT_NOT_REPRESENTABLE = "AMOUNT_NOT_REPRESENTABLE"
_DECIMAL = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,30})?")


class AmountNotRepresentable(WalletRefused, ValueError, code=AMOUNT_NOT_REPRESENTABLE, status=400):
    """The dialect cannot carry this currency's amounts exactly; nothing was sent."""


def scale_supports(currency: str, scale: int) -> bool:
    """True when every amount of ``currency`` is a whole number of 10**-scale major units."""
    return exponent(currency) <= scale


def to_scaled(amount: int, currency: str, scale: int) -> int:
    exp = exponent(currency)
    if exp > scale:
        raise AmountNotRepresentable(
            f"{currency} has {exp} decimal places but this dialect carries {scale}: amounts would be rounded"
        )
    factor: int = 10 ** (scale - exp)
    return amount * factor


def from_scaled(value: object, currency: str, scale: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise WalletProtocolError(f"wallet sent {value!r} where an integer amount was expected")
    exp = exponent(currency)
    if exp > scale:
        raise AmountNotRepresentable(f"{currency} cannot be carried in units of 10**-{scale}")
    factor: int = 10 ** (scale - exp)
    quotient, remainder = divmod(value, factor)
    if remainder:
        raise WalletProtocolError(f"wallet amount {value} (10**-{scale} units) is finer than a {currency} minor unit")
    return quotient


def to_decimal(amount: int, currency: str) -> str:
    exp = exponent(currency)
    return f"{Decimal(amount).scaleb(-exp).quantize(Decimal(1).scaleb(-exp)):f}"


def from_decimal(value: object, currency: str) -> int:
    """A decimal amount from a reply: a string, or a JSON number parsed as ``Decimal`` (never a float)."""
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        number = Decimal(value)
    elif isinstance(value, Decimal) and value.is_finite() and abs(value.adjusted()) <= 30:
        number = value
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**30:
        number = Decimal(value)
    else:
        raise WalletProtocolError(f"wallet sent {value!r} where a decimal amount was expected")
    # in integers: Decimal arithmetic rounds to 28 digits, which would pass a 29th decimal place unnoticed
    sign, digits, power = number.as_tuple()
    if len(digits) > 60 or not isinstance(power, int):
        raise WalletProtocolError(f"wallet sent {value!r} where a decimal amount was expected")
    magnitude, shift = int("".join(map(str, digits))), power + exponent(currency)
    minor: int
    if shift >= 0:
        minor = magnitude * 10**shift
    else:
        minor, finer = divmod(magnitude, 10**-shift)
        if finer:
            raise WalletProtocolError(f"wallet amount {value} has more decimal places than {currency} allows")
    return -minor if sign else minor
