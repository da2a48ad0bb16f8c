"""Replay protection: every nonce a key used, remembered in the simulator's database until its timestamp could no
longer be accepted, so several processes on one PostgreSQL refuse each other's replays too.

The table is bounded: a row lives ``2 * window`` seconds at most (a timestamp may be up to ``window`` ahead of the
clock), expired rows are purged in passing every ``purge_interval`` seconds, and when ``capacity`` rows are live
anyway, new signed requests are refused with a 503 instead of forgetting a nonce early.

Errors::

    ReplayCacheFull(SimulatorError)     503: too many live nonces; retry shortly
"""

from __future__ import annotations

from simulator.clock import Clock
from simulator.errors import SimulatorError
from simulator.store.database import Database

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS operator_nonces (
        key_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        expires_at {real} NOT NULL,
        PRIMARY KEY (key_id, nonce)
    )""",
    "CREATE INDEX IF NOT EXISTS operator_nonces_expiry ON operator_nonces (expires_at)",
]
MIGRATIONS = (SCHEMA,)  # simulator.store.migrations


class ReplayCacheFull(SimulatorError, code="REPLAY_CACHE_FULL", status=503): ...


class NonceStore:
    def __init__(self, db: Database, clock: Clock, *, capacity: int, purge_interval: float = 30.0) -> None:
        self._db = db
        self._clock = clock
        self._capacity = capacity
        self._purge_interval = purge_interval
        self._purged_at: float | None = None
        self._live = 0  # rows at the last purge plus the ones this process added since: an estimate

    async def migrate(self) -> None:
        await self._db.migrate("operator_nonces", MIGRATIONS)

    async def remember(self, key_id: str, nonce: str, expires_at: float) -> bool:
        """True the first time ``(key_id, nonce)`` is seen while live; false for a replay. A row whose time is
        over counts as gone even before the purge removes it."""
        now = self._clock.now()
        due = self._purged_at is None or self._clock.monotonic() - self._purged_at >= self._purge_interval
        async with self._db.transaction() as tx:
            if due or self._live >= self._capacity:
                await tx.execute("DELETE FROM operator_nonces WHERE expires_at < ?", now)
                row = await tx.fetchone("SELECT COUNT(*) AS n FROM operator_nonces")
                self._live = int(row["n"]) if row is not None else 0
                self._purged_at = self._clock.monotonic()
            if self._live >= self._capacity:
                raise ReplayCacheFull(
                    "too many signed requests in the replay window; retry shortly", headers={"Retry-After": "1"}
                )
            added = await tx.execute(
                "INSERT INTO operator_nonces (key_id, nonce, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (key_id, nonce) DO UPDATE SET expires_at = excluded.expires_at"
                " WHERE operator_nonces.expires_at < ?",
                key_id,
                nonce,
                expires_at,
                now,
            )
        if added:
            self._live += 1
        return added == 1

    async def count(self) -> int:
        async with self._db.transaction() as tx:
            row = await tx.fetchone("SELECT COUNT(*) AS n FROM operator_nonces")
        return int(row["n"]) if row is not None else 0
