"""Response models of the catalogue API, for the OpenAPI document (responses are pre-rendered, not built from
these models at request time)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from simulator.catalog.models import Category, Game, RtpVariant, Studio, Volatility


class StudioOut(Studio):
    game_count: int
    categories: list[str]


class StudioList(BaseModel):
    studios: list[StudioOut]


class GamePage(BaseModel):
    games: list[Game]
    next_cursor: str | None = Field(description="Pass as cursor= for the next page; null on the last page.")
    total: int = Field(description="Games matching the filters, over all pages.")


class BetLimit(BaseModel):
    exponent: int = Field(description="Decimal places of the currency's minor unit (ISO 4217; BTC 8, USDT 6).")
    min: str = Field(description="Exact decimal string in major units, e.g. '0.10'.")
    max: str
    steps: list[str] = Field(description="The stake ladder (see /v1 bet_steps) as exact decimal strings.")


class GameV2(BaseModel):
    """A game in /v2: like /v1, but ``bet_limits`` replaces ``min_bet``, ``max_bet`` and ``bet_steps``."""

    game_id: str
    slug: str
    name: str
    names: dict[str, str]
    studio_id: str
    category: Category
    engine_id: str
    multi_step: bool
    rtp: float
    rtp_variants: list[RtpVariant]
    volatility: Volatility
    hit_frequency: float
    max_win_multiplier: float | None = Field(description="Largest win per unit stake; null when unbounded.")
    currencies: list[str]
    bet_limits: dict[str, BetLimit]
    languages: list[str]
    allowed_countries: list[str] | None
    blocked_countries: list[str]
    jurisdictions: list[str]
    features: list[str]
    release_date: str
    demo: bool
    thumbnail_url: str
    reference: bool
    enabled: bool
    version: int
    updated_at: str | None


class GamePageV2(BaseModel):
    games: list[GameV2]
    next_cursor: str | None
    total: int


class ChangeOut(BaseModel):
    seq: int
    at: str
    kind: str = Field(description="added, updated, disabled or enabled.")
    source: str = Field(description="schedule or admin.")
    game_id: str
    fields: dict[str, Any] = Field(description="For updates: the fields that changed, with their new values.")
    game: dict[str, Any] | None = Field(description="The game as it is now, in this API version's shape.")


class ChangePage(BaseModel):
    changes: list[ChangeOut]
    next_since: int = Field(description="Pass as since= to continue; unchanged when nothing new happened.")
    more: bool


class AdminChange(BaseModel):
    changed: bool = Field(description="False when the game was already in that state (nothing recorded).")
    change: ChangeOut | None
    game: Game


class GameParameters(BaseModel):
    """What a game's engine accepts, as JSON Schema (draft 2020-12); docs/games.md shows a request per engine."""

    game_id: str
    engine_id: str
    multi_step: bool = Field(description="True when a round takes actions after its first request.")
    bet: dict[str, Any] = Field(
        description="JSON Schema of `params` in POST /play/{session_token}/rounds, with `examples` the engine accepts"
        " and `x-invalid-examples` it refuses."
    )
    actions: dict[str, dict[str, Any]] = Field(
        description="Per action name, JSON Schema of `params` in POST /play/{session_token}/rounds/{round_id}/actions"
        " (empty for single-step games)."
    )
