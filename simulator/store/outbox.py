"""The transaction log, which is also the durable settlement outbox: a win or rollback is written ``pending`` in the
same transaction that decides it, before any wallet call, so a crash can delay money but never forget it.

Only a ``pending`` transaction changes status (``settle``); whoever records an answer second (a stalled process, a
worker that took over) changes nothing, and learns so from the return value.

Webhook deliveries go through the same outbox: ``settle`` hands each round event it records to the subscribed
``EventSink`` inside its own database transaction, so the event rows (``webhook_deliveries``) commit with the round's
move or not at all, and the settlement worker delivers them as it delivers wins, leased, retried with backoff, each
recorded once (``EventOutbox``).
"""

from __future__ import annotations

import operator
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from simulator.bonus import context
from simulator.lifecycle import RoundEvent, Step, TransactionKind, TransactionStatus
from simulator.store.database import Database, Tx
from simulator.store.records import Transaction
from simulator.store.transitions import transition

_COLUMNS = tuple(k for k in Transaction.__slots__ if k != "seq")
_INSERT = f"INSERT INTO transactions ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"  # noqa: S608
_VALUES = operator.attrgetter(*_COLUMNS)
_CLOSED = _COLUMNS.index("round_closed")


async def insert_transaction(tx: Tx, t: Transaction) -> None:
    values = list(_VALUES(t))
    values[_CLOSED] = int(t.round_closed)  # an INTEGER column
    await tx.execute(_INSERT, *values)


@dataclass(frozen=True, slots=True)
class SettlementSummary:
    """Counts for the settlement report: rounds by status, transactions by kind and status, and retries
    (attempts beyond the first, as recorded: an attempt cut short by a crash leaves no record)."""

    rounds: dict[str, int]
    transactions: dict[str, dict[str, int]]
    retries: int
    pending: int
    oldest_pending_at: float | None


EventSink = Callable[[Tx, Transaction, RoundEvent, float], Awaitable[None]]
"""Called inside ``settle``'s transaction for each round event it records, and for a promotional win's settlement
(which has no round to move): writes the events that follow."""
FreeBetSettled = Callable[[Tx, Transaction, TransactionStatus, float], Awaitable[bool]]
"""Counts a free-round bet's settlement inside the transaction that records it (``CampaignRepository``)."""
BetTaken = Callable[[Tx, Transaction, float], Awaitable[None]]
"""Applies what an acknowledged bet's round owes beside its money, inside the transaction that records the
acknowledgement (``simulator.bonus.jackpots``: the round's jackpot contribution and win)."""


def _promo(t: Transaction) -> bool:
    bonus = context.decode(t.bonus)
    return bonus is not None and bonus.get("type") == context.PROMO


async def _lease_due(
    tx: Tx, table: str, key: str, due: str, order: str, now: float, lease: float, limit: int
) -> list[Any]:
    """The rows of ``table`` that are ``due`` (a condition on ``now``), oldest first by ``order``, leased to this
    process for ``lease`` seconds (their next attempt moved on); rows another process holds are skipped."""
    sql = f"SELECT * FROM {table} WHERE {due} ORDER BY {order} LIMIT ?{tx.skip_locked}"  # noqa: S608
    rows = await tx.fetchall(sql, now, limit)
    for row in rows:
        await tx.execute(f"UPDATE {table} SET next_attempt_at = ? WHERE {key} = ?", now + lease, row[key])  # noqa: S608
    return list(rows)


async def _reschedule(
    db: Database, table: str, key: str, row_id: str, next_attempt_at: float, error: str, now: float
) -> None:
    """Count a failed attempt on the pending row of ``table`` whose ``key`` is ``row_id`` and set its next one."""
    async with db.transaction() as tx:
        await tx.execute(
            f"UPDATE {table} SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,"  # noqa: S608
            f" updated_at = ? WHERE {key} = ? AND status = 'pending'",
            next_attempt_at,
            error,
            now,
            row_id,
        )


