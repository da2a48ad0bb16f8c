"""Dice: roll over or under a target on 0.00-100.00, the public mapping ``floor(f * 10001) / 100``.

There are 10,001 equally likely rolls, counted here in hundredths ``0..10000``. A bet wins on ``w`` of them
(``w`` = ``10000 - target`` over, ``target`` under), shows a chance of ``w / 100`` percent and pays ``99 /
chance`` = ``9900 / w`` times the stake: exactly ``stake * 9900 / w`` minor units, settled to an integer by the
unbiased rounding of ``games.common.money.settle``. Because the
10,001st roll (the target itself) always loses, RTP is ``9900 / 10001`` = 98.990% for every target and
direction, a hair under the advertised 99%. Chances are limited to 0.01%-98.00% so the multiplier stays
between 1.0102x and 9900x.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from games.common.money import (
    check_stake,
    format_hundredths,
    format_multiplier,
    parse_hundredths,
    settle_ratio,
)
from games.common.params import check_keys, check_mapping, choice
from games.common.profile import Distribution, distribution, profile
from games.common.schema import Parameters, hundredths, one_of, params_schema
from games.engine import JSON, MathProfile, Outcome, SingleStep
from games.errors import InvalidBet
from games.rng import RandomSource

ROLLS = 10_001
MIN_WINNING = 1
MAX_WINNING = 9_800
PAYOUT_NUMERATOR = 9_900
REFERENCE_TARGET = "50.50"
REFERENCE_DIRECTION = "over"
_KEYS = frozenset(("target", "direction"))
_MEMO_TEXT = 16  # the longest target text memoised
_LOST = (0, "0")


def _parse(params: Mapping[str, Any]) -> tuple[int, str, int]:
    """``(target, direction, winning)`` of a bet's params, or ``InvalidBet`` saying what is wrong."""
    params = check_mapping(params, "dice")
    check_keys(params, ("target", "direction"), "dice")
    target = parse_hundredths(params.get("target", REFERENCE_TARGET), "dice target")
    direction = choice(params, "direction", ("over", "under"), REFERENCE_DIRECTION, "dice")
    if target > ROLLS - 1:
        raise InvalidBet(f"dice target must be from 0.00 to 100.00, got {format_hundredths(target)}")
    winning = ROLLS - 1 - target if direction == "over" else target
    if not MIN_WINNING <= winning <= MAX_WINNING:
        raise InvalidBet(
            f"dice: {direction} {format_hundredths(target)} wins with chance"
            f" {format_hundredths(winning)}%; the chance must be from"
            f" {format_hundredths(MIN_WINNING)}% to {format_hundredths(MAX_WINNING)}%"
        )
    return target, direction, winning


class _Bet(NamedTuple):
    """A valid bet with the parts of a round's detail that do not depend on the roll."""

    target: int
    direction: str
    multiplier: Fraction
    target_text: str
    chance_text: str
    multiplier_text: str


def _bet(params: Mapping[str, Any]) -> _Bet:
    target, direction, winning = _parse(params)
    multiplier = Fraction(PAYOUT_NUMERATOR, winning)
    return _Bet(
        target,
        direction,
        multiplier,
        format_hundredths(target),
        format_hundredths(winning),
        format_multiplier(multiplier),
    )


@lru_cache(maxsize=1024)
def _string_bet(target: str, direction: str) -> _Bet:
    """``_bet`` of string params, which depends on the two strings alone; an invalid bet is not kept (it raises)."""
    return _bet({"target": target, "direction": direction})


def _round_bet(params: Mapping[str, Any]) -> _Bet:
    """The bet of a round: memoised for what nearly every request sends, a plain dict of known keys holding exact
    ``str`` values of a few characters (a ``str`` subclass is passed through as before, and a target padded with
    thousands of leading zeros, valid but long, would make the memo large); anything else is validated afresh."""
    if type(params) is dict and params.keys() <= _KEYS:
        target = params.get("target", REFERENCE_TARGET)
        direction = params.get("direction", REFERENCE_DIRECTION)
        if type(target) is str and type(direction) is str and len(target) <= _MEMO_TEXT:
            return _string_bet(target, direction)
    return _bet(params)


class DiceEngine(SingleStep):
    """Single-step dice. Params ``{"target": "50.50", "direction": "over" | "under"}``."""

    engine_id = "dice"
    category = "instant"

    def reference_params(self) -> JSON:
        return {"target": REFERENCE_TARGET, "direction": REFERENCE_DIRECTION}

    def parameters(self) -> Parameters:
        chance = f"{format_hundredths(MIN_WINNING)}% to {format_hundredths(MAX_WINNING)}%"
        return Parameters(
            params_schema(
                "dice bet",
                {
                    "target": hundredths("The roll to beat, 0.00 to 100.00 (default 50.50).", maximum="100"),
                    "direction": one_of(("over", "under"), "Win above or below the target (default over)."),
                },
                description=f"Roll over or under a target; the chance it leaves (over: 100 - target, under: target)"
                f" must be from {chance}.",
                examples=[
                    {"target": "50.50", "direction": "over"},
                    {"target": "25.00", "direction": "under"},
                    {"target": 90, "direction": "under"},
                    {},
                ],
                invalid=[{"direction": "sideways"}, {"target": "50.505"}, {"target": -1}, {"target": 150}],
            )
        )

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome:
        stake = check_stake(stake)
        bet = _round_bet(params)
        roll = int(rng.float() * ROLLS)
        won = roll > bet.target if bet.direction == "over" else roll < bet.target
        win, exact = settle_ratio(stake * bet.multiplier.numerator, bet.multiplier.denominator, rng) if won else _LOST
        return Outcome(
            win=win,
            detail={
                "roll": format_hundredths(roll),
                "target": bet.target_text,
                "direction": bet.direction,
                "chance": bet.chance_text,
                "multiplier": bet.multiplier_text,
                "won": won,
                "exact_win": exact,
            },
        )

    def distribution(self, params: Mapping[str, Any] | None = None) -> Distribution:
        """Exact returns per unit stake of a bet (the reference bet by default)."""
        _, _, winning = _parse(self.reference_params() if params is None else params)
        return distribution(
            [
                (Fraction(winning, ROLLS), Fraction(PAYOUT_NUMERATOR, winning)),
                (Fraction(ROLLS - winning, ROLLS), 0),
            ]
        )

    def math(self) -> MathProfile:
        return profile(self.distribution(), "combinatorics", max_win=Fraction(PAYOUT_NUMERATOR, MIN_WINNING))

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        target, direction, winning = _parse(self.reference_params())
        rolls = rng.integers(0, ROLLS, size=rounds)
        won = rolls > target if direction == "over" else rolls < target
        return np.where(won, PAYOUT_NUMERATOR / winning, 0.0)
