"""Wire models of the reference wallet (native protocol and sandbox API). Strict: no coercion of strings to
numbers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_AMOUNT = 2**53 - 1  # largest integer every JSON implementation keeps exact
Id = Field(min_length=1, max_length=255)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class BalanceRequest(_Model):
    request_id: str = Field(min_length=1, max_length=255)
    player_id: str = Field(min_length=1, max_length=255)
    session_id: str = Field(min_length=1, max_length=512)
    currency: str = Field(min_length=3, max_length=8)


class OperationRequest(BalanceRequest):
    transaction_id: str = Field(min_length=1, max_length=255)
    round_id: str = Field(min_length=1, max_length=255)
    game_id: str = Field("", max_length=255)
    studio_id: str = Field("", max_length=255)
    amount: int = Field(ge=0, le=MAX_AMOUNT)
    round_closed: bool = False
    reference_transaction_id: str | None = Field(None, min_length=1, max_length=255)
    bonus: dict[str, Any] | None = None


class WalletReplyModel(BaseModel):
    balance: int
    currency: str
    transaction_id: str | None = None
    request_id: str | None = None


class CreatePlayer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    player_id: str | None = Field(None, min_length=1, max_length=255)
    currency: str = Field(min_length=3, max_length=8)
    balance: int = Field(0, ge=0, le=MAX_AMOUNT)
    blocked: bool = False
    token_ttl: int = Field(86400, ge=1, le=365 * 86400)


class PlayerInfo(BaseModel):
    player_id: str
    currency: str
    balance: int
    blocked: bool


class CreatedPlayer(PlayerInfo):
    token: str
    token_expires_at: float


class IssueToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ttl: int = Field(86400, ge=1, le=365 * 86400)


class TokenInfo(BaseModel):
    token: str
    player_id: str
    expires_at: float
