"""The one storage interface. Repositories write portable SQL with ``?`` placeholders once; engines adapt it.

Rules every repository follows so that both engines behave the same:
- all work on shared rows happens inside ``async with db.transaction() as tx``;
- nothing inside a transaction awaits anything but ``tx`` (no network, no sleeps), so SQLite never interleaves and
  PostgreSQL holds locks briefly;
- rows a decision depends on are read with ``tx.for_update`` appended, which locks them on PostgreSQL (SQLite's
  ``BEGIN IMMEDIATE`` already serialises writers);
- DDL uses ``{serial}`` for an auto-increment primary key and ``{real}`` for a float column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

Row = Mapping[str, Any]


class Tx(Protocol):
    for_update: str  # appended to a SELECT to lock its rows (PostgreSQL) until the transaction ends
    skip_locked: str  # appended to a SELECT to claim rows other processes have not locked

    async def fetchone(self, sql: str, *args: Any) -> Row | None: ...

    async def fetchall(self, sql: str, *args: Any) -> list[Row]: ...

    async def execute(self, sql: str, *args: Any) -> int:
        """Run a statement; returns the number of rows it changed."""
        ...


class Database(Protocol):
    dialect: str

    def transaction(self) -> AbstractAsyncContextManager[Tx]: ...

    async def migrate(self, ddl: Sequence[str]) -> None: ...

    async def close(self) -> None: ...


async def open_database(url: str) -> Database:
    """``sqlite:///relative/or/absolute/path`` or ``postgresql://user@host:port/db``."""
    if url.startswith("sqlite:///"):
        from simulator.store.sqlite import SqliteDatabase

        return SqliteDatabase(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        from simulator.store.postgres import PostgresDatabase

        return await PostgresDatabase.connect(url)
    raise ValueError(f"unsupported database URL {url.split(':', 1)[0]!r}: use sqlite:/// or postgresql://")
