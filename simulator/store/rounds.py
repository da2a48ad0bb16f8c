"""Rounds: recorded with their nonce, moved only through ``simulator.store.transitions.transition``."""

from __future__ import annotations

import operator
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from simulator.jsonbytes import dumps
from simulator.lifecycle import ROUND_TRANSITIONS, RoundEvent, RoundStatus
from simulator.store.database import Database, Tx
from simulator.store.history import RoundHistory
from simulator.store.outbox import insert_transaction
from simulator.store.records import Round, Transaction
from simulator.store.schema import UNFINISHED
from simulator.store.session_cache import SessionCache
from simulator.store.sessions import RecentSessions, placeholders, read_session
from simulator.store.transitions import transition


def _dumps(value: Any) -> str:
    return dumps(value).decode()


class RoundRepository:
    def __init__(
        self, db: Database, cache: SessionCache | None, recent: RecentSessions | None, history: RoundHistory
    ) -> None:
        self._db = db
        self._history = history  # told of every round recorded, for the rounds it writes behind
        # SQLite, written by this process alone, holds sessions in memory and writes nonces behind; PostgreSQL, shared
        # by workers, writes each nonce through
        self._cache = cache
        self._recent = recent

    async def open(
        self, round_: Round, txs: Sequence[Transaction], *, claim: Callable[[Tx], Awaitable[None]] | None = None
    ) -> bool:
        """Record a round computed from its session's next nonce, its first transactions and the next nonce,
        atomically; false, with nothing written, when that nonce is no longer the session's next one (another round
        took it, or the seed pair was rotated): the caller computes the round again from the session as it is now.
        So no two rounds share a nonce, and no bet is sent before its round is recorded. ``claim`` writes what the
        round takes beside its nonce (a free round of a campaign); when it raises, nothing is written."""
        cache = self._cache
        token = round_.session_token
        # the first write decides whether anything is written and nothing after it raises: no savepoint needed, unless
        # a claim may raise after the nonce was taken
        async with self._db.transaction(savepoint=claim is not None) as tx:
            if cache is None:
                taken = await tx.execute(
                    "UPDATE sessions SET nonce = nonce + 1 WHERE token = ? AND nonce = ? AND server_seed_hash = ?",
                    token,
                    round_.nonce,
                    round_.server_seed_hash,
                )
                if not taken:
                    if self._recent is not None:  # the guess was wrong: read the session again
                        self._recent.drop(token)
                    return False
                if claim is not None:
                    await claim(tx)
            else:
                session = await read_session(tx, cache, token)
                if (
                    session is None
                    or session.nonce != round_.nonce
                    or session.server_seed_hash != round_.server_seed_hash
                ):
                    return False
                if claim is not None:
                    await claim(tx)
                cache.used(session)
            await self.insert(tx, round_)
            for t in txs:
                await insert_transaction(tx, t)
        if cache is not None and cache.due:
            await cache.write_back()
        if self._history.recorded():
            await self._history.fold()
        if self._recent is not None:
            self._recent.played(token, round_.nonce)
        return True

    async def unfinished(self, token: str) -> list[Round]:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                f"SELECT * FROM rounds WHERE session_token = ? AND {UNFINISHED} ORDER BY created_at",  # noqa: S608
                token,
            )
        return [Round.from_row(r) for r in rows]

    async def claim(self, round_id: str, version: int, now: float) -> bool:
        """Take the round for one player action; false when another action holds or changed it."""
        async with self._db.transaction() as tx:
            return await transition(
                tx, round_id, RoundEvent.ACTION_CLAIMED, now, where=" AND version = ?", args=[version]
            )

    async def release(
        self,
        round_id: str,
        *,
        now: float,
        outcome: dict[str, Any] | None = None,
        stake: int | None = None,
        win: int | None = None,
        event: RoundEvent = RoundEvent.ACTION_DONE,
        follow_up: Transaction | None = None,
    ) -> bool:
        """End a player action (``ACTION_DONE``, or ``FINAL_ACTION_DONE`` with the closing win as ``follow_up``):
        store the new state (if any) with the event and queue ``follow_up``. False, with nothing changed, when the
        round is no longer ``acting`` (a worker handed it back meanwhile)."""
        assert RoundStatus.ACTING in ROUND_TRANSITIONS[event].sources
        sets = [
            (column, value)
            for column, value in (
                ("outcome", None if outcome is None else _dumps(outcome)),
                ("stake", stake),
                ("win", win),
            )
            if value is not None
        ]
        async with self._db.transaction() as tx:
            changed = await transition(tx, round_id, event, now, sets=sets)
            if changed and follow_up is not None:
                await insert_transaction(tx, follow_up)
        return changed

    async def get(self, round_id: str) -> Round | None:
        async with self._db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM rounds WHERE round_id = ?", round_id)
        return None if row is None else Round.from_row(row)

    async def page(
        self, *, statuses: Sequence[str] | None = None, after: str | None = None, limit: int = 1000
    ) -> list[Round]:
        """Rounds oldest first, optionally only those in ``statuses``; ``after`` is the last round id of the
        previous page."""
        where: list[str] = []
        args: list[Any] = []
        if statuses:
            where.append(f"status IN ({placeholders(len(statuses))})")
            args += statuses
        async with self._db.transaction() as tx:
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

    _IDLE = (
        " AND updated_at < ? AND NOT EXISTS"
        " (SELECT 1 FROM transactions t WHERE t.round_id = rounds.round_id AND t.status = 'pending')"
    )

    async def stale(self, older_than: float) -> list[Round]:
        """Multi-step rounds left ``acting`` by a process that died mid-action: untouched since ``older_than`` and
        with no transaction in flight (a round whose extra bet is still pending is the orphan recovery's)."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(f"SELECT * FROM rounds WHERE status = 'acting'{self._IDLE}", older_than)  # noqa: S608
        return [Round.from_row(r) for r in rows]

    async def hand_back(self, round_: Round, older_than: float, now: float, refunds: Sequence[Transaction]) -> bool:
        """Hand a stale round (as ``stale`` read it) back to the player and queue ``refunds``, atomically; false, with
        nothing changed, when the round has moved or been acted on since."""
        async with self._db.transaction() as tx:
            where = f" AND version = ?{self._IDLE}"
            changed = await transition(
                tx, round_.round_id, RoundEvent.ACTION_ABANDONED, now, where=where, args=[round_.version, older_than]
            )
            if changed:
                for t in refunds:
                    await insert_transaction(tx, t)
        return changed

    _INSERT = f"INSERT INTO rounds ({', '.join(Round.__slots__)}) VALUES ({placeholders(len(Round.__slots__))})"  # noqa: S608
    _VALUES = operator.attrgetter(*Round.__slots__)
    _JSON = tuple(i for i, k in enumerate(Round.__slots__) if k in ("params", "outcome"))

    @classmethod
    async def insert(cls, tx: Tx, r: Round) -> None:
        values = list(cls._VALUES(r))
        for i in cls._JSON:
            values[i] = _dumps(values[i])
        await tx.execute(cls._INSERT, *values)
