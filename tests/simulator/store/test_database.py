"""The engine contract, run on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio

import pytest

from simulator.store.database import Database, DuplicateKey

DDL = (
    "CREATE TABLE IF NOT EXISTS items (seq {serial}, name TEXT NOT NULL UNIQUE, weight {real} NOT NULL)",
    "CREATE INDEX IF NOT EXISTS items_weight ON items (weight)",
)


async def names(db: Database) -> list[str]:
    async with db.transaction() as tx:
        return [r["name"] for r in await tx.fetchall("SELECT name FROM items ORDER BY seq")]


async def test_migration_is_idempotent_and_serial_counts_up(db: Database) -> None:
    await db.migrate("items", [DDL])
    await db.migrate("items", [DDL])
    async with db.transaction() as tx:
        assert await tx.execute("INSERT INTO items (name, weight) VALUES (?, ?)", "a", 1) == 1
        assert await tx.execute("INSERT INTO items (name, weight) VALUES (?, ?)", "b", 2.5) == 1
        rows = await tx.fetchall("SELECT seq, weight FROM items ORDER BY seq")
    assert [r["seq"] for r in rows] == [1, 2]
    assert [r["weight"] for r in rows] == [1.0, 2.5]


async def test_execute_counts_changed_rows_and_fetchone_misses_cleanly(db: Database) -> None:
    await db.migrate("items", [DDL])
    async with db.transaction() as tx:
        for name in "abc":
            await tx.execute("INSERT INTO items (name, weight) VALUES (?, ?)", name, 1)
        assert await tx.execute("UPDATE items SET weight = ? WHERE weight = ?", 2, 1) == 3
        assert await tx.execute("UPDATE items SET weight = ? WHERE name = ?", 3, "zzz") == 0
        assert await tx.fetchone("SELECT * FROM items WHERE name = ?", "zzz") is None


@pytest.mark.parametrize("savepoint", [True, False])
async def test_an_exception_rolls_the_transaction_back(db: Database, savepoint: bool) -> None:
    """Also without a savepoint: alone in its batch, a transaction that wrote and then raised leaves nothing."""
    await db.migrate("items", [DDL])
    with pytest.raises(RuntimeError):
        async with db.transaction(savepoint=savepoint) as tx:
            await tx.execute("INSERT INTO items (name, weight) VALUES (?, ?)", "lost", 1)
            raise RuntimeError("abort")
    assert await names(db) == []
    async with db.transaction(savepoint=savepoint) as tx:
        await tx.execute("INSERT INTO items (name, weight) VALUES (?, ?)", "kept", 1)
    assert await names(db) == ["kept"]


async def test_a_unique_violation_is_duplicate_key_and_rolls_back(db: Database) -> None:
    await db.migrate("items", [DDL])
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO items (name, weight) VALUES (?, ?)", "a", 1)
    with pytest.raises(DuplicateKey):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO items (name, weight) VALUES (?, ?)", "b", 1)
            await tx.execute("INSERT INTO items (name, weight) VALUES (?, ?)", "a", 1)
    assert await names(db) == ["a"]


async def test_barrier_makes_a_serial_cursor_gap_free(db: Database) -> None:
    """A row that got its seq first but commits last must not be skipped by a reader paging by seq."""
    await db.migrate("items", [DDL])
    inserted, release = asyncio.Event(), asyncio.Event()

    async def slow_writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO items (name, weight) VALUES (?, ?)", "first", 1)
            inserted.set()
            await release.wait()

    async def fast_writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO items (name, weight) VALUES (?, ?)", "second", 1)

    async def reader() -> list[int]:
        async with db.transaction() as tx:
            await tx.barrier("items")
            return [r["seq"] for r in await tx.fetchall("SELECT seq FROM items WHERE seq > ? ORDER BY seq", 0)]

    slow = asyncio.create_task(slow_writer())
    try:
        await inserted.wait()
        fast = asyncio.create_task(fast_writer())
        await asyncio.wait([fast], timeout=0.3)  # PostgreSQL commits it now; SQLite queues it behind the slow one
        read = asyncio.create_task(reader())
        await asyncio.wait([read], timeout=0.1)
        assert not read.done(), read.result()  # the reader waits for the writer that holds the lower seq
    finally:
        release.set()
    await asyncio.gather(slow, fast)
    assert await read == [1, 2]


async def test_barrier_refuses_what_is_not_a_table_name(db: Database) -> None:
    if db.dialect == "sqlite":
        pytest.skip("SQLite's barrier does nothing")
    with pytest.raises(ValueError, match="table name"):
        async with db.transaction() as tx:
            await tx.barrier("items; DROP TABLE items")