class Outbox:
    def __init__(self, db: Database, *, free_bet_settled: FreeBetSettled | None = None) -> None:
        self._db = db
        self._events: EventSink | None = None
        self._free_bet_settled = free_bet_settled
        self._bet_taken: BetTaken | None = None

    def on_bet_taken(self, hook: BetTaken) -> None:
        self._bet_taken = hook

    def subscribe(self, sink: EventSink) -> None:
        """Have ``sink`` write events with every round move ``settle`` records (webhooks: only when configured)."""
        self._events = sink

    async def add(self, t: Transaction) -> None:
        async with self._db.transaction() as tx:
            await insert_transaction(tx, t)

    async def add_new(self, ts: list[Transaction]) -> dict[str, Transaction]:
        """Log those of ``ts`` whose transaction id is new, all in one transaction, and return the ones already logged
        (by id), as they are. When one of those differs from its request (amount, currency, bonus), nothing is written:
        the caller refuses the request."""
        async with self._db.transaction() as tx:
            known: dict[str, Transaction] = {}
            for t in ts:
                sql = f"SELECT * FROM transactions WHERE transaction_id = ?{tx.for_update}"  # noqa: S608
                row = await tx.fetchone(sql, t.transaction_id)
                if row is not None:
                    known[t.transaction_id] = Transaction.from_row(row)
            conflicting = any(
                (k.amount, k.currency, k.bonus) != (t.amount, t.currency, t.bonus)
                for t in ts
                if (k := known.get(t.transaction_id)) is not None
            )
            if not conflicting:
                for t in ts:
                    if t.transaction_id not in known:
                        await insert_transaction(tx, t)
        return known

    async def get(self, transaction_id: str) -> Transaction | None:
        async with self._db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM transactions WHERE transaction_id = ?", transaction_id)
        return None if row is None else Transaction.from_row(row)

    async def settle(
        self,
        t: Transaction,
        step: Step,
        *,
        now: float,
        balance: int | None = None,
        error: str | None = None,
    ) -> bool:
        """Record ``step`` for a pending transaction: its new status and, atomically, the round's event (applied
        only from one of its legal sources) and the transaction that follows. False, with nothing changed, when
        the transaction is no longer pending: its fate was already recorded (by a worker that took an orphan
        over, or a twin delivery)."""
        # its first write decides whether it writes anything, and nothing after it raises: no savepoint needed
        async with self._db.transaction(savepoint=False) as tx:
            changed = await tx.execute(
                "UPDATE transactions SET status = ?, attempts = attempts + 1, balance_after = ?,"
                " last_error = ?, updated_at = ? WHERE transaction_id = ? AND status = 'pending'",
                str(step.status),  # a plain string: sqlite3 binds a str subclass through its slow adaptation
                balance,
                error,
                now,
                t.transaction_id,
            )
            if not changed:
                return False
            if step.round_event is not None:
                moved = await transition(tx, t.round_id, step.round_event, now)
                # a promotional win has no round to move: its event is the payout's own
                if self._events is not None and (moved or (t.bonus is not None and _promo(t))):
                    await self._events(tx, t, step.round_event, now)
            if step.follow_up is not None:
                await insert_transaction(tx, step.follow_up)
            if t.bonus is not None and t.kind == TransactionKind.BET and self._free_bet_settled is not None:
                await self._free_bet_settled(tx, t, step.status, now)
            if self._bet_taken is not None and t.kind == TransactionKind.BET and step.status == TransactionStatus.ACKED:
                await self._bet_taken(tx, t, now)
        return True

    async def reschedule(self, transaction_id: str, *, next_attempt_at: float, error: str, now: float) -> None:
        await _reschedule(self._db, "transactions", "transaction_id", transaction_id, next_attempt_at, error, now)

    async def claim_due(self, now: float, *, lease: float, limit: int = 100) -> list[Transaction]:
        """Pending wins and rollbacks whose time has come, leased to this process for ``lease`` seconds."""
        async with self._db.transaction() as tx:
            due = "status = 'pending' AND kind != 'bet' AND next_attempt_at <= ?"
            rows = await _lease_due(tx, "transactions", "transaction_id", due, "next_attempt_at", now, lease, limit)
        return [Transaction.from_row(r) for r in rows]

    async def orphaned_bets(self, older_than: float) -> list[Transaction]:
        """Bets still pending long after any wallet call could have lasted: their process died mid-call."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT * FROM transactions WHERE status = 'pending' AND kind = 'bet' AND created_at < ?",
                older_than,
            )
        return [Transaction.from_row(r) for r in rows]

    async def opening_bet(self, round_id: str) -> Transaction | None:
        """The round's first bet, written with the round; the others are extra bets of its actions."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT * FROM transactions WHERE round_id = ? AND kind = 'bet' ORDER BY seq LIMIT 1", round_id
            )
        return None if row is None else Transaction.from_row(row)

    async def live_bets(self, round_id: str) -> list[Transaction]:
        """The round's acknowledged bets that no rollback reverses, in order."""
        t = await self.of_round(round_id)
        reversed_ids = {r.reference_transaction_id for r in t if r.kind == TransactionKind.ROLLBACK}
        return [
            b
            for b in t
            if b.kind == TransactionKind.BET
            and b.status == TransactionStatus.ACKED
            and b.transaction_id not in reversed_ids
        ]

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
        async with self._db.transaction() as tx:
            await tx.barrier("transactions")
            rows = await tx.fetchall(sql, *args, limit)
        return [Transaction.from_row(r) for r in rows]

    async def of_round(self, round_id: str) -> list[Transaction]:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall("SELECT * FROM transactions WHERE round_id = ? ORDER BY seq", round_id)
        return [Transaction.from_row(r) for r in rows]

    async def summary(self) -> SettlementSummary:
        async with self._db.transaction() as tx:
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


