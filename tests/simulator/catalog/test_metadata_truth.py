"""Every catalogue game says only what its engine does: each advertised feature is played through the engine,
and each feature it does not advertise is refused or never happens."""

from __future__ import annotations

import pytest

from games.engine import AnyEngine
from games.errors import InvalidBet
from games.registry import get_engine
from games.rng import SeededSource
from simulator.catalog.builder import Blueprint, blueprint_for
from simulator.catalog.jackpots import JACKPOTS

SEED = 20261120
ROUNDS_TO_SEE_FREE_SPINS = 5_000


@pytest.fixture(scope="module")
def blueprint() -> Blueprint:
    return blueprint_for(SEED)


def _engines(blueprint: Blueprint) -> dict[str, AnyEngine]:
    games = [*blueprint.games, *blueprint.upcoming.values()]
    return {g.engine_id: get_engine(g.engine_id) for g in games}


def _free_spins_seen(engine: AnyEngine) -> bool:
    source = SeededSource(SEED)
    for _ in range(ROUNDS_TO_SEE_FREE_SPINS):
        assert not engine.multi_step
        outcome = engine.play(100, {}, source)
        if outcome.detail.get("free_spins_awarded", 0) > 0:
            return True
    return False


def test_advertised_features_are_what_each_engine_plays(blueprint: Blueprint) -> None:
    advertised: dict[str, set[tuple[str, ...]]] = {}
    for game in [*blueprint.games, *blueprint.upcoming.values()]:
        assert ("jackpot" in game.features) == (game.jackpot is not None), game.game_id
        advertised.setdefault(game.engine_id, set()).add(tuple(f for f in game.features if f != "jackpot"))
    for engine_id, engine in _engines(blueprint).items():
        assert len(advertised[engine_id]) == 1, f"{engine_id}: games on one engine advertise different features"
        (features,) = advertised[engine_id]
        if engine.multi_step:
            assert "bonus_buy" not in features, engine_id
        elif "bonus_buy" in features:
            outcome = engine.play(1000, {"bonus_buy": True}, SeededSource(SEED))
            assert outcome.detail["mode"] == "bonus_buy" and outcome.detail["free_spins_awarded"] > 0
        else:
            with pytest.raises(InvalidBet):
                engine.play(1000, {"bonus_buy": True}, SeededSource(SEED))
        if engine.category == "slots":
            assert ("free_spins" in features) == _free_spins_seen(engine), engine_id
        else:
            assert "free_spins" not in features, engine_id


def test_jackpots_are_declared_only_on_their_reference_titles(blueprint: Blueprint) -> None:
    with_jackpot = [g for g in blueprint.games if g.jackpot is not None]
    assert {g.engine_id for g in with_jackpot} == set(JACKPOTS)
    for game in with_jackpot:
        assert game.reference and game.category == "slots"
        assert game.jackpot is not None and set(game.jackpot.seed) == set(game.currencies)
        assert game.jackpot.seed["USD"] == game.jackpot.seed_usd_cents


def test_every_game_is_listed_in_its_engines_category_live_only_for_live_tables(blueprint: Blueprint) -> None:
    for game in [*blueprint.games, *blueprint.upcoming.values()]:
        assert game.category == get_engine(game.engine_id).category
    scheduled = [c for c in blueprint.scheduled(300) if c.kind == "updated"]
    assert scheduled, "the change schedule updates games"
    assert not any("features" in change.fields for change in scheduled), "updates never invent a feature"


def test_math_metadata_is_the_engines_own(blueprint: Blueprint) -> None:
    for game in [*blueprint.games, *blueprint.upcoming.values()]:
        engine = get_engine(game.engine_id)
        math = engine.math()
        share = game.jackpot.rtp_share if game.jackpot is not None else 0.0
        assert game.rtp == round((math.rtp + share) * 100, 4)
        assert game.hit_frequency == round(math.hit_frequency, 6)
        assert game.multi_step == engine.multi_step
        expected_class = "low" if math.std_dev < 2 else "medium" if math.std_dev < 6 else "high"
        assert game.volatility == expected_class
        if game.max_win_multiplier is None:
            assert math.max_win_multiplier == float("inf")
        else:
            assert game.max_win_multiplier == math.max_win_multiplier
