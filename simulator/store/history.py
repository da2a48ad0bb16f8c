"""A player's rounds, newest first, for the operator's game-history API: filtered by game, time and status, paged by
a (created_at, round_id) position, with totals over the whole selection per currency.

The index it needs (rounds by player and time) is a migration of its own component, so the history can be read
without scanning every round; it costs each recorded round one more index entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from simulator.store.database import Database
from simulator.store.records import Round
from simulator.store.sessions import placeholders

MIGRATIONS = (("CREATE INDEX IF NOT EXISTS rounds_player ON rounds (player_id, created_at, round_id)",),)
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

    def where(self) -> tuple[str, list[Any]]:
        clauses = ["player_id = ?"]
        args: list[Any] = [self.player_id]
        if self.game_id is not None:
            clauses.append("game_id = ?")
            args.append(self.game_id)
        if self.since is not None:
            clauses.append("created_at >= ?")
            args.append(self.since)
        if self.until is not None:
            clauses.append("created_at < ?")
            args.append(self.until)
        if self.statuses:
            clauses.append(f"status IN ({placeholders(len(self.statuses))})")
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
    def __init__(self, db: Database) -> None:
        self._db = db

    async def migrate(self) -> None:
        await self._db.migrate("round_history", MIGRATIONS)

    async def page(self, query: HistoryQuery) -> list[Round]:
        where, args = query.where()
        if query.before is not None:
            at, round_id = query.before
            where += " AND (created_at < ? OR (created_at = ? AND round_id < ?))"
            args += [at, at, round_id]
        sql = f"SELECT * FROM rounds WHERE {where} ORDER BY created_at DESC, round_id DESC LIMIT ?"  # noqa: S608
        async with self._db.transaction(savepoint=False) as tx:
            rows = await tx.fetchall(sql, *args, query.limit)
        return [Round.from_row(r) for r in rows]

    async def totals(self, query: HistoryQuery) -> list[Totals]:
        """Per currency over every round the query selects (all pages): how many, and the stakes and wins of those
        that moved money."""
        where, args = query.where()
        money = f"status IN ({placeholders(len(MONEY_STATUSES))})"
        sql = (
            f"SELECT currency, COUNT(*) AS rounds,"  # noqa: S608
            f" COALESCE(SUM(CASE WHEN {money} THEN stake ELSE 0 END), 0) AS staked,"
            f" COALESCE(SUM(CASE WHEN {money} THEN win ELSE 0 END), 0) AS won"
            f" FROM rounds WHERE {where} GROUP BY currency ORDER BY currency"
        )
        async with self._db.transaction(savepoint=False) as tx:
            rows = await tx.fetchall(sql, *MONEY_STATUSES, *MONEY_STATUSES, *args)
        return [Totals(r["currency"], int(r["rounds"]), int(r["staked"]), int(r["won"])) for r in rows]
