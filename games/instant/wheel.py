"""Wheel: a wheel of 10-50 segments, each with a multiplier; the segment is ``rng.index(segments)``.

Every table is built from counts of multipliers whose sum is exactly ``0.99 * segments``, so RTP is exactly
99% for every segment count and risk; the risks differ only in how that sum is spread: low (a fifth of the
segments pay 0, seven tenths 1.2x, a tenth 1.5x), medium (half pay 0, three tenths 1.5x, a fifth less one
2x, one top segment 0.14 * segments + 2), high (one segment pays 0.99 * segments, the rest 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from games.common.money import check_stake, exact_text, format_multiplier, settle_from
from games.common.params import check_keys, check_mapping, choice
from games.common.profile import Distribution, distribution, profile
from games.common.schema import Parameters, one_of, params_schema
from games.engine import JSON, MathProfile, Outcome, SingleStep
from games.errors import InvalidBet
from games.rng import RandomSource

SEGMENTS = (10, 20, 30, 40, 50)
RISKS = ("low", "medium", "high")
RTP = Fraction(99, 100)


def _counts(segments: int, risk: str) -> dict[Fraction, int]:
    tenth = segments // 10
    if risk == "low":
        return {Fraction(0): 2 * tenth, Fraction(6, 5): 7 * tenth, Fraction(3, 2): tenth}
    if risk == "medium":
        top = RTP * segments - Fraction(3, 2) * 3 * tenth - 2 * (2 * tenth - 1)
        return {Fraction(0): 5 * tenth, Fraction(3, 2): 3 * tenth, Fraction(2): 2 * tenth - 1, top: 1}
    return {Fraction(0): segments - 1, RTP * segments: 1}


@cache
def layout(segments: int, risk: str) -> tuple[Fraction, ...]:
    """Multiplier per segment in wheel order: the multipliers are dealt round-robin so equal ones do not
    bunch up."""
    queues = [[value] * count for value, count in sorted(_counts(segments, risk).items(), reverse=True)]
    order: list[Fraction] = []
    while any(queues):
        for queue in queues:
            if queue:
                order.append(queue.pop())
    if len(order) != segments or sum(order) != RTP * segments:
        raise ArithmeticError(f"wheel {segments}/{risk} does not add up")
    return tuple(order)


class WheelEngine(SingleStep):
    """Single-step wheel. Params ``{"segments": 10 | 20 | 30 | 40 | 50, "risk": "low" | "medium" |
    "high"}``."""

    engine_id = "wheel"
    category = "instant"

    def reference_params(self) -> JSON:
        return {"segments": 30, "risk": "medium"}

    def parameters(self) -> Parameters:
        return Parameters(
            params_schema(
                "wheel bet",
                {
                    "segments": one_of(SEGMENTS, "Segments on the wheel (default 30)."),
                    "risk": one_of(RISKS, "How the pay is spread over the segments (default medium)."),
                },
                description="Spin a wheel of segments, each with a multiplier.",
                examples=[{"segments": 30, "risk": "medium"}, {"segments": 50, "risk": "high"}, {"segments": 10}, {}],
                invalid=[{"segments": 15}, {"segments": "30"}, {"risk": "none"}],
            )
        )

    def _parse(self, params: Mapping[str, Any]) -> tuple[int, str]:
        params = check_mapping(params, "wheel")
        check_keys(params, ("segments", "risk"), "wheel")
        reference = self.reference_params()
        segments = params.get("segments", reference["segments"])
        if isinstance(segments, bool) or segments not in SEGMENTS:
            raise InvalidBet(f"wheel: segments must be one of {list(SEGMENTS)}, got {segments!r}")
        return segments, choice(params, "risk", RISKS, reference["risk"], "wheel")

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome:
        stake = check_stake(stake)
        segments, risk = self._parse(params)
        segment = rng.index(segments)
        multiplier = layout(segments, risk)[segment]
        exact = stake * multiplier
        return Outcome(
            win=settle_from(exact, rng),
            detail={
                "segments": segments,
                "risk": risk,
                "segment": segment,
                "multiplier": format_multiplier(multiplier),
                "exact_win": exact_text(exact),
            },
        )

    def distribution(self, params: Mapping[str, Any] | None = None) -> Distribution:
        segments, risk = self._parse(self.reference_params() if params is None else params)
        return distribution((Fraction(1, segments), value) for value in layout(segments, risk))

    def math(self) -> MathProfile:
        return profile(self.distribution(), "enumeration", max_win=RTP * max(SEGMENTS))

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        segments, risk = self._parse(self.reference_params())
        table = np.array([float(value) for value in layout(segments, risk)])
        return table[rng.integers(0, segments, size=rounds)]
