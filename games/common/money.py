"""Money arithmetic shared by every engine family.

Stakes and wins are integer minor units. Every win is ``floor(stake * multiplier)`` with the multiplier held
exactly as a ``Fraction``: rounding down is the one rule that can never pay more than the published math,
and doing it in one place keeps every engine's rounding identical. Decimal multipliers and targets travel as
strings with two decimals ("2.00") so that a float never decides a payout.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from games.errors import InvalidBet

_DECIMAL = re.compile(r"^[0-9]+(?:\.[0-9]{1,2})?$")


def check_stake(stake: object) -> int:
    """The stake as a positive int; ``bool`` is refused because ``True`` would silently mean one minor
    unit."""
    if isinstance(stake, bool) or not isinstance(stake, int):
        raise InvalidBet(f"stake must be an integer number of minor units, got {stake!r}")
    if stake < 1:
        raise InvalidBet(f"stake must be at least 1 minor unit, got {stake}")
    return stake


def check_amount(amount: object, what: str) -> int:
    """A bet's amount as a positive int (same rules as a stake, with a message naming the bet)."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidBet(f"{what}: amount must be an integer number of minor units, got {amount!r}")
    if amount < 1:
        raise InvalidBet(f"{what}: amount must be at least 1 minor unit, got {amount}")
    return amount


def win_for(stake: int, multiplier: Fraction | int) -> int:
    """``floor(stake * multiplier)`` computed exactly, in integers: ``stake * numerator // denominator``."""
    if not isinstance(multiplier, Fraction | int):
        multiplier = Fraction(multiplier)
    return stake * multiplier.numerator // multiplier.denominator


def parse_hundredths(value: object, name: str) -> int:
    """A non-negative decimal with at most two decimals ("50.50", 50.5 or 50) as an int count of hundredths.

    Numbers are accepted for convenience, but a float only when its shortest decimal form has two decimals
    or fewer, so ``50.5`` is fine and ``0.1 + 0.2`` is refused rather than rounded.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value * 100
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        text = ""
    if _DECIMAL.fullmatch(text) is None:
        raise InvalidBet(f"{name} must be a non-negative decimal with at most two decimals like '2.00', got {value!r}")
    return int(Decimal(text) * 100)


def format_hundredths(hundredths: int) -> str:
    """``5050`` -> ``"50.50"``."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def format_multiplier(multiplier: Fraction | int) -> str:
    """A multiplier for display, truncated (never rounded up) to four decimals; payouts use the exact
    value."""
    whole = win_for(10_000, multiplier)
    return f"{whole // 10_000}.{whole % 10_000:04d}"
