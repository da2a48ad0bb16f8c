"""Nonces never repeat: across restarts, crashes, seed rotations and a second process on the same SQLite file.

On SQLite the store holds sessions in memory and writes nonces back behind (``simulator/store/session_cache.py``);
on PostgreSQL it writes each through. Both must hand out the same nonces.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from pathlib import Path

import pytest

from simulator.store.database import open_database
from simulator.store.provider import ProviderStore, Session
from simulator.store.session_cache import SessionCache
from simulator.store.sqlite import SqliteDatabase
from tests.simulator.store.test_provider_store import round_, session, tx

_ids = itertools.count(1)


async def opened(url: str) -> ProviderStore:
    store = ProviderStore(await open_database(url))
    await store.migrate()
    return store


async def play(store: ProviderStore, token: str = "tok") -> int:
    """One round, numbered with the nonce the store gives, as the round service does; returns that nonce."""

    while True:
        current = await store.sessions.current(token)
        assert current is not None
        round_id = f"r{next(_ids)}"
        played = round_(round_id, session_token=token, server_seed_hash=current.server_seed_hash, nonce=current.nonce)
        if await store.rounds.open(played, [tx(round_id, session_token=token)]):
            return played.nonce


async def next_nonce(store: ProviderStore, token: str = "tok") -> int:
    s = await store.sessions.get(token)
    assert s is not None
    return s.nonce


def stored_nonce(path: Path, token: str = "tok") -> int:
    """The nonce in the session's row, read by a connection of its own."""
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT nonce FROM sessions WHERE token = ?", (token,)).fetchone()[0])


async def reopened_after_three_rounds(url: str, *, crash: bool) -> ProviderStore:
    """A store that played three rounds and stopped, cleanly or (``crash``) without writing anything back; then the
    store that opens the same database next."""
    store = await opened(url)
    await store.sessions.create(session())
    assert [await play(store) for _ in range(3)] == [1, 2, 3]
    await (store.db.close() if crash else store.close())
    return await opened(url)


async def test_nonces_go_on_where_they_stopped_after_a_clean_restart(database_url: str) -> None:
    store = await reopened_after_three_rounds(database_url, crash=False)
    try:
        assert await next_nonce(store) == 4
        assert await play(store) == 4
    finally:
        await store.close()


async def test_a_rotated_seed_pair_counts_from_one_again(database_url: str) -> None:
    store = await opened(database_url)
    try:
        await store.sessions.create(session())
        await play(store)
        await play(store)
        rotated = await store.sessions.rotate_seed("tok", "seed-2", "hash-2", "client-2", 0.0)
        assert rotated.nonce == 1
        assert await next_nonce(store) == 1
        assert [await play(store), await play(store)] == [1, 2]
    finally:
        await store.close()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite3"


async def test_sqlite_writes_nonces_behind_and_on_close(path: Path) -> None:
    store = await opened(f"sqlite:///{path}")
    await store.sessions.create(session())
    for _ in range(3):
        await play(store)
    assert stored_nonce(path) == 1  # counted in memory: the row waits for the write-back
    await store.close()
    assert stored_nonce(path) == 4


async def test_a_crash_loses_no_nonce(path: Path) -> None:
    """The process dies without writing back: the next one counts on from the rounds it finds."""
    store = await reopened_after_three_rounds(f"sqlite:///{path}", crash=True)
    try:
        assert stored_nonce(path) == 1  # the row never heard of the three rounds
        assert await next_nonce(store) == 4
        assert await play(store) == 4
    finally:
        await store.close()


async def test_after_a_crash_rounds_under_a_rotated_seed_do_not_count(path: Path) -> None:
    store = await opened(f"sqlite:///{path}")
    await store.sessions.create(session())
    for _ in range(5):
        await play(store)
    await store.sessions.rotate_seed("tok", "seed-2", "hash-2", "client-2", 0.0)
    await play(store)
    await store.db.close()
    store = await opened(f"sqlite:///{path}")
    try:
        assert await play(store) == 2  # one round under the new seed, not six
    finally:
        await store.close()


async def test_two_processes_on_one_file_never_share_a_nonce(path: Path) -> None:
    first, second = await opened(f"sqlite:///{path}"), await opened(f"sqlite:///{path}")
    try:
        await first.sessions.create(session())
        nonces = [await play(store) for store in (first, second, second, first, second, first, first)]
        assert nonces == [1, 2, 3, 4, 5, 6, 7]
        await second.sessions.rotate_seed("tok", "seed-2", "hash-2", "client-2", 0.0)
        assert [await play(first), await play(second)] == [1, 2]
    finally:
        await first.close()
        await second.close()
    assert stored_nonce(path) == 3


async def test_counts_are_written_back_once_enough_rounds_or_sessions_moved(path: Path) -> None:
    db = await open_database(f"sqlite:///{path}")
    assert isinstance(db, SqliteDatabase)
    # small limits, to see them reached
    store = ProviderStore(db, cache=SessionCache(db, Session.from_row, sessions_limit=3, rounds_limit=4))
    await store.migrate()
    try:
        for token in ("a", "b", "c"):
            await store.sessions.create(session(token))
        assert [await play(store, "a") for _ in range(3)] == [1, 2, 3]
        assert stored_nonce(path, "a") == 1
        assert await play(store, "a") == 4  # the fourth round: a write-back
        assert stored_nonce(path, "a") == 5
        assert await play(store, "a") == 5  # the session held before the write-back is read again
        await play(store, "b")
        assert stored_nonce(path, "b") == 1
        await play(store, "c")  # the third session that moved: a write-back
        assert [stored_nonce(path, t) for t in "abc"] == [6, 2, 2]
        assert [await play(store, t) for t in "abc"] == [6, 2, 2]
    finally:
        await store.close()


async def test_two_workers_playing_one_session_at_once_never_share_a_nonce(pg_url: str) -> None:
    """On PostgreSQL each worker computes a round from the session as it last saw it; the other worker's rounds make
    that guess wrong, and the recording refuses it, so the round is computed again from the next nonce."""
    first, second = await opened(pg_url), await opened(pg_url)
    try:
        await first.sessions.create(session())
        assert [await play(first), await play(second), await play(first), await play(second)] == [1, 2, 3, 4]
        together = await asyncio.gather(*(play(store) for store in (first, second) * 6))
        assert sorted(together) == list(range(5, 17))
    finally:
        await first.close()
        await second.close()
