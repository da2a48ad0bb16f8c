"""Money arithmetic shared by every engine family.

Stakes and wins are integer minor units. An engine computes a round's win exactly, as a ``Fraction`` of minor
units, and turns it into an integer in one place, ``settle``: unbiased (stochastic) rounding with a word drawn
from the round's own provably-fair stream. Rounding down would pay less than the published math at small
stakes (half a minor unit per fractional win on average, several RTP points at a stake of ten units); rounding
up with probability equal to the fractional part makes the expected win exactly ``stake * E[multiplier]`` at
every stake, and drawing the decision from the round's stream keeps the round reproducible and verifiable.
Decimal multipliers and targets travel as strings with two decimals ("2.00") so that a float never decides a
payout.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from games.errors import InvalidBet
from games.rng import RandomSource

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


WORD = 1 << 32
"""Words are 32-bit: a rounding word is uniform on ``[0, WORD)``."""


ROUNDING_WORD = "rounding_word"
"""State key of a multi-step round's rounding word; never shown in a view."""


def settle(exact: Fraction, word: int) -> int:
    """The integer win of a round whose exact win is ``exact`` minor units, rounded with ``word``.

    ``floor(exact) + 1`` when ``word / 2**32 < frac(exact)``, else ``floor(exact)``, decided in integers as
    ``word * denominator < remainder * 2**32``. The round-up probability is ``ceil(frac * 2**32) / 2**32``, so
    the expected win exceeds ``exact`` by less than ``2**-32`` of a minor unit per round.
    """
    whole, remainder = divmod(exact.numerator, exact.denominator)
    return whole + (word * exact.denominator < remainder * WORD)


def settle_from(exact: Fraction, rng: RandomSource) -> int:
    """``settle`` for single-step rounds: the rounding word is drawn after the outcome's draws, and only when
    the exact win has a fractional part, so a round with an exact win consumes the stream as it always did."""
    if exact.denominator == 1:
        return exact.numerator
    return settle(exact, rng.word())


def settle_ratio(numerator: int, denominator: int, rng: RandomSource) -> tuple[int, str]:
    """``settle_from`` and ``exact_text`` of the exact win ``numerator / denominator`` in plain integers, for the
    round hot path (dice), where building a ``Fraction`` would cost more than the round's own arithmetic."""
    common = math.gcd(numerator, denominator)
    numerator //= common
    denominator //= common
    if denominator == 1:
        return numerator, str(numerator)
    whole, remainder = divmod(numerator, denominator)
    return whole + (rng.word() * denominator < remainder * WORD), f"{numerator}/{denominator}"


def settle_state(exact: Fraction, state: Mapping[str, Any]) -> int:
    """``settle`` for multi-step rounds with the word ``open`` drew and kept in the state under
    ``ROUNDING_WORD``; a state without one (opened before rounds carried it) is rounded down, as it was then."""
    word = state.get(ROUNDING_WORD)
    if word is None:
        return exact.numerator // exact.denominator
    return settle(exact, word)


def exact_text(exact: Fraction) -> str:
    """The exact win as the round's detail shows it: an integer (``"20"``) or a reduced fraction (``"99/5"``)."""
    return str(exact)


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
    multiplier = Fraction(multiplier)
    whole = 10_000 * multiplier.numerator // multiplier.denominator
    return f"{whole // 10_000}.{whole % 10_000:04d}"
