"""Contract checks that every table and instant engine must pass, whatever its game."""

from __future__ import annotations

import json

import numpy as np
import pytest

from games.instant import ENGINES as INSTANT
from games.registry import get_engine
from games.table import ENGINES as TABLE
from games.table.blackjack_variants import SIMULATED_ROUNDS
from tests.games.table_instant_checks import assert_rtp_in_interval, stream

ALL = {**INSTANT, **TABLE}
SINGLE = sorted(engine_id for engine_id, engine in ALL.items() if not engine.multi_step)
MULTI = sorted(engine_id for engine_id, engine in ALL.items() if engine.multi_step)
BLACKJACK = sorted(engine_id for engine_id in ALL if engine_id.startswith("blackjack"))


def recorded_rounds(engine_id: str) -> int | None:
    return SIMULATED_ROUNDS if ALL[engine_id].math().method == "simulation" else None


EXPECTED_IDS = {
    "dice",
    "limbo",
    "crash",
    "plinko",
    "mines",
    "keno",
    "wheel",
    "roulette-european",
    "roulette-american",
    "roulette-french",
    "baccarat",
    "blackjack",
    "blackjack-h17",
    "blackjack-6d-s17",
    "blackjack-6d-h17",
    "blackjack-8d-s17",
    "live-roulette-european",
    "live-baccarat",
    "live-crash",
}


def test_every_engine_is_registered_under_its_own_id() -> None:
    assert set(ALL) == EXPECTED_IDS
    for engine_id, engine in ALL.items():
        assert engine.engine_id == engine_id
        assert get_engine(engine_id) is engine
        home = "live" if engine_id.startswith("live-") else "instant" if engine_id in INSTANT else "table"
        assert engine.category == home
        # the declared kind fits the methods the engine has
        assert engine.multi_step == all(callable(getattr(engine, m, None)) for m in ("open", "cost", "act")), engine_id
        assert engine.multi_step != callable(getattr(engine, "play", None)), engine_id
    assert set(MULTI) == {"crash", "mines", *BLACKJACK}


@pytest.mark.parametrize("engine_id", sorted(EXPECTED_IDS))
def test_math_profile_is_sane(engine_id: str) -> None:
    profile = ALL[engine_id].math()
    assert profile.method in {"enumeration", "combinatorics", "analytic", "simulation"}
    assert 0.9 < profile.rtp < 1.0
    assert 0.0 < profile.hit_frequency <= 1.0
    assert profile.std_dev > 0
    assert profile.max_win_multiplier >= 2


@pytest.mark.parametrize(
    ("engine_id", "rounds"),
    [pytest.param(engine_id, 30_000 if engine_id in BLACKJACK else 300_000, id=engine_id) for engine_id in sorted(ALL)],
)
def test_declared_rtp_within_simulation_interval(engine_id: str, rounds: int) -> None:
    assert_rtp_in_interval(ALL[engine_id], rounds, seed=31, declared_rounds=recorded_rounds(engine_id))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("engine_id", "rounds"),
    [
        pytest.param(engine_id, 4_000_000 if engine_id in BLACKJACK else 50_000_000, id=engine_id)
        for engine_id in sorted(ALL)
    ],
)
def test_declared_rtp_long_run(engine_id: str, rounds: int) -> None:
    assert_rtp_in_interval(ALL[engine_id], rounds, seed=32, declared_rounds=recorded_rounds(engine_id))


@pytest.mark.parametrize("engine_id", SINGLE)
def test_no_params_plays_the_reference_bet(engine_id: str) -> None:
    engine = ALL[engine_id]
    assert not engine.multi_step
    for nonce in range(1, 30):
        default = engine.play(1000, {}, stream(nonce))
        reference = engine.play(1000, engine.reference_params(), stream(nonce))
        assert default == reference
        assert isinstance(default.win, int)
        json.dumps(default.detail)


@pytest.mark.parametrize("engine_id", SINGLE)
def test_simulation_is_reproducible(engine_id: str) -> None:
    engine = ALL[engine_id]
    first = engine.simulate(1000, np.random.default_rng(5))
    second = engine.simulate(1000, np.random.default_rng(5))
    assert np.array_equal(first, second)
