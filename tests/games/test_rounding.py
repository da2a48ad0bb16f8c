"""Declared RTP holds at every stake the catalogue offers, rounding included.

Paired design: the same seeded rounds are played at a small stake ``s`` and at ``HUGE`` (10**12), where ``win / HUGE``
is the round's exact multiplier to 1e-12. The round's exact win at ``s`` is then ``x = s * win_HUGE / HUGE``, so the
outcome noise cancels and only the rounding error ``win_s - x`` is left: at most one minor unit, mean zero under
unbiased rounding, variance ``frac(x) * (1 - frac(x)) <= 1/4``. Rounding down would make it ``-frac(x)`` every time.

Stakes are the first three steps of the reference title's ladder in every currency whose ladder starts below 100
minor units (the slow test takes every currency).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pytest

from games.common.money import ROUNDING_WORD, WORD, settle, settle_ratio
from games.engine import JSON, AnyEngine
from games.registry import engine_ids, get_engine
from games.rng import SeededSource
from simulator.catalog.data import REFERENCE_LIMITS
from simulator.catalog.steps import bet_ladder
from simulator.money import EXPONENTS
from simulator.rates import scale_cents
from tests.games.table_instant_checks import ScriptedSource

HUGE = 10**12
Z = 4.5
"""Two-sided z bound: over about 30 engines and five stakes a false alarm stays below one in 5,000 runs."""
TOLERANCE = Fraction(1, 1000)
"""0.1 percentage points of RTP."""


def ladder_stakes(limit: int | None) -> list[int]:
    low, high = REFERENCE_LIMITS
    stakes: set[int] = set()
    for currency in EXPONENTS:
        ladder = bet_ladder(scale_cents(currency, low), scale_cents(currency, high))
        if limit is None or ladder[0] < limit:
            stakes.update(ladder[:3])
    return sorted(stakes)


FAST_STAKES = ladder_stakes(100)
EXTRA_PARAMS: dict[str, list[JSON]] = {
    # high-chance bets, where rounding down cost the most among the instant games
    "dice": [{"target": "2.00", "direction": "over"}],
    "limbo": [{"target": "1.01"}],
    "crash": [{"auto_cashout": "1.01"}],
}


def cases() -> list[Any]:
    out = []
    for engine_id in engine_ids():
        for params in [get_engine(engine_id).reference_params(), *EXTRA_PARAMS.get(engine_id, [])]:
            out.append(pytest.param(engine_id, params, id=f"{engine_id}-{json.dumps(params, sort_keys=True)}"))
    return out


def play(engine: AnyEngine, stake: int, params: Mapping[str, Any], seed: int, index: int) -> tuple[int, JSON]:
    """One round on its own seeded source: the win and what the player is shown at the end."""
    rng = SeededSource(seed, spawn_key=(index,))
    if not engine.multi_step:
        outcome = engine.play(stake, params, rng)
        return outcome.win, outcome.detail
    step = engine.open(stake, params, rng)
    while not step.finished:
        action, action_params = engine.reference_action(step)
        step = engine.act(step.state, action, action_params)
    return step.win, step.view


@dataclass
class Errors:
    """Sums over rounds at one stake."""

    rounds: int = 0
    error: Fraction = Fraction(0)  # sum of win - x
    floor_error: Fraction = Fraction(0)  # sum of floor(x) - x
    variance: Fraction = Fraction(0)  # sum of frac(x) * (1 - frac(x))
    bias: Fraction = Fraction(0)  # sum of E[win | x] - x under the rule, exact

    def add(self, win: int, exact: Fraction) -> None:
        whole = math.floor(exact)
        frac = exact - whole
        assert win in (whole, whole + 1) if frac else win == whole, (win, exact)
        self.rounds += 1
        self.error += win - exact
        self.floor_error -= frac
        self.variance += frac * (1 - frac)
        # words rounding up: those with word * denominator < remainder * 2**32, i.e. ceil(frac * 2**32) of them
        self.bias += Fraction(-(-frac.numerator * WORD // frac.denominator), WORD) - frac

    def z(self, total: Fraction) -> float:
        return float(total) / math.sqrt(self.variance) if self.variance else 0.0


def run(engine_id: str, params: JSON, stakes: list[int], rounds: int, seed: int) -> dict[int, Errors]:
    engine = get_engine(engine_id)
    errors = {stake: Errors() for stake in stakes}
    for index in range(rounds):
        big, _ = play(engine, HUGE, params, seed, index)
        for stake in stakes:
            win, shown = play(engine, stake, params, seed, index)
            paired = Fraction(stake * big, HUGE)
            exact = Fraction(shown["exact_win"])
            assert abs(exact - paired) <= Fraction(stake, HUGE), (engine_id, stake, index, exact, paired)
            errors[stake].add(win, exact)
    return errors


def rounds_for(engine_id: str) -> int:
    return 300 if engine_id.startswith(("slot-", "blackjack")) else 1_000


def test_settle_rounds_up_exactly_below_the_fraction() -> None:
    """The threshold word: the last word rounding 19.6039... up is ceil(frac * 2**32) - 1."""
    exact = Fraction(1980, 101)
    threshold = -(-61 * WORD // 101)  # frac = 61/101
    assert settle(exact, threshold - 1) == 20
    assert settle(exact, threshold) == 19
    assert settle(exact, 0) == 20
    assert settle(exact, WORD - 1) == 19
    assert settle(Fraction(20), 0) == settle(Fraction(20), WORD - 1) == 20
    assert settle(Fraction(1, WORD), 0) == 1
    assert settle(Fraction(1, WORD), 1) == 0


def test_settle_ratio_is_settle_in_integers() -> None:
    """The integer fast path (dice) gives the win and text ``settle`` and ``str(Fraction)`` give, from the same word."""
    for numerator, denominator in [(990_000, 5050), (1980, 101), (20, 1), (40, 2), (0, 7), (3, 4), (10**12, 3)]:
        for word in (0, 2**31, WORD - 1):
            exact = Fraction(numerator, denominator)
            win, text = settle_ratio(numerator, denominator, ScriptedSource([], word))
            assert text == str(exact)
            assert win == (exact.numerator if exact.denominator == 1 else settle(exact, word))


@pytest.mark.parametrize(("engine_id", "params"), cases())
def test_rtp_including_rounding_matches_the_exact_math_at_ladder_stakes(engine_id: str, params: JSON) -> None:
    """For each ladder stake: every win is the exact win rounded down or up; the rounding rule's own bias is below
    2**-32 of a minor unit per round (exact, from the round's exact wins), so the RTP including rounding is the
    exact game math to far better than 0.1pp; and the real rounding errors are consistent with that (z test).
    Rounding down would have been caught wherever it costs 0.1pp or more."""
    errors = run(engine_id, params, FAST_STAKES, rounds_for(engine_id), seed=20_261_207)
    for stake, err in errors.items():
        assert 0 <= err.bias / err.rounds < Fraction(1, WORD), (stake, err.bias)
        assert err.bias / (err.rounds * stake) < TOLERANCE / 10**6
        assert abs(err.z(err.error)) < Z, (stake, float(err.error), float(err.variance))


def test_rounding_down_would_cost_more_than_a_tenth_of_a_point_at_the_minimum_stake() -> None:
    """The check above is not vacuous: at the smallest ladder stake, rounding down costs at least 0.1pp in every
    engine family whose reference bet has fractional wins there (plinko about 5 points, dice about one)."""
    stake = FAST_STAKES[0]
    for engine_id, params in [
        ("plinko", {}),
        ("keno", {}),
        ("baccarat", {}),
        ("mines", {}),
        ("dice", {"target": "2.00", "direction": "over"}),
        ("slot-classic20-965", {}),
    ]:
        err = run(engine_id, params, [stake], 400, seed=7)[stake]
        assert -err.floor_error / (err.rounds * stake) >= TOLERANCE, engine_id


@pytest.mark.slow
@pytest.mark.parametrize(("engine_id", "params"), cases())
def test_monte_carlo_rtp_error_at_every_ladder_stake(engine_id: str, params: JSON) -> None:
    """Long run at the three smallest ladder stakes: the realised rounding error alone bounds the RTP error below
    0.1pp at 99.9% confidence."""
    stakes = ladder_stakes(None)
    rounds = 20_000 if engine_id.startswith(("slot-", "blackjack")) else 100_000
    for stake, err in run(engine_id, params, stakes[:3], rounds, seed=1).items():
        bound = (abs(err.error) + 3.29 * math.sqrt(err.variance)) / (err.rounds * stake)
        assert bound < TOLERANCE, (stake, bound)


def test_a_multi_step_round_opened_without_a_rounding_word_is_rounded_down() -> None:
    """Rounds stored before rounds carried a rounding word still finish, settled as they were then."""
    engine = get_engine("mines")
    assert engine.multi_step
    for index in range(200):
        step = engine.open(7, {"mines": 3}, SeededSource(11, spawn_key=(index,)))
        assert ROUNDING_WORD in step.state and ROUNDING_WORD not in step.view
        state = {key: value for key, value in step.state.items() if key != ROUNDING_WORD}
        step = engine.act(state, "reveal", {"tile": 0})
        if not step.finished:
            step = engine.act(step.state, "cashout", {})
            assert step.win == 7  # 7 * 0.99 * 25 / 22 = 63/8 = 7.875, rounded down
            assert step.view["exact_win"] == "63/8"
            return
    pytest.fail("no safe first tile in 200 rounds")
