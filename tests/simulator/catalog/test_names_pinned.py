"""The catalogue's names come from Faker's word lists, which change between Faker releases: the dependency is pinned
to one exact version so that a root seed names the same studios and games on every machine, and the names of the
default seed are fixed here by their digest."""

from __future__ import annotations

import hashlib
import json
import tomllib
from importlib import metadata
from pathlib import Path

from simulator.catalog.builder import blueprint_for
from simulator.settings import Settings

ROOT = Path(__file__).resolve().parents[3]

# sha256 of the default seed's studio and game names (every language); see the test below before changing it
NAMES_DIGEST = "f85d3a357cf3b88e75ccbc71585bcbae43643d8d9d593e42ce9eb8b43f873c8a"


def _faker_requirement() -> str:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    [faker] = [d for d in dependencies if d.lower().startswith("faker")]
    return str(faker)


def test_faker_is_pinned_to_one_version_and_that_version_is_installed() -> None:
    requirement = _faker_requirement()
    name, _, version = requirement.partition("==")
    assert name.strip().lower() == "faker" and version, f"pin Faker exactly, not {requirement!r}"
    assert metadata.version("faker") == version.strip()


def test_the_default_seed_names_the_same_studios_and_games() -> None:
    blueprint = blueprint_for(Settings().seed)
    names: list[list[object]] = [[s.studio_id, s.name] for s in blueprint.studios]
    names += [[g.game_id, g.name, sorted(g.names.items())] for g in [*blueprint.games, *blueprint.upcoming.values()]]
    digest = hashlib.sha256(json.dumps(names, ensure_ascii=False).encode()).hexdigest()
    assert digest == NAMES_DIGEST, (
        "the default seed's names changed: a Faker release other than the pinned one would do this (keep the pin); "
        "a deliberate change of the generator is the other reason, and then the digest here is updated with it"
    )
