"""The provider's own records: game sessions (with their fairness seeds), rounds, and the transaction log.

The transaction log is also the durable settlement outbox: a win or rollback is written as ``pending`` in the same
transaction that decides it, before any wallet call, so a crash can delay money but never forget it. Statuses:

- transactions: ``pending`` (to deliver or in flight) -> ``acked`` | ``refused`` (the wallet said no, final) |
  ``failed`` (a bet whose outcome is unknown: its rollback is queued) | ``abandoned`` (retried past the age limit);
- rounds: ``open`` -> ``closed`` | ``void`` (bet refused) | ``rolling_back`` -> ``rolled_back`` | ``manual``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulator.dialects.call import WalletCall
from simulator.store.database import Database, Row, Tx

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS sessions (
        token TEXT PRIMARY KEY,
        player_id TEXT NOT NULL,
        operator_token TEXT NOT NULL,
        game_id TEXT NOT NULL,
        studio_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        demo INTEGER NOT NULL DEFAULT 0,
        country TEXT,
        language TEXT,
        created_at {real} NOT NULL,
        expires_at {real} NOT NULL,
        server_seed TEXT NOT NULL,
        server_seed_hash TEXT NOT NULL,
        client_seed TEXT NOT NULL,
        nonce BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS revealed_seeds (
        server_seed_hash TEXT PRIMARY KEY,
        server_seed TEXT NOT NULL,
        revealed_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS rounds (
        round_id TEXT PRIMARY KEY,
        session_token TEXT NOT NULL,
        player_id TEXT NOT NULL,
        game_id TEXT NOT NULL,
        studio_id TEXT NOT NULL,
        engine_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        stake BIGINT NOT NULL,
        win BIGINT NOT NULL,
        status TEXT NOT NULL,
        params TEXT NOT NULL,
        outcome TEXT NOT NULL,
        server_seed_hash TEXT NOT NULL,
        client_seed TEXT NOT NULL,
        nonce BIGINT NOT NULL,
        version INTEGER NOT NULL,
        created_at {real} NOT NULL,
        updated_at {real} NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS rounds_session ON rounds (session_token, created_at)",
    """CREATE TABLE IF NOT EXISTS transactions (
        seq {serial},
        transaction_id TEXT NOT NULL UNIQUE,
        round_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        player_id TEXT NOT NULL,
        session_token TEXT NOT NULL,
        wallet_session TEXT NOT NULL,
        game_id TEXT NOT NULL,
        studio_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        amount BIGINT NOT NULL,
        round_closed INTEGER NOT NULL,
        reference_transaction_id TEXT,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at {real} NOT NULL,
        last_error TEXT,
        balance_after BIGINT,
        created_at {real} NOT NULL,
        updated_at {real} NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS transactions_due ON transactions (status, next_attempt_at)",
    "CREATE INDEX IF NOT EXISTS transactions_round ON transactions (round_id)",
)


@dataclass(frozen=True, slots=True)
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

    @staticmethod
    def from_row(row: Row) -> Session:
        return Session(**{k: row[k] for k in Session.__slots__} | {"demo": bool(row["demo"])})


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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

    @staticmethod
    def from_row(row: Row) -> Transaction:
        return Transaction(**{k: row[k] for k in Transaction.__slots__} | {"round_closed": bool(row["round_closed"])})

    def call(self) -> WalletCall:
        """The wallet operation this record stands for; identical on every retry."""
        return WalletCall(
            operation=self.kind,  # type: ignore[arg-type]
            player_id=self.player_id,
            session_id=self.wallet_session,
            currency=self.currency,
            transaction_id=self.transaction_id,
            round_id=self.round_id,
            game_id=self.game_id,
            studio_id=self.studio_id,
            amount=self.amount,
            round_closed=self.round_closed,
            reference_transaction_id=self.reference_transaction_id,
        )


