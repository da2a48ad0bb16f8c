"""Currencies and their minor units. Money is always an ``int`` count of minor units; this module never makes a float.

The exponent is the ISO 4217 one (JPY, CLP and VND 0, USD 2, KWD 3) or the usual one for crypto (BTC 8, USDT 6,
and ETH 8: its native unit is 10^-18, but stakes are whole minor units below 2^53, so ETH is counted in 10^-8 as
most casinos display it).
``UNIT_VALUE`` is an approximate number of minor units worth one US cent, used only to scale bet limits per currency.
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

# minor units per US cent, rounded to keep limits readable (1 USD ~ 150 JPY ~ 0.31 KWD ~ 0.000011 BTC)
UNIT_VALUE: dict[str, Decimal] = {
    "USD": Decimal(1),
    "EUR": Decimal(1),
    "GBP": Decimal(1),
    "CAD": Decimal(1),
    "AUD": Decimal(1),
    "BRL": Decimal(5),
    "INR": Decimal(80),
    "SEK": Decimal(10),
    "NOK": Decimal(10),
    "PLN": Decimal(4),
    "TRY": Decimal(35),
    "MXN": Decimal(18),
    "CLP": Decimal("9.5"),
    "VND": Decimal(250),
    "JPY": Decimal("1.5"),
    "KWD": Decimal(3),
    "BTC": Decimal(1),
    "ETH": Decimal(333),
    "USDT": Decimal(10000),
}


def exponent(currency: str) -> int:
    try:
        return EXPONENTS[currency]
    except KeyError:
        raise UnknownCurrency(f"unknown currency {currency!r}; supported: {', '.join(sorted(EXPONENTS))}") from None


def scale_cents(currency: str, usd_cents: int) -> int:
    """An amount of about ``usd_cents`` US cents in ``currency`` minor units, never below one unit."""
    exponent(currency)
    return max(1, int(UNIT_VALUE[currency] * usd_cents))


def to_decimal(amount: int, currency: str) -> Decimal:
    """Minor units to a Decimal in major units, for display and decimal wire formats."""
    return Decimal(amount).scaleb(-exponent(currency))
