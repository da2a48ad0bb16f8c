"""Wire models of the game client API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_AMOUNT = 2**53 - 1


class PlayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    amount: int = Field(gt=0, le=MAX_AMOUNT, description="Stake in minor units of the session's currency.")
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="The bet's parameters: `bet` of GET /v1/games/{game_id}/parameters is their JSON Schema for the"
        " session's game (examples per engine in docs/games.md); {} plays the engine's reference bet.",
    )
    autoplay: bool = Field(False, description="The round was started by an autoplay feature (refused where banned).")
    turbo: bool = Field(False, description="The round plays in turbo / quick spin (refused where banned).")


class FreeRoundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    campaign_id: str = Field(min_length=1, max_length=64, description="A campaign the session offers free rounds of.")
    params: dict[str, Any] = Field(default_factory=dict, description="Game-specific bet parameters.")


class RealityCheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    decision: Literal["continue", "quit"] = Field(description="Continue playing (next check one interval on) or quit.")


class FreeRoundOffer(BaseModel):
    campaign_id: str
    rounds_left: int
    bet_value: int
    payout: str
    expires_at: float


class ActionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    action: str = Field(
        min_length=1, max_length=32, description="One of the round's `actions` (the last round response lists them)."
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="The action's parameters: `actions[action]` of GET /v1/games/{game_id}/parameters is their JSON"
        " Schema (docs/games.md).",
    )


class RotateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    client_seed: str | None = Field(None, min_length=1, max_length=64)


class RoundFairness(BaseModel):
    server_seed_hash: str
    client_seed: str
    nonce: int
    rng: str
    mapping: str


class RoundResponse(BaseModel):
    round_id: str
    game_id: str
    status: str
    currency: str
    amount: int
    win: int
    balance: int | None
    fairness: RoundFairness
    outcome: dict[str, Any] | None = None
    view: dict[str, Any] | None = None
    actions: list[str] | None = None
    finished: bool | None = None
    market: dict[str, Any] | None = Field(
        None, description="Regulated sessions: status, counts, reality check, and whether this win may be celebrated."
    )
    details_url: str = Field(description="The round's shareable round-details page (signed; see docs/client.md).")


class OpenRounds(BaseModel):
    rounds: list[RoundResponse]


class SessionInfo(BaseModel):
    game_id: str
    game_name: str
    engine_id: str
    rtp: float = Field(description="The game's return to player, percent (shown where a market asks for it).")
    currency: str
    minor_unit: int = Field(description="Decimal places of the currency's minor unit (amounts are integers of it).")
    player_id: str
    demo: bool
    expires_at: float
    min_bet: int
    max_bet: int
    bet_steps: list[int] = Field(description="The stakes the client offers, in minor units.")
    multi_step: bool
    language: str | None
    lobby_url: str | None
    cashier_url: str | None
    platform: str | None
    board: dict[str, Any] = Field(description="How the client draws the game: family, module, board shape.")
    server_seed_hash: str
    client_seed: str
    next_nonce: int
    free_rounds: list[FreeRoundOffer] = Field(description="The player's free rounds on this game, by campaign.")
    market: dict[str, Any] | None = Field(None, description="Regulated sessions: rules and state; else null.")


class RotateResponse(BaseModel):
    revealed_server_seed: str
    revealed_server_seed_hash: str
    server_seed_hash: str
    client_seed: str
    next_nonce: int


class BalanceResponse(BaseModel):
    balance: int
    currency: str
