"""Wire models of the settlement report routes."""

from __future__ import annotations

from pydantic import BaseModel


class RoundSummary(BaseModel):
    round_id: str
    session_token: str
    player_id: str
    game_id: str
    studio_id: str
    currency: str
    amount: int
    win: int
    status: str
    created_at: float
    updated_at: float


class RoundPage(BaseModel):
    rounds: list[RoundSummary]
    next_cursor: str | None


class SettlementReport(BaseModel):
    rounds: dict[str, int]
    transactions: dict[str, dict[str, int]]
    retries: int
    pending: int
    oldest_pending_age: float | None
    needs_attention: int
