"""The stake ladder every catalogue game publishes (``bet_steps``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from simulator.catalog.builder import Blueprint, blueprint_for
from simulator.catalog.live import v2_game
from simulator.catalog.models import Game
from simulator.catalog.steps import bet_ladder
from simulator.money import exponent

SEED = 20_251_207


@pytest.fixture(scope="module")
def blueprint() -> Blueprint:
    return blueprint_for(SEED)


@pytest.mark.parametrize(
    ("low", "high", "ladder"),
    [
        (10, 100, [10, 20, 50, 100]),
        (15, 150, [15, 20, 50, 100, 150]),
        (1, 10, [1, 2, 5, 10]),
        (30, 300_000, [30, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 300_000]),
        (7, 7, [7]),
        (20, 50, [20, 50]),
        (800, 999, [800, 999]),
    ],
)
def test_ladder_is_min_then_one_two_five_then_max(low: int, high: int, ladder: list[int]) -> None:
    assert bet_ladder(low, high) == ladder


def test_every_game_publishes_a_ladder_per_currency(blueprint: Blueprint) -> None:
    for game in [*blueprint.games, *blueprint.upcoming.values()]:
        assert sorted(game.bet_steps) == sorted(game.currencies)
        for currency, steps in game.bet_steps.items():
            assert steps[0] == game.min_bet[currency] and steps[-1] == game.max_bet[currency]
            assert steps == sorted(set(steps))
            assert all(str(step)[0] in "125" and set(str(step)[1:]) <= {"0"} for step in steps[1:-1])


def test_ladder_follows_a_changed_limit_whatever_a_record_says(blueprint: Blueprint) -> None:
    game = blueprint.games[0]
    doubled = {c: 2 * v for c, v in game.max_bet.items()}
    changed = Game.model_validate(game.model_dump() | {"max_bet": doubled, "bet_steps": {"USD": [1]}})
    assert changed.bet_steps["USD"] == bet_ladder(game.min_bet["USD"], doubled["USD"])
    assert changed.bet_steps["USD"][-2:] == [100_000, 200_000]


def test_v2_gives_the_ladder_as_decimal_strings(blueprint: Blueprint) -> None:
    game = next(g for g in blueprint.games if "KWD" in g.currencies)
    shown = v2_game(game)
    assert "bet_steps" not in shown
    for currency, steps in game.bet_steps.items():
        scale = Decimal(10) ** exponent(currency)
        assert [Decimal(step) * scale for step in shown["bet_limits"][currency]["steps"]] == steps
