"""Keno: the player picks 1-10 numbers from 1-40; ten numbers are drawn and the pay depends on picks and hits.

The draw is the public pick-without-replacement mapping: from the remaining numbers,
``rng.index(len(remaining))`` and pop, ten times. Hits follow the hypergeometric law ``C(p, h) C(40 - p, 10
- h) / C(40, 10)``, so the math is exact. The paytables are this project's own: for each pick count a
geometric rise from the first paying hit count to a cap, rounded down and nudged up to RTP 99% without
exceeding it (exact RTPs 98.84%-99.00%, see ``test_keno``).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from math import comb
from typing import Any

import numpy as np
import numpy.typing as npt

from games.common.money import check_stake, exact_text, format_multiplier, settle_from
from games.common.params import check_keys, check_mapping
from games.common.profile import Distribution, distribution, profile
from games.common.schema import Parameters, params_schema
from games.engine import JSON, MathProfile, Outcome, SingleStep
from games.errors import InvalidBet
from games.rng import RandomSource

NUMBERS = 40
DRAWN = 10
MAX_PICKS = 10

_TABLES: dict[int, tuple[str, ...]] = {
    1: ("0", "3.96"),
    2: ("0", "1.28", "8.62"),
    3: ("0", "0", "2.8", "50"),
    4: ("0", "0", "1.39", "11.7", "100"),
    5: ("0", "0", "0.57", "4.57", "37", "300"),
    6: ("0", "0", "0.37", "2.36", "14.8", "94.7", "599"),
    7: ("0", "0", "0", "1.67", "8.31", "40.9", "202", "1033"),
    8: ("0", "0", "0", "1.02", "4.63", "21.1", "96.2", "439", "2020"),
    9: ("0", "0", "0", "0.61", "2.72", "12.2", "55.2", "248", "1131", "5083"),
    10: ("0", "0", "0", "0.41", "1.75", "7.38", "31.2", "132", "571", "2426", "10206"),
}
"""Multiplier by number of hits, per pick count."""


def paytable(picks: int) -> tuple[Fraction, ...]:
    return tuple(Fraction(cell) for cell in _TABLES[picks])


def hit_probability(picks: int, hits: int) -> Fraction:
    return Fraction(comb(picks, hits) * comb(NUMBERS - picks, DRAWN - hits), comb(NUMBERS, DRAWN))


class KenoEngine(SingleStep):
    """Single-step keno. Params ``{"numbers": [3, 17, 22]}``: 1-10 distinct integers from 1 to 40."""

    engine_id = "keno"
    category = "instant"

    def reference_params(self) -> JSON:
        return {"numbers": [3, 11, 17, 26, 38]}

    def parameters(self) -> Parameters:
        numbers = {
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": NUMBERS},
            "minItems": 1,
            "maxItems": MAX_PICKS,
            "uniqueItems": True,
            "description": f"1 to {MAX_PICKS} distinct numbers from 1 to {NUMBERS} (default [3, 11, 17, 26, 38]).",
        }
        return Parameters(
            params_schema(
                "keno bet",
                {"numbers": numbers},
                description=f"Pick numbers; {DRAWN} of {NUMBERS} are drawn and the pay depends on picks and hits.",
                examples=[{"numbers": [7]}, {"numbers": [3, 11, 17, 26, 38]}, {"numbers": list(range(31, 41))}, {}],
                invalid=[{"numbers": []}, {"numbers": [0]}, {"numbers": [5, 5]}, {"numbers": list(range(1, 12))}],
            )
        )

    def _picks(self, params: Mapping[str, Any]) -> list[int]:
        params = check_mapping(params, "keno")
        check_keys(params, ("numbers",), "keno")
        picks = params.get("numbers", self.reference_params()["numbers"])
        if not isinstance(picks, list) or not 1 <= len(picks) <= MAX_PICKS:
            raise InvalidBet(f"keno: numbers must be a list of 1 to {MAX_PICKS} numbers, got {picks!r}")
        for number in picks:
            if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= NUMBERS:
                raise InvalidBet(f"keno: {number!r} is not a number from 1 to {NUMBERS}")
        if len(set(picks)) != len(picks):
            raise InvalidBet("keno: numbers must be distinct")
        return picks

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome:
        stake = check_stake(stake)
        picks = self._picks(params)
        remaining = list(range(1, NUMBERS + 1))
        drawn = [remaining.pop(rng.index(len(remaining))) for _ in range(DRAWN)]
        hits = sorted(set(drawn) & set(picks))
        multiplier = paytable(len(picks))[len(hits)]
        exact = stake * multiplier
        return Outcome(
            win=settle_from(exact, rng),
            detail={
                "numbers": picks,
                "drawn": drawn,
                "hits": hits,
                "multiplier": format_multiplier(multiplier),
                "exact_win": exact_text(exact),
            },
        )

    def distribution(self, params: Mapping[str, Any] | None = None) -> Distribution:
        picks = len(self._picks(self.reference_params() if params is None else params))
        table = paytable(picks)
        return distribution((hit_probability(picks, hits), table[hits]) for hits in range(picks + 1))

    def math(self) -> MathProfile:
        return profile(self.distribution(), "combinatorics", max_win=max(paytable(MAX_PICKS)))

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        picks = len(self._picks(self.reference_params()))
        table = np.array([float(cell) for cell in paytable(picks)])
        return table[rng.hypergeometric(picks, NUMBERS - picks, DRAWN, size=rounds)]
