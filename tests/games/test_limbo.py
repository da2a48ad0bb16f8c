from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from games.errors import InvalidBet
from games.instant import limbo
from games.instant.limbo import LimboEngine, result_hundredths, winning_words
from tests.games.table_instant_checks import (
    ROUND_UP,
    ScriptedSource,
    assert_play_matches_simulation,
    assert_rtp_in_interval,
)

ENGINE = LimboEngine()


def test_integer_result_matches_the_public_double_formula() -> None:
    """The exact integer form plus the 46 recorded corrections equals the client's floating-point formula."""
    assert len(limbo._LOW_BY_ONE) == 46
    rng = np.random.default_rng(41)
    ns = [int(n) for n in rng.integers(0, 10**8, size=20_000)] + sorted(limbo._LOW_BY_ONE)
    ns += [0, 1, 98_999_999, 99_000_000, 10**8 - 1]
    for n in ns:
        assert result_hundredths(n) == max(100, math.floor(1e8 / (n + 1) * 0.99 * 100)), n


def test_floor_of_float_times_1e8_is_exact() -> None:
    """Why the engine may use the float: ``floor(w / 2**32 * 1e8)`` equals the exact integer quotient."""
    rng = np.random.default_rng(42)
    for word in [0, 2**32 - 1, 2**24, 3 * 2**24, *(int(w) for w in rng.integers(0, 2**32, size=20_000))]:
        assert math.floor(word / 2**32 * 1e8) == word * 10**8 // 2**32


@pytest.mark.parametrize("target", [101, 150, 200, 1000, 12_345, 99_000, 4_950_000, 98_019_802, 100_000_000])
def test_winning_words_is_the_exact_boundary(target: int) -> None:
    """Words below ``winning_words(target)`` reach the target and the rest do not (results fall as words rise)."""
    boundary = winning_words(target)
    params = {"target": f"{target // 100}.{target % 100:02d}"}
    assert ENGINE.play(100, params, ScriptedSource([boundary - 1])).detail["won"] is True
    assert ENGINE.play(100, params, ScriptedSource([boundary])).detail["won"] is False


def test_rtp_bounds_stated_in_the_docstring() -> None:
    rtps = [Fraction(winning_words(t), 2**32) * Fraction(t, 100) for t in range(101, 1_000_001, 997)]
    assert Fraction(98_990, 100_000) <= min(rtps)
    assert max(rtps) <= Fraction(990_003, 1_000_000)
    assert float(Fraction(winning_words(98_019_802), 2**32) * Fraction(98_019_802, 100)) == pytest.approx(0.98021, 1e-5)


def test_reference_math() -> None:
    profile = ENGINE.math()
    p = Fraction(winning_words(200), 2**32)
    assert profile.rtp == float(2 * p)
    assert profile.hit_frequency == float(p)
    assert profile.max_win_multiplier == 1_000_000


@pytest.mark.parametrize(
    ("stake", "target", "win"),
    [
        pytest.param(3, "1.01", 3, id="rounding-word-down"),
        pytest.param(100, "2.5", 250, id="short-decimal"),
        pytest.param(7, 3, 21, id="int"),
    ],
)
def test_win_is_stake_times_target(stake: int, target: Any, win: int) -> None:
    assert ENGINE.play(stake, {"target": target}, ScriptedSource([0])).win == win


def test_fractional_win_rounds_up_with_a_low_rounding_word() -> None:
    outcome = ENGINE.play(3, {"target": "1.01"}, ScriptedSource([0], ROUND_UP))
    assert outcome.win == 4
    assert outcome.detail["exact_win"] == "303/100"


def test_declared_rtp_within_simulation_interval() -> None:
    assert_rtp_in_interval(ENGINE, 400_000, seed=43)


def test_play_and_simulation_agree() -> None:
    assert_play_matches_simulation(ENGINE, 4_000, seed=44)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({"target": "1.00"}, "from 1.01", id="too-low"),
        pytest.param({"target": "1000000.01"}, "to 1000000.00", id="too-high"),
        pytest.param({"target": "2.001"}, "two decimals", id="precision"),
        pytest.param({"target": "x"}, "decimal", id="text"),
        pytest.param({"target": True}, "decimal", id="bool"),
        pytest.param({"multiplier": "2"}, "unknown parameter", id="typo"),
    ],
)
def test_bad_input_is_invalid_bet(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidBet, match=message):
        ENGINE.play(100, params, ScriptedSource([0]))
