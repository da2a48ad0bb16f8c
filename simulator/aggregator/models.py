"""Wire models of the operator API. Requests are strict: ``"100"`` is not an amount and unknown fields are
refused."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from simulator.fairness.source import RngMapping, RngMode
from simulator.markets.session import ResponsibleGaming

MAX_URL = 2048


def _web_url(value: str) -> str:
    """An absolute http(s) URL with a host and nothing a browser would reinterpret (spaces, controls, backslashes)."""
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in value):
        raise ValueError("must not contain spaces, control characters or backslashes")
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ValueError("is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http:// or https:// URL")
    return value


WebUrl = Annotated[str, Field(min_length=8, max_length=MAX_URL), AfterValidator(_web_url)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LaunchRequest(_Request):
    game_id: str = Field(min_length=1, max_length=255)
    currency: str = Field(min_length=3, max_length=8)
    player_id: str | None = Field(None, min_length=1, max_length=255, description="Required unless demo.")
    token: str | None = Field(
        None,
        min_length=1,
        max_length=512,
        description="The operator's session token for this player; required unless demo.",
    )
    demo: bool = Field(False, description="Play with fun money kept by the simulator; no player, token or wallet call.")
    country: str | None = Field(
        None,
        pattern=r"^[A-Z]{2}$",
        description="Player's country, ISO 3166-1 alpha-2 upper case; needed if the game limits countries.",
    )
    language: str | None = Field(None, min_length=2, max_length=16)
    client_seed: str | None = Field(None, min_length=1, max_length=64)
    jurisdiction: str | None = Field(
        None,
        min_length=2,
        max_length=6,
        description="Where the session is licensed: an ISO 3166-1 country (GB) or ISO 3166-2 region (CA-ON); selects"
        " the jurisdiction profile (docs/jurisdictions.md). Default: no profile. The country defaults to its own.",
    )
    young_adult: bool = Field(False, description="The player is 18 to 24 (lower stake caps where a profile has them).")
    responsible_gaming: ResponsibleGaming | None = Field(None, description="The operator's limits for this session.")
    lobby_url: WebUrl | None = Field(None, description="Where the client's exit button goes (http or https).")
    cashier_url: WebUrl | None = Field(None, description="Where the client's deposit button goes (http or https).")
    platform: Literal["desktop", "mobile"] | None = Field(None, description="The device the player launched from.")


class Fairness(BaseModel):
    server_seed_hash: str
    client_seed: str
    next_nonce: int


class LaunchResponse(BaseModel):
    session_token: str
    demo: bool
    launch_url: str
    websocket_url: str | None = Field(None, description="Live tables only: the player's socket (docs/live.md).")
    expires_at: float
    game_id: str
    player_id: str
    currency: str
    balance: int
    fairness: Fairness
    market: dict[str, Any] | None = Field(
        None, description="The jurisdiction and limits the session plays under; null when none apply."
    )


class VerifyRequest(_Request):
    engine_id: str | None = Field(None, min_length=1, max_length=64)
    game_id: str | None = Field(None, min_length=1, max_length=255)
    round_id: str | None = Field(None, min_length=1, max_length=255)
    server_seed: str = Field(min_length=1, max_length=256)
    server_seed_hash: str | None = Field(None, min_length=64, max_length=64)
    client_seed: str | None = Field(None, min_length=1, max_length=64)
    nonce: int | None = Field(None, ge=0)
    amount: int | None = Field(None, gt=0)
    params: dict[str, Any] = Field(default_factory=dict)
    rng: RngMode = "provably-fair"
    mapping: RngMapping = "compatible"


class VerifyResponse(BaseModel):
    commitment_ok: bool | None
    matches_round: bool | None
    engine_id: str
    nonce: int
    outcome: dict[str, Any]


class TransactionOut(BaseModel):
    seq: int
    transaction_id: str
    round_id: str
    kind: str
    player_id: str
    game_id: str
    studio_id: str
    currency: str
    amount: int
    round_closed: bool
    reference_transaction_id: str | None
    status: str
    attempts: int
    last_error: str | None
    balance_after: int | None
    next_attempt_at: float
    created_at: float
    updated_at: float
    bonus: dict[str, Any] | None = Field(
        None, description="The bonus the call carries: a free round, a campaign's total or a promo (docs/bonus.md)."
    )


class TransactionPage(BaseModel):
    transactions: list[TransactionOut]
    next_after: int


class RoundOut(BaseModel):
    round_id: str
    game_id: str
    studio_id: str
    engine_id: str
    player_id: str
    currency: str
    amount: int
    win: int
    status: str
    params: dict[str, Any]
    outcome: dict[str, Any]
    fairness: dict[str, Any]
    transactions: list[TransactionOut]
    details_url: str = Field(description="The round's shareable round-details page (signed link).")
