"""The slot engine: one RTP variant of one model behind the ``games.engine.Engine`` protocol.

A round is one wallet bet and one win. A paid spin draws one stop per reel, in reel order, with
``rng.index(len(strip))`` (the public "slot reel stops" mapping); each free spin it leads to does the same on the
free-spin strips and then, when the model has a multiplier wheel of more than one entry, draws the multiplier with one
more ``rng.index``. All free spins are played inside ``play``, so a player can verify the whole round from the fairness
stream.

With ``{"bonus_buy": true}`` (models that offer it) the stake is the buy price, ``price`` times the base bet, and the
round is the bought free spins alone. Pays are summed in bet units and converted to money once, at the end, exactly:

    exact win = stake * total_pay / (bet_units * price)     (price is 1 for a paid spin)

and settled to minor units by ``games.common.money.settle`` (unbiased rounding with one more word of the round's
stream, drawn after the free spins and only when the exact win has a fractional part), so nothing is lost to rounding
spin by spin and the declared RTP holds at every stake.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from games.common.money import exact_text, settle_from
from games.common.schema import Parameters, params_schema
from games.engine import JSON, MathProfile, Outcome, SingleStep
from games.errors import InvalidBet
from games.rng import RandomSource
from games.slots.evaluate import Spin, evaluate
from games.slots.exact import RoundMath, bonus_buy_math, spin_math
from games.slots.model import BonusBuy, SlotModel
from games.slots.vectorised import RoundSimulator

MAX_FREE_SPINS = 100_000
"""Safety stop for a broken random source. With retrigger rates below one per spin the chance of reaching it is nil."""


class SlotEngine(SingleStep):
    category = "slots"

    def __init__(self, model: SlotModel, variant: str) -> None:
        self.model = model
        self.variant = variant
        self.engine_id = f"slot-{model.name}-{variant}"
        self._sets = model.variants[variant]
        self._exact: dict[bool, RoundMath] = {}
        self._simulator: RoundSimulator | None = None

    @property
    def features(self) -> tuple[str, ...]:
        """What a catalogue may advertise for this engine: only what ``play`` really does."""
        offered = []
        if self.model.bonus_buy is not None:
            offered.append("bonus_buy")
        if any(self.model.free_spins.award.values()):
            offered.append("free_spins")
        return tuple(offered)

    def reference_params(self) -> JSON:
        return {}

    def parameters(self) -> Parameters:
        buy = self.model.bonus_buy
        if buy is None:
            return Parameters(
                params_schema(
                    f"{self.engine_id} spin",
                    description="One paid spin of the stake; this model takes no parameters.",
                    examples=[{}],
                    invalid=[{"bonus_buy": True}],
                )
            )
        flag = {
            "type": "boolean",
            "description": f"Buy {buy.spins} free spins: the stake is then the price, {buy.price} times the base bet.",
        }
        return Parameters(
            params_schema(
                f"{self.engine_id} spin",
                {"bonus_buy": flag},
                description="One paid spin of the stake, or the bought free spins.",
                examples=[{}, {"bonus_buy": True}, {"bonus_buy": False}],
                invalid=[{"bonus_buy": "yes"}, {"bonus_buy": 1}],
            )
        )

    def math(self) -> MathProfile:
        return self.exact(bonus_buy=False).profile()

    def bonus_buy_math(self) -> MathProfile:
        """Math of a bought feature per unit of the buy price; ``ValueError`` when the model has no bonus buy."""
        return self.exact(bonus_buy=True).profile()

    def exact(self, *, bonus_buy: bool) -> RoundMath:
        """Exact moments as fractions, computed once per engine (a fraction of a second per reel set)."""
        if bonus_buy not in self._exact:
            compute = bonus_buy_math if bonus_buy else spin_math
            self._exact[bonus_buy] = compute(self.model, self.variant)
        return self._exact[bonus_buy]

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        return self._rounds().base_rounds(rounds, rng) / self.model.bet_units

    def simulate_bonus_buy(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        """Like ``simulate`` for bought features: return per unit of the buy price."""
        buy = self._require_buy()
        return self._rounds().bought_rounds(rounds, buy.spins, rng) / (self.model.bet_units * buy.price)

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome:
        if type(stake) is not int or stake <= 0:
            raise InvalidBet(f"stake must be a positive integer of minor units, got {stake!r}")
        bought = self._bonus_buy(params)
        model = self.model
        detail: JSON = {"mode": "bonus_buy" if bought else "spin", "bet_units": model.bet_units}
        if bought:
            buy = self._require_buy()
            unit_value, awarded, total = Fraction(stake, model.bet_units * buy.price), buy.spins, 0
            detail["price"] = buy.price
        else:
            unit_value = Fraction(stake, model.bet_units)
            spin = evaluate(model, self._sets.base, [rng.index(len(s)) for s in self._sets.base.strips])
            awarded = model.free_spins.award.get(spin.scatters, 0)
            total = spin.pay
            detail.update(self._spin_detail(spin, 1, awarded, unit_value))
        free_spins = self._free_spins(awarded, rng, unit_value)
        total += sum(f["pay"] for f in free_spins)
        detail["free_spins_awarded"] = awarded
        detail["free_spins"] = free_spins
        detail["total_pay"] = total
        exact = total * unit_value
        detail["exact_win"] = exact_text(exact)
        return Outcome(win=settle_from(exact, rng), detail=detail)

    def _free_spins(self, awarded: int, rng: RandomSource, unit_value: Fraction) -> list[JSON]:
        free = self._sets.free
        wheel = self.model.free_spins.multipliers
        played: list[JSON] = []
        pending = awarded
        while pending:
            if len(played) >= MAX_FREE_SPINS:
                raise RuntimeError(f"{self.engine_id}: free spins did not end; is the random source random?")
            spin = evaluate(self.model, free, [rng.index(len(s)) for s in free.strips])
            multiplier = wheel[rng.index(len(wheel))] if len(wheel) > 1 else wheel[0]
            retriggered = self.model.free_spins.retrigger.get(spin.scatters, 0)
            pending += retriggered - 1
            played.append(self._spin_detail(spin, multiplier, retriggered, unit_value))
        return played

    def _spin_detail(self, spin: Spin, multiplier: int, awarded: int, unit_value: Fraction) -> JSON:
        """What the player sees of one spin. Pays are bet units; ``line`` numbers count from 1.

        ``spin_win`` is the spin's pay in minor units, rounded down, for display: the round's win is settled once, on
        the total pay, so it can exceed the sum of the spin wins by a few minor units.
        """
        symbols = self.model.symbols
        wins: list[JSON] = []
        for w in spin.wins:
            where = {"line": w.line} if w.line is not None else {"ways": w.ways}
            wins.append({**where, "symbol": symbols[w.symbol], "count": w.count, "pay": w.pay})
        return {
            "reel_stops": list(spin.stops),
            "window": [[symbols[column[row]] for column in spin.columns] for row in range(self.model.rows)],
            "wins": wins,
            "scatter": {"count": spin.scatters, "pay": spin.scatter_pay},
            "multiplier": multiplier,
            "pay": spin.pay * multiplier,
            "spin_win": math.floor(spin.pay * multiplier * unit_value),
            "free_spins_awarded": awarded,
        }

    def _bonus_buy(self, params: Mapping[str, Any]) -> bool:
        if not isinstance(params, Mapping):
            raise InvalidBet(f"parameters must be an object, got {type(params).__name__}")
        accepted = {"bonus_buy"} if self.model.bonus_buy is not None else set()
        unknown = sorted(repr(k) for k in params if k not in accepted)
        if unknown:
            allowed = ", ".join(sorted(accepted)) or "none"
            raise InvalidBet(f"unknown parameter {', '.join(unknown)} for {self.engine_id} (accepted: {allowed})")
        value = params.get("bonus_buy", False)
        if type(value) is not bool:
            raise InvalidBet(f"bonus_buy must be true or false, got {value!r}")
        return value

    def _require_buy(self) -> BonusBuy:
        if self.model.bonus_buy is None:
            raise ValueError(f"{self.engine_id} has no bonus buy")
        return self.model.bonus_buy

    def _rounds(self) -> RoundSimulator:
        if self._simulator is None:
            self._simulator = RoundSimulator(self.model, self.variant)
        return self._simulator
