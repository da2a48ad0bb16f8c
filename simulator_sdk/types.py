"""The shapes of the answers, as ``TypedDict``: the JSON itself, typed for mypy, with nothing converted (money stays
an ``int`` of minor units). Only the fields a client commonly reads are named; every answer may carry more
(see ``/openapi.json``), and they are kept."""

from __future__ import annotations

from typing import Any, TypedDict


class Player(TypedDict):
    player_id: str
    currency: str
    balance: int
    bonus_balance: int
    blocked: bool


class NewPlayer(Player):
    token: str
    token_expires_at: float


class Fairness(TypedDict):
    server_seed_hash: str
    client_seed: str
    next_nonce: int


class Launch(TypedDict):
    session_token: str
    demo: bool
    launch_url: str
    expires_at: float
    game_id: str
    player_id: str
    currency: str
    balance: int
    fairness: Fairness


class Game(TypedDict):
    game_id: str
    studio_id: str
    name: str
    engine_id: str
    multi_step: bool
    reference: bool
    enabled: bool
    currencies: list[str]
    min_bet: dict[str, int]
    max_bet: dict[str, int]
    allowed_countries: list[str] | None
    blocked_countries: list[str]


class Studio(TypedDict):
    studio_id: str
    name: str
    dialect: str


class Round(TypedDict):
    """A round as the game client sees it (``POST /play/{token}/rounds`` and actions)."""

    round_id: str
    game_id: str
    status: str
    currency: str
    amount: int
    win: int
    balance: int | None
    fairness: dict[str, Any]
    outcome: dict[str, Any] | None
    actions: list[str] | None
    finished: bool | None


class RoundRecord(TypedDict):
    """A round as the operator API records it (``GET /v1/rounds/{id}``), with its transactions."""

    round_id: str
    game_id: str
    engine_id: str
    player_id: str
    currency: str
    amount: int
    win: int
    status: str
    params: dict[str, Any]
    outcome: dict[str, Any] | None
    fairness: dict[str, Any]
    transactions: list[Transaction]


class RoundSummary(TypedDict):
    round_id: str
    session_token: str
    player_id: str
    game_id: str
    currency: str
    amount: int
    win: int
    status: str


class Transaction(TypedDict):
    seq: int
    transaction_id: str
    round_id: str
    kind: str
    player_id: str
    amount: int
    status: str
    attempts: int
    reference_transaction_id: str | None


class SessionInfo(TypedDict):
    game_id: str
    engine_id: str
    currency: str
    player_id: str
    min_bet: int
    max_bet: int
    multi_step: bool
    server_seed_hash: str
    client_seed: str
    next_nonce: int


class FaultRule(TypedDict):
    id: str
    description: str
    enabled: bool
    match: dict[str, Any]
    action: dict[str, Any]
    schedule: dict[str, Any]
    counters: dict[str, int]
