"""Plinko: a ball falls through 8-16 rows of pins and lands in slot ``number of rights``.

Each row uses one float, ``floor(f * 2)`` = 1 for right (the public mapping), so slot ``k`` of ``rows`` has
probability ``C(rows, k) / 2**rows``. The paytables are this project's own: an exponential rise from the
centre to an edge multiplier chosen per risk, rounded down to two significant decimals and then nudged cell
by cell up to RTP 99% without exceeding it. Exact RTPs lie between 98.95% and 99.00% (see ``test_plinko``).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from math import comb
from typing import Any

import numpy as np
import numpy.typing as npt

from games.common.money import check_stake, exact_text, format_multiplier, settle_from
from games.common.params import check_keys, check_mapping, choice, integer
from games.common.profile import Distribution, distribution, profile
from games.common.schema import Parameters, one_of, params_schema
from games.common.schema import integer as integer_schema
from games.engine import JSON, MathProfile, Outcome, SingleStep
from games.rng import RandomSource

RISKS = ("low", "medium", "high")
MIN_ROWS = 8
MAX_ROWS = 16

_HALF_TABLES: dict[tuple[int, str], tuple[str, ...]] = {
    (8, "low"): ("5.6", "2.89", "1.48", "0.76", "0.4"),
    (9, "low"): ("6.39", "3.43", "1.84", "0.99", "0.53"),
    (10, "low"): ("7.31", "4.09", "2.29", "1.28", "0.71", "0.42"),
    (11, "low"): ("8.36", "4.79", "2.76", "1.57", "0.9", "0.53"),
    (12, "low"): ("9.47", "5.6", "3.3", "1.96", "1.15", "0.68", "0.42"),
    (13, "low"): ("10.7", "6.53", "3.92", "2.34", "1.42", "0.85", "0.51"),
    (14, "low"): ("12.3", "7.58", "4.63", "2.84", "1.74", "1.06", "0.65", "0.42"),
    (15, "low"): ("14.1", "8.73", "5.41", "3.36", "2.09", "1.3", "0.8", "0.5"),
    (16, "low"): ("16.5", "10", "6.34", "4.01", "2.51", "1.58", "0.99", "0.62", "0.43"),
    (8, "medium"): ("13", "4.46", "1.52", "0.52", "0.18"),
    (9, "medium"): ("16.9", "6.13", "2.19", "0.8", "0.28"),
    (10, "medium"): ("22.1", "8.38", "3.15", "1.19", "0.44", "0.19"),
    (11, "medium"): ("29", "11.2", "4.39", "1.71", "0.66", "0.26"),
    (12, "medium"): ("37.8", "15.1", "6.09", "2.45", "0.97", "0.39", "0.17"),
    (13, "medium"): ("49.8", "20.2", "8.29", "3.39", "1.39", "0.56", "0.24"),
    (14, "medium"): ("64.8", "27", "11.2", "4.73", "1.97", "0.82", "0.34", "0.17"),
    (15, "medium"): ("85.4", "35.8", "15.1", "6.45", "2.74", "1.16", "0.5", "0.21"),
    (16, "medium"): ("111", "47.5", "20.4", "8.85", "3.81", "1.64", "0.7", "0.3", "0.16"),
    (8, "high"): ("28.9", "5.95", "1.23", "0.25", "0.05"),
    (9, "high"): ("45.1", "9.62", "2.04", "0.44", "0.09"),
    (10, "high"): ("70.2", "15.4", "3.42", "0.74", "0.16", "0.05"),
    (11, "high"): ("109", "24.6", "5.54", "1.24", "0.28", "0.07"),
    (12, "high"): ("170", "39.1", "9.02", "2.08", "0.47", "0.1", "0.05"),
    (13, "high"): ("266", "62", "14.5", "3.39", "0.79", "0.18", "0.05"),
    (14, "high"): ("413", "98", "23.2", "5.55", "1.31", "0.31", "0.07", "0.03"),
    (15, "high"): ("646", "154", "37.1", "8.95", "2.14", "0.51", "0.13", "0.03"),
    (16, "high"): ("1002", "243", "59.1", "14.3", "3.5", "0.85", "0.2", "0.05", "0.03"),
}
"""Multipliers from the left edge to the centre; the right half mirrors them."""


def paytable(rows: int, risk: str) -> tuple[Fraction, ...]:
    """Multiplier per slot ``0..rows``."""
    half = [Fraction(cell) for cell in _HALF_TABLES[rows, risk]]
    return tuple(half + half[: rows + 1 - len(half)][::-1])


class PlinkoEngine(SingleStep):
    """Single-step plinko. Params ``{"rows": 8..16, "risk": "low" | "medium" | "high"}``."""

    engine_id = "plinko"
    category = "instant"

    def reference_params(self) -> JSON:
        return {"rows": 16, "risk": "medium"}

    def parameters(self) -> Parameters:
        return Parameters(
            params_schema(
                "plinko bet",
                {
                    "rows": integer_schema(MIN_ROWS, MAX_ROWS, "Rows of pins (default 16)."),
                    "risk": one_of(RISKS, "How far the pay spreads to the edges (default medium)."),
                },
                description="Drop a ball; it lands in the slot of its number of right bounces.",
                examples=[{"rows": 16, "risk": "medium"}, {"rows": 8, "risk": "high"}, {"risk": "low"}, {}],
                invalid=[{"rows": 7}, {"rows": 17}, {"risk": "extreme"}, {"rows": 12.5}],
            )
        )

    def _parse(self, params: Mapping[str, Any]) -> tuple[int, str]:
        params = check_mapping(params, "plinko")
        check_keys(params, ("rows", "risk"), "plinko")
        reference = self.reference_params()
        rows = integer(params, "rows", MIN_ROWS, MAX_ROWS, reference["rows"], "plinko")
        return rows, choice(params, "risk", RISKS, reference["risk"], "plinko")

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome:
        stake = check_stake(stake)
        rows, risk = self._parse(params)
        path = [int(rng.float() * 2) for _ in range(rows)]
        slot = sum(path)
        multiplier = paytable(rows, risk)[slot]
        exact = stake * multiplier
        return Outcome(
            win=settle_from(exact, rng),
            detail={
                "rows": rows,
                "risk": risk,
                "path": "".join("R" if step else "L" for step in path),
                "slot": slot,
                "multiplier": format_multiplier(multiplier),
                "exact_win": exact_text(exact),
            },
        )

    def distribution(self, params: Mapping[str, Any] | None = None) -> Distribution:
        rows, risk = self._parse(self.reference_params() if params is None else params)
        table = paytable(rows, risk)
        return distribution((Fraction(comb(rows, slot), 2**rows), table[slot]) for slot in range(rows + 1))

    def math(self) -> MathProfile:
        top = max(max(paytable(MAX_ROWS, risk)) for risk in RISKS)
        return profile(self.distribution(), "combinatorics", max_win=top)

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        """One random bit per row, as the game draws one float per row: the slot is the count of set bits."""
        rows, risk = self._parse(self.reference_params())
        table = np.array([float(cell) for cell in paytable(rows, risk)])
        paths = rng.integers(0, 2**rows, size=rounds, dtype=np.uint64)
        return table[np.bitwise_count(paths)]
