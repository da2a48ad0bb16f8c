"""SQLite group commit: transactions finished within a few passes of the event loop share a COMMIT, yet each is durable
before its caller goes on, fails alone, and never leaves the write lock held when nothing is pending."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from simulator.store.sqlite import CpuLoad, SqliteDatabase


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    """A database whose process counts as busy, so batches wait as long as they grow."""
    database = SqliteDatabase(str(tmp_path / "t.sqlite3"), load=lambda: True)
    await database.migrate("t", [["CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)"]])
    yield database
    await database.close()


@pytest.fixture
async def idle_db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    database = SqliteDatabase(str(tmp_path / "t.sqlite3"), load=lambda: False)
    await database.migrate("t", [["CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)"]])
    yield database
    await database.close()


def other_connection(tmp_path: Path) -> sqlite3.Connection:
    """What another process sees: only committed rows; ``timeout=0`` makes a held write lock an immediate error."""
    return sqlite3.connect(tmp_path / "t.sqlite3", timeout=0, isolation_level=None)


def commits(db: SqliteDatabase) -> list[str]:
    seen: list[str] = []
    db._conn.set_trace_callback(lambda sql: seen.append(sql) if sql == "COMMIT" else None)
    return seen


async def insert(db: SqliteDatabase, key: str, *, fail: bool = False, savepoint: bool = True) -> None:
    async with db.transaction(savepoint=savepoint) as tx:
        await tx.execute("INSERT INTO t (k, v) VALUES (?, ?)", key, 1)
        if fail:
            raise ValueError(key)


def statements(db: SqliteDatabase) -> list[str]:
    seen: list[str] = []
    db._conn.set_trace_callback(seen.append)
    return seen


async def test_concurrent_transactions_share_a_commit_and_are_durable_when_they_return(
    db: SqliteDatabase, tmp_path: Path
) -> None:
    seen = commits(db)
    await asyncio.gather(*(insert(db, f"k{i}") for i in range(10)))
    assert len(seen) == 1
    with other_connection(tmp_path) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 10


async def test_transactions_a_few_passes_apart_share_a_commit(db: SqliteDatabase, tmp_path: Path) -> None:
    """What a wallet reply does: it wakes a round's task a pass or two after the first transactions finished."""

    async def after(passes: int, key: str) -> None:
        for _ in range(passes):
            await asyncio.sleep(0)
        await insert(db, key)

    seen = commits(db)
    await asyncio.gather(*(after(p, f"k{p}") for p in range(6)))
    assert len(seen) == 1
    await after(0, "alone")
    assert len(seen) == 2
    with other_connection(tmp_path) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 7


async def test_a_batch_that_keeps_growing_still_commits(db: SqliteDatabase) -> None:
    """Under steady load something joins every pass; the batch must not wait for a quiet moment that never comes."""
    seen = commits(db)
    durable_after: list[int] = []

    async def insert_and_count(i: int) -> None:
        await insert(db, f"k{i}")
        durable_after.append(i)

    tasks = []
    for i in range(60):
        tasks.append(asyncio.create_task(insert_and_count(i)))
        await asyncio.sleep(0)
        if i == 30:  # the first is durable and its caller went on, while others still come every pass
            assert seen and durable_after[0] == 0
    await asyncio.gather(*tasks)
    assert 2 <= len(seen) <= 10


async def test_when_the_process_is_not_busy_a_batch_commits_within_two_passes(idle_db: SqliteDatabase) -> None:
    """Idle CPU makes a COMMIT cheap and waiting costly: whoever waits for the batch is waiting for nothing."""
    seen = commits(idle_db)
    durable: list[str] = []

    async def after(passes: int, key: str) -> None:
        for _ in range(passes):
            await asyncio.sleep(0)
        await insert(idle_db, key)
        durable.append(key)

    # one joins every pass, so the batch never goes quiet; busy, all six would share one COMMIT
    await asyncio.gather(*(after(p, f"k{p}") for p in range(6)))
    assert len(seen) >= 2 and durable[0] == "k0"


def test_cpu_load_is_cpu_time_over_wall_time_measured_every_interval() -> None:
    wall, cpu = [0.0], [0.0]
    load = CpuLoad(threshold=0.9, every=0.05, wall=lambda: wall[0], cpu=lambda: cpu[0])
    assert not load.busy()
    wall[0], cpu[0] = 0.04, 0.04  # too soon to measure again: still the last answer
    assert not load.busy()
    wall[0], cpu[0] = 0.10, 0.095  # 95% of the last 0.1 s
    assert load.busy()
    wall[0], cpu[0] = 0.20, 0.13  # 35% of the next 0.1 s
    assert not load.busy()


