"""Currencies and their minor units. Money is always an ``int`` count of minor units; this module never makes a float.

The exponent is the ISO 4217 one (JPY, CLP and VND 0, USD 2, KWD 3) or the usual one for crypto (BTC 8, USDT 6,
and ETH 8: its native unit is 10^-18, but stakes are whole minor units below 2^53, so ETH is counted in 10^-8 as
most casinos display it). Amounts cross currencies through the rates table (``simulator.rates``).
"""

from __future__ import annotations

from decimal import Decimal

from simulator.errors import UnknownCurrency

EXPONENTS: dict[str, int] = {
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CAD": 2,
    "AUD": 2,
    "BRL": 2,
    "INR": 2,
    "SEK": 2,
    "NOK": 2,
    "PLN": 2,
    "TRY": 2,
    "MXN": 2,
    "CLP": 0,
    "VND": 0,
    "JPY": 0,
    "KWD": 3,
    "BTC": 8,
    "ETH": 8,
    "USDT": 6,
}


def exponent(currency: str) -> int:
    try:
        return EXPONENTS[currency]
    except KeyError:
        raise UnknownCurrency(f"unknown currency {currency!r}; supported: {', '.join(sorted(EXPONENTS))}") from None


def to_decimal(amount: int, currency: str) -> Decimal:
    """Minor units to a Decimal in major units, for display and decimal wire formats."""
    return Decimal(amount).scaleb(-exponent(currency))
