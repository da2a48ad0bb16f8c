"""Limbo: the player names a target multiplier and wins it if the drawn result reaches it.

The result follows the public client formula ``max(1, floor(1e8 / (floor(f * 1e8) + 1) * 0.99 * 100) /
100)`` evaluated in IEEE doubles, exactly as a browser verifier does, so every result can be reproduced.
``floor(f * 1e8)`` is exact in doubles for 32-bit floats, and the rest equals the integer ``99 * 10**8 // (n
+ 1)`` except for 46 values of ``n`` where ``n + 1`` divides ``99 * 10**8`` and double rounding lands one
hundredth lower (``_LOW_BY_ONE``); the exact math counts those, so the declared RTP is the RTP of the
formula as published.

P(result >= target) is exact: the winning ``n`` form a prefix ``0..K-1`` and the winning words are ``ceil(K
* 2**32 / 10**8)`` of the ``2**32``. The 32-bit scaling makes RTP drift from 99% as the target grows: it
stays within 98.990%-99.0003% up to 10,000x, but falls to 98.02% near 980,198x (``K`` = 100 leaves a whole
``n`` short), which is why the math is computed per target rather than assumed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from games.common.money import check_stake, exact_text, format_hundredths, parse_hundredths, settle_from
from games.common.params import check_keys, check_mapping
from games.common.profile import Distribution, distribution, profile
from games.common.schema import Parameters, hundredths, params_schema
from games.engine import JSON, MathProfile, Outcome, SingleStep
from games.errors import InvalidBet
from games.rng import RandomSource

SCALE = 10**8
NUMERATOR = 99 * SCALE
WORDS = 2**32
MIN_TARGET = 101
MAX_TARGET = 100_000_000


def _public_formula(n: int) -> int:
    """The client's double-precision evaluation, in hundredths, before the floor at 1.00."""
    return math.floor(1e8 / (n + 1) * 0.99 * 100)


def _divisors(number: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(number) + 1) if number % d == 0]
    return sorted({*small, *(number // d for d in small)})


_LOW_BY_ONE = frozenset(d - 1 for d in _divisors(NUMERATOR) if d <= SCALE and _public_formula(d - 1) != NUMERATOR // d)
"""The ``n`` where the double formula gives one hundredth less than the exact quotient."""


def result_hundredths(n: int) -> int:
    return max(100, NUMERATOR // (n + 1) - (n in _LOW_BY_ONE))


@cache
def winning_words(target: int) -> int:
    """How many of the ``2**32`` words produce a result of at least ``target`` hundredths."""
    prefix = NUMERATOR // target
    if prefix and prefix - 1 in _LOW_BY_ONE and NUMERATOR % prefix == 0 and NUMERATOR // prefix == target:
        prefix -= 1
    return -(-prefix * WORDS // SCALE)


class LimboEngine(SingleStep):
    """Single-step limbo. Params ``{"target": "2.00"}`` (1.01 to 1000000.00)."""

    engine_id = "limbo"
    category = "instant"

    def reference_params(self) -> JSON:
        return {"target": "2.00"}

    def parameters(self) -> Parameters:
        low, high = format_hundredths(MIN_TARGET), format_hundredths(MAX_TARGET)
        return Parameters(
            params_schema(
                "limbo bet",
                {
                    "target": hundredths(
                        f"The multiplier to reach, {low} to {high} (default 2.00).", minimum=low, maximum=high
                    )
                },
                description="Name a multiplier; the round wins it when the drawn result reaches it.",
                examples=[{"target": "2.00"}, {"target": "1000.50"}, {"target": 3}, {}],
                invalid=[{"target": 1}, {"target": "two"}, {"target": 2000000}],
            )
        )

    def _target(self, params: Mapping[str, Any]) -> int:
        params = check_mapping(params, "limbo")
        check_keys(params, ("target",), "limbo")
        target = parse_hundredths(params.get("target", self.reference_params()["target"]), "limbo target")
        if not MIN_TARGET <= target <= MAX_TARGET:
            raise InvalidBet(
                f"limbo target must be from {format_hundredths(MIN_TARGET)}"
                f" to {format_hundredths(MAX_TARGET)}, got {format_hundredths(target)}"
            )
        return target

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome:
        stake = check_stake(stake)
        target = self._target(params)
        n = math.floor(rng.float() * 1e8)
        result = result_hundredths(n)
        won = result >= target
        exact = Fraction(stake * target if won else 0, 100)
        return Outcome(
            win=settle_from(exact, rng),
            detail={
                "result": format_hundredths(result),
                "target": format_hundredths(target),
                "won": won,
                "exact_win": exact_text(exact),
            },
        )

    def distribution(self, params: Mapping[str, Any] | None = None) -> Distribution:
        target = self._target(self.reference_params() if params is None else params)
        p_win = Fraction(winning_words(target), WORDS)
        return distribution([(p_win, Fraction(target, 100)), (1 - p_win, 0)])

    def math(self) -> MathProfile:
        return profile(self.distribution(), "combinatorics", max_win=Fraction(MAX_TARGET, 100))

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        target = self._target(self.reference_params())
        words = rng.integers(0, WORDS, size=rounds, dtype=np.uint64)
        n = (words * np.uint64(SCALE)) >> np.uint64(32)
        result = np.uint64(NUMERATOR) // (n + np.uint64(1))
        result -= np.isin(n, np.fromiter(_LOW_BY_ONE, dtype=np.uint64)).astype(np.uint64)
        return np.where(result >= target, target / 100, 0.0)
