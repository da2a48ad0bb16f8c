"""Live crash: one bust per table round, shared by every player at the table, taken from a bustabit v2 hash chain.

Each bet names the multiplier it cashes out at: ``{"bets": [{"type": "cashout", "multiplier": "2.00", "amount":
100}, ...]}``; it wins ``amount * multiplier`` when the bust reaches the multiplier. The bust is read from the round's
source exactly as the crash engine reads it (the top 52 bits of two words, ``bust = max(1, floor(99 / (1 - X)) /
100)``); at a live table that source is the chain's game (``games.hashchain.ChainSource``), so the bust is the
public verifier's and every round can be checked against the published terminating hash. The exact win is settled
to minor units with the next word (``games.common.money.settle``). Any multiplier returns 99% of the stake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from games.common.money import check_amount, check_stake, exact_text, format_hundredths, settle_from
from games.common.params import check_keys, check_mapping
from games.common.profile import Distribution, distribution, profile
from games.common.schema import Parameters, amounts_rule, hundredths, params_schema
from games.engine import JSON, MathProfile, Outcome, SingleStep
from games.errors import InvalidBet
from games.instant.crash import MAX_TARGET, MIN_TARGET, bust_hundredths, check_target, reach_probability
from games.rng import RandomSource

_BITS = 52
MAX_BETS = 5


@dataclass(frozen=True, slots=True)
class Bet:
    multiplier: int  # hundredths
    amount: int


class LiveCrashEngine(SingleStep):
    engine_id = "live-crash"
    category = "live"
    rng_mode = "hash-chain"  # the catalogue lists its games with the chain as their random source

    def reference_params(self) -> JSON:
        return {"bets": [{"type": "cashout", "multiplier": "2.00"}]}

    def parameters(self) -> Parameters:
        low, high = format_hundredths(MIN_TARGET), format_hundredths(MAX_TARGET)
        bet = {
            "type": "object",
            "properties": {
                "type": {"enum": ["cashout"], "description": "The only bet at a live crash table."},
                "multiplier": hundredths(f"Cash out at this multiplier, {low} to {high}.", minimum=low, maximum=high),
                "amount": {"type": "integer", "minimum": 1, "description": "Minor units on this bet."},
            },
            "required": ["type", "multiplier"],
            "additionalProperties": False,
        }
        return Parameters(
            params_schema(
                "live crash bets",
                {"bets": {**amounts_rule(bet), "maxItems": MAX_BETS}},
                description="Cash-out bets on the table round's bust; amounts, when given, add up to the stake"
                " (one bet without an amount takes the whole stake).",
                examples=[{"bets": [{"type": "cashout", "multiplier": "2.00"}]}, {}],
                invalid=[{"bets": []}, {"bets": [{"type": "red", "multiplier": "2.00"}]}],
            )
        )

    def parse_bets(self, params: Mapping[str, Any], stake: int | None) -> list[Bet]:
        params = check_mapping(params, self.engine_id)
        check_keys(params, ("bets",), self.engine_id)
        raw = params.get("bets", self.reference_params()["bets"])
        if not isinstance(raw, list) or not raw or len(raw) > MAX_BETS:
            raise InvalidBet(f"{self.engine_id}: bets must be a list of 1 to {MAX_BETS} cash-out bets")
        if len(raw) == 1 and isinstance(raw[0], Mapping) and "amount" not in raw[0]:
            raw = [{**raw[0], "amount": 1 if stake is None else stake}]
        bets = []
        for position, bet in enumerate(raw):
            where = f"{self.engine_id} bet #{position + 1}"
            if not isinstance(bet, Mapping):
                raise InvalidBet(f"{where}: must be an object with type, multiplier and amount")
            check_keys(bet, ("type", "multiplier", "amount"), where)
            if bet.get("type") != "cashout":
                raise InvalidBet(f"{where}: the only bet type is 'cashout'")
            bets.append(Bet(check_target(bet.get("multiplier"), "multiplier"), check_amount(bet.get("amount"), where)))
        total = sum(b.amount for b in bets)
        if stake is not None and total != stake:
            raise InvalidBet(f"{self.engine_id}: bet amounts add up to {total} but the stake is {stake}")
        return bets

    @staticmethod
    def _bust(rng: RandomSource) -> int:
        top = (rng.word() << 20) | (rng.word() >> 12)
        return bust_hundredths(top / 2**_BITS)

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome:
        stake = check_stake(stake)
        bets = self.parse_bets(params, stake)
        bust = self._bust(rng)
        exact = Fraction(0)
        shown = []
        for bet in bets:
            won = bet.multiplier <= bust
            bet_exact = Fraction(bet.amount * bet.multiplier, 100) if won else Fraction(0)
            exact += bet_exact
            shown.append(
                {
                    "type": "cashout",
                    "multiplier": format_hundredths(bet.multiplier),
                    "amount": bet.amount,
                    "win": bet_exact.numerator // bet_exact.denominator,
                }
            )
        return Outcome(
            win=settle_from(exact, rng),
            detail={"bust": format_hundredths(bust), "bets": shown, "exact_win": exact_text(exact)},
        )

    def table_result(self, rng: RandomSource) -> JSON:
        return {"bust": format_hundredths(self._bust(rng))}

    @staticmethod
    def road_entry(result: JSON) -> Any:
        return result["bust"]

    def distribution(self, params: Mapping[str, Any] | None = None) -> Distribution:
        (bet,) = self.parse_bets(self.reference_params() if params is None else params, None)[:1]
        reach = reach_probability(bet.multiplier)
        return distribution([(reach, Fraction(bet.multiplier, 100)), (1 - reach, 0)])

    def math(self) -> MathProfile:
        return profile(self.distribution(), "analytic", max_win=Fraction(MAX_TARGET, 100))

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        x = rng.integers(0, 2**_BITS, size=rounds, dtype=np.int64) / 2**_BITS
        bust = np.maximum(100, np.floor(99 / (1 - x)))
        return np.where(bust >= 200, 2.0, 0.0)
