"""The RTP simulation tool, driven by a coin-flip engine whose true math is known in closed form."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from games.common.schema import Parameters, params_schema
from games.engine import JSON, MathProfile, Outcome, SingleStep
from games.errors import UnknownEngine
from games.registry import get_engine
from games.rng import RandomSource, SeededSource
from games.rtp import Z99, checkpoints, play_rtp, simulate_engine, simulate_rtp, write_plot
from tests.games.table_instant_checks import finish_round

P_WIN = 0.49
TRUE_RTP = 2 * P_WIN
TRUE_SIGMA = math.sqrt(4 * P_WIN - TRUE_RTP**2)


class CoinFlip(SingleStep):
    """Pays 2x with probability 0.49; declares whatever math it is given."""

    engine_id = "test-coin"
    category = "instant"

    def __init__(self, rtp: float = TRUE_RTP, sigma: float = TRUE_SIGMA, shape_bug: bool = False) -> None:
        self._math = MathProfile(rtp=rtp, hit_frequency=P_WIN, std_dev=sigma, max_win_multiplier=2.0, method="analytic")
        self._shape_bug = shape_bug

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome:
        return Outcome(win=2 * stake if rng.float() < P_WIN else 0)

    def math(self) -> MathProfile:
        return self._math

    def reference_params(self) -> JSON:
        return {}

    def parameters(self) -> Parameters:
        return Parameters(params_schema("coin", description="A toss; params are ignored.", examples=[{}]))

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        out = np.where(rng.random(rounds) < P_WIN, 2.0, 0.0)
        return out[:-1] if self._shape_bug else out


def test_true_math_passes_and_report_describes_the_sample() -> None:
    report = simulate_engine(CoinFlip(), 400_000, seed=11)
    assert report.passed
    low, high = report.ci99
    assert low < report.rtp < high
    assert high - low == pytest.approx(2 * Z99 * report.std_dev / math.sqrt(400_000))
    assert report.std_dev == pytest.approx(TRUE_SIGMA, rel=0.01)
    assert report.hit_frequency == pytest.approx(P_WIN, abs=0.005)
    assert report.max_win == 2.0
    assert report.tolerance == pytest.approx(Z99 * TRUE_SIGMA / math.sqrt(400_000))


WRONG_MATH = [
    pytest.param(CoinFlip(rtp=0.97), id="rtp-one-point-low"),
    pytest.param(CoinFlip(rtp=0.99), id="rtp-one-point-high"),
    pytest.param(CoinFlip(sigma=0.01), id="volatility-understated"),
]


@pytest.mark.parametrize("engine", WRONG_MATH)
def test_wrong_declared_math_fails(engine: CoinFlip) -> None:
    assert not simulate_engine(engine, 1_000_000, seed=11).passed


def test_chunking_does_not_change_the_result() -> None:
    whole = simulate_engine(CoinFlip(), 300_000, seed=5, chunk=1_000_000, points=50)
    pieces = simulate_engine(CoinFlip(), 300_000, seed=5, chunk=7_777, points=50)
    assert pieces.rtp == pytest.approx(whole.rtp, rel=1e-12)
    assert pieces.hit_frequency == whole.hit_frequency
    assert [n for n, _ in pieces.convergence] == [n for n, _ in whole.convergence]
    assert [r for _, r in pieces.convergence] == pytest.approx([r for _, r in whole.convergence], rel=1e-12)


def test_same_seed_same_report_other_seed_other_report() -> None:
    assert simulate_engine(CoinFlip(), 10_000, seed=3) == simulate_engine(CoinFlip(), 10_000, seed=3)
    assert simulate_engine(CoinFlip(), 10_000, seed=3).rtp != simulate_engine(CoinFlip(), 10_000, seed=4).rtp


def test_convergence_series_is_log_spaced_and_ends_at_the_result() -> None:
    report = simulate_engine(CoinFlip(), 123_457, seed=1, chunk=10_000, points=40)
    rounds = [n for n, _ in report.convergence]
    assert rounds == sorted(set(rounds))
    assert rounds[0] == 100
    assert report.convergence[-1][0] == 123_457
    assert report.convergence[-1][1] == pytest.approx(report.rtp, rel=1e-12)
    assert 30 <= len(rounds) <= 41


@pytest.mark.parametrize(("rounds", "first"), [pytest.param(1, 1, id="one"), pytest.param(50, 50, id="few")])
def test_checkpoints_for_short_runs(rounds: int, first: int) -> None:
    marks = checkpoints(rounds, 10)
    assert marks[0] == first
    assert marks[-1] == rounds


BAD_RUNS = [
    pytest.param({"rounds": 0, "seed": 1}, "rounds must be a positive integer", id="zero-rounds"),
    pytest.param({"rounds": -5, "seed": 1}, "rounds must be a positive integer", id="negative-rounds"),
    pytest.param({"rounds": 10.0, "seed": 1}, "rounds must be a positive integer", id="float-rounds"),
    pytest.param({"rounds": 10, "seed": -1}, "seed must be a non-negative integer", id="negative-seed"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_RUNS)
def test_bad_runs_are_rejected(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        simulate_engine(CoinFlip(), **kwargs)


def test_engine_returning_the_wrong_shape_is_caught() -> None:
    with pytest.raises(ValueError, match="returned shape"):
        simulate_engine(CoinFlip(shape_bug=True), 1_000, seed=1)


def test_registered_engines_are_looked_up_by_id() -> None:
    report = simulate_rtp("slot-ways243-940", 50_000, seed=2)
    assert report.game == "slot-ways243-940"
    assert report.theory.rtp == pytest.approx(0.94, abs=0.0002)
    with pytest.raises(UnknownEngine):
        simulate_rtp("slot-nothing-965", 10, seed=1)


def test_report_as_json_marks_unbounded_max_win_as_null() -> None:
    report = json.loads(json.dumps(simulate_rtp("slot-classic20-965", 20_000, seed=2).to_json()))
    assert report["theory"]["max_win"] is None
    assert report["passed"] is True
    assert report["convergence"][-1][0] == 20_000
    assert json.loads(json.dumps(simulate_engine(CoinFlip(), 100, seed=1).to_json()))["theory"]["max_win"] == 2.0


def test_plot_is_a_png(tmp_path: Path) -> None:
    path = tmp_path / "coin.png"
    write_plot(simulate_engine(CoinFlip(), 20_000, seed=1), path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("engine_id", ["plinko", "mines", "blackjack", "slot-classic20-965"])
def test_play_rtp_plays_real_rounds_at_the_stake(engine_id: str) -> None:
    """The played report is the mean of real rounds on a SeededSource: wins in minor units, rounding included, and
    any extra stake (doubles, splits) taken off the return."""
    engine = get_engine(engine_id)
    stake, rounds = 15, 400
    report = play_rtp(engine_id, stake, rounds, seed=3, chunk=150)
    source = SeededSource(3)
    returns = []
    for _ in range(rounds):
        if engine.multi_step:
            step, staked = finish_round(engine, stake, engine.reference_params(), source, engine.reference_action)
            returns.append(Fraction(step.win - staked + stake, stake))
        else:
            returns.append(Fraction(engine.play(stake, engine.reference_params(), source).win, stake))
    assert report.stake == stake and report.rounds == rounds
    assert report.rtp == pytest.approx(float(sum(returns) / rounds), abs=1e-12)
    assert report.to_json()["stake"] == stake
    assert report == play_rtp(engine_id, stake, rounds, seed=3, chunk=150)
    assert report.rtp != play_rtp(engine_id, stake, rounds, seed=4).rtp


def test_play_rtp_passes_at_the_smallest_stake() -> None:
    report = play_rtp("keno", 10, 20_000, seed=1)
    assert report.passed, report.deviation
