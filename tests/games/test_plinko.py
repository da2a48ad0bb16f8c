from __future__ import annotations

import itertools
from fractions import Fraction
from math import comb
from typing import Any

import pytest

from games.errors import InvalidBet
from games.instant.plinko import MAX_ROWS, MIN_ROWS, RISKS, PlinkoEngine, paytable
from tests.games.table_instant_checks import (
    ScriptedSource,
    assert_play_matches_simulation,
    assert_rtp_in_interval,
    exact_stake,
)

ENGINE = PlinkoEngine()
TABLES = [pytest.param(rows, risk, id=f"{rows}-{risk}") for risk in RISKS for rows in range(MIN_ROWS, MAX_ROWS + 1)]
LEFT, RIGHT = 0, 2**31


@pytest.mark.parametrize(("rows", "risk"), TABLES)
def test_paytable_is_symmetric_with_rtp_just_under_99(rows: int, risk: str) -> None:
    table = paytable(rows, risk)
    assert len(table) == rows + 1
    assert table == table[::-1]
    rtp = sum(Fraction(comb(rows, k), 2**rows) * m for k, m in enumerate(table))
    assert Fraction(9895, 10_000) <= rtp <= Fraction(99, 100)
    assert ENGINE.distribution({"rows": rows, "risk": risk}) is not None


@pytest.mark.parametrize("risk", RISKS)
def test_brute_force_over_every_path(risk: str) -> None:
    params = {"rows": 8, "risk": risk}
    dist = ENGINE.distribution(params)
    stake = exact_stake(dist)
    total = sum(
        ENGINE.play(stake, params, ScriptedSource([RIGHT if step else LEFT for step in path])).win
        for path in itertools.product((0, 1), repeat=8)
    )
    assert Fraction(total, stake * 2**8) == sum(p * v for v, p in dist.items())


def test_slot_counts_rights() -> None:
    outcome = ENGINE.play(100, {"rows": 8, "risk": "high"}, ScriptedSource([RIGHT] * 3 + [LEFT] * 5))
    assert outcome.detail["path"] == "RRRLLLLL"
    assert outcome.detail["slot"] == 3
    assert outcome.win == 25


def test_declared_rtp_within_simulation_interval() -> None:
    assert_rtp_in_interval(ENGINE, 400_000, seed=51)


def test_play_and_simulation_agree() -> None:
    assert_play_matches_simulation(ENGINE, 4_000, seed=52)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({"rows": 7}, "from 8 to 16", id="few-rows"),
        pytest.param({"rows": 17}, "from 8 to 16", id="many-rows"),
        pytest.param({"rows": "8"}, "integer", id="rows-text"),
        pytest.param({"rows": True}, "integer", id="rows-bool"),
        pytest.param({"risk": "extreme"}, "risk must be one of", id="risk"),
        pytest.param({"lines": 8}, "unknown parameter", id="typo"),
    ],
)
def test_bad_input_is_invalid_bet(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidBet, match=message):
        ENGINE.play(100, params, ScriptedSource([0] * 16))
