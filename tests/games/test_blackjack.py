from __future__ import annotations

import json
from collections import Counter
from typing import Any

import numpy as np
import pytest

from games.engine import JSON, Step
from games.errors import IllegalAction, InvalidBet, RoundFinished
from games.table import ENGINES
from games.table.blackjack import BlackjackEngine
from games.table.blackjack_strategy import basic_strategy_action, decide
from games.table.cards import RANKS
from tests.games.table_instant_checks import (
    ROUND_DOWN,
    ROUND_UP,
    ScriptedSource,
    assert_same_distribution,
    counts,
    finish_round,
    stream,
    word_for_index,
)


def engine(engine_id: str = "blackjack") -> BlackjackEngine:
    found = ENGINES[engine_id]
    assert isinstance(found, BlackjackEngine)
    return found


def shoe(*texts: str, rounding: int = ROUND_DOWN) -> ScriptedSource:
    """Infinite-deck cards in order (player, dealer up, player, dealer hole, then as needed), padded with 2s, then
    the rounding word."""
    cards = [RANKS.index(text) * 4 for text in texts]
    cards += [0] * (engine().rules.cards_per_round - len(cards))
    return ScriptedSource([word_for_index(card, 52) for card in cards], rounding)


def play(step: Step, *actions: str, game: str = "blackjack") -> tuple[Step, int]:
    extra = 0
    for action in actions:
        extra += engine(game).cost(step.state, action, {})
        step = engine(game).act(step.state, action, {})
    return step, extra


def basic(step: Step) -> tuple[str, JSON]:
    return basic_strategy_action(step.view, step.actions), {}


@pytest.mark.parametrize(
    ("stake", "rounding", "win", "exact"),
    [
        pytest.param(10, ROUND_UP, 25, "25", id="3-to-2"),
        pytest.param(3, ROUND_DOWN, 7, "15/2", id="rounded-down"),
        pytest.param(3, ROUND_UP, 8, "15/2", id="rounded-up"),
    ],
)
def test_natural_pays_three_to_two(stake: int, rounding: int, win: int, exact: str) -> None:
    step = engine().open(stake, {}, shoe("A", "9", "K", "7", rounding=rounding))
    assert step.finished
    assert step.win == win
    assert step.view["hands"][0]["result"] == "blackjack"
    assert step.view["hands"][0]["payout"] == win
    assert step.view["exact_win"] == exact


def test_insurance_pays_two_to_one_when_dealer_has_blackjack() -> None:
    step = engine().open(10, {}, shoe("9", "A", "7", "K"))
    assert step.actions == ("insurance", "no_insurance")
    assert step.view["dealer"] == {"cards": ["A♦"], "total": 11, "hidden_cards": 1}
    assert engine().cost(step.state, "insurance", {}) == 5
    step, extra = play(step, "insurance")
    assert step.finished
    assert (extra, step.win) == (5, 15)
    assert step.view["hands"][0]["result"] == "lose"


def test_declined_insurance_with_a_natural_still_pays_three_to_two() -> None:
    step, _ = play(engine().open(10, {}, shoe("A", "A", "K", "5")), "no_insurance")
    assert step.finished
    assert step.win == 25


def test_stake_of_one_gets_no_insurance_offer() -> None:
    step = engine().open(1, {}, shoe("9", "A", "7", "5"))
    assert step.actions == ("hit", "stand", "double")


def test_two_naturals_push() -> None:
    step = engine().open(10, {}, shoe("A", "K", "Q", "A"))
    assert step.finished
    assert step.win == 10
    assert step.view["hands"][0]["result"] == "push"


def test_split_then_double_after_split() -> None:
    step = engine().open(10, {}, shoe("8", "6", "8", "K", "3", "K", "Q", "9"))
    assert step.actions == ("hit", "stand", "double", "split")
    step, extra = play(step, "split", "double", "stand")
    assert step.finished
    assert extra == 20
    assert [hand["cards"] for hand in step.view["hands"]] == [["8♦", "3♦", "K♦"], ["8♦", "Q♦"]]
    assert [hand["payout"] for hand in step.view["hands"]] == [40, 20]
    assert step.win == 60
    assert step.view["dealer"]["total"] == 25


def test_split_aces_take_one_card_and_21_is_not_a_blackjack() -> None:
    step, extra = play(engine().open(10, {}, shoe("A", "6", "A", "K", "K", "5")), "split")
    assert step.finished
    assert extra == 10
    assert [hand["result"] for hand in step.view["hands"]] == ["win", "lose"]
    assert step.win == 20


def test_at_most_four_hands() -> None:
    step = engine().open(10, {}, shoe("8", "6", "8", "K", "8", "8", "8", "8", "8"))
    step, extra = play(step, "split", "split", "split")
    assert len(step.view["hands"]) == 4
    assert extra == 30
    assert "split" not in step.actions


def test_hitting_to_21_stands_and_busting_ends_the_hand() -> None:
    step, _ = play(engine().open(10, {}, shoe("5", "9", "6", "8", "K")), "hit")
    assert step.finished
    assert step.win == 20
    bust, _ = play(engine().open(10, {}, shoe("K", "9", "6", "8", "K")), "hit")
    assert bust.finished
    assert bust.win == 0
    assert bust.view["dealer"]["cards"] == ["9♦", "8♦"]


