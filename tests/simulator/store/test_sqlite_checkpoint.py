"""The write-ahead log is copied into the database file by the checkpointer's thread, not by a COMMIT on the event
loop: the writer's own automatic checkpoint is only a safety net far above SQLite's default."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from simulator.store.checkpoint import SAFETY_NET_PAGES, Checkpointer
from simulator.store.sqlite import SqliteDatabase


async def _filled(tmp_path: Path, rows: int) -> SqliteDatabase:
    # the thread never runs on its own during the test: an hour between its passes
    db = SqliteDatabase(str(tmp_path / "t.sqlite3"), checkpoint_every=3600)
    await db.migrate("t", [["CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)"]])
    for k in range(rows):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t (k, v) VALUES (?, ?)", k, "x" * 500)
    return db


async def test_commits_leave_the_log_to_the_checkpointer(tmp_path: Path) -> None:
    db = await _filled(tmp_path, 1500)
    try:
        assert db._conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == SAFETY_NET_PAGES
        assert db._checkpointer is not None
        busy, log, copied = db._checkpointer.checkpoint()
        # SQLite's default (1,000 pages) would have checkpointed inside a COMMIT long before: nothing was copied
        # until this call, which copies every frame
        assert log > 1000 and copied == log and not busy
        fresh = sqlite3.connect(tmp_path / "t.sqlite3")
        assert fresh.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 1500
        fresh.close()
    finally:
        await db.close()


async def test_close_stops_the_thread(tmp_path: Path) -> None:
    before = {t for t in threading.enumerate() if t.name == "sqlite-checkpoint"}
    db = await _filled(tmp_path, 1)
    assert len({t for t in threading.enumerate() if t.name == "sqlite-checkpoint"} - before) == 1
    await db.close()
    assert {t for t in threading.enumerate() if t.name == "sqlite-checkpoint"} <= before


def test_the_thread_checkpoints_every_interval(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "t.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")
    passed = threading.Condition()
    results: list[tuple[int, int, int]] = []

    class Counted(Checkpointer):
        def checkpoint(self) -> tuple[int, int, int]:
            result = super().checkpoint()
            with passed:
                results.append(result)
                passed.notify_all()
            return result

    checkpointer = Counted(str(tmp_path / "t.sqlite3"), every=0.001)
    try:
        with passed:
            assert passed.wait_for(lambda: results, timeout=60)  # it passes without being asked
        conn.execute("INSERT INTO t (k) VALUES (1)")
        with passed:
            seen = len(results)
            assert passed.wait_for(lambda: len(results) >= seen + 2, timeout=60)
        # the second pass after the insert began after it: it copied the insert's frames into the database file
        _, log, copied = results[seen + 1]
        assert log > 0 and copied == log
    finally:
        checkpointer.close()
        conn.close()
