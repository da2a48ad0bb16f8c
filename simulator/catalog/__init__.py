"""The game catalogue: studios and games generated from the root seed, backed by real engines."""

from simulator.catalog.builder import build_catalog
from simulator.catalog.models import Catalog, Game, Studio

__all__ = ["Catalog", "Game", "Studio", "build_catalog"]
