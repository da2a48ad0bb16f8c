"""Exact math profiles from an exact outcome distribution.

Engines describe their reference bet as a finite distribution of returns per unit stake with ``Fraction``
probabilities, so RTP, hit frequency and variance are exact sums rather than estimates; only the final
square root is a float. The same distribution gives the outcome classes that the tests compare simulated and
per-round play against.

Hit frequency is the probability that the round returns anything (``win > 0``), the convention slot
certification uses; a la partage half-stake return or a blackjack push counts as a hit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

from games.engine import MathProfile

Distribution = dict[Fraction, Fraction]
"""Return per unit stake -> probability."""


def distribution(pairs: Iterable[tuple[Fraction | int, Fraction | int]]) -> Distribution:
    """Merge ``(probability, return)`` pairs into a distribution, checking that the probabilities add up to
    one."""
    merged: Distribution = {}
    for probability, value in pairs:
        if probability:
            key = Fraction(value)
            merged[key] = merged.get(key, Fraction(0)) + Fraction(probability)
    total = sum(merged.values(), Fraction(0))
    if total != 1:
        raise ArithmeticError(f"outcome probabilities add up to {total}, not 1")
    return dict(sorted(merged.items()))


def exact_rtp(dist: Distribution) -> Fraction:
    return sum((p * value for value, p in dist.items()), Fraction(0))


def profile(dist: Distribution, method: str, max_win: Fraction | int | None = None) -> MathProfile:
    """Profile of ``dist``; ``max_win`` is the largest multiplier any legal bet of the game pays when that
    exceeds the reference bet's own (the catalogue advertises the game's maximum, not the reference
    bet's)."""
    rtp = exact_rtp(dist)
    second = sum((p * value * value for value, p in dist.items()), Fraction(0))
    hit = sum((p for value, p in dist.items() if value > 0), Fraction(0))
    return MathProfile(
        rtp=float(rtp),
        hit_frequency=float(hit),
        std_dev=math.sqrt(second - rtp * rtp),
        max_win_multiplier=float(max(max(dist), Fraction(max_win or 0))),
        method=method,
    )
