"""The money report: acknowledged transactions by kind, rounds, GGR and NGR for each group of a ``ReportQuery``,
exact integers of minor units, one currency per row (``simulator.reports.kinds`` says how kinds enter GGR and NGR).

Figures come from the hourly buckets up to the fold and from the log above it (``simulator.reports.buckets``); a
report by or for a player reads the log alone, since buckets hold no player."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from simulator.reports.buckets import Buckets, log_totals_sql
from simulator.reports.kinds import Role, role
from simulator.reports.query import COLUMNS, ReportQuery, day_label, decode_cursor, encode_cursor, hour_label
from simulator.store.database import Database, Row


@dataclass(slots=True)
class Totals:
    kinds: dict[str, list[int]] = field(default_factory=dict)  # kind -> [count, amount]
    rounds_closed: int = 0  # closing wins acknowledged
    rounds_rolled_back: int = 0  # closing rollbacks acknowledged
    stake_reversed: int = 0

    def add(self, row: Row) -> None:
        kind = str(row["kind"])
        counted = self.kinds.setdefault(kind, [0, 0])
        counted[0] += int(row["transactions"])
        counted[1] += int(row["amount"])
        kind_role = role(kind)
        if kind_role is Role.WIN:
            self.rounds_closed += int(row["rounds_closed"])
        elif kind_role is Role.REVERSAL:
            self.rounds_rolled_back += int(row["rounds_closed"])
            self.stake_reversed += int(row["stake_reversed"])

    def merge(self, other: Totals) -> None:
        for kind, (count, amount) in other.kinds.items():
            counted = self.kinds.setdefault(kind, [0, 0])
            counted[0] += count
            counted[1] += amount
        self.rounds_closed += other.rounds_closed
        self.rounds_rolled_back += other.rounds_rolled_back
        self.stake_reversed += other.stake_reversed

    def _sum(self, wanted: Role) -> int:
        return sum(amount for kind, (_, amount) in self.kinds.items() if role(kind) is wanted)

    def figures(self) -> dict[str, Any]:
        stakes, wins, bonus = self._sum(Role.STAKE), self._sum(Role.WIN), self._sum(Role.BONUS)
        ggr = stakes - self.stake_reversed - wins
        return {
            "bets": stakes,
            "wins": wins,
            "rollbacks": self._sum(Role.REVERSAL),
            "stake_reversed": self.stake_reversed,
            "bonus_payouts": bonus,
            "rounds": self.rounds_closed,
            "rounds_rolled_back": self.rounds_rolled_back,
            "ggr": ggr,
            "ngr": ggr - bonus,
            "kinds": {k: {"count": c, "amount": a} for k, (c, a) in sorted(self.kinds.items())},
        }


@dataclass(frozen=True, slots=True)
class MoneyReport:
    group_by: tuple[str, ...]
    rows: list[dict[str, Any]]  # this page
    totals: list[dict[str, Any]]  # per currency, over every row (not only this page)
    next_cursor: str | None
    source: str  # "buckets+log" or "log"

    def as_json(self) -> dict[str, Any]:
        return {
            "group_by": list(self.group_by),
            "rows": self.rows,
            "totals": self.totals,
            "next_cursor": self.next_cursor,
            "source": self.source,
        }


def _key(query: ReportQuery, row: Row) -> tuple[str, ...]:
    parts: list[str] = []
    for name in query.group_by:
        if name == "day":
            parts.append(day_label(int(row["hour"]) // 24))
        elif name == "hour":
            parts.append(hour_label(int(row["hour"])))
        else:
            parts.append(str(row[COLUMNS[name]]))
    return tuple(parts)


def _group(query: ReportQuery, rows: Iterable[Row]) -> dict[tuple[str, ...], Totals]:
    groups: dict[tuple[str, ...], Totals] = {}
    for row in rows:
        key = _key(query, row)
        totals = groups.get(key)
        if totals is None:
            totals = groups[key] = Totals()
        totals.add(row)
    return groups


async def _rows(db: Database, buckets: Buckets, query: ReportQuery) -> tuple[list[Row], str]:
    dimensions = ("studio_id", "game_id", "currency")
    if query.needs_log:
        where, args = query.conditions(hour_column="", time_column="created_at", prefix="t.")
        sql = log_totals_sql(db.dialect, where=where, dimensions=(*dimensions, "player_id"))
        async with db.transaction() as tx:
            return await tx.fetchall(sql, *args), "log"
    await buckets.fold()
    bucket_where, bucket_args = query.conditions(hour_column="hour", time_column=None)
    log_where, log_args = query.conditions(hour_column="", time_column="created_at", prefix="t.")
    async with db.transaction() as tx:
        # holding the fold's row keeps another process from folding between the two reads
        folded = await buckets.folded(tx)
        rows = await buckets.read(tx, bucket_where, bucket_args)
        tail = log_totals_sql(db.dialect, where=f"t.seq > ? AND {log_where}", dimensions=dimensions)
        rows += await tx.fetchall(tail, folded, *log_args)
    return rows, "buckets+log"


async def money_report(
    db: Database, buckets: Buckets, query: ReportQuery, *, cursor: str | None = None, limit: int = 500
) -> MoneyReport:
    rows, source = await _rows(db, buckets, query)
    groups = _group(query, rows)
    by_currency: dict[str, Totals] = {}
    for key, totals in groups.items():
        currency = key[query.group_by.index("currency")]
        by_currency.setdefault(currency, Totals()).merge(totals)
    keys = sorted(groups)
    if cursor is not None:
        after = decode_cursor(cursor)
        keys = [k for k in keys if k > after]
    page = keys[:limit]
    names = [COLUMNS.get(name, name) for name in query.group_by]
    out = [dict(zip(names, key, strict=True)) | groups[key].figures() for key in page]
    return MoneyReport(
        group_by=query.group_by,
        rows=out,
        totals=[{"currency": c} | t.figures() for c, t in sorted(by_currency.items())],
        next_cursor=encode_cursor(page[-1]) if len(keys) > limit else None,
        source=source,
    )
