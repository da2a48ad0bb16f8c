"""A player's rounds, newest first, for the operator's game-history API: filtered by game, time and status, paged by
a (created_at, round_id) position, with totals over the whole selection per currency.

Finding a player's rounds needs them by player and time. On PostgreSQL that is an index on the rounds table. On
SQLite, the embedded default, such an index put each round into a page of its own player's part of the index: a group
commit of five rounds by five players wrote five more pages to the write-ahead log (4 KiB each), and the checkpoint
read them back and wrote them again, so a round dirtied about 40% more of the files (the ``disk KB`` column of
``bench/round_ab.py --pin`` in scenario b: 17.0 KB a round, against 12.2 before the index). So on SQLite the rounds
are written behind into a table of their own, ``player_rounds``, by player and time: every ``FOLD_EVERY`` rounds this
process records, and before every read, which therefore sees every round committed. A player's rounds of one fold
share pages, so a fold writes a page per player where the index wrote one per round. ``player_rounds_mark`` holds the
rowid of the last round folded (rounds are never deleted, so rowids only grow); a fold takes the rounds above it,
whichever process recorded them, under SQLite's one write lock.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from simulator.store.database import Database, Tx
from simulator.store.records import Round
from simulator.store.sessions import placeholders

log = logging.getLogger(__name__)

MIGRATIONS = (("CREATE INDEX IF NOT EXISTS rounds_player ON rounds (player_id, created_at, round_id)",),)
# every round's player, time and id, into the table written behind; a fold takes those above the mark
_COPY = (
    "INSERT OR IGNORE INTO player_rounds (player_id, created_at, round_id)"
    " SELECT player_id, created_at, round_id FROM rounds"
)
# SQLite only, after MIGRATIONS: the index gives way to the table written behind, filled with the rounds so far
DEFERRED_MIGRATIONS = (
    (
        "CREATE TABLE IF NOT EXISTS player_rounds (player_id TEXT NOT NULL, created_at REAL NOT NULL,"
        " round_id TEXT NOT NULL, PRIMARY KEY (player_id, created_at, round_id)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS player_rounds_mark (id INTEGER PRIMARY KEY CHECK (id = 0),"
        " round_rowid INTEGER NOT NULL)",
        _COPY,
        "INSERT OR IGNORE INTO player_rounds_mark (id, round_rowid) SELECT 0, COALESCE(MAX(rowid), 0) FROM rounds",
        "DROP INDEX IF EXISTS rounds_player",
    ),
)
FOLD_EVERY = 2048
"""Rounds recorded by this process between folds, so a fold copies about that many rows under the write lock."""
_FOLD = f"{_COPY} WHERE rowid > ? AND rowid <= ?"  # the rounds between two marks
# rounds that moved money: their stakes and wins count in the totals (void and rolled-back rounds took nothing)
MONEY_STATUSES = ("open", "acting", "settling", "manual", "closed")


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    player_id: str
    game_id: str | None = None
    since: float | None = None  # created at or after
    until: float | None = None  # created before
    statuses: Sequence[str] = ()
    before: tuple[float, str] | None = None  # the position of the last round of the previous page
    limit: int = 100

    def where(self, key: str) -> tuple[str, list[Any]]:
        """The conditions over ``r`` (the rounds) and ``key`` (the table of player, time and round id: ``r`` itself,
        or ``p``, the rounds written behind)."""
        clauses = [f"{key}.player_id = ?"]
        args: list[Any] = [self.player_id]
        if self.game_id is not None:
            clauses.append("r.game_id = ?")
            args.append(self.game_id)
        if self.since is not None:
            clauses.append(f"{key}.created_at >= ?")
            args.append(self.since)
        if self.until is not None:
            clauses.append(f"{key}.created_at < ?")
            args.append(self.until)
        if self.statuses:
            clauses.append(f"r.status IN ({placeholders(len(self.statuses))})")
            args += list(self.statuses)
        return " AND ".join(clauses), args


@dataclass(frozen=True, slots=True)
class Totals:
    currency: str
    rounds: int
    staked: int
    won: int

    @property
    def net(self) -> int:
        return self.won - self.staked


class RoundHistory:
    """The rounds by player: an index of the rounds table, or on SQLite the table written behind."""

    def __init__(self, db: Database, *, fold_every: int = FOLD_EVERY) -> None:
        self._db = db
        self.deferred = db.dialect == "sqlite"
        self._fold_every = fold_every
        # rounds this process recorded since its last fold; two folds at once (one due, one before a read) are correct,
        # since each takes the rounds above the mark under the write lock
        self._recorded = 0

    async def migrate(self) -> None:
        await self._db.migrate("round_history", MIGRATIONS)
        if self.deferred:
            await self._db.migrate("player_rounds", DEFERRED_MIGRATIONS)

    @property
    def source(self) -> tuple[str, str]:
        """``FROM`` text giving the rounds as ``r`` and their player, time and id as the second name."""
        if self.deferred:
            return "player_rounds p JOIN rounds r ON r.round_id = p.round_id", "p"
        return "rounds r", "r"

    def recorded(self) -> bool:
        """Count a round this process recorded: true when a fold is due (``fold``), once per ``fold_every`` rounds."""
        self._recorded += 1
        if not self.deferred or self._recorded < self._fold_every:
            return False
        self._recorded = 0
        return True

    async def fold(self) -> None:
        """Write behind every round recorded since the last fold, in a transaction of its own. It runs after a round
        was recorded, so it never fails one: an error is logged, and the next fold or read folds those rounds."""
        try:
            async with self._db.transaction() as tx:
                await self.fold_in(tx)
        except sqlite3.Error as exc:
            log.warning("rounds by player not written behind this time: %s", exc)

    async def fold_in(self, tx: Tx) -> None:
        """Inside ``tx``, before reading by player: bring the rounds written behind up to every round there is."""
        if not self.deferred:
            return
        self._recorded = 0
        mark = await tx.fetchone("SELECT round_rowid FROM player_rounds_mark WHERE id = 0")
        top = await tx.fetchone("SELECT COALESCE(MAX(rowid), 0) AS top FROM rounds")
        assert mark is not None and top is not None
        if int(top["top"]) > int(mark["round_rowid"]):
            await tx.execute(_FOLD, mark["round_rowid"], top["top"])
            await tx.execute("UPDATE player_rounds_mark SET round_rowid = ? WHERE id = 0", top["top"])

    async def page(self, query: HistoryQuery) -> list[Round]:
        source, key = self.source
        where, args = query.where(key)
        if query.before is not None:
            at, round_id = query.before
            where += f" AND ({key}.created_at < ? OR ({key}.created_at = ? AND {key}.round_id < ?))"
            args += [at, at, round_id]
        sql = (
            f"SELECT r.* FROM {source} WHERE {where}"  # noqa: S608
            f" ORDER BY {key}.created_at DESC, {key}.round_id DESC LIMIT ?"
        )
        async with self._db.transaction() as tx:
            await self.fold_in(tx)
            rows = await tx.fetchall(sql, *args, query.limit)
        return [Round.from_row(r) for r in rows]

    async def totals(self, query: HistoryQuery) -> list[Totals]:
        """Per currency over every round the query selects (all pages): how many, and the stakes and wins of those
        that moved money."""
        source, key = self.source
        where, args = query.where(key)
        money = f"r.status IN ({placeholders(len(MONEY_STATUSES))})"
        sql = (
            f"SELECT r.currency AS currency, COUNT(*) AS rounds,"  # noqa: S608
            f" COALESCE(SUM(CASE WHEN {money} THEN r.stake ELSE 0 END), 0) AS staked,"
            f" COALESCE(SUM(CASE WHEN {money} THEN r.win ELSE 0 END), 0) AS won"
            f" FROM {source} WHERE {where} GROUP BY r.currency ORDER BY r.currency"
        )
        async with self._db.transaction() as tx:
            await self.fold_in(tx)
            rows = await tx.fetchall(sql, *MONEY_STATUSES, *MONEY_STATUSES, *args)
        return [Totals(r["currency"], int(r["rounds"]), int(r["staked"]), int(r["won"])) for r in rows]
