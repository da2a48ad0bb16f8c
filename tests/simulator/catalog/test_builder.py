"""The generated catalogue: reproducible from the seed alone, large, complete, consistent with the engines."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from faker import Faker

from games.registry import engine_ids, get_engine
from simulator.catalog import data
from simulator.catalog.builder import Blueprint, blueprint_for, build_blueprint
from simulator.dialects.registry import DIALECTS, SUPPORTS, dealt
from simulator.money import EXPONENTS

SEED = 20261120
ROOT = Path(__file__).resolve().parents[3]
SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from games.registry import engine_ids, get_engine
from simulator.catalog.builder import build_blueprint
blueprint = build_blueprint({seed}, {{e: get_engine(e) for e in engine_ids()}})
print(blueprint.fingerprint, [c.game_id for c in blueprint.scheduled(50)])
"""


def fresh(seed: int = SEED) -> Blueprint:
    return build_blueprint(seed, {e: get_engine(e) for e in engine_ids()})


@pytest.fixture(scope="module")
def blueprint() -> Blueprint:
    return blueprint_for(SEED)


def test_same_seed_same_catalogue_in_this_process_and_another(blueprint: Blueprint) -> None:
    random.seed(1)
    Faker.seed(1)  # the global Faker and random state must play no part
    again = fresh()
    assert again.fingerprint == blueprint.fingerprint
    assert [c.game_id for c in again.scheduled(50)] == [c.game_id for c in blueprint.scheduled(50)]
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(root=str(ROOT), seed=SEED)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
    ).stdout.split(" ", 1)
    assert out[0] == blueprint.fingerprint
    assert out[1].strip() == str([c.game_id for c in blueprint.scheduled(50)])


def test_another_seed_another_catalogue(blueprint: Blueprint) -> None:
    assert fresh(SEED + 1).fingerprint != blueprint.fingerprint


def test_size_and_spread(blueprint: Blueprint) -> None:
    assert len(blueprint.studios) >= 40
    assert len(blueprint.games) >= 1000
    assert len({g.game_id for g in blueprint.games} | set(blueprint.upcoming)) == len(blueprint.games) + len(
        blueprint.upcoming
    )
    assert len({g.slug for g in blueprint.games}) == len(blueprint.games)
    per_engine = Counter(g.engine_id for g in blueprint.games)
    assert set(per_engine) == set(engine_ids()), "every registered engine backs games"
    assert max(per_engine.values()) - min(per_engine.values()) <= 2 + len(blueprint.upcoming)
    per_studio = Counter(g.studio_id for g in blueprint.games)
    assert set(per_studio) == {s.studio_id for s in blueprint.studios}
    assert Counter(s.dialect for s in blueprint.studios) == {d: len(blueprint.studios) // len(dealt()) for d in dealt()}
    assert set(dealt()) < set(DIALECTS), "the real-aggregator profiles are assigned by settings, never dealt"


def test_every_engine_has_an_unrestricted_native_reference_title(blueprint: Blueprint) -> None:
    studios = {s.studio_id: s for s in blueprint.studios}
    reference = [g for g in blueprint.games if g.game_id in blueprint.reference]
    assert sorted(g.engine_id for g in reference) == engine_ids()
    assert {g.game_id for g in blueprint.games if g.reference} == blueprint.reference
    for game in reference:
        assert studios[game.studio_id].dialect == "native"
        assert set(game.currencies) == set(EXPONENTS)
        assert game.allowed_countries is None and game.blocked_countries == ()
        assert game.enabled and game.demo
    scheduled = {c.game_id for c in blueprint.scheduled(300)}
    assert not scheduled & blueprint.reference, "the change schedule never touches reference titles"


def test_metadata_is_complete_and_consistent(blueprint: Blueprint) -> None:
    studios = {s.studio_id: s for s in blueprint.studios}
    for game in [*blueprint.games, *blueprint.upcoming.values()]:
        engine = get_engine(game.engine_id)
        assert game.multi_step == engine.multi_step == callable(getattr(engine, "act", None))
        assert game.category in data.CATEGORIES
        assert game.category == engine.category
        assert game.volatility in data.VOLATILITIES
        assert set(game.features) <= set(data.FEATURES)
        share = game.jackpot.rtp_share if game.jackpot is not None else 0.0
        assert game.rtp == round((engine.math().rtp + share) * 100, 4)
        assert game.engine_id in {v.engine_id for v in game.rtp_variants}
        assert "USD" in game.currencies and "EUR" in game.currencies
        assert all(SUPPORTS[studios[game.studio_id].dialect](c) for c in game.currencies)
        assert set(game.min_bet) == set(game.max_bet) == set(game.currencies)
        assert all(0 < game.min_bet[c] <= game.max_bet[c] for c in game.currencies)
        assert all(isinstance(v, int) for v in [*game.min_bet.values(), *game.max_bet.values()])
        assert "en" in game.languages and set(game.names) == set(game.languages)
        assert all(name.strip() for name in game.names.values())
        assert set(studios[game.studio_id].blocked_countries) <= set(game.blocked_countries) or (
            game.game_id in blueprint.reference
        )
        assert not set(game.allowed_countries or ()) & set(game.blocked_countries)
        assert game.thumbnail_url == f"/v1/games/{game.game_id}/thumbnail.svg"
        assert "2015-01-01" <= game.release_date <= "2026-12-31"


def test_rtp_variants_group_engines_of_one_family(blueprint: Blueprint) -> None:
    families: dict[tuple[str, ...], set[str]] = {}
    for game in blueprint.games:
        families.setdefault(tuple(v.engine_id for v in game.rtp_variants), set()).add(game.engine_id)
    for variants, engines in families.items():
        assert engines == set(variants)


def test_schedule_has_every_kind_and_only_known_games(blueprint: Blueprint) -> None:
    changes = blueprint.scheduled(400)
    assert [c.index for c in changes] == list(range(1, 401))
    assert {c.kind for c in changes} == {"added", "updated", "disabled", "enabled"}
    added = [c.game_id for c in changes if c.kind == "added"]
    assert len(added) == len(set(added)) and set(added) <= set(blueprint.upcoming)
    listed = {g.game_id for g in blueprint.games}
    for change in changes:
        if change.kind == "added":
            listed.add(change.game_id)
        assert change.game_id in listed
