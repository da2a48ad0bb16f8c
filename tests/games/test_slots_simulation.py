"""Statistical agreement: declared math vs the vectorised simulator, and that simulator vs the live ``play`` path.

Seeds are fixed per engine (CRC-32 of its id), so each run is deterministic; every check is at 99%. The default run uses
a few hundred thousand vectorised rounds per engine; ``-m slow`` runs the long versions.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import numpy.typing as npt
import pytest
from scipy import stats

from games.engine import MathProfile
from games.rng import ProvablyFairStream
from games.rtp import Z99, simulate_rtp
from games.slots import ENGINES, MODELS, SlotEngine

SLOTS = [e for e in ENGINES.values() if isinstance(e, SlotEngine)]
BUYS = [e for e in SLOTS if e.model.bonus_buy is not None]
BUCKETS = np.array([0.0, 1e-9, 0.5, 1.0, 2.0, 5.0, 20.0, 100.0, np.inf])
"""Outcome classes by win multiplier: no win, under half the stake, ..., 100x and more."""


def seed_of(engine: SlotEngine, salt: str = "") -> int:
    return zlib.crc32(f"{engine.engine_id}{salt}".encode())


def generator(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64DXSM(np.random.SeedSequence(seed)))


def params(engines: list[SlotEngine], marks: tuple[pytest.MarkDecorator, ...] = ()) -> list[object]:
    return [pytest.param(e, id=e.engine_id, marks=marks) for e in engines]


def assert_within_99(sample: npt.NDArray[np.float64], theory: MathProfile) -> None:
    n = len(sample)
    assert abs(sample.mean() - theory.rtp) <= Z99 * theory.std_dev / math.sqrt(n)
    p = theory.hit_frequency
    assert abs(np.count_nonzero(sample > 0) / n - p) <= Z99 * math.sqrt(p * (1 - p) / n) + 1e-12


def check_declared_rtp(engine: SlotEngine, rounds: int, salt: str = "") -> None:
    report = simulate_rtp(engine.engine_id, rounds, seed_of(engine, salt))
    low, high = report.ci99
    assert report.passed, f"{engine.engine_id}: simulated {report.rtp:.5f}, declared {report.theory.rtp:.5f}"
    assert low <= report.rtp <= high
    p = report.theory.hit_frequency
    assert abs(report.hit_frequency - p) <= Z99 * math.sqrt(p * (1 - p) / rounds)


@pytest.mark.parametrize("engine", params(SLOTS))
def test_declared_rtp_within_99_percent_of_simulation(engine: SlotEngine) -> None:
    check_declared_rtp(engine, 300_000)


@pytest.mark.parametrize("engine", params(SLOTS, (pytest.mark.slow,)))
def test_declared_rtp_within_99_percent_of_long_simulation(engine: SlotEngine) -> None:
    check_declared_rtp(engine, 20_000_000, salt="long")


@pytest.mark.parametrize("engine", params(BUYS))
def test_bonus_buy_math_within_99_percent_of_simulation(engine: SlotEngine) -> None:
    assert_within_99(engine.simulate_bonus_buy(100_000, generator(seed_of(engine, "buy"))), engine.bonus_buy_math())


@pytest.mark.parametrize("engine", params(BUYS, (pytest.mark.slow,)))
def test_bonus_buy_math_within_99_percent_of_long_simulation(engine: SlotEngine) -> None:
    assert_within_99(engine.simulate_bonus_buy(5_000_000, generator(seed_of(engine, "buy"))), engine.bonus_buy_math())


def classes(multipliers: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    return np.histogram(multipliers, bins=BUCKETS)[0]


def played(engine: SlotEngine, rounds: int, bonus_buy: bool) -> npt.NDArray[np.float64]:
    """Win multipliers of ``rounds`` live rounds, one provably-fair stream (nonce) per round."""
    stake = 10**9  # large enough that flooring to minor units cannot move a win across a bucket edge
    params = {"bonus_buy": True} if bonus_buy else {}
    wins = [engine.play(stake, params, ProvablyFairStream("chi", engine.engine_id, n)).win for n in range(rounds)]
    return np.array(wins, dtype=np.float64) / stake


def check_same_distribution(engine: SlotEngine, rounds: int, bonus_buy: bool = False) -> None:
    rng = generator(seed_of(engine, "chi"))
    simulated = engine.simulate_bonus_buy(200_000, rng) if bonus_buy else engine.simulate(200_000, rng)
    table = np.array([classes(played(engine, rounds, bonus_buy)), classes(simulated)])
    table = table[:, table.sum(axis=0) > 0]
    result = stats.chi2_contingency(table)
    assert result.pvalue > 0.01, f"{engine.engine_id}: play and simulate differ (p = {result.pvalue:.4g})\n{table}"


QUICK = [e for e in SLOTS if e.variant == "965"]
assert {e.model.name for e in QUICK} == set(MODELS)


@pytest.mark.parametrize("engine", params(QUICK))
def test_play_and_simulate_agree_in_distribution(engine: SlotEngine) -> None:
    check_same_distribution(engine, 2_000)


@pytest.mark.parametrize("engine", params(SLOTS, (pytest.mark.slow,)))
def test_play_and_simulate_agree_in_distribution_long(engine: SlotEngine) -> None:
    check_same_distribution(engine, 50_000)


@pytest.mark.parametrize("engine", params(BUYS[:1]))
def test_bought_feature_play_and_simulate_agree_in_distribution(engine: SlotEngine) -> None:
    check_same_distribution(engine, 300, bonus_buy=True)