@pytest.mark.parametrize(
    ("game", "win"), [pytest.param("blackjack", 20, id="s17"), pytest.param("blackjack-h17", 10, id="h17")]
)
def test_dealer_soft_17_rule(game: str, win: int) -> None:
    step = engine(game).open(10, {}, shoe("K", "6", "9", "A", "2"))
    step, _ = play(step, "stand", game=game)
    assert step.win == win


def test_view_never_shows_the_hole_card_or_the_shoe() -> None:
    first = engine().open(10, {}, shoe("K", "7", "9", "2", "3", "4"))
    second = engine().open(10, {}, shoe("K", "7", "9", "K", "Q", "J"))
    assert first.state != second.state
    assert first.view == second.view
    assert first.view["dealer"] == {"cards": ["7♦"], "total": 7, "hidden_cards": 1}
    assert {"cards", "next"}.isdisjoint(first.view)


def test_views_of_random_rounds_hide_hidden_cards() -> None:
    for nonce in range(1, 200):
        step = engine("blackjack-6d-s17").open(10, {}, stream(nonce))
        while not step.finished:
            assert len(step.view["dealer"]["cards"]) == 1
            assert len(json.dumps(step.view)) < 1000
            step = engine("blackjack-6d-s17").act(step.state, *basic(step))


def test_shoe_tables_draw_without_replacement() -> None:
    for nonce in range(1, 20):
        cards = engine("blackjack-6d-s17").open(10, {}, stream(nonce)).state["cards"]
        assert len(cards) == engine("blackjack-6d-s17").rules.cards_per_round
        assert max(Counter(cards).values()) <= 6


@pytest.mark.parametrize(
    ("cards", "actions", "action", "params", "error", "message"),
    [
        pytest.param(("5", "9", "6", "8", "2"), ("hit",), "double", {}, IllegalAction, "not allowed", id="late-double"),
        pytest.param(("5", "9", "6", "8"), (), "split", {}, IllegalAction, "not allowed", id="split-non-pair"),
        pytest.param(("5", "9", "6", "8"), (), "insurance", {}, IllegalAction, "not allowed", id="insurance-late"),
        pytest.param(("5", "9", "6", "8"), (), "surrender", {}, IllegalAction, "not allowed", id="unknown"),
        pytest.param(("5", "9", "6", "8"), (), "hit", {"x": 1}, IllegalAction, "unknown parameter", id="params"),
        pytest.param(("9", "A", "7", "5"), (), "hit", {}, IllegalAction, "not allowed", id="hit-before-insurance"),
        pytest.param(("5", "9", "6", "8"), ("stand",), "hit", {}, RoundFinished, "over", id="after-end"),
    ],
)
def test_illegal_actions(
    cards: tuple[str, ...],
    actions: tuple[str, ...],
    action: str,
    params: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    step, _ = play(engine().open(10, {}, shoe(*cards)), *actions)
    with pytest.raises(error, match=message):
        engine().act(step.state, action, params)
    with pytest.raises(error, match=message):
        engine().cost(step.state, action, params)


@pytest.mark.parametrize(
    ("stake", "params", "message"),
    [
        pytest.param(0, {}, "at least 1", id="zero-stake"),
        pytest.param(10, {"decks": 2}, "unknown parameter", id="params"),
    ],
)
def test_bad_open_is_invalid_bet(stake: int, params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidBet, match=message):
        engine().open(stake, params, shoe())


@pytest.mark.parametrize(
    ("cards", "up", "h17", "choice"),
    [
        pytest.param([10, 6], 10, False, "hit", id="16-v-10"),
        pytest.param([10, 2], 4, False, "stand", id="12-v-4"),
        pytest.param([6, 5], 1, False, "hit", id="11-v-A-s17"),
        pytest.param([6, 5], 1, True, "double", id="11-v-A-h17"),
        pytest.param([1, 7], 2, False, "stand", id="A7-v-2-s17"),
        pytest.param([1, 7], 2, True, "double", id="A7-v-2-h17"),
        pytest.param([1, 7], 9, False, "hit", id="A7-v-9"),
        pytest.param([8, 8], 1, False, "split", id="88-v-A"),
        pytest.param([10, 10], 6, False, "stand", id="TT-v-6"),
        pytest.param([1, 1], 10, False, "split", id="AA"),
        pytest.param([4, 4], 5, False, "split", id="44-v-5-das"),
        pytest.param([9, 9], 7, False, "stand", id="99-v-7"),
    ],
)
def test_basic_strategy_chart(cards: list[int], up: int, h17: bool, choice: str) -> None:
    assert decide(cards, up, can_double=True, can_split=True, hit_soft_17=h17, das=True) == choice


@pytest.mark.parametrize("game", ["blackjack", "blackjack-6d-s17"])
def test_open_and_act_agree_with_simulation(game: str) -> None:
    """Engine rounds played by the exposed basic-strategy player against the simulation's own loop."""
    classes = np.arange(-7.0, 9.5, 0.5)
    played = []
    for nonce in range(1, 2501):
        step, staked = finish_round(engine(game), 10, {}, stream(nonce), basic)
        played.append(1 + (step.win - staked) / 10)
    simulated = engine(game).simulate(20_000, np.random.default_rng(111))
    index_played = np.searchsorted(classes, np.array(played))
    index_simulated = np.searchsorted(classes, simulated)
    assert np.array_equal(classes[index_played], played)
    assert_same_distribution(counts(index_played, len(classes)), counts(index_simulated, len(classes)), game)
