"""Catalogue records. Built once per seed and shared read-only; a change produces a new ``Game``
(``model_copy``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulator.catalog.jackpots import JackpotTerms
from simulator.catalog.steps import bet_ladder
from simulator.fairness.source import RngMapping, RngMode

Category = Literal["slots", "table", "instant", "live"]
Volatility = Literal["low", "medium", "high"]
ChangeKind = Literal["added", "updated", "disabled", "enabled"]


class Studio(BaseModel):
    model_config = ConfigDict(frozen=True)

    studio_id: str
    slug: str
    name: str
    dialect: str = Field(description="Wallet dialect the studio's calls use (native, rsa_json, md5_form, token_query).")
    country: str = Field(description="Where the studio is based (ISO 3166-1 alpha-2).")
    founded: int
    website: str
    blocked_countries: tuple[str, ...] = Field(description="Markets none of the studio's games may be launched in.")


class RtpVariant(BaseModel):
    model_config = ConfigDict(frozen=True)

    engine_id: str
    rtp: float = Field(description="Percent.")


class Game(BaseModel):
    model_config = ConfigDict(frozen=True)

    game_id: str
    slug: str
    name: str
    names: dict[str, str] = Field(description="Name per language code (generated in each language, not translated).")
    studio_id: str
    category: Category = Field(
        description="The engine's category; 'live': a timed table shared by every player (docs/live.md)."
    )
    engine_id: str
    multi_step: bool
    rtp: float = Field(
        description="Return to player of the engine's reference bet, percent; a jackpot game's includes the share its"
        " stakes feed the jackpot pool."
    )
    rtp_variants: tuple[RtpVariant, ...] = Field(description="Engines of the same family with their RTP.")
    volatility: Volatility
    hit_frequency: float
    max_win_multiplier: float | None = Field(description="Largest win per unit stake; null when unbounded.")
    currencies: tuple[str, ...]
    min_bet: dict[str, int] = Field(description="Minor units per currency.")
    max_bet: dict[str, int] = Field(description="Minor units per currency.")
    bet_steps: dict[str, list[int]] = Field(
        default_factory=dict,
        description="Stake ladder per currency in minor units: min_bet, the 1-2-5 amounts between, max_bet. Derived"
        " from min_bet and max_bet; any stake between them is accepted too.",
    )
    languages: tuple[str, ...]
    allowed_countries: tuple[str, ...] | None = Field(description="null: everywhere not blocked.")
    blocked_countries: tuple[str, ...]
    jurisdictions: tuple[str, ...] = Field(
        (),
        description="Regulated jurisdictions (docs/jurisdictions.md) whose certification the game holds; a launch"
        " under a profile that requires certification needs it.",
    )
    features: tuple[str, ...]
    release_date: str
    demo: bool
    thumbnail_url: str
    rng_mode: RngMode = Field("provably-fair", description="Random source of live rounds (docs/fairness.md).")
    rng_mapping: RngMapping = Field("compatible", description="How random words become outcomes.")
    jackpot: JackpotTerms | None = Field(None, description="The progressive jackpot the game feeds (docs/bonus.md).")
    reference: bool = Field(False, description="The engine's stable reference title (see docs/catalogue.md).")
    enabled: bool = True
    version: int = 1
    updated_at: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _derive_bet_steps(cls, data: Any) -> Any:
        """``bet_steps`` always follows ``min_bet`` and ``max_bet``, whatever a caller or a stored record says."""
        if isinstance(data, dict) and isinstance(data.get("min_bet"), dict) and isinstance(data.get("max_bet"), dict):
            low, high = data["min_bet"], data["max_bet"]
            data = {**data, "bet_steps": {c: bet_ladder(low[c], high[c]) for c in low if c in high}}
        return data

    def playable_in(self, country: str) -> bool:
        if country in self.blocked_countries:
            return False
        return self.allowed_countries is None or country in self.allowed_countries


@dataclass(frozen=True, slots=True)
class Change:
    """One catalogue change. ``seq`` orders all changes of a database (scheduled and admin alike)."""

    seq: int
    kind: ChangeKind
    game_id: str
    source: Literal["schedule", "admin"]
    at: float
    fields: dict[str, Any] = field(default_factory=dict)


# The live view over these records; the play flow imports it from here.
from simulator.catalog.live import Catalog  # noqa: E402

__all__ = ["Catalog", "Category", "Change", "ChangeKind", "Game", "RtpVariant", "Studio", "Volatility"]
