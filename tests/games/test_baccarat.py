from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from games.errors import InvalidBet
from games.table.baccarat import BaccaratEngine
from games.table.baccarat_rules import banker_draws, deal, deal_many
from games.table.cards import RANKS
from tests.games.table_instant_checks import (
    ROUND_DOWN,
    ROUND_UP,
    ScriptedSource,
    assert_play_matches_simulation,
    assert_rtp_in_interval,
    word_for_index,
)

ENGINE = BaccaratEngine()


def card(text: str, suit: int = 0) -> int:
    return RANKS.index(text) * 4 + suit


def shoe(*texts: str) -> ScriptedSource:
    """Cards in dealing order: player, banker, player, banker, then third cards."""
    return ScriptedSource([word_for_index(card(text), 52) for text in texts])


def test_scalar_and_vectorised_rules_agree() -> None:
    ranks = np.random.default_rng(101).integers(0, 13, size=(30_000, 6))
    coups = deal_many(ranks)
    for i, row in enumerate(ranks.tolist()):
        coup = deal(iter([r * 4 for r in row]).__next__)
        assert (coup.player_total, coup.banker_total) == (coups.player_total[i], coups.banker_total[i]), row
        assert (coup.player_pair, coup.banker_pair) == (coups.player_pair[i], coups.banker_pair[i])


@pytest.mark.parametrize(
    ("banker", "third", "draws"),
    [
        pytest.param(2, 9, True, id="0-2-always"),
        pytest.param(3, 8, False, id="3-stands-on-8"),
        pytest.param(3, 9, True, id="3-draws-on-9"),
        pytest.param(4, 1, False, id="4-stands-on-ace"),
        pytest.param(4, 2, True, id="4-draws-on-2"),
        pytest.param(5, 4, True, id="5-draws-on-4"),
        pytest.param(5, 8, False, id="5-stands-on-8"),
        pytest.param(6, 6, True, id="6-draws-on-6"),
        pytest.param(6, None, False, id="6-stands-when-player-stood"),
        pytest.param(5, None, True, id="5-draws-when-player-stood"),
        pytest.param(7, 7, False, id="7-stands"),
    ],
)
def test_banker_tableau(banker: int, third: int | None, draws: bool) -> None:
    assert banker_draws(banker, third) is draws


@pytest.mark.parametrize(
    ("cards", "result", "player", "banker"),
    [
        pytest.param(("8", "K", "K", "2", "9"), "player", ["8", "K"], ["K", "2"], id="natural-ends-coup"),
        pytest.param(("4", "2", "K", "A", "8"), "banker", ["4", "K", "8"], ["2", "A"], id="banker-3-vs-8"),
        pytest.param(("6", "4", "K", "K", "3"), "banker", ["6", "K"], ["4", "K", "3"], id="player-stands"),
        pytest.param(("K", "5", "7", "2"), "tie", ["K", "7"], ["5", "2"], id="tie"),
    ],
)
def test_scripted_coups(cards: tuple[str, ...], result: str, player: list[str], banker: list[str]) -> None:
    detail = ENGINE.play(10, {}, shoe(*cards)).detail
    assert detail["result"] == result
    assert [c[:-1] for c in detail["player"]["cards"]] == player
    assert [c[:-1] for c in detail["banker"]["cards"]] == banker


@pytest.mark.parametrize(("rounding", "win"), [(ROUND_DOWN, 19), (ROUND_UP, 20), (2**31 - 1, 20), (2**31, 19)])
def test_commission_is_settled_by_the_rounding_word(rounding: int, win: int) -> None:
    """A banker win of 10 is exactly 19.5: it rounds up when the round's next word is below half of 2**32."""
    words = [word_for_index(card(text), 52) for text in ("6", "4", "K", "K", "3")]
    outcome = ENGINE.play(10, {"bets": [{"type": "banker", "amount": 10}]}, ScriptedSource(words, rounding))
    assert outcome.win == win
    assert outcome.detail["exact_win"] == "39/2"
    assert outcome.detail["bets"][0]["win"] == 19


@pytest.mark.parametrize(
    ("cards", "bets", "win"),
    [
        pytest.param(("6", "4", "K", "K", "3"), [{"type": "banker", "amount": 10}], 19, id="commission-word-down"),
        pytest.param(("8", "K", "K", "2"), [{"type": "player", "amount": 10}], 20, id="player-even-money"),
        pytest.param(("K", "5", "7", "2"), [{"type": "banker", "amount": 10}], 10, id="tie-pushes-banker"),
        pytest.param(("K", "5", "7", "2"), [{"type": "tie", "amount": 10}], 90, id="tie-8-to-1"),
        pytest.param(
            ("7", "2", "7", "2", "5", "K"),
            [{"type": "player_pair", "amount": 5}, {"type": "banker_pair", "amount": 5}],
            120,
            id="both-pairs",
        ),
        pytest.param(
            ("8", "K", "K", "2"),
            [{"type": "player", "amount": 5}, {"type": "banker", "amount": 5}],
            10,
            id="hedged",
        ),
    ],
)
def test_payouts(cards: tuple[str, ...], bets: list[dict[str, Any]], win: int) -> None:
    assert ENGINE.play(sum(b["amount"] for b in bets), {"bets": bets}, shoe(*cards)).win == win


@pytest.mark.parametrize(
    ("bet", "low", "high"),
    [
        pytest.param("banker", 0.9893, 0.9894, id="banker"),
        pytest.param("player", 0.9877, 0.9878, id="player"),
        pytest.param("tie", 0.8588, 0.8589, id="tie"),
    ],
)
def test_main_bets_match_published_infinite_deck_edges(bet: str, low: float, high: float) -> None:
    dist = ENGINE.distribution({"bets": [{"type": bet}]})
    assert low < float(sum(p * v for v, p in dist.items())) < high


@pytest.mark.parametrize("bet", ["player_pair", "banker_pair"])
def test_pair_bets_are_exactly_12_over_13(bet: str) -> None:
    dist = ENGINE.distribution({"bets": [{"type": bet}]})
    assert dist == {Fraction(0): Fraction(12, 13), Fraction(12): Fraction(1, 13)}


def test_declared_rtp_within_simulation_interval() -> None:
    assert_rtp_in_interval(ENGINE, 300_000, seed=102)


def test_play_and_simulation_agree() -> None:
    assert_play_matches_simulation(ENGINE, 4_000, seed=103)


@pytest.mark.parametrize(
    ("stake", "params", "message"),
    [
        pytest.param(10, {"bets": []}, "non-empty", id="no-bets"),
        pytest.param(10, {"bets": [{"type": "dragon"}]}, "unknown bet type", id="unknown-type"),
        pytest.param(10, {"bets": [{"type": "tie", "amount": 0}]}, "at least 1", id="zero-amount"),
        pytest.param(10, {"bets": [{"type": "tie", "amount": 4}]}, "add up to 4", id="sum"),
        pytest.param(
            10, {"bets": [{"type": "tie", "amount": 5}, {"type": "tie", "amount": 5}]}, "only one tie", id="twice"
        ),
        pytest.param(10, {"bets": [{"type": "tie", "numbers": [1]}]}, "unknown parameter", id="extra-key"),
        pytest.param(10, {"bets": ["tie"]}, "object", id="not-object"),
        pytest.param(10, {"side": "tie"}, "unknown parameter", id="typo"),
        pytest.param(-1, {}, "at least 1", id="negative-stake"),
    ],
)
def test_bad_bets_are_invalid(stake: int, params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidBet, match=message):
        ENGINE.play(stake, params, ScriptedSource([0] * 6))
