"""Hourly totals kept beside the transaction log, so a report over millions of rounds reads thousands of rows.

A bucket holds, for one hour (``report_buckets``) or one day (``report_days``; UTC, counted from the epoch), studio,
game, currency and report kind (the transaction's kind, and its bonus type if it has one), the count and sum of the
acknowledged transactions written in that hour, how many of them closed their round, and (for rollbacks) the stakes
they gave back. Buckets are folded from the log in ``seq`` order, off the round path: ``fold`` runs when a report is
asked for. Only a transaction whose status is final can be folded, so folding stops below the oldest ``pending`` one;
a report adds what lies above the fold by reading those rows of the log directly (``tail``). A transaction leaves
``pending`` once and never changes again, so a folded row never needs folding twice.

On PostgreSQL a transaction's ``seq`` is handed out before it commits: ``fold`` first takes the log's barrier (every
writer in flight commits) and reads the bound under it, so no row below the bound can appear later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.store.database import Database, Row, Tx

TABLES = {"hour": "report_buckets", "day": "report_days"}  # period column -> table of totals per that period


def _table(table: str, period: str) -> str:
    return f"""CREATE TABLE IF NOT EXISTS {table} (
        {period} BIGINT NOT NULL,
        studio_id TEXT NOT NULL,
        game_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        kind TEXT NOT NULL,
        transactions BIGINT NOT NULL,
        amount BIGINT NOT NULL,
        rounds_closed BIGINT NOT NULL,
        stake_reversed BIGINT NOT NULL,
        PRIMARY KEY ({period}, studio_id, game_id, currency, kind))"""


MIGRATIONS = (
    (
        *(_table(table, period) for period, table in TABLES.items()),
        "CREATE TABLE IF NOT EXISTS report_fold (name TEXT PRIMARY KEY, folded_seq BIGINT NOT NULL)",
        "INSERT INTO report_fold (name, folded_seq) VALUES ('transactions', 0) ON CONFLICT (name) DO NOTHING",
    ),
    # report kinds tell bonus transactions apart (``report_kind``): what was folded before is folded again
    (
        *(f"DELETE FROM {table}" for table in TABLES.values()),  # noqa: S608
        "UPDATE report_fold SET folded_seq = 0 WHERE name = 'transactions'",
    ),
)

FOLD_CHUNK = 200_000  # log rows folded per database transaction, so no transaction holds locks for long


def hour_of(dialect: str, column: str) -> str:
    """SQL for the hour (since the epoch, UTC) of a Unix time column: SQLite's CAST truncates, PostgreSQL's rounds."""
    if dialect == "postgresql":
        return f"CAST(FLOOR({column} / 3600) AS BIGINT)"
    return f"CAST({column} / 3600 AS INTEGER)"


def period_of(unit: str, hours: str) -> str:
    """SQL for the period of an hour count (``hours``): the hour itself, its day, or one period for all time."""
    return {"hour": hours, "day": f"({hours}) / 24", "all": "0"}[unit]


def report_kind(dialect: str) -> str:
    """SQL for a log row's report kind: its stored ``kind``, followed by ``:`` and its bonus type when it carries a
    bonus context (``win:jackpot``, ``bet:free_round``...; ``simulator.reports.kinds`` gives each its role)."""
    bonus_type = "(CAST(t.bonus AS json) ->> 'type')" if dialect == "postgresql" else "json_extract(t.bonus, '$.type')"
    return f"CASE WHEN t.bonus IS NULL THEN t.kind ELSE COALESCE(t.kind || ':' || {bonus_type}, t.kind) END"


def log_totals_sql(dialect: str, *, where: str, dimensions: tuple[str, ...], unit: str = "hour") -> str:
    """Totals of the acknowledged log rows matching ``where`` (over ``t``), grouped by period (``unit``: hour, day or
    all), ``dimensions`` and report kind (``report_kind``). The reversed stake of a rollback is its bet's amount when
    that bet had been acknowledged (a bet whose fate was unknown moved no money the log knows of); only rollbacks look
    their bet up."""
    columns = "".join(f"t.{d}, " for d in dimensions)
    groups = ", ".join(str(i + 1) for i in range(len(dimensions) + 2))
    return (
        f"SELECT {period_of(unit, hour_of(dialect, 't.created_at'))} AS period, {columns}"  # noqa: S608
        f"{report_kind(dialect)} AS kind,"
        " COUNT(*) AS transactions, SUM(t.amount) AS amount, SUM(t.round_closed) AS rounds_closed,"
        " SUM(CASE WHEN t.kind = 'rollback' THEN COALESCE((SELECT b.amount FROM transactions b"
        " WHERE b.transaction_id = t.reference_transaction_id AND b.status = 'acked'), 0) ELSE 0 END)"
        " AS stake_reversed"
        f" FROM transactions t WHERE t.status = 'acked' AND {where}"
        f" GROUP BY {groups}"
    )


_BUCKET_DIMENSIONS = ("studio_id", "game_id", "currency")
_SUMS = ("transactions", "amount", "rounds_closed", "stake_reversed")


@dataclass(frozen=True, slots=True)
class Fold:
    """Where the buckets stand: every acknowledged row with ``seq <= folded`` is in them."""

    folded: int
    rows: int  # log rows folded by this call


class Buckets:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def migrate(self) -> None:
        await self._db.migrate("reports", MIGRATIONS)

    async def folded(self, tx: Tx) -> int:
        """The fold's position, its row held until ``tx`` ends, so no other process folds meanwhile."""
        sql = f"SELECT folded_seq FROM report_fold WHERE name = 'transactions'{tx.for_update}"  # noqa: S608
        row = await tx.fetchone(sql)
        return 0 if row is None else int(row["folded_seq"])

    async def _bound(self) -> int:
        """The highest ``seq`` below which every row is committed and final."""
        async with self._db.transaction() as tx:
            await tx.barrier("transactions")
            pending = await tx.fetchone("SELECT MIN(seq) AS s FROM transactions WHERE status = 'pending'")
            if pending is not None and pending["s"] is not None:
                return int(pending["s"]) - 1
            top = await tx.fetchone("SELECT MAX(seq) AS s FROM transactions")
        return 0 if top is None or top["s"] is None else int(top["s"])

    async def fold(self, *, chunk: int = FOLD_CHUNK, most: int | None = None) -> Fold:
        """Fold the final rows of the log not folded yet, ``chunk`` of them per database transaction, at most ``most``
        transactions (all when ``None``); safe to run from several processes at once."""
        bound = await self._bound()
        rows = 0
        upserts = []
        for period, table in TABLES.items():
            totals = log_totals_sql(
                self._db.dialect, where="t.seq > ? AND t.seq <= ?", dimensions=_BUCKET_DIMENSIONS, unit=period
            )
            sums = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in _SUMS)
            upserts.append(
                f"INSERT INTO {table} ({period}, {', '.join(_BUCKET_DIMENSIONS)}, kind, {', '.join(_SUMS)}) {totals}"
                f" ON CONFLICT ({period}, {', '.join(_BUCKET_DIMENSIONS)}, kind) DO UPDATE SET {sums}"
            )
        chunks = 0
        while True:
            async with self._db.transaction() as tx:
                folded = await self.folded(tx)
                if folded >= bound or (most is not None and chunks >= most):
                    return Fold(folded, rows)
                chunks += 1
                upto = min(bound, folded + chunk)
                for upsert in upserts:
                    await tx.execute(upsert, folded, upto)
                await tx.execute("UPDATE report_fold SET folded_seq = ? WHERE name = 'transactions'", upto)
                rows += upto - folded

    async def read(
        self, tx: Tx, where: str, args: list[Any], *, dimensions: tuple[str, ...], unit: str, table: str
    ) -> list[Row]:
        """Totals of ``table`` (a period of ``TABLES``) matching ``where``, summed by ``unit``, ``dimensions`` and
        kind."""
        columns = "".join(f"{d}, " for d in dimensions)
        groups = ", ".join(str(i + 1) for i in range(len(dimensions) + 2))
        period = "0" if unit == "all" else table if unit == table else period_of(unit, table)
        return await tx.fetchall(
            f"SELECT {period} AS period, {columns}kind, SUM(transactions) AS transactions,"  # noqa: S608
            " SUM(amount) AS amount, SUM(rounds_closed) AS rounds_closed, SUM(stake_reversed) AS stake_reversed"
            f" FROM {TABLES[table]} WHERE {where} GROUP BY {groups}",
            *args,
        )
