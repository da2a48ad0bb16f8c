"""Dialect-neutral wallet operations: what the round flow asks for, before a dialect puts it on the wire."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Operation = Literal["balance", "bet", "win", "rollback"]


# None of these is frozen, like the store's records: each is built several times a round (simulator.store.records
# says why). Nothing changes them in place; a change is a new one (dataclasses.replace).
@dataclass(slots=True)
class WalletCall:
    """One wallet operation. ``transaction_id`` is minted once and reused by every retry of the same
    operation."""

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


@dataclass(slots=True)
class WalletRequest:
    """One HTTP request, a POST unless ``method`` says otherwise. ``then`` chains a second request that belongs to
    the same operation (a dialect's explicit end-of-round call, a session check before a balance): the operation
    counts as done only when the last reply is read, so a failure anywhere in the chain retries the whole chain
    with the same ids."""

    url: str
    headers: dict[str, str]
    body: bytes
    then: WalletRequest | None = None
    check_reply: Callable[[WalletCall, int, bytes], None] | None = None  # reads the reply before ``then`` is sent
    method: str = "POST"  # GET for a dialect whose calls carry everything in the query string (groove)


@dataclass(slots=True)
class WalletReply:
    balance: int
    currency: str
    transaction_id: str | None
