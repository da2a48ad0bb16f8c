"""Wire models of the bonus API (``/v1/campaigns``, ``/v1/players/{player_id}/campaigns``,
``/v1/promotions/payouts``). Requests are strict: unknown fields are refused and no string is read as a number."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from simulator.lifecycle import PayoutMode
from simulator.wallet.models import MAX_AMOUNT

_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlayerRef(_Request):
    player_id: str = Field(min_length=1, max_length=255)
    currency: str = Field(min_length=3, max_length=8, description="The currency the player plays in.")


class CreateCampaign(_Request):
    campaign_id: str | None = Field(
        None, pattern=_ID, description="The operator's own id for the campaign; minted when absent."
    )
    games: list[str] = Field(min_length=1, max_length=100, description="Games the free rounds may be played on.")
    rounds: int = Field(ge=1, le=10_000, description="Free rounds per player.")
    bet_values: dict[str, int] = Field(
        min_length=1,
        description="Stake of each free round per currency, in minor units: one of every game's bet steps.",
    )
    payout: Literal["per_round", "total"] = Field(
        PayoutMode.PER_ROUND.value, description="per_round: each round's win with the round; total: one win at the end."
    )
    starts_at: float | None = Field(None, ge=0, description="Unix time; now when absent.")
    expires_at: float = Field(gt=0, description="Unix time after which no round is played and the campaign closes.")
    players: list[PlayerRef] = Field(default_factory=list, max_length=1000)


class AssignPlayers(_Request):
    players: list[PlayerRef] = Field(min_length=1, max_length=1000)


class AssignmentOut(BaseModel):
    player_id: str
    currency: str
    rounds_left: int
    rounds_in_flight: int
    rounds_played: int
    total_win: int
    status: str
    payout_transaction_id: str | None


class CampaignOut(BaseModel):
    campaign_id: str
    games: list[str]
    rounds: int
    bet_values: dict[str, int]
    payout: str
    starts_at: float
    expires_at: float
    status: str
    players: list[AssignmentOut] | None = None


class CampaignPage(BaseModel):
    campaigns: list[CampaignOut]
    next_after: str | None


class PlayerCampaign(AssignmentOut):
    campaign_id: str
    games: list[str]
    bet_value: int | None
    payout: str
    expires_at: float
    campaign_status: str


class PlayerCampaigns(BaseModel):
    player_id: str
    campaigns: list[PlayerCampaign]


class PromoPayout(_Request):
    player_id: str = Field(min_length=1, max_length=255)
    currency: str = Field(min_length=3, max_length=8)
    amount: int = Field(gt=0, le=MAX_AMOUNT, description="Minor units.")
    token: str = Field(min_length=1, max_length=512, description="The operator's session token for this player.")


class PromoRequest(_Request):
    reference: str = Field(pattern=_ID, description="The operator's reference: the payout is made once per player.")
    promotion: str = Field("promo", min_length=1, max_length=64, description="tournament, prize_drop, ...")
    studio_id: str = Field(min_length=1, max_length=255, description="The studio paying: its wallet dialect is used.")
    game_id: str | None = Field(None, min_length=1, max_length=255, description="The game it relates to, if any.")
    payouts: list[PromoPayout] = Field(min_length=1, max_length=1000)


class PromoOut(BaseModel):
    player_id: str
    transaction_id: str
    amount: int
    status: str
    created: bool


class PromoReply(BaseModel):
    reference: str
    payouts: list[PromoOut]


class JackpotPoolOut(BaseModel):
    currency: str
    value: int = Field(description="What the pool would pay now, minor units (its seed until its first round).")
    seed: int = Field(description="The value it restarts at after a win, minor units.")
    wins: int
    updated_at: float | None = Field(description="Time of the last contribution or win; null before any.")


class JackpotOut(BaseModel):
    jackpot_id: str
    games: list[str] = Field(description="The games that feed it.")
    contribution_bp: int = Field(description="Share of each stake fed to the pool, basis points (rounded down).")
    trigger_odds: int = Field(description="Won with probability 1 / trigger_odds per round.")
    pools: list[JackpotPoolOut]


class JackpotFeed(BaseModel):
    jackpots: list[JackpotOut]
