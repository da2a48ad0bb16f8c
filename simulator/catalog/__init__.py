"""The game catalogue: studios and games generated from the root seed, backed by real engines, with a change
feed."""

from simulator.catalog.builder import Blueprint, blueprint_for, build_blueprint
from simulator.catalog.live import Catalog, GameQuery, build_catalog
from simulator.catalog.models import Change, Game, Studio

__all__ = [
    "Blueprint",
    "Catalog",
    "Change",
    "Game",
    "GameQuery",
    "Studio",
    "blueprint_for",
    "build_blueprint",
    "build_catalog",
]
