"""Progressive jackpot pools, one row per jackpot and currency, changed only inside the transaction that records a
round of a jackpot game.

A contribution is one upsert (``value = value + ?``), so it needs no read and, on PostgreSQL, takes the row's lock
until the round's transaction ends: two processes recording rounds of the same pool take turns, and a win reads the
value it pays under that lock. The win then resets the pool with an update conditional on the number of wins it saw,
so a value is paid at most once whatever runs at the same time. A pool is made at its first contribution, at its
seed; a game without a jackpot never touches this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.store.database import Database, StoreError, Tx

MIGRATIONS = (
    (
        """CREATE TABLE IF NOT EXISTS jackpot_pools (
        jackpot_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        seed BIGINT NOT NULL,
        value BIGINT NOT NULL,
        contributed BIGINT NOT NULL,
        paid BIGINT NOT NULL,
        wins INTEGER NOT NULL,
        updated_at {real} NOT NULL,
        PRIMARY KEY (jackpot_id, currency))""",
    ),
)

_COLUMNS = "jackpot_id, currency, seed, value, contributed, paid, wins, updated_at"


class PoolMoved(StoreError):
    """A pool's win count changed between the read and the reset: cannot happen under the row lock the
    contribution holds; raised rather than paying a value twice."""

    code = "JACKPOT_POOL_MOVED"


@dataclass(frozen=True, slots=True)
class Pool:
    jackpot_id: str
    currency: str
    seed: int
    value: int
    contributed: int
    paid: int
    wins: int
    updated_at: float


class JackpotPools:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def migrate(self) -> None:
        await self._db.migrate("jackpot_pools", MIGRATIONS)

    async def all(self) -> list[Pool]:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(f"SELECT {_COLUMNS} FROM jackpot_pools ORDER BY jackpot_id, currency")  # noqa: S608
        return [Pool(**dict(row)) for row in rows]


async def contribute(tx: Tx, jackpot_id: str, currency: str, seed: int, amount: int, now: float) -> None:
    """Add ``amount`` to the pool (made at ``seed`` if it has none yet)."""
    await tx.execute(
        "INSERT INTO jackpot_pools (jackpot_id, currency, seed, value, contributed, paid, wins, updated_at)"
        " VALUES (?, ?, ?, ?, ?, 0, 0, ?) ON CONFLICT (jackpot_id, currency) DO UPDATE"
        " SET value = jackpot_pools.value + ?, contributed = jackpot_pools.contributed + ?, updated_at = ?",
        jackpot_id,
        currency,
        seed,
        seed + amount,
        amount,
        now,
        amount,
        amount,
        now,
    )


async def take(tx: Tx, jackpot_id: str, currency: str, seed: int, now: float) -> int:
    """The pool's value, paid: the pool restarts at ``seed``. Called after ``contribute`` in the same transaction."""
    row = await tx.fetchone(
        f"SELECT value, wins FROM jackpot_pools WHERE jackpot_id = ? AND currency = ?{tx.for_update}",  # noqa: S608
        jackpot_id,
        currency,
    )
    if row is None:
        raise PoolMoved(f"jackpot pool {jackpot_id} {currency} does not exist")
    value, wins = int(row["value"]), int(row["wins"])
    reset = await tx.execute(
        "UPDATE jackpot_pools SET value = ?, seed = ?, paid = paid + ?, wins = wins + 1, updated_at = ?"
        " WHERE jackpot_id = ? AND currency = ? AND wins = ?",
        seed,
        seed,
        value,
        now,
        jackpot_id,
        currency,
        wins,
    )
    if not reset:
        raise PoolMoved(f"jackpot pool {jackpot_id} {currency} was won meanwhile")
    return value
