"""Wire models of the game client API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_AMOUNT = 2**53 - 1


class PlayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    amount: int = Field(gt=0, le=MAX_AMOUNT, description="Stake in minor units of the session's currency.")
    params: dict[str, Any] = Field(default_factory=dict, description="Game-specific bet parameters.")
    autoplay: bool = Field(False, description="The round was started by an autoplay feature (refused where banned).")
    turbo: bool = Field(False, description="The round plays in turbo / quick spin (refused where banned).")


class RealityCheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    decision: Literal["continue", "quit"] = Field(description="Continue playing (next check one interval on) or quit.")


class ActionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    action: str = Field(min_length=1, max_length=32)
    params: dict[str, Any] = Field(default_factory=dict)


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


class OpenRounds(BaseModel):
    rounds: list[RoundResponse]


class SessionInfo(BaseModel):
    game_id: str
    game_name: str
    engine_id: str
    rtp: float = Field(description="The game's return to player, percent (shown where a market asks for it).")
    currency: str
    player_id: str
    expires_at: float
    min_bet: int
    max_bet: int
    multi_step: bool
    server_seed_hash: str
    client_seed: str
    next_nonce: int
    market: dict[str, Any] | None = Field(None, description="Regulated sessions: rules and state; else null.")


class RotateResponse(BaseModel):
    revealed_server_seed: str
    revealed_server_seed_hash: str
    server_seed_hash: str
    client_seed: str
    next_nonce: int
