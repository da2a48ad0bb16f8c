"""Game sessions, their committed fairness seeds and next nonces, and the seeds revealed by rotation.

A round's nonce is taken when the round is recorded (``RoundRepository.open``), under the session's lock; reading a
session here locks nothing, so the nonce read may be taken by another round before this one is recorded, and the
round is then computed again.

A round starts from the session as this process last saw it (``current``): held by the session cache on SQLite, and
by ``RecentSessions`` on PostgreSQL, so computing a round reads nothing. On PostgreSQL that is a guess, which the
recording checks (another worker may have played the session since): a wrong guess costs one retry, and a round on a
session one process serves costs no read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from simulator.store.database import Database, Tx
from simulator.store.records import Session
from simulator.store.session_cache import SessionCache

EXPIRED = "expired"

SessionClosed = Callable[[Tx, str, float], Awaitable[None]]
"""Called inside the transaction that closes a session (its token), after its row says when and why."""


async def mark_closed(tx: Tx, token: str, reason: str, now: float) -> bool:
    """Close the session with ``reason``, once: false when it was closed already (or is unknown)."""
    return bool(
        await tx.execute(
            "UPDATE sessions SET closed_at = ?, closed_reason = ? WHERE token = ? AND closed_at IS NULL",
            now,
            reason,
            token,
        )
    )


def placeholders(n: int) -> str:
    return ", ".join("?" * n)


async def read_session(tx: Tx, cache: SessionCache | None, token: str) -> Session | None:
    """The session with its next nonce (held and counted by ``cache`` on SQLite)."""
    if cache is not None:
        return await cache.session(tx, token)
    row = await tx.fetchone("SELECT * FROM sessions WHERE token = ?", token)
    return None if row is None else Session.from_row(row)


class RecentSessions:
    """The sessions this process read or played last on PostgreSQL (at most ``limit``), each with the nonce it expects
    next."""

    def __init__(self, limit: int = 8192) -> None:
        self._limit = limit
        self._held: dict[str, Session] = {}

    def get(self, token: str) -> Session | None:
        return self._held.get(token)

    def put(self, session: Session) -> None:
        if session.token not in self._held and len(self._held) >= self._limit:
            del self._held[next(iter(self._held))]  # the longest held
        self._held[session.token] = session

    def played(self, token: str, nonce: int) -> None:
        """A round of the session was recorded with ``nonce``."""
        held = self._held.get(token)
        if held is not None and held.nonce == nonce:
            self._held[token] = held.at(nonce + 1)

    def drop(self, token: str) -> None:
        self._held.pop(token, None)


class SessionRepository:
    def __init__(self, db: Database, cache: SessionCache | None, recent: RecentSessions | None = None) -> None:
        """``cache`` holds sessions on SQLite, ``recent`` on PostgreSQL."""
        self._db = db
        self._cache = cache
        self._recent = recent
        self._closed: SessionClosed | None = None

    def subscribe(self, sink: SessionClosed) -> None:
        """Have ``sink`` write with every session ``close_expired`` closes (webhooks: only when configured)."""
        self._closed = sink

    async def close_expired(self, now: float, limit: int = 100) -> int:
        """Close up to ``limit`` sessions whose time ran out by ``now`` and that nothing closed before, each with
        reason ``expired`` and its ``SessionClosed`` sink in one transaction; returns how many closed. Each close is
        conditional, so two processes sweeping at once close a session once. The round path needs none of this: it
        refuses a session past its expiry whether or not the sweep has been by."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT token FROM sessions WHERE closed_at IS NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?",
                now,
                limit,
            )
            closed = 0
            for row in rows:
                if await mark_closed(tx, row["token"], EXPIRED, now):
                    closed += 1
                    if self._closed is not None:
                        await self._closed(tx, row["token"], now)
        return closed

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
        """The session to compute a round from, as this process last saw it (read the first time)."""
        held = (
            self._cache.held(token)
            if self._cache is not None
            else None
            if self._recent is None
            else self._recent.get(token)
        )
        if held is not None:
            return held
        # read-only: no savepoint to undo it
        async with self._db.transaction(savepoint=False) as tx:
            session = await read_session(tx, self._cache, token)
        if session is not None and self._recent is not None:
            self._recent.put(session)
        return session

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
            if self._recent is not None:
                self._recent.drop(token)
            updated = await tx.fetchone("SELECT * FROM sessions WHERE token = ?", token)
        assert updated is not None
        return Session.from_row(updated)

    async def revealed_seed(self, server_seed_hash: str) -> str | None:
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT server_seed FROM revealed_seeds WHERE server_seed_hash = ?", server_seed_hash
            )
        return None if row is None else str(row["server_seed"])
