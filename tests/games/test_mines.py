from __future__ import annotations

import itertools
import json
from fractions import Fraction
from math import comb
from typing import Any

import numpy as np
import pytest

from games.engine import JSON, Step
from games.errors import IllegalAction, InvalidBet, RoundFinished
from games.instant.mines import TILES, MinesEngine, multiplier
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
    word_for_index,
)

ENGINE = MinesEngine()


def placed(mines: list[int], rounding: int = ROUND_DOWN) -> ScriptedSource:
    """A source that makes ``open`` place mines on exactly these tiles, then draw ``rounding``."""
    remaining = list(range(TILES))
    words = []
    for tile in mines:
        words.append(word_for_index(remaining.index(tile), len(remaining)))
        remaining.remove(tile)
    return ScriptedSource(words, rounding)


def reference_strategy(step: Step) -> tuple[str, JSON]:
    return ENGINE.reference_action(step)


@pytest.mark.parametrize("mines", [1, 3, 12, 24])
def test_multiplier_is_99_percent_of_inverse_survival(mines: int) -> None:
    for k in range(1, TILES - mines + 1):
        survive = Fraction(comb(TILES - mines, k), comb(TILES, k))
        assert multiplier(mines, k) * survive == Fraction(99, 100)


def test_brute_force_over_every_mine_placement() -> None:
    """All C(25, 3) placements, played through open and act: the reference strategy returns exactly 99%."""
    total = 0
    stake = 10**6 * comb(22, 5)
    for mines in itertools.combinations(range(TILES), 3):
        step, _ = finish_round(ENGINE, stake, {"mines": 3}, placed(list(mines)), reference_strategy)
        assert sorted(step.view["mine_tiles"]) == list(mines)
        total += step.win
    assert Fraction(total, stake * comb(TILES, 3)) == Fraction(99, 100)


def test_mines_are_kept_in_draw_order() -> None:
    step = ENGINE.open(100, {"mines": 3}, placed([22, 3, 17]))
    step = ENGINE.act(step.state, "reveal", {"tile": 3})
    assert step.view["mine_tiles"] == [22, 3, 17]


def test_view_never_shows_mines_before_the_end() -> None:
    step = ENGINE.open(100, {"mines": 5}, placed([20, 21, 22, 23, 24]))
    for tile in range(10):
        assert "mine_tiles" not in step.view
        assert set(step.view) == {"mines", "revealed", "status", "multiplier", "next_multiplier"}
        step = ENGINE.act(step.state, "reveal", {"tile": tile})
    step = ENGINE.act(step.state, "reveal", {"tile": 24})
    assert step.finished
    assert step.view["status"] == "busted"
    assert step.view["mine_tiles"] == [20, 21, 22, 23, 24]
    assert step.win == 0


def test_views_are_identical_whatever_the_hidden_mines() -> None:
    first = ENGINE.open(100, {"mines": 3}, placed([5, 6, 7]))
    second = ENGINE.open(100, {"mines": 3}, placed([20, 21, 22]))
    for tile in (0, 1, 2):
        assert first.view == second.view
        first = ENGINE.act(first.state, "reveal", {"tile": tile})
        second = ENGINE.act(second.state, "reveal", {"tile": tile})
    assert first.view == second.view


@pytest.mark.parametrize(("rounding", "win"), [(ROUND_DOWN, 173), (ROUND_UP, 174)])
def test_cash_out_pays_settled_exact_win_and_clearing_the_board_cashes_out(rounding: int, win: int) -> None:
    """7 at 24.75x is exactly 173.25: 174 when the rounding word ``open`` drew is below a quarter of 2**32."""
    step = ENGINE.open(7, {"mines": 24}, placed(list(range(1, 25)), rounding))
    assert step.actions == ("reveal",)
    assert "rounding_word" not in step.view
    step = ENGINE.act(step.state, "reveal", {"tile": 0})
    assert step.finished
    assert step.view["status"] == "cleared"
    assert step.win == win
    assert step.view["exact_win"] == "693/4"


def test_cash_out_after_bust_is_refused_as_round_finished() -> None:
    step = ENGINE.open(100, {"mines": 3}, placed([0, 1, 2]))
    step = ENGINE.act(step.state, "reveal", {"tile": 0})
    assert step.finished
    with pytest.raises(RoundFinished):
        ENGINE.act(step.state, "cashout", {})
    with pytest.raises(IllegalAction):
        ENGINE.cost(step.state, "cashout", {})
    assert issubclass(RoundFinished, IllegalAction)


@pytest.mark.parametrize(
    ("actions", "action", "params", "message"),
    [
        pytest.param([], "cashout", {}, "not allowed", id="cashout-before-reveal"),
        pytest.param([], "peek", {}, "not allowed", id="unknown-action"),
        pytest.param([3], "reveal", {"tile": 3}, "already revealed", id="same-tile"),
        pytest.param([], "reveal", {"tile": 25}, "from 0 to 24", id="tile-25"),
        pytest.param([], "reveal", {"tile": -1}, "from 0 to 24", id="tile-negative"),
        pytest.param([], "reveal", {"tile": "3"}, "integer", id="tile-text"),
        pytest.param([], "reveal", {}, "integer", id="tile-missing"),
        pytest.param([], "reveal", {"tile": 3, "x": 1}, "unknown parameter", id="extra-param"),
        pytest.param([3], "cashout", {"tile": 3}, "unknown parameter", id="cashout-param"),
    ],
)
def test_illegal_actions(actions: list[int], action: str, params: dict[str, Any], message: str) -> None:
    step = ENGINE.open(100, {"mines": 3}, placed([20, 21, 22]))
    for tile in actions:
        step = ENGINE.act(step.state, "reveal", {"tile": tile})
    before = json.dumps(step.state)
    with pytest.raises(IllegalAction, match=message):
        ENGINE.cost(step.state, action, params)
    with pytest.raises(IllegalAction, match=message):
        ENGINE.act(step.state, action, params)
    assert json.dumps(step.state) == before


@pytest.mark.parametrize(
    ("stake", "params", "message"),
    [
        pytest.param(100, {"mines": 0}, "from 1 to 24", id="zero-mines"),
        pytest.param(100, {"mines": 25}, "from 1 to 24", id="25-mines"),
        pytest.param(100, {"mines": "3"}, "integer", id="text"),
        pytest.param(100, {"bombs": 3}, "unknown parameter", id="typo"),
        pytest.param(0, {}, "at least 1", id="zero-stake"),
    ],
)
def test_bad_open_is_invalid_bet(stake: int, params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidBet, match=message):
        ENGINE.open(stake, params, ScriptedSource([0] * 24))


def test_declared_rtp_within_simulation_interval() -> None:
    assert_rtp_in_interval(ENGINE, 300_000, seed=81)


def test_open_and_act_agree_with_simulation() -> None:
    dist = ENGINE.distribution()
    classes = [float(v) for v in dist]
    stake = 10**6 * comb(22, 5)
    played = [
        finish_round(ENGINE, stake, {}, stream(nonce), reference_strategy)[0].win / stake for nonce in range(1, 6001)
    ]
    simulated = ENGINE.simulate(6000, np.random.default_rng(82))
    played_counts = counts(classify(played, classes), len(classes))
    simulated_counts = counts(classify(simulated, classes), len(classes))
    assert_fits(played_counts, list(dist.values()), "mines play")
    assert_fits(simulated_counts, list(dist.values()), "mines simulate")
    assert_same_distribution(played_counts, simulated_counts, "mines")