_dumps = json.JSONEncoder(separators=(",", ":")).encode


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    """An INSERT for trusted column names taken from the record classes above, never from input."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608


class ProviderStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def migrate(self) -> None:
        await self.db.migrate(SCHEMA)

    # sessions

    async def create_session(self, session: Session) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(
                _insert_sql("sessions", Session.__slots__),
                *(getattr(session, k) if k != "demo" else int(session.demo) for k in Session.__slots__),
            )

    async def get_session(self, token: str) -> Session | None:
        async with self.db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM sessions WHERE token = ?", token)
        return None if row is None else Session.from_row(row)

    async def rotate_seed(self, token: str, new_seed: str, new_hash: str, client_seed: str, now: float) -> Session:
        """Reveal the current server seed and commit to a new one; the nonce starts again at 1."""
        async with self.db.transaction() as tx:
            row = await tx.fetchone(f"SELECT * FROM sessions WHERE token = ?{tx.for_update}", token)  # noqa: S608
            assert row is not None
            await tx.execute(
                "INSERT INTO revealed_seeds (server_seed_hash, server_seed, revealed_at) VALUES (?, ?, ?)"
                " ON CONFLICT (server_seed_hash) DO NOTHING",
                row["server_seed_hash"],
                row["server_seed"],
                now,
            )
            await tx.execute(
                "UPDATE sessions SET server_seed = ?, server_seed_hash = ?, client_seed = ?, nonce = 1 WHERE token = ?",
                new_seed,
                new_hash,
                client_seed,
                token,
            )
            updated = await tx.fetchone("SELECT * FROM sessions WHERE token = ?", token)
        assert updated is not None
        return Session.from_row(updated)

    async def revealed_seed(self, server_seed_hash: str) -> str | None:
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT server_seed FROM revealed_seeds WHERE server_seed_hash = ?", server_seed_hash
            )
        return None if row is None else str(row["server_seed"])

    # rounds

    async def open_round(
        self,
        token: str,
        decide: Callable[[Session], tuple[Round, list[Transaction]]],
    ) -> tuple[Round, list[Transaction]]:
        """Lock the session, let ``decide`` compute the round from its current nonce, then persist the round, its
        first transactions and the next nonce atomically. ``decide`` is pure and may raise to abort."""
        async with self.db.transaction() as tx:
            row = await tx.fetchone(f"SELECT * FROM sessions WHERE token = ?{tx.for_update}", token)  # noqa: S608
            assert row is not None
            round_, txs = decide(Session.from_row(row))
            await tx.execute("UPDATE sessions SET nonce = nonce + 1 WHERE token = ?", token)
            await self._insert_round(tx, round_)
            for t in txs:
                await self._insert_transaction(tx, t)
        return round_, txs

    async def open_rounds(self, token: str) -> list[Round]:
        async with self.db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT * FROM rounds WHERE session_token = ? AND status IN ('open', 'acting') ORDER BY created_at",
                token,
            )
        return [Round.from_row(r) for r in rows]

    async def claim_round(self, round_id: str, version: int, now: float) -> bool:
        """Take the round for one player action; false when another action holds or changed it."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE rounds SET status = 'acting', version = version + 1, updated_at = ?"
                " WHERE round_id = ? AND version = ? AND status = 'open'",
                now,
                round_id,
                version,
            )
        return changed == 1

    async def release_round(
        self,
        round_id: str,
        *,
        now: float,
        outcome: dict[str, Any] | None = None,
        stake: int | None = None,
        win: int | None = None,
        status: str = "open",
        follow_up: Transaction | None = None,
    ) -> None:
        """End a player action: store the new state (if any) and hand the round back, or queue its closing win."""
        sets, args = ["status = ?", "version = version + 1", "updated_at = ?"], [status, now]
        for column, value in (
            ("outcome", None if outcome is None else _dumps(outcome)),
            ("stake", stake),
            ("win", win),
        ):
            if value is not None:
                sets.append(f"{column} = ?")
                args.append(value)
        async with self.db.transaction() as tx:
            await tx.execute(f"UPDATE rounds SET {', '.join(sets)} WHERE round_id = ?", *args, round_id)  # noqa: S608
            if follow_up is not None:
                await self._insert_transaction(tx, follow_up)

    async def add_transaction(self, t: Transaction) -> None:
        async with self.db.transaction() as tx:
            await self._insert_transaction(tx, t)

    async def get_round(self, round_id: str) -> Round | None:
        async with self.db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM rounds WHERE round_id = ?", round_id)
        return None if row is None else Round.from_row(row)

    async def rounds(self, *, status: str | None = None) -> list[Round]:
        sql, args = "SELECT * FROM rounds", ()  # type: tuple[str, tuple[str, ...]]
        if status is not None:
            sql, args = sql + " WHERE status = ?", (status,)
        async with self.db.transaction() as tx:
            rows = await tx.fetchall(sql + " ORDER BY created_at, round_id", *args)
        return [Round.from_row(r) for r in rows]

    @staticmethod
    async def _insert_round(tx: Tx, r: Round) -> None:
        await tx.execute(
            _insert_sql("rounds", Round.__slots__),
            *(_dumps(getattr(r, k)) if k in ("params", "outcome") else getattr(r, k) for k in Round.__slots__),
        )

    # transactions

    _TX_COLUMNS = tuple(k for k in Transaction.__slots__ if k != "seq")

    async def _insert_transaction(self, tx: Tx, t: Transaction) -> None:
        cols = self._TX_COLUMNS
        await tx.execute(
            _insert_sql("transactions", cols),
            *(int(t.round_closed) if k == "round_closed" else getattr(t, k) for k in cols),
        )

    async def settle(
        self,
        transaction_id: str,
        *,
        status: str,
        now: float,
        balance: int | None = None,
        error: str | None = None,
        round_status: str | None = None,
        round_win: int | None = None,
        follow_up: Transaction | None = None,
    ) -> None:
        """Record the wallet's answer to a transaction and, atomically, what follows from it (round status, the
        next pending transaction)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE transactions SET status = ?, attempts = attempts + 1, balance_after = ?, last_error = ?,"
                " updated_at = ? WHERE transaction_id = ?",
                status,
                balance,
                error,
                now,
                transaction_id,
            )
            if round_status is not None:
                row = await tx.fetchone("SELECT round_id FROM transactions WHERE transaction_id = ?", transaction_id)
                assert row is not None
                if round_win is None:
                    await tx.execute(
                        "UPDATE rounds SET status = ?, updated_at = ? WHERE round_id = ?",
                        round_status,
                        now,
                        row["round_id"],
                    )
                else:
                    await tx.execute(
                        "UPDATE rounds SET status = ?, win = ?, updated_at = ? WHERE round_id = ?",
                        round_status,
                        round_win,
                        now,
                        row["round_id"],
                    )
            if follow_up is not None:
                await self._insert_transaction(tx, follow_up)

    async def reschedule(self, transaction_id: str, *, next_attempt_at: float, error: str, now: float) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE transactions SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, updated_at = ?"
                " WHERE transaction_id = ? AND status = 'pending'",
                next_attempt_at,
                error,
                now,
                transaction_id,
            )

    async def claim_due(self, now: float, *, lease: float, limit: int = 100) -> list[Transaction]:
        """Pending wins and rollbacks whose time has come, leased to this process for ``lease`` seconds."""
        async with self.db.transaction() as tx:
            due = "SELECT * FROM transactions WHERE status = 'pending' AND kind != 'bet' AND next_attempt_at <= ?"
            rows = await tx.fetchall(
                due + " ORDER BY next_attempt_at LIMIT ?" + tx.skip_locked,
                now,
                limit,
            )
            for row in rows:
                await tx.execute(
                    "UPDATE transactions SET next_attempt_at = ? WHERE transaction_id = ?",
                    now + lease,
                    row["transaction_id"],
                )
        return [Transaction.from_row(r) for r in rows]

    async def orphaned_bets(self, older_than: float) -> list[Transaction]:
        """Bets still pending long after any wallet call could have lasted: their process died mid-call."""
        async with self.db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT * FROM transactions WHERE status = 'pending' AND kind = 'bet' AND created_at < ?",
                older_than,
            )
        return [Transaction.from_row(r) for r in rows]

    async def transactions(self, *, after: int = 0, limit: int = 1000) -> list[Transaction]:
        async with self.db.transaction() as tx:
            rows = await tx.fetchall("SELECT * FROM transactions WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
        return [Transaction.from_row(r) for r in rows]

    async def round_transactions(self, round_id: str) -> list[Transaction]:
        async with self.db.transaction() as tx:
            rows = await tx.fetchall("SELECT * FROM transactions WHERE round_id = ? ORDER BY seq", round_id)
        return [Transaction.from_row(r) for r in rows]
