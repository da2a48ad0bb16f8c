from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from games.errors import InvalidBet
from games.instant.dice import ROLLS, DiceEngine, _string_bet
from games.rng import ProvablyFairStream
from tests.games.table_instant_checks import (
    ScriptedSource,
    assert_play_matches_simulation,
    assert_rtp_in_interval,
    exact_stake,
    word_for_index,
)

ENGINE = DiceEngine()


@pytest.mark.parametrize(
    ("nonce", "roll"), [pytest.param(1, "74.67", id="nonce-1"), pytest.param(2, "53.86", id="nonce-2")]
)
def test_public_vector(nonce: int, roll: str) -> None:
    outcome = ENGINE.play(100, {}, ProvablyFairStream("server seed", "client seed", nonce))
    assert outcome.detail["roll"] == roll


@pytest.mark.parametrize(
    ("params", "stake", "roll", "win"),
    [
        pytest.param({"target": "50.50", "direction": "over"}, 100, 5051, 200, id="over-wins-just-above"),
        pytest.param({"target": "50.50", "direction": "over"}, 100, 5050, 0, id="over-loses-on-target"),
        pytest.param({"target": "50.50", "direction": "under"}, 100, 5049, 196, id="under-rounding-word-down"),
        pytest.param({"target": "50.50", "direction": "under"}, 100, 5050, 0, id="under-loses-on-target"),
        pytest.param({"target": 33.33, "direction": "under"}, 3, 0, 8, id="float-target-rounding-word-down"),
        pytest.param({"target": "0.01", "direction": "under"}, 7, 0, 69_300, id="max-multiplier"),
        pytest.param({"target": "2", "direction": "over"}, 98, 10_000, 99, id="min-chance-98"),
    ],
)
def test_win_is_exact_integer(params: dict[str, Any], stake: int, roll: int, win: int) -> None:
    outcome = ENGINE.play(stake, params, ScriptedSource([word_for_index(roll, ROLLS)]))
    assert outcome.win == win
    assert outcome.detail["won"] is (win > 0)


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"target": "50.50", "direction": "over"}, id="reference"),
        pytest.param({"target": "12.34", "direction": "under"}, id="under"),
        pytest.param({"target": "99.99", "direction": "over"}, id="over-extreme"),
    ],
)
def test_exact_math_matches_brute_force(params: dict[str, Any]) -> None:
    dist = ENGINE.distribution(params)
    stake = exact_stake(dist)
    total = sum(ENGINE.play(stake, params, ScriptedSource([word_for_index(roll, ROLLS)])).win for roll in range(ROLLS))
    assert Fraction(total, stake * ROLLS) == sum(p * value for value, p in dist.items()) == Fraction(9900, 10_001)


def test_math_profile() -> None:
    profile = ENGINE.math()
    assert profile.rtp == pytest.approx(9900 / 10_001, abs=1e-15)
    assert profile.hit_frequency == pytest.approx(4950 / 10_001, abs=1e-15)
    assert profile.std_dev == pytest.approx((4 * 4950 / 10_001 - (9900 / 10_001) ** 2) ** 0.5)
    assert profile.max_win_multiplier == 9900
    assert profile.method == "combinatorics"


def test_declared_rtp_within_simulation_interval() -> None:
    assert_rtp_in_interval(ENGINE, 400_000, seed=11)


def test_play_and_simulation_agree() -> None:
    assert_play_matches_simulation(ENGINE, 4_000, seed=12)


@pytest.mark.slow
def test_declared_rtp_long_run() -> None:
    assert_rtp_in_interval(ENGINE, 50_000_000, seed=13)


@pytest.mark.parametrize(
    ("stake", "params", "message"),
    [
        pytest.param(0, {}, "at least 1", id="zero-stake"),
        pytest.param(True, {}, "integer", id="bool-stake"),
        pytest.param(1.5, {}, "integer", id="float-stake"),
        pytest.param(100, {"target": "50.505"}, "two decimals", id="three-decimals"),
        pytest.param(100, {"target": 0.1 + 0.2}, "two decimals", id="inexact-float"),
        pytest.param(100, {"target": "-1"}, "non-negative", id="negative"),
        pytest.param(100, {"target": "abc"}, "decimal", id="not-a-number"),
        pytest.param(100, {"target": None}, "decimal", id="null"),
        pytest.param(100, {"target": "100.01"}, "100.00", id="above-range"),
        pytest.param(100, {"target": "1.99", "direction": "over"}, "chance", id="chance-too-high"),
        pytest.param(100, {"target": "99.99", "direction": "under"}, "chance", id="chance-too-high-under"),
        pytest.param(100, {"target": "100", "direction": "over"}, "chance", id="no-winning-roll"),
        pytest.param(100, {"target": "0", "direction": "under"}, "chance", id="no-winning-roll-under"),
        pytest.param(100, {"direction": "sideways"}, "direction", id="bad-direction"),
        pytest.param(100, {"targt": "50"}, "unknown parameter", id="typo"),
        pytest.param(100, [], "JSON object", id="params-not-object"),
    ],
)
def test_bad_input_is_invalid_bet(stake: Any, params: Any, message: str) -> None:
    with pytest.raises(InvalidBet, match=message):
        ENGINE.play(stake, params, ScriptedSource([0]))


def test_a_long_padded_target_plays_as_the_short_one_and_is_not_memoised() -> None:
    padded = "0" * 10_000 + "50.50"
    before = _string_bet.cache_info().currsize
    long_round = ENGINE.play(100, {"target": padded}, ProvablyFairStream("server seed", "client seed", 1))
    assert _string_bet.cache_info().currsize == before
    short_round = ENGINE.play(100, {"target": "50.50"}, ProvablyFairStream("server seed", "client seed", 1))
    assert long_round == short_round
