"""PostgreSQL engine (asyncpg): the shared store that lets several simulator processes share sessions.

Repositories write ``?`` placeholders; they are rewritten to ``$1, $2, ...`` once per distinct statement.
Transactions run at READ COMMITTED; rows that decisions depend on are locked with ``FOR UPDATE``.

``barrier`` takes ``SHARE`` mode on the table: it waits for the transactions writing it to commit and holds
new writers off until the reader's transaction ends. Without it, a cursor that pages by ``{serial}`` could
skip a row: sequence values are handed out at insert time, but rows become visible at commit time, in
another order.

``connect`` waits for a server that is still starting (refused connections, "the database system is starting up")
for ``CONNECT_WAIT`` seconds, so that a simulator started together with its database (``docker compose up``) does not
die on its first attempt; after that, or at once on an answer that waiting cannot change (a wrong password, no such
database), it raises ``DatabaseUnavailable`` with one line that names the server and the cause.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from simulator.errors import SimulatorError
from simulator.store.database import DuplicateKey, Row
from simulator.store.migrations import Migration, upgrade

try:
    import asyncpg
except ImportError:  # pragma: no cover - depends on the install
    asyncpg = None

_DDL_TYPES = {"serial": "BIGSERIAL PRIMARY KEY", "real": "DOUBLE PRECISION"}
CONNECT_WAIT = 60.0  # seconds a start waits for a server that is not up yet
log = logging.getLogger(__name__)


class DatabaseUnavailable(SimulatorError, code="DATABASE_UNAVAILABLE", status=503): ...


def _server(url: str) -> str:
    """Host, port and database of ``url``, never its password."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path or '/'}"


@lru_cache(maxsize=512)
def _numbered(sql: str) -> str:
    parts = sql.split("?")
    out = [parts[0]]
    for i, part in enumerate(parts[1:], start=1):
        out.append(f"${i}{part}")
    return "".join(out)


class _PostgresTx:
    for_update = " FOR UPDATE"
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def fetchone(self, sql: str, *args: Any) -> Row | None:
        row: Row | None = await self._conn.fetchrow(_numbered(sql), *args)
        return row

    async def fetchall(self, sql: str, *args: Any) -> list[Row]:
        return list(await self._conn.fetch(_numbered(sql), *args))

    async def execute(self, sql: str, *args: Any) -> int:
        try:
            status: str = await self._conn.execute(_numbered(sql), *args)
        except asyncpg.UniqueViolationError as exc:
            raise DuplicateKey(str(exc)) from exc
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    async def barrier(self, table: str) -> None:
        if not table.isidentifier():
            raise ValueError(f"not a table name: {table!r}")
        await self._conn.execute(f"LOCK TABLE {table} IN SHARE MODE")


async def _keep_session(conn: Any) -> None:
    """The pool's release hook. asyncpg still rolls back a transaction left open; its default reset query (RESET ALL,
    UNLISTEN, CLOSE ALL, advisory unlocks) would be one more round trip per transaction for state this code never
    creates: every use is one transaction, and nothing sets, listens, declares cursors or takes session locks."""


class PostgresDatabase:
    dialect = "postgresql"

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        min_size: int = 2,
        max_size: int = 20,
        wait: float = CONNECT_WAIT,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> PostgresDatabase:
        if asyncpg is None:
            raise RuntimeError("PostgreSQL needs the postgres extra: pip install 'casino-provider-simulator[postgres]'")
        deadline, delay = clock() + wait, 0.25
        while True:
            try:
                pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, reset=_keep_session)
            except (OSError, TimeoutError, asyncpg.CannotConnectNowError) as exc:
                cause = f"{type(exc).__name__}: {exc}"
                if clock() + delay > deadline:
                    raise DatabaseUnavailable(
                        f"PostgreSQL at {_server(url)} did not accept a connection within {wait:g}s ({cause})"
                    ) from None
                log.warning("PostgreSQL at %s is not ready (%s); trying again in %gs", _server(url), cause, delay)
                await sleep(delay)
                delay = min(delay * 2, 2.0)
            except asyncpg.PostgresError as exc:
                cause = f"{type(exc).__name__}: {exc}"
                raise DatabaseUnavailable(f"PostgreSQL at {_server(url)} refused: {cause}") from None
            else:
                return cls(pool)

    @asynccontextmanager
    async def transaction(self, *, savepoint: bool = True) -> AsyncIterator[_PostgresTx]:
        """Every transaction is its own: ``savepoint`` (which spares SQLite's group commit a statement) changes
        nothing here."""
        async with self._pool.acquire() as conn, conn.transaction():
            yield _PostgresTx(conn)

    async def migrate(self, component: str, migrations: Sequence[Migration]) -> int:
        """See ``simulator.store.migrations``. Processes starting together take turns under a transaction-scoped
        advisory lock (released at commit or rollback), so each migration runs once and the others find it done."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(727274)")
            return await upgrade(_PostgresTx(conn), component, migrations, _DDL_TYPES)

    async def close(self) -> None:
        await self._pool.close()