async def test_a_failing_transaction_rolls_back_alone(db: SqliteDatabase, tmp_path: Path) -> None:
    results = await asyncio.gather(insert(db, "a"), insert(db, "b", fail=True), insert(db, "c"), return_exceptions=True)
    assert [type(r).__name__ for r in results] == ["NoneType", "ValueError", "NoneType"]
    with other_connection(tmp_path) as conn:
        assert [row[0] for row in conn.execute("SELECT k FROM t ORDER BY k")] == ["a", "c"]


async def test_without_a_savepoint_a_transaction_runs_only_its_own_statements(
    db: SqliteDatabase, tmp_path: Path
) -> None:
    seen = statements(db)
    await asyncio.gather(insert(db, "a", savepoint=False), insert(db, "b", savepoint=False))
    assert seen == [
        "BEGIN IMMEDIATE",
        "PRAGMA data_version",  # once per batch: did another connection commit?
        "INSERT INTO t (k, v) VALUES ('a', 1)",
        "INSERT INTO t (k, v) VALUES ('b', 1)",
        "COMMIT",
    ]
    with other_connection(tmp_path) as conn:
        assert [row[0] for row in conn.execute("SELECT k FROM t ORDER BY k")] == ["a", "b"]


async def test_without_a_savepoint_a_failure_before_any_write_rolls_back_nothing(
    db: SqliteDatabase, tmp_path: Path
) -> None:
    async def check_then_write(key: str, *, refuse: bool) -> None:
        async with db.transaction(savepoint=False) as tx:
            if refuse:
                raise ValueError(key)
            await tx.execute("INSERT INTO t (k, v) VALUES (?, ?)", key, 1)

    async def duplicate() -> None:  # the first write meets a unique key: the failed statement undoes itself
        await insert(db, "a", savepoint=False)

    results = await asyncio.gather(
        insert(db, "a"), check_then_write("b", refuse=True), duplicate(), insert(db, "c"), return_exceptions=True
    )
    assert [type(r).__name__ for r in results] == ["NoneType", "ValueError", "DuplicateKey", "NoneType"]
    with other_connection(tmp_path) as conn:
        assert [row[0] for row in conn.execute("SELECT k FROM t ORDER BY k")] == ["a", "c"]


async def test_without_a_savepoint_a_failure_after_a_write_rolls_back_its_whole_batch(
    db: SqliteDatabase, tmp_path: Path
) -> None:
    """A broken promise loses the batch, never half a transaction: the others waiting in it fail, nothing commits."""
    results = await asyncio.gather(
        insert(db, "a"), insert(db, "b", fail=True, savepoint=False), insert(db, "c"), return_exceptions=True
    )
    assert [type(r).__name__ for r in results] == ["OperationalError", "ValueError", "NoneType"]
    assert "not committed" in str(results[0])
    with other_connection(tmp_path) as conn:
        assert [row[0] for row in conn.execute("SELECT k FROM t ORDER BY k")] == ["c"]
    await insert(db, "d")  # the database goes on
    with other_connection(tmp_path) as conn:
        assert [row[0] for row in conn.execute("SELECT k FROM t ORDER BY k")] == ["c", "d"]


async def test_a_later_transaction_sees_an_earlier_one_of_its_batch(db: SqliteDatabase) -> None:
    async def read_back() -> int:
        async with db.transaction() as tx:
            row = await tx.fetchone("SELECT count(*) AS n FROM t")
        assert row is not None
        return int(row["n"])

    _, count = await asyncio.gather(insert(db, "x"), read_back())
    assert count == 1


@pytest.mark.parametrize("fail", [pytest.param(False, id="read-only"), pytest.param(True, id="failed")])
async def test_nothing_pending_leaves_no_write_lock(db: SqliteDatabase, tmp_path: Path, fail: bool) -> None:
    if fail:
        with pytest.raises(ValueError, match="lonely"):
            await insert(db, "lonely", fail=True)
    else:
        async with db.transaction() as tx:
            await tx.fetchone("SELECT 1")
    with other_connection(tmp_path) as conn:
        conn.execute("BEGIN IMMEDIATE")  # would raise "database is locked" if the simulator still held it
        conn.execute("ROLLBACK")


async def test_close_commits_what_is_waiting(db: SqliteDatabase, tmp_path: Path) -> None:
    task = asyncio.create_task(insert(db, "last"))
    for _ in range(100):  # until the insert ran and waits for its commit: yields to the loop, no clock involved
        if db._waiting:
            break
        await asyncio.sleep(0)
    assert db._waiting
    await db.close()
    await task
    with other_connection(tmp_path) as conn:
        assert conn.execute("SELECT k FROM t").fetchall() == [("last",)]
