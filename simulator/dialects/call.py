"""Dialect-neutral wallet operations: what the round flow asks for, before a dialect puts it on the wire."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Operation = Literal["balance", "bet", "win", "rollback"]


@dataclass(frozen=True, slots=True)
class WalletCall:
    """One wallet operation. ``transaction_id`` is minted once and reused by every retry of the same operation."""

    operation: Operation
    player_id: str
    session_id: str
    currency: str
    transaction_id: str = ""
    round_id: str = ""
    game_id: str = ""
    studio_id: str = ""
    amount: int = 0
    round_closed: bool = False
    reference_transaction_id: str | None = None
    bonus: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class WalletRequest:
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class WalletReply:
    balance: int
    currency: str
    transaction_id: str | None
