"""Database fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL is the real server on 127.0.0.1:5432 (trust auth, database ``test``, user ``postgres``). Each test
gets a fresh schema, named in the URL as ``?search_path=...`` (asyncpg passes it on as a session setting),
dropped afterwards, so parallel runs and re-runs never share rows. When no server answers, the PostgreSQL
cases are skipped with the reason; the SQLite ones still run.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from simulator.store.database import Database, open_database

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
_unavailable: list[str] = []  # the reason, once known, so a missing server costs one connection attempt


async def postgres_unavailable() -> str | None:
    if _unavailable:
        return _unavailable[0] or None
    try:
        import asyncpg
    except ImportError:
        _unavailable.append("asyncpg is not installed")
        return _unavailable[0]
    try:
        conn = await asyncpg.connect(PG_URL, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        _unavailable.append(f"no PostgreSQL server at {PG_URL}: {type(exc).__name__}: {exc}")
    else:
        await conn.close()
        _unavailable.append("")
    return _unavailable[0] or None


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[str]:
    """A fresh schema for one test; yields the URL that selects it. Skips the test when no server runs."""
    reason = await postgres_unavailable()
    if reason is not None:
        pytest.skip(reason)
    import asyncpg

    schema = f"test_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
        yield f"{PG_URL}?search_path={schema}"
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.close()


ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@asynccontextmanager
async def database_url_for(engine: str, tmp_path: Path, name: str = "store") -> AsyncIterator[str]:
    if engine == "sqlite":
        yield f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
        return
    async with postgres_schema() as url:
        yield url


@pytest.fixture(params=ENGINES)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with database_url_for(request.param, tmp_path) as url:
        yield url


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with postgres_schema() as url:
        yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = await open_database(database_url)
    try:
        yield database
    finally:
        await database.close()
