"""The provider's records as the store reads and writes them: a game session, a round, a transaction.

They hold no rules: what a status may become is ``simulator.lifecycle``'s, and what a transaction looks like on the wire
is settlement's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from simulator.store.database import Row


# Sessions, rounds and transactions are built several times a round, so they are plain slotted dataclasses: a frozen
# one sets each field through object.__setattr__, which made building a transaction four times slower. Nothing
# changes them in place; a change is a new record (dataclasses.replace) written back through the store. Statuses and
# kinds are plain strings, as read back from the database: sqlite3 binds an enum member (a str subclass) through its
# adaptation protocol, which looks for adapters and raises and clears two AttributeErrors per value.
@dataclass(slots=True)
class Session:
    token: str
    player_id: str
    operator_token: str
    game_id: str
    studio_id: str
    currency: str
    demo: bool
    country: str | None
    language: str | None
    created_at: float
    expires_at: float
    server_seed: str
    server_seed_hash: str
    client_seed: str
    nonce: int
    lobby_url: str | None = None  # where the client's exit button goes (launch's lobby_url)
    cashier_url: str | None = None  # where its deposit button goes
    platform: str | None = None  # desktop or mobile, as the operator launched it

    @staticmethod
    def from_row(row: Row) -> Session:
        return Session(**{k: row[k] for k in Session.__slots__} | {"demo": bool(row["demo"])})

    def at(self, nonce: int) -> Session:
        """This session with ``nonce`` as its next nonce (``dataclasses.replace`` costs several times more)."""
        return Session(
            self.token,
            self.player_id,
            self.operator_token,
            self.game_id,
            self.studio_id,
            self.currency,
            self.demo,
            self.country,
            self.language,
            self.created_at,
            self.expires_at,
            self.server_seed,
            self.server_seed_hash,
            self.client_seed,
            nonce,
            self.lobby_url,
            self.cashier_url,
            self.platform,
        )


@dataclass(slots=True)
class Round:
    round_id: str
    session_token: str
    player_id: str
    game_id: str
    studio_id: str
    engine_id: str
    currency: str
    stake: int
    win: int
    status: str
    params: dict[str, Any]
    outcome: dict[str, Any]
    server_seed_hash: str
    client_seed: str
    nonce: int
    version: int
    created_at: float
    updated_at: float

    @staticmethod
    def from_row(row: Row) -> Round:
        values = {k: row[k] for k in Round.__slots__}
        values["params"] = json.loads(values["params"])
        values["outcome"] = json.loads(values["outcome"])
        return Round(**values)


@dataclass(slots=True)
class Transaction:
    seq: int
    transaction_id: str
    round_id: str
    kind: str
    player_id: str
    session_token: str
    wallet_session: str
    game_id: str
    studio_id: str
    currency: str
    amount: int
    round_closed: bool
    reference_transaction_id: str | None
    status: str
    attempts: int
    next_attempt_at: float
    last_error: str | None
    balance_after: int | None
    created_at: float
    updated_at: float
    bonus: str | None = None  # JSON: the bonus context its wallet call carries (``simulator.bonus.context``)

    @staticmethod
    def from_row(row: Row) -> Transaction:
        return Transaction(**{k: row[k] for k in Transaction.__slots__} | {"round_closed": bool(row["round_closed"])})
