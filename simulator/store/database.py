"""The one storage interface. Repositories write portable SQL with ``?`` placeholders once; engines adapt it.

Rules every repository follows so that both engines behave the same:

- all work on shared rows happens inside ``async with db.transaction() as tx``;
- nothing inside a transaction awaits anything but ``tx`` (no network, no sleeps), so SQLite never
  interleaves and PostgreSQL holds locks briefly;
- rows a decision depends on are read with ``tx.for_update`` appended, which locks them on PostgreSQL
  (SQLite's ``BEGIN IMMEDIATE`` already serialises writers);
- a reader that pages through a table by its ``{serial}`` column calls ``tx.barrier(table)`` first, so a
  row whose transaction commits late cannot appear below a cursor that already moved past it;
- tables change only through numbered migrations (``simulator.store.migrations``), never by editing released DDL;
- DDL uses ``{serial}`` for an auto-increment primary key and ``{real}`` for a float column;
- a transaction whose body raises only before its first write (checks first; then writes, of which only the first
  may meet a unique key) may be opened with ``savepoint=False``: SQLite skips the savepoint that would undo it alone
  in its group commit, and an error after a write rolls the whole group back instead. PostgreSQL ignores it.

Errors::

    StoreError(SimulatorError)
    └── DuplicateKey(StoreError)      a unique constraint refused an insert: a concurrent twin won
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from simulator.errors import SimulatorError

Row = Mapping[str, Any]


class StoreError(SimulatorError, code="STORE_ERROR", status=503): ...


class DuplicateKey(StoreError, code="CONFLICT", status=409): ...


class Tx(Protocol):
    for_update: str  # appended to a SELECT to lock its rows (PostgreSQL) until the transaction ends
    skip_locked: str  # appended to a SELECT to claim rows other processes have not locked

    async def fetchone(self, sql: str, *args: Any) -> Row | None: ...

    async def fetchall(self, sql: str, *args: Any) -> list[Row]: ...

    async def execute(self, sql: str, *args: Any) -> int:
        """Run a statement; returns the number of rows it changed."""
        ...

    async def barrier(self, table: str) -> None:
        """Wait for every transaction writing ``table`` to end; hold new writers off until this one ends."""
        ...


class Database(Protocol):
    dialect: str

    def transaction(self, *, savepoint: bool = True) -> AbstractAsyncContextManager[Tx]: ...

    async def migrate(self, component: str, migrations: Sequence[Sequence[str]]) -> int:
        """Bring ``component``'s tables to the last of ``migrations``, once across processes; returns that version
        (``simulator.store.migrations``)."""
        ...

    async def close(self) -> None: ...


async def open_database(url: str) -> Database:
    """``sqlite:///relative/or/absolute/path`` or ``postgresql://user@host:port/db`` (query parameters such as
    ``?search_path=schema`` become PostgreSQL session settings)."""
    if url.startswith("sqlite:///"):
        from simulator.store.sqlite import SqliteDatabase

        return SqliteDatabase(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        from simulator.store.postgres import PostgresDatabase

        return await PostgresDatabase.connect(url)
    raise ValueError(f"unsupported database URL {url.split(':', 1)[0]!r}: use sqlite:/// or postgresql://")
