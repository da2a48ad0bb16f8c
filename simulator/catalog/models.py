"""Catalogue records. Built once at start-up and shared read-only by every request."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from simulator.errors import NotFound
from simulator.fairness.source import RngMapping, RngMode


class Studio(BaseModel):
    model_config = ConfigDict(frozen=True)

    studio_id: str
    name: str
    dialect: str


class Game(BaseModel):
    model_config = ConfigDict(frozen=True)

    game_id: str
    slug: str
    name: str
    studio_id: str
    category: str
    engine_id: str
    rtp: float
    hit_frequency: float
    volatility: str
    max_win_multiplier: float
    currencies: tuple[str, ...]
    min_bet: dict[str, int]
    max_bet: dict[str, int]
    multi_step: bool
    rng_mode: RngMode = "provably-fair"
    rng_mapping: RngMapping = "compatible"
    enabled: bool = True
    demo: bool = True


class Catalog:
    def __init__(self, studios: list[Studio], games: list[Game]) -> None:
        self.studios = {s.studio_id: s for s in studios}
        self.games = {g.game_id: g for g in games}
        self.game_list = sorted(self.games.values(), key=lambda g: g.game_id)

    def game(self, game_id: str) -> Game:
        try:
            return self.games[game_id]
        except KeyError:
            raise NotFound(f"no game {game_id!r}", code="UNKNOWN_GAME") from None

    def studio(self, studio_id: str) -> Studio:
        return self.studios[studio_id]
