"""The provider's own records: game sessions (with their fairness seeds), rounds, and the transaction log.

The transaction log is also the durable settlement outbox: a win or rollback is written as ``pending`` in the
same transaction that decides it, before any wallet call, so a crash can delay money but never forget it.

Transactions: ``pending`` (to deliver, or in flight) -> ``acked`` | ``refused`` (the wallet said no: final) |
``failed`` (a bet whose outcome is unknown: its rollback is queued) | ``abandoned`` (retried past the age
limit). Only a ``pending`` transaction changes status; whoever records an answer second (a stalled process, a
worker that took over) changes nothing, and learns so from the return value.

Rounds (``ROUND_STATUSES``; docs/settlement.md draws the machine)::

    open --bet refused--> void
    open --bet failed or orphaned--> rolling_back --rollback acked--> rolled_back
    open --(multi-step) action claimed--> acting --action done--> open
    open | acting --closing win queued--> settling --win acked--> closed
    settling | rolling_back --refused, or retried past the age limit--> manual

``closed``, ``void`` and ``rolled_back`` are final; ``manual`` waits for a human. Nothing automatic leaves
them.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from simulator.dialects.call import WalletCall
from simulator.jsonbytes import dumps
from simulator.store import session_cache
from simulator.store.database import Database, Row, Tx
from simulator.store.schema import _UNFINISHED, MIGRATIONS
from simulator.store.session_cache import SessionCache
from simulator.store.sqlite import SqliteDatabase

ROUND_STATUSES = ("open", "acting", "settling", "rolling_back", "manual", "closed", "void", "rolled_back")
FINAL_ROUND_STATUSES = frozenset({"closed", "void", "rolled_back"})
UNSETTLED_ROUND_STATUSES = tuple(s for s in ROUND_STATUSES if s not in FINAL_ROUND_STATUSES)
TRANSACTION_STATUSES = ("pending", "acked", "refused", "failed", "abandoned")
_SETTLED_OR_MANUAL = "('closed', 'void', 'rolled_back', 'manual')"


# Sessions, rounds and transactions are built several times a round, so they are plain slotted dataclasses: a frozen
# one sets each field through object.__setattr__, which made building a transaction four times slower. Nothing
# changes them in place; a change is a new record (dataclasses.replace) written back through the store.
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


def _dumps(value: Any) -> str:
    return dumps(value).decode()


def _placeholders(n: int) -> str:
    return ", ".join("?" * n)


@dataclass(frozen=True, slots=True)
class SettlementSummary:
    """Counts for the settlement report: rounds by status, transactions by kind and status, and retries
    (attempts beyond the first, as recorded: an attempt cut short by a crash leaves no record)."""

    rounds: dict[str, int]
    transactions: dict[str, dict[str, int]]
    retries: int
    pending: int
    oldest_pending_at: float | None


class ProviderStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        # SQLite, written by this process alone, holds sessions in memory and writes nonces behind; PostgreSQL, shared
        # by workers, reads and writes them through
        self._cache = SessionCache(db, Session.from_row) if isinstance(db, SqliteDatabase) else None

    async def migrate(self) -> None:
        await self.db.migrate("provider", MIGRATIONS)
        if self._cache is not None:
            await self.db.migrate("nonce_mark", session_cache.MIGRATIONS)

    async def close(self) -> None:
        """Write the nonces counted ahead back to the sessions table, then close the database. If the write-back
        fails, nothing is lost: the next process counts on from the rounds."""
        try:
            if self._cache is not None:
                await self._cache.write_back()
        finally:
            await self.db.close()

    async def _session(self, tx: Tx, token: str, *, lock: bool = False) -> Session | None:
        """The session with its next nonce; ``lock`` its row on PostgreSQL, to move the nonce."""
        if self._cache is not None:
            return await self._cache.session(tx, token)
        sql = f"SELECT * FROM sessions WHERE token = ?{tx.for_update if lock else ''}"  # noqa: S608
        row = await tx.fetchone(sql, token)
        return None if row is None else Session.from_row(row)

    # sessions

    async def create_session(self, session: Session) -> None:
        cols = Session.__slots__
        async with self.db.transaction() as tx:
            await tx.execute(
                f"INSERT INTO sessions ({', '.join(cols)}) VALUES ({_placeholders(len(cols))})",  # noqa: S608
                *(getattr(session, k) if k != "demo" else int(session.demo) for k in cols),
            )

    async def get_session(self, token: str) -> Session | None:
        async with self.db.transaction() as tx:
            return await self._session(tx, token)

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
            if self._cache is not None:  # the row changed: read it again (a count under the old seed no longer applies)
                self._cache.drop(token)
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
        decide: Callable[[Session | None], tuple[Round, list[Transaction]]],
    ) -> tuple[Round, list[Transaction]]:
        """Lock the session, let ``decide`` check it and compute the round from its current nonce, then persist
        the round, its first transactions and the next nonce atomically. ``decide`` is pure and may raise to
        abort; it gets ``None`` for an unknown token, so that a round costs one transaction, not two."""
        # ``decide`` runs before the first write and nothing after it raises, so the transaction needs no savepoint
        cache = self._cache
        async with self.db.transaction(savepoint=False) as tx:
            session = await self._session(tx, token, lock=True)
            round_, txs = decide(session)
            await self._insert_round(tx, round_)
            for t in txs:
                await self._insert_transaction(tx, t)
            if cache is None:
                await tx.execute("UPDATE sessions SET nonce = nonce + 1 WHERE token = ?", token)
            elif session is not None:
                cache.used(session)
        if cache is not None and cache.due:
            await cache.write_back()
        return round_, txs

    async def open_rounds(self, token: str) -> list[Round]:
        async with self.db.transaction() as tx:
            rows = await tx.fetchall(
                f"SELECT * FROM rounds WHERE session_token = ? AND {_UNFINISHED} ORDER BY created_at",  # noqa: S608
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
    ) -> bool:
        """End a player action: store the new state (if any) and hand the round back, or queue its win. False,
        with nothing changed, when the round is no longer ``acting`` (a worker handed it back meanwhile)."""
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
            changed = await tx.execute(
                f"UPDATE rounds SET {', '.join(sets)} WHERE round_id = ? AND status = 'acting'",  # noqa: S608
                *args,
                round_id,
            )
            if changed and follow_up is not None:
                await self._insert_transaction(tx, follow_up)
        return changed == 1

    async def add_transaction(self, t: Transaction) -> None:
        async with self.db.transaction() as tx:
            await self._insert_transaction(tx, t)

    async def get_round(self, round_id: str) -> Round | None:
        async with self.db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM rounds WHERE round_id = ?", round_id)
        return None if row is None else Round.from_row(row)

    async def rounds(
        self, *, statuses: Sequence[str] | None = None, after: str | None = None, limit: int = 1000
    ) -> list[Round]:
        """Rounds oldest first, optionally only those in ``statuses``; ``after`` is the last round id of the
        previous page."""
        where: list[str] = []
        args: list[Any] = []
        if statuses:
            where.append(f"status IN ({_placeholders(len(statuses))})")
            args += statuses
        async with self.db.transaction() as tx:
            if after is not None:
                cursor = await tx.fetchone("SELECT created_at FROM rounds WHERE round_id = ?", after)
                if cursor is None:
                    return []
                where.append("(created_at > ? OR (created_at = ? AND round_id > ?))")
                args += [cursor["created_at"], cursor["created_at"], after]
            condition = " WHERE " + " AND ".join(where) if where else ""
            sql = f"SELECT * FROM rounds{condition} ORDER BY created_at, round_id LIMIT ?"  # noqa: S608
            rows = await tx.fetchall(sql, *args, limit)
        return [Round.from_row(r) for r in rows]

    async def release_stale_rounds(
        self, older_than: float, now: float, make_rollback: Callable[[Transaction, bool], Transaction]
    ) -> list[Transaction]:
        """Hand back multi-step rounds left ``acting`` by a process that died mid-action. An extra bet it got
        acknowledged but never applied to the round (acknowledged bets exceed the round's stake) is rolled
        back. Rounds whose extra bet is still pending are left to ``recover_orphan``."""
        queued: list[Transaction] = []
        async with self.db.transaction() as tx:
            in_flight = "SELECT 1 FROM transactions t WHERE t.round_id = rounds.round_id AND t.status = 'pending'"
            stale = f"status = 'acting' AND updated_at < ? AND NOT EXISTS ({in_flight})"
            sql = f"SELECT * FROM rounds WHERE {stale}"  # noqa: S608
            rows = await tx.fetchall(sql + tx.for_update, older_than)
            for row in rows:
                round_ = Round.from_row(row)
                bets = await tx.fetchall(
                    "SELECT * FROM transactions WHERE round_id = ? AND kind = 'bet' AND status = 'acked' ORDER BY seq",
                    round_.round_id,
                )
                reversed_ids = {
                    r["reference_transaction_id"]
                    for r in await tx.fetchall(
                        "SELECT reference_transaction_id FROM transactions WHERE round_id = ? AND kind = 'rollback'",
                        round_.round_id,
                    )
                }
                live = [Transaction.from_row(b) for b in bets if b["transaction_id"] not in reversed_ids]
                excess = sum(b.amount for b in live) - round_.stake
                for bet in reversed(live[1:]):
                    if excess <= 0:
                        break
                    rollback = make_rollback(bet, False)
                    await self._insert_transaction(tx, rollback)
                    queued.append(rollback)
                    excess -= bet.amount
                await tx.execute(
                    "UPDATE rounds SET status = 'open', version = version + 1, updated_at = ?"
                    " WHERE round_id = ? AND status = 'acting'",
                    now,
                    round_.round_id,
                )
        return queued

    _INSERT_ROUND = f"INSERT INTO rounds ({', '.join(Round.__slots__)}) VALUES ({_placeholders(len(Round.__slots__))})"  # noqa: S608
    _ROUND_VALUES = operator.attrgetter(*Round.__slots__)
    _ROUND_JSON = tuple(i for i, k in enumerate(Round.__slots__) if k in ("params", "outcome"))

    @classmethod
    async def _insert_round(cls, tx: Tx, r: Round) -> None:
        values = list(cls._ROUND_VALUES(r))
        for i in cls._ROUND_JSON:
            values[i] = _dumps(values[i])
        await tx.execute(cls._INSERT_ROUND, *values)

    # transactions

    _TX_COLUMNS = tuple(k for k in Transaction.__slots__ if k != "seq")
    _INSERT_TRANSACTION = (
        f"INSERT INTO transactions ({', '.join(_TX_COLUMNS)}) VALUES ({_placeholders(len(_TX_COLUMNS))})"  # noqa: S608
    )
    _TX_VALUES = operator.attrgetter(*_TX_COLUMNS)
    _TX_CLOSED = _TX_COLUMNS.index("round_closed")

    async def _insert_transaction(self, tx: Tx, t: Transaction) -> None:
        values = list(self._TX_VALUES(t))
        values[self._TX_CLOSED] = int(t.round_closed)  # an INTEGER column
        await tx.execute(self._INSERT_TRANSACTION, *values)

    async def get_transaction(self, transaction_id: str) -> Transaction | None:
        async with self.db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM transactions WHERE transaction_id = ?", transaction_id)
        return None if row is None else Transaction.from_row(row)

    async def settle(
        self,
        t: Transaction,
        *,
        status: str,
        now: float,
        balance: int | None = None,
        error: str | None = None,
        round_status: str | None = None,
        round_win: int | None = None,
        follow_up: Transaction | None = None,
    ) -> bool:
        """Record the wallet's answer to a pending transaction and, atomically, what follows from it (round
        status, the next pending transaction). False, with nothing changed, when the transaction is no longer
        pending: its fate was already recorded (by a worker that took an orphan over, or a twin delivery)."""
        transaction_id = t.transaction_id
        # its first write decides whether it writes anything, and nothing after it raises: no savepoint needed
        async with self.db.transaction(savepoint=False) as tx:
            changed = await tx.execute(
                "UPDATE transactions SET status = ?, attempts = attempts + 1, balance_after = ?,"
                " last_error = ?, updated_at = ? WHERE transaction_id = ? AND status = 'pending'",
                status,
                balance,
                error,
                now,
                transaction_id,
            )
            if not changed:
                return False
            if round_status is not None:
                sets, args = "status = ?, updated_at = ?", [round_status, now]
                if round_win is not None:
                    sets, args = sets + ", win = ?", [*args, round_win]
                await tx.execute(
                    f"UPDATE rounds SET {sets} WHERE round_id = ? AND status NOT IN {_SETTLED_OR_MANUAL}",  # noqa: S608
                    *args,
                    t.round_id,
                )
            if follow_up is not None:
                await self._insert_transaction(tx, follow_up)
        return True

    async def reschedule(self, transaction_id: str, *, next_attempt_at: float, error: str, now: float) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE transactions SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,"
                " updated_at = ? WHERE transaction_id = ? AND status = 'pending'",
                next_attempt_at,
                error,
                now,
                transaction_id,
            )

    async def claim_due(self, now: float, *, lease: float, limit: int = 100) -> list[Transaction]:
        """Pending wins and rollbacks whose time has come, leased to this process for ``lease`` seconds."""
        async with self.db.transaction() as tx:
            due = "status = 'pending' AND kind != 'bet' AND next_attempt_at <= ?"
            sql = f"SELECT * FROM transactions WHERE {due} ORDER BY next_attempt_at LIMIT ?{tx.skip_locked}"  # noqa: S608
            rows = await tx.fetchall(sql, now, limit)
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

    async def recover_orphan(
        self, transaction_id: str, now: float, make_rollback: Callable[[Transaction, bool], Transaction]
    ) -> Transaction | None:
        """Declare a bet left in flight ``failed`` and queue its rollback, atomically and only if it is still
        pending (another process may have recorded it meanwhile). The rollback of a round's opening bet closes
        the round; the rollback of an extra bet (double, split) hands the round back to the player instead."""
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                f"SELECT * FROM transactions WHERE transaction_id = ? AND status = 'pending'{tx.for_update}",  # noqa: S608
                transaction_id,
            )
            if row is None:
                return None
            bet = Transaction.from_row(row)
            first = await tx.fetchone(
                "SELECT transaction_id FROM transactions WHERE round_id = ? AND kind = 'bet' ORDER BY seq LIMIT 1",
                bet.round_id,
            )
            opening = first is not None and first["transaction_id"] == bet.transaction_id
            await tx.execute(
                "UPDATE transactions SET status = 'failed', attempts = attempts + 1, last_error = 'orphaned',"
                " updated_at = ? WHERE transaction_id = ?",
                now,
                transaction_id,
            )
            rollback = make_rollback(bet, opening)
            await self._insert_transaction(tx, rollback)
            if opening:
                await tx.execute(
                    "UPDATE rounds SET status = 'rolling_back', updated_at = ?"
                    " WHERE round_id = ? AND status IN ('open', 'acting')",
                    now,
                    bet.round_id,
                )
            else:
                await tx.execute(
                    "UPDATE rounds SET status = 'open', version = version + 1, updated_at = ?"
                    " WHERE round_id = ? AND status = 'acting'",
                    now,
                    bet.round_id,
                )
        return rollback

    async def transactions(
        self,
        *,
        after: int = 0,
        limit: int = 1000,
        round_id: str | None = None,
        player_id: str | None = None,
        status: str | None = None,
        kind: str | None = None,
    ) -> list[Transaction]:
        """The log in ``seq`` order after ``after``; a cursor that follows it never skips a row."""
        where, args = ["seq > ?"], list[Any]([after])
        for column, value in (
            ("round_id", round_id),
            ("player_id", player_id),
            ("status", status),
            ("kind", kind),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        sql = f"SELECT * FROM transactions WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?"  # noqa: S608
        async with self.db.transaction() as tx:
            await tx.barrier("transactions")
            rows = await tx.fetchall(sql, *args, limit)
        return [Transaction.from_row(r) for r in rows]

    async def round_transactions(self, round_id: str) -> list[Transaction]:
        async with self.db.transaction() as tx:
            rows = await tx.fetchall("SELECT * FROM transactions WHERE round_id = ? ORDER BY seq", round_id)
        return [Transaction.from_row(r) for r in rows]

    async def summary(self) -> SettlementSummary:
        async with self.db.transaction() as tx:
            by_round = await tx.fetchall("SELECT status, COUNT(*) AS n FROM rounds GROUP BY status")
            by_tx = await tx.fetchall(
                "SELECT kind, status, COUNT(*) AS n,"
                " SUM(CASE WHEN attempts > 1 AND kind != 'bet' THEN attempts - 1 ELSE 0 END) AS retries"
                " FROM transactions GROUP BY kind, status"
            )
            pending = await tx.fetchone(
                "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM transactions WHERE status = 'pending'"
            )
        assert pending is not None
        transactions: dict[str, dict[str, int]] = {}
        for row in by_tx:
            transactions.setdefault(row["kind"], {})[row["status"]] = int(row["n"])
        return SettlementSummary(
            rounds={row["status"]: int(row["n"]) for row in by_round},
            transactions=transactions,
            retries=sum(int(row["retries"] or 0) for row in by_tx),
            pending=int(pending["n"]),
            oldest_pending_at=None if pending["oldest"] is None else float(pending["oldest"]),
        )
