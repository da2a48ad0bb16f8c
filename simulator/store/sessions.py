"""Game sessions, their committed fairness seeds and next nonces, and the seeds revealed by rotation.

A round's nonce is taken when the round is recorded (``RoundRepository.open``), under the session's lock; reading a
session here locks nothing, so the nonce read may be taken by another round before this one is recorded, and the
round is then computed again.
"""

from __future__ import annotations

from simulator.store.database import Database, Tx
from simulator.store.records import Session
from simulator.store.session_cache import SessionCache


def placeholders(n: int) -> str:
    return ", ".join("?" * n)


async def read_session(tx: Tx, cache: SessionCache | None, token: str) -> Session | None:
    """The session with its next nonce (held and counted by ``cache`` on SQLite)."""
    if cache is not None:
        return await cache.session(tx, token)
    row = await tx.fetchone("SELECT * FROM sessions WHERE token = ?", token)
    return None if row is None else Session.from_row(row)


class SessionRepository:
    def __init__(self, db: Database, cache: SessionCache | None) -> None:
        self._db = db
        self._cache = cache

    async def create(self, session: Session) -> None:
        cols = Session.__slots__
        async with self._db.transaction() as tx:
            await tx.execute(
                f"INSERT INTO sessions ({', '.join(cols)}) VALUES ({placeholders(len(cols))})",  # noqa: S608
                *(getattr(session, k) if k != "demo" else int(session.demo) for k in cols),
            )

    async def get(self, token: str) -> Session | None:
        async with self._db.transaction() as tx:
            return await read_session(tx, self._cache, token)

    async def current(self, token: str) -> Session | None:
        """The session to compute a round from: held in memory on SQLite once read, so a round reads nothing."""
        if self._cache is not None:
            held = self._cache.held(token)
            if held is not None:
                return held
        return await self.get(token)

    async def rotate_seed(self, token: str, new_seed: str, new_hash: str, client_seed: str, now: float) -> Session:
        """Reveal the current server seed and commit to a new one; the nonce starts again at 1."""
        async with self._db.transaction() as tx:
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
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT server_seed FROM revealed_seeds WHERE server_seed_hash = ?", server_seed_hash
            )
        return None if row is None else str(row["server_seed"])
