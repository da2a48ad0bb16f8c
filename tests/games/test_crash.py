from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from games.engine import JSON, Step
from games.errors import IllegalAction, InvalidBet, RoundFinished
from games.instant.crash import CrashEngine, bust_hundredths, reach_probability
from tests.games.table_instant_checks import (
    ROUND_DOWN,
    ROUND_UP,
    ScriptedSource,
    assert_fits,
    assert_rtp_in_interval,
    assert_same_distribution,
    classify,
    counts,
    finish_round,
    stream,
)

ENGINE = CrashEngine()


def bust_at(x_top: int, rounding: int = ROUND_DOWN) -> ScriptedSource:
    """A source whose two words make the top 52 bits equal ``x_top``, then the rounding word."""
    return ScriptedSource([x_top >> 20, (x_top & (2**20 - 1)) << 12], rounding)


HALF = 2**51  # X = 0.5 -> floor(99 / 0.5) = 198 -> bust 1.98


def ride(step: Step) -> tuple[str, JSON]:
    return "ride", {}


def test_bust_formula() -> None:
    assert bust_hundredths(0.0) == 100
    assert bust_hundredths(0.5) == 198
    assert ENGINE.act(ENGINE.open(1, {}, bust_at(HALF)).state, "ride", {}).view["bust"] == "1.98"


@pytest.mark.parametrize("target", [101, 150, 200, 1000, 10**6, 10**8])
def test_reach_probability_is_99_percent_over_target(target: int) -> None:
    assert abs(reach_probability(target) * target / 100 - Fraction(99, 100)) <= Fraction(target, 100 * 2**52)
    boundary = 2**52 - 99 * 2**52 // target
    assert math.floor(99 / (1 - boundary / 2**52)) >= target
    assert math.floor(99 / (1 - (boundary - 1) / 2**52)) < target


@pytest.mark.parametrize(
    ("auto", "action", "params", "win"),
    [
        pytest.param(None, "cashout", {"multiplier": "1.98"}, 198, id="claim-at-bust-wins"),
        pytest.param(None, "cashout", {"multiplier": "1.99"}, 0, id="claim-above-bust-loses"),
        pytest.param(None, "ride", {}, 0, id="ride-without-auto-loses"),
        pytest.param("1.50", "ride", {}, 150, id="auto-below-bust"),
        pytest.param("1.50", "cashout", {"multiplier": "1.90"}, 150, id="auto-caps-late-claim"),
        pytest.param("1.50", "cashout", {"multiplier": "1.20"}, 120, id="early-claim"),
        pytest.param("2.00", "ride", {}, 0, id="auto-above-bust"),
    ],
)
def test_cash_out_rules(auto: str | None, action: str, params: dict[str, Any], win: int) -> None:
    open_params = {} if auto is None else {"auto_cashout": auto}
    step = ENGINE.open(100, open_params, bust_at(HALF))
    assert step.view == {"auto_cashout": auto, "status": "flying"}
    step = ENGINE.act(step.state, action, params)
    assert step.finished
    assert step.win == win
    assert step.view["bust"] == "1.98"
    assert step.view["status"] == ("cashed_out" if win else "crashed")


@pytest.mark.parametrize(
    ("rounding", "win"), [(ROUND_DOWN, 3), (ROUND_UP, 4), (2**32 * 3 // 100 - 1, 4), (2**32 * 3 // 100 + 1, 3)]
)
def test_win_is_stake_times_point_settled_by_the_rounding_word(rounding: int, win: int) -> None:
    """3 at 1.01x is exactly 3.03: it rounds up when the rounding word is below 3% of 2**32."""
    step = ENGINE.open(3, {}, bust_at(HALF, rounding))
    assert "rounding_word" not in step.view
    step = ENGINE.act(step.state, "cashout", {"multiplier": "1.01"})
    assert step.win == win
    assert step.view["exact_win"] == "303/100"
    assert "rounding_word" not in step.view


def test_view_hides_the_bust_point_until_the_end() -> None:
    views = [ENGINE.open(100, {"auto_cashout": "3.00"}, bust_at(top)).view for top in (0, HALF, 2**52 - 1)]
    assert views[0] == views[1] == views[2]


def test_actions_after_the_end_are_round_finished() -> None:
    step = ENGINE.act(ENGINE.open(100, {}, bust_at(HALF)).state, "ride", {})
    for action in ("cashout", "ride"):
        with pytest.raises(RoundFinished):
            ENGINE.act(step.state, action, {"multiplier": "1.01"} if action == "cashout" else {})


@pytest.mark.parametrize(
    ("action", "params", "message"),
    [
        pytest.param("cashout", {}, "needs the multiplier", id="no-claim"),
        pytest.param("cashout", {"multiplier": "1.00"}, "from 1.01", id="claim-1x"),
        pytest.param("cashout", {"multiplier": "abc"}, "decimal", id="claim-text"),
        pytest.param("cashout", {"multiplier": "1.5", "at": 1}, "unknown parameter", id="extra"),
        pytest.param("ride", {"multiplier": "1.5"}, "unknown parameter", id="ride-params"),
        pytest.param("eject", {}, "not allowed", id="unknown"),
    ],
)
def test_illegal_actions(action: str, params: dict[str, Any], message: str) -> None:
    step = ENGINE.open(100, {}, bust_at(HALF))
    with pytest.raises(IllegalAction, match=message):
        ENGINE.cost(step.state, action, params)
    with pytest.raises(IllegalAction, match=message):
        ENGINE.act(step.state, action, params)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({"auto_cashout": "1.00"}, "from 1.01", id="auto-1x"),
        pytest.param({"auto_cashout": "1000000.01"}, "to 1000000.00", id="auto-too-high"),
        pytest.param({"auto_cashout": "1.234"}, "two decimals", id="auto-precision"),
        pytest.param({"target": "2.00"}, "unknown parameter", id="typo"),
    ],
)
def test_bad_open_is_invalid_bet(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidBet, match=message):
        ENGINE.open(100, params, bust_at(HALF))


def test_declared_rtp_within_simulation_interval() -> None:
    assert_rtp_in_interval(ENGINE, 400_000, seed=91)


def test_open_and_act_agree_with_simulation() -> None:
    dist = ENGINE.distribution()
    classes = [float(v) for v in dist]
    played = [finish_round(ENGINE, 100, {"auto_cashout": "2.00"}, stream(n), ride)[0].win / 100 for n in range(1, 4001)]
    simulated = ENGINE.simulate(4000, np.random.default_rng(92))
    played_counts = counts(classify(played, classes), len(classes))
    simulated_counts = counts(classify(simulated, classes), len(classes))
    assert_fits(played_counts, list(dist.values()), "crash play")
    assert_fits(simulated_counts, list(dist.values()), "crash simulate")
    assert_same_distribution(played_counts, simulated_counts, "crash")