EVENT_MIGRATIONS = (
    (
        """CREATE TABLE IF NOT EXISTS webhook_deliveries (
            seq {serial},
            delivery_id TEXT NOT NULL UNIQUE,
            event_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            body TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at {real} NOT NULL,
            last_error TEXT,
            created_at {real} NOT NULL,
            updated_at {real} NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS webhook_deliveries_pending ON webhook_deliveries (next_attempt_at)"
        " WHERE status = 'pending'",
    ),
)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one endpoint; ``body`` is the exact JSON text every attempt sends."""

    delivery_id: str
    event_id: str
    event_type: str
    endpoint: str
    body: str
    attempts: int
    created_at: float


class EventOutbox:
    """Webhook deliveries: ``pending`` until the endpoint answers 2xx (``delivered``) or retries pass the age limit
    (``abandoned``). Like the transaction log, only a pending row changes, once."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    async def insert(tx: Tx, deliveries: Sequence[Delivery], now: float) -> None:
        for d in deliveries:
            await tx.execute(
                "INSERT INTO webhook_deliveries (delivery_id, event_id, event_type, endpoint, body, status, attempts,"
                " next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
                d.delivery_id,
                d.event_id,
                d.event_type,
                d.endpoint,
                d.body,
                now,
                now,
                now,
            )

    async def add(self, deliveries: Sequence[Delivery], now: float) -> None:
        async with self._db.transaction() as tx:
            await self.insert(tx, deliveries, now)

    async def claim_due(self, now: float, *, lease: float, limit: int = 100) -> list[Delivery]:
        async with self._db.transaction() as tx:
            due = "status = 'pending' AND next_attempt_at <= ?"
            order = "next_attempt_at, seq"
            rows = await _lease_due(tx, "webhook_deliveries", "delivery_id", due, order, now, lease, limit)
        return [
            Delivery(
                r["delivery_id"],
                r["event_id"],
                r["event_type"],
                r["endpoint"],
                r["body"],
                int(r["attempts"]),
                float(r["created_at"]),
            )
            for r in rows
        ]

    async def finish(self, delivery_id: str, status: str, *, now: float, error: str | None = None) -> bool:
        """Record ``delivered`` or ``abandoned``; false when another process recorded it first."""
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute(
                    "UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_error = ?,"
                    " updated_at = ? WHERE delivery_id = ? AND status = 'pending'",
                    status,
                    error,
                    now,
                    delivery_id,
                )
            )

    async def reschedule(self, delivery_id: str, *, next_attempt_at: float, error: str, now: float) -> None:
        await _reschedule(self._db, "webhook_deliveries", "delivery_id", delivery_id, next_attempt_at, error, now)

    async def counts(self) -> dict[str, int]:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall("SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status")
        return {str(r["status"]): int(r["n"]) for r in rows}
