"""SQLite engine: one connection in WAL mode, used from the event loop.

Statements run synchronously: a ledger write takes tens of microseconds, far less than handing it to a
thread would cost. ``BEGIN IMMEDIATE`` plus an asyncio lock serialises transactions (so rows commit in
``{serial}`` order and ``barrier`` has nothing to wait for); WAL with ``synchronous=NORMAL`` survives a
killed process (not a power cut), which is the durability the simulator promises on the embedded default.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from simulator.store.database import DuplicateKey, Row

_DDL_TYPES = {"serial": "INTEGER PRIMARY KEY AUTOINCREMENT", "real": "REAL"}
_DUPLICATE = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})


class _SqliteTx:
    for_update = ""
    skip_locked = ""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _run(self, sql: str, args: tuple[Any, ...]) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, args)
        except sqlite3.IntegrityError as exc:
            if getattr(exc, "sqlite_errorname", "") in _DUPLICATE:
                raise DuplicateKey(str(exc)) from exc
            raise

    async def fetchone(self, sql: str, *args: Any) -> Row | None:
        return cast(Row | None, self._run(sql, args).fetchone())

    async def fetchall(self, sql: str, *args: Any) -> list[Row]:
        return cast(list[Row], self._run(sql, args).fetchall())

    async def execute(self, sql: str, *args: Any) -> int:
        return self._run(sql, args).rowcount

    async def barrier(self, table: str) -> None:
        """Nothing to do: one writer at a time already commits rows in order."""


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
