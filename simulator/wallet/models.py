"""Wire models of the reference wallet (native protocol and sandbox API). Strict: no coercion of strings to
numbers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
    bonus_balance: int | None = None
    transaction_id: str | None = None
    request_id: str | None = None


class CreatePlayer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    player_id: str | None = Field(None, min_length=1, max_length=255)
    currency: str = Field(min_length=3, max_length=8)
    balance: int = Field(0, ge=0, le=MAX_AMOUNT)
    blocked: bool = False
    self_excluded: bool = Field(False, description="bets are refused with SELF_EXCLUDED")
    token_ttl: int = Field(86400, ge=1, le=365 * 86400)


class PlayerInfo(BaseModel):
    player_id: str
    currency: str
    balance: int
    bonus_balance: int
    blocked: bool
    self_excluded: bool
    daily_wager_limit: int | None
    daily_loss_limit: int | None


class CreatedPlayer(PlayerInfo):
    token: str
    token_expires_at: float


class DayTotals(BaseModel):
    day: str = Field(description="UTC date of the wallet's clock")
    wagered: int = Field(description="cash staked today, rollbacks deducted")
    lost: int = Field(description="cash staked minus cash won and refunded today; negative when ahead")


class PlayerState(PlayerInfo):
    free_rounds: dict[str, int] = Field(description="free rounds left, by campaign id")
    today: DayTotals


class PlayerControls(BaseModel):
    """Only the fields sent change; ``null`` removes a limit."""

    model_config = ConfigDict(extra="forbid")
    blocked: bool | None = None
    self_excluded: bool | None = None
    daily_wager_limit: int | None = Field(None, ge=0, le=MAX_AMOUNT)
    daily_loss_limit: int | None = Field(None, ge=0, le=MAX_AMOUNT)


class BonusGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: int = Field(0, ge=0, le=MAX_AMOUNT, description="bonus money, minor units")
    free_rounds: int = Field(0, ge=0, le=1_000_000, description="free rounds for campaign_id")
    campaign_id: str | None = Field(None, min_length=1, max_length=255)
    transaction_id: str | None = Field(None, min_length=1, max_length=255, description="makes the grant idempotent")

    @model_validator(mode="after")
    def _something(self) -> BonusGrant:
        if not (self.amount or self.free_rounds):
            raise ValueError("grant an amount, free rounds, or both")
        if self.free_rounds and self.campaign_id is None:
            raise ValueError("free rounds belong to a campaign: give campaign_id")
        return self


class BonusResult(BaseModel):
    applied: bool = Field(description="false when transaction_id was already granted")
    player: PlayerState


class IssueToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ttl: int = Field(86400, ge=0, le=365 * 86400, description="seconds; 0 issues an already expired token")


class TokenInfo(BaseModel):
    token: str
    player_id: str
    expires_at: float


class GameControl(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = Field(description="false: bets on this game are refused with UNKNOWN_GAME")


class GameState(BaseModel):
    game_id: str
    enabled: bool


class LedgerEntry(BaseModel):
    seq: int
    transaction_id: str
    kind: str = Field(description="bet, win, rollback; deposit and bonus_credit come from the sandbox")
    player_id: str
    round_id: str
    game_id: str
    studio_id: str
    amount: int = Field(description="minor units: the stake, the win, or what a rollback gave back")
    currency: str
    funds: str = Field(description="cash, bonus or free_round")
    campaign_id: str | None
    reference_transaction_id: str | None
    round_closed: bool
    balance_after: int
    bonus_balance_after: int
    created_at: float


class LedgerPage(BaseModel):
    entries: list[LedgerEntry]
    next_after: int
