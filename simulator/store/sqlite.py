"""SQLite engine: one connection in WAL mode, used from the event loop.

Statements run synchronously: a ledger write takes tens of microseconds, far less than handing it to a thread would
cost. ``BEGIN IMMEDIATE`` plus an asyncio lock serialises transactions; WAL with ``synchronous=NORMAL`` survives a
killed process (not a power cut), which is the durability the simulator promises on the embedded default.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from simulator.store.database import Row

_DDL_TYPES = {"serial": "INTEGER PRIMARY KEY AUTOINCREMENT", "real": "REAL"}


class _SqliteTx:
    for_update = ""
    skip_locked = ""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def fetchone(self, sql: str, *args: Any) -> Row | None:
        return cast(Row | None, self._conn.execute(sql, args).fetchone())

    async def fetchall(self, sql: str, *args: Any) -> list[Row]:
        return cast(list[Row], self._conn.execute(sql, args).fetchall())

    async def execute(self, sql: str, *args: Any) -> int:
        return self._conn.execute(sql, args).rowcount


class SqliteDatabase:
    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000", "foreign_keys=ON"):
            self._conn.execute(f"PRAGMA {pragma}")
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_SqliteTx]:
        async with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTx(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    async def migrate(self, ddl: Sequence[str]) -> None:
        async with self.transaction() as tx:
            for statement in ddl:
                await tx.execute(statement.format(**_DDL_TYPES))

    async def close(self) -> None:
        self._conn.close()
