from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from scipy import stats

from games.errors import InvalidBet
from games.instant.keno import DRAWN, MAX_PICKS, NUMBERS, KenoEngine, hit_probability, paytable
from tests.games.table_instant_checks import (
    ScriptedSource,
    assert_play_matches_simulation,
    assert_rtp_in_interval,
    stream,
    word_for_index,
)

ENGINE = KenoEngine()


@pytest.mark.parametrize("picks", range(1, MAX_PICKS + 1))
def test_paytable_rtp_and_hypergeometric_law(picks: int) -> None:
    probabilities = [hit_probability(picks, hits) for hits in range(picks + 1)]
    assert sum(probabilities) == 1
    for hits, p in enumerate(probabilities):
        assert float(p) == pytest.approx(stats.hypergeom.pmf(hits, NUMBERS, picks, DRAWN), rel=1e-9)
    rtp = sum(p * m for p, m in zip(probabilities, paytable(picks), strict=True))
    assert Fraction(988, 1000) <= rtp <= Fraction(99, 100)
    dist = ENGINE.distribution({"numbers": list(range(1, picks + 1))})
    assert sum(p * v for v, p in dist.items()) == rtp


def test_draw_is_ten_distinct_numbers() -> None:
    for nonce in range(1, 200):
        drawn = ENGINE.play(1, {}, stream(nonce)).detail["drawn"]
        assert len(drawn) == DRAWN == len(set(drawn))
        assert all(1 <= n <= NUMBERS for n in drawn)


def test_scripted_draw_pays_by_hits() -> None:
    """Index 0 each time draws 1, 2, ..., 10: picking 1-3 and 40 gives three hits of four."""
    words = [word_for_index(0, NUMBERS - i) for i in range(DRAWN)]
    outcome = ENGINE.play(100, {"numbers": [1, 2, 3, 40]}, ScriptedSource(words))
    assert outcome.detail["drawn"] == list(range(1, 11))
    assert outcome.detail["hits"] == [1, 2, 3]
    assert outcome.win == 1170


def test_declared_rtp_within_simulation_interval() -> None:
    assert_rtp_in_interval(ENGINE, 400_000, seed=61)


def test_play_and_simulation_agree() -> None:
    assert_play_matches_simulation(ENGINE, 4_000, seed=62)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({"numbers": []}, "1 to 10", id="none"),
        pytest.param({"numbers": list(range(1, 12))}, "1 to 10", id="eleven"),
        pytest.param({"numbers": [0]}, "from 1 to 40", id="zero"),
        pytest.param({"numbers": [41]}, "from 1 to 40", id="41"),
        pytest.param({"numbers": ["5"]}, "from 1 to 40", id="text"),
        pytest.param({"numbers": [True]}, "from 1 to 40", id="bool"),
        pytest.param({"numbers": [5, 5]}, "distinct", id="duplicate"),
        pytest.param({"numbers": 5}, "list", id="not-a-list"),
        pytest.param({"picks": [5]}, "unknown parameter", id="typo"),
    ],
)
def test_bad_input_is_invalid_bet(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidBet, match=message):
        ENGINE.play(100, params, ScriptedSource([0] * 10))
