"""The sessions' expiry sweep: a session past its expiry is closed once, with reason ``expired`` and its sink called in
the closing transaction, however many processes sweep at once; a session closed before (by a regulated limit) or
still running is left alone."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from simulator.store.database import Database, Tx, open_database
from simulator.store.provider import ProviderStore
from simulator.store.sessions import mark_closed
from tests.simulator.store.test_provider_store import NOW, session


async def closes(db: Database) -> dict[str, tuple[float | None, str | None]]:
    async with db.transaction() as tx:
        rows = await tx.fetchall("SELECT token, closed_at, closed_reason FROM sessions ORDER BY token")
    return {r["token"]: (r["closed_at"], r["closed_reason"]) for r in rows}


async def test_an_expired_session_is_closed_once_and_announced_in_its_transaction(db: Database) -> None:
    store = ProviderStore(db)
    await store.migrate()
    for token, ttl in (("early", 60), ("late", 7_200), ("limited", 60)):
        await store.sessions.create(replace(session(token), expires_at=NOW + ttl))
    async with db.transaction() as tx:
        assert await mark_closed(tx, "limited", "loss_limit", NOW + 10)
        assert not await mark_closed(tx, "limited", "time_limit", NOW + 20)  # closed already
    announced: list[tuple[str, str]] = []

    async def sink(tx: Tx, token: str, now: float) -> None:
        row = await tx.fetchone("SELECT closed_reason FROM sessions WHERE token = ?", token)
        assert row is not None
        announced.append((token, row["closed_reason"]))  # the close is visible to the sink: same transaction

    store.sessions.subscribe(sink)
    assert await store.sessions.close_expired(NOW + 59) == 0  # not yet
    assert await store.sessions.close_expired(NOW + 60) == 1
    assert await store.sessions.close_expired(NOW + 3_600) == 0  # never twice
    assert announced == [("early", "expired")]
    assert await closes(db) == {
        "early": (NOW + 60, "expired"),
        "late": (None, None),
        "limited": (NOW + 10, "loss_limit"),
    }
    assert await store.sessions.close_expired(NOW + 7_200) == 1
    assert announced[-1] == ("late", "expired")


@pytest.mark.postgres
async def test_two_processes_sweeping_at_once_close_each_session_once(pg_url: str) -> None:
    """Processes share PostgreSQL (SQLite has one writing process)."""
    db, other_db = await open_database(pg_url), await open_database(pg_url)
    try:
        first, second = ProviderStore(db), ProviderStore(other_db)
        await first.migrate()
        for n in range(40):
            await first.sessions.create(replace(session(f"s{n:02}"), expires_at=NOW + n))
        announced: list[str] = []

        async def sink(tx: Tx, token: str, now: float) -> None:
            announced.append(token)

        first.sessions.subscribe(sink)
        second.sessions.subscribe(sink)
        closed = 0
        while counts := sum(
            await asyncio.gather(*(s.sessions.close_expired(NOW + 100, limit=10) for s in (first, second)))
        ):
            closed += counts  # both take the same oldest ten: one closes them, the other finds them closed
        assert closed == 40 == len(announced) == len(set(announced))
        assert {reason for _, reason in (await closes(db)).values()} == {"expired"}
    finally:
        await other_db.close()
        await db.close()
