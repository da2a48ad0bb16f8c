from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from games.errors import InvalidBet
from games.instant.wheel import RISKS, SEGMENTS, WheelEngine, layout
from tests.games.table_instant_checks import (
    ScriptedSource,
    assert_play_matches_simulation,
    assert_rtp_in_interval,
    word_for_index,
)

ENGINE = WheelEngine()


@pytest.mark.parametrize(("segments", "risk"), [pytest.param(s, r, id=f"{s}-{r}") for s in SEGMENTS for r in RISKS])
def test_every_wheel_returns_exactly_99_percent(segments: int, risk: str) -> None:
    wheel = layout(segments, risk)
    assert len(wheel) == segments
    assert sum(wheel) / segments == Fraction(99, 100)
    assert all(value >= 0 for value in wheel)
    dist = ENGINE.distribution({"segments": segments, "risk": risk})
    assert sum(p * v for v, p in dist.items()) == Fraction(99, 100)
    played = sum(
        ENGINE.play(10, {"segments": segments, "risk": risk}, ScriptedSource([word_for_index(i, segments)])).win
        for i in range(segments)
    )
    assert played == sum(int(10 * value) for value in wheel)


def test_high_risk_has_one_winning_segment() -> None:
    assert sorted(layout(50, "high"))[-2:] == [0, Fraction(99, 2)]


def test_declared_rtp_within_simulation_interval() -> None:
    assert_rtp_in_interval(ENGINE, 400_000, seed=71)


def test_play_and_simulation_agree() -> None:
    assert_play_matches_simulation(ENGINE, 4_000, seed=72)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({"segments": 15}, "segments must be one of", id="segments"),
        pytest.param({"segments": True}, "segments must be one of", id="bool"),
        pytest.param({"risk": "none"}, "risk must be one of", id="risk"),
        pytest.param({"spokes": 10}, "unknown parameter", id="typo"),
    ],
)
def test_bad_input_is_invalid_bet(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidBet, match=message):
        ENGINE.play(100, params, ScriptedSource([0]))
