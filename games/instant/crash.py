"""Crash (single player): a multiplier rises from 1.00x until it busts; cash out before the bust to win it.

The bust point is decided in ``open`` from the round's stream with the public crash formula: ``X`` = the top
52 bits of the stream (two words) / 2**52 and ``bust = max(1, floor(99 / (1 - X)) / 100)``, evaluated in
IEEE doubles as JavaScript verifiers do (the same formula as ``games.hashchain``), so ``P(bust >= m) = 0.99
/ m``.

An engine has no clock, so the multiplier a client says it saw cannot be trusted. The model: the player may
set ``auto_cashout`` at open and ends the round with ``cashout {"multiplier": "1.50"}`` (a claim) or ``ride
{}`` (no manual cash-out). The cash-out point is ``min(claim, auto_cashout)``; it wins when it does not
exceed the bust point. The bust point stays hidden until the round is over and every action ends the round,
so a claim cannot be probed or revised: choosing it late is worth exactly what choosing it at open is, 99%
of the stake for any choice. A live front end would stream the rising multiplier and send the claim;
fairness needs only that the bust was fixed first. ``open`` then draws one more word, the rounding word that
settles the exact win ``stake * point / 100`` to minor units (``games.common.money.settle``); it is kept in the
state and never shown before the round ends.

The exact math counts ``floor(99 * 2**52 / m)`` of the ``2**52`` values of ``X`` as reaching ``m`` hundredths. The
double-precision formula can differ from that exact quotient by one hundredth on rare values of ``X`` (each worth
``2**-52``), which moves the probabilities far below the resolution of the profile's floats. Reference: auto
cash-out at 2.00x, then ``ride``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from games.common.actions import check_action, check_action_params
from games.common.money import ROUNDING_WORD, check_stake, exact_text, format_hundredths, parse_hundredths, settle_state
from games.common.params import check_keys, check_mapping
from games.common.profile import Distribution, distribution, profile
from games.common.schema import Parameters, hundredths, params_schema
from games.engine import JSON, MathProfile, MultiStep, Step
from games.errors import IllegalAction, InvalidBet
from games.rng import RandomSource

MIN_TARGET = 101
MAX_TARGET = 100_000_000
_BITS = 52


def bust_hundredths(x: float) -> int:
    return max(100, math.floor(99 / (1 - x)))


def reach_probability(target: int) -> Fraction:
    """P(bust >= target hundredths), exact over the 2**52 values of ``X`` (``target`` >= 101)."""
    return Fraction(99 * 2**_BITS // target, 2**_BITS)


def check_target(value: object, what: str) -> int:
    target = parse_hundredths(value, what)
    if not MIN_TARGET <= target <= MAX_TARGET:
        raise InvalidBet(
            f"crash: {what} must be from {format_hundredths(MIN_TARGET)} to {format_hundredths(MAX_TARGET)},"
            f" got {format_hundredths(target)}"
        )
    return target


class CrashEngine(MultiStep):
    """Multi-step crash. Open ``{"auto_cashout": "2.00"}`` (optional); actions ``cashout {"multiplier":
    "1.50"}``, ``ride {}``."""

    engine_id = "crash"
    category = "instant"
    actions = ("cashout", "ride")

    def reference_params(self) -> JSON:
        return {"auto_cashout": "2.00"}

    def parameters(self) -> Parameters:
        low, high = format_hundredths(MIN_TARGET), format_hundredths(MAX_TARGET)
        point = f"{low} to {high}"
        return Parameters(
            params_schema(
                "crash bet",
                {
                    "auto_cashout": hundredths(
                        f"Cash out automatically at this multiplier, {point}.", minimum=low, maximum=high
                    )
                },
                description="Open a flight; without auto_cashout only a cashout action can win.",
                examples=[{"auto_cashout": "2.00"}, {"auto_cashout": 10}, {}],
                invalid=[{"auto_cashout": 1}, {"auto_cashout": "2.001"}],
            ),
            {
                "cashout": params_schema(
                    "crash cashout",
                    {"multiplier": hundredths(f"The multiplier the player saw, {point}.", minimum=low, maximum=high)},
                    description="End the round at min(multiplier, auto_cashout); it wins when that point does not"
                    " exceed the bust point.",
                    examples=[{"multiplier": "1.50"}, {"multiplier": 3}],
                    invalid=[{}, {"multiplier": 0.5}, {"multiplier": "x1.5"}],
                    required=["multiplier"],
                ),
                "ride": params_schema(
                    "crash ride",
                    description="End the round at the auto cash-out (or lose at the bust).",
                    examples=[{}],
                    invalid=[{"multiplier": "1.50"}],
                ),
            },
        )

    def _auto(self, params: Mapping[str, Any]) -> int | None:
        params = check_mapping(params, "crash")
        check_keys(params, ("auto_cashout",), "crash")
        value = params.get("auto_cashout")
        return None if value is None else check_target(value, "auto_cashout")

    def open(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Step:
        stake = check_stake(stake)
        auto = self._auto(params)
        top = (rng.word() << 20) | (rng.word() >> 12)
        rounding_word = rng.word()
        state: JSON = {
            "stake": stake,
            "auto_cashout": auto,
            "bust": bust_hundredths(top / 2**_BITS),
            "cashed_out_at": None,
            "finished": False,
            "win": 0,
            ROUNDING_WORD: rounding_word,
        }
        return self._step(state)

    def cost(self, state: Mapping[str, Any], action: str, params: Mapping[str, Any]) -> int:
        """Always 0; validates exactly as ``act`` does."""
        self._claim(state, action, params)
        return 0

    def _claim(self, state: Mapping[str, Any], action: str, params: Mapping[str, Any]) -> int | None:
        """The claimed cash-out point in hundredths (``None`` for ``ride``), after every check ``act`` relies on."""
        check_action(state, action, self.actions, "crash")
        if action == "ride":
            check_action_params(params, (), "crash", action)
            return None
        claim = check_action_params(params, ("multiplier",), "crash", action).get("multiplier")
        if claim is None:
            raise IllegalAction("crash: cashout needs the multiplier the player saw, e.g. '1.50'")
        try:
            return check_target(claim, "multiplier")
        except InvalidBet as exc:
            raise IllegalAction(exc.message) from None

    def act(self, state: Mapping[str, Any], action: str, params: Mapping[str, Any]) -> Step:
        point = self._claim(state, action, params)
        auto = state["auto_cashout"]
        if auto is not None:
            point = auto if point is None else min(point, auto)
        new: JSON = {**state, "finished": True}
        exact = Fraction(0)
        if point is not None and point <= state["bust"]:
            new["cashed_out_at"] = point
            exact = Fraction(state["stake"] * point, 100)
        new["exact_win"] = exact_text(exact)
        new["win"] = settle_state(exact, new)
        return self._step(new)

    def _step(self, state: JSON) -> Step:
        auto = state["auto_cashout"]
        view: JSON = {"auto_cashout": None if auto is None else format_hundredths(auto)}
        if state["finished"]:
            cashed = state["cashed_out_at"]
            view["status"] = "crashed" if cashed is None else "cashed_out"
            view["bust"] = format_hundredths(state["bust"])
            view["cashed_out_at"] = None if cashed is None else format_hundredths(cashed)
            view["win"] = state["win"]
            view["exact_win"] = state["exact_win"]
        else:
            view["status"] = "flying"
        actions = () if state["finished"] else self.actions
        return Step(state=state, view=view, finished=state["finished"], win=state["win"], actions=actions)

    def reference_action(self, step: Step) -> tuple[str, JSON]:
        """``ride``: the round ends at the auto cash-out set at open (or at the bust)."""
        return "ride", {}

    def distribution(self, params: Mapping[str, Any] | None = None) -> Distribution:
        """Reference strategy: auto cash-out only (``ride``); without one the round always loses."""
        auto = self._auto(self.reference_params() if params is None else params)
        if auto is None:
            return distribution([(1, 0)])
        reach = reach_probability(auto)
        return distribution([(reach, Fraction(auto, 100)), (1 - reach, 0)])

    def math(self) -> MathProfile:
        return profile(self.distribution(), "analytic", max_win=Fraction(MAX_TARGET, 100))

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        auto = self._auto(self.reference_params())
        assert auto is not None
        x = rng.integers(0, 2**_BITS, size=rounds, dtype=np.int64) / 2**_BITS
        bust = np.maximum(100, np.floor(99 / (1 - x)))
        return np.where(bust >= auto, auto / 100, 0.0)
