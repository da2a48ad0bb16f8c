"""A player's rounds for the game history: on PostgreSQL through an index of the rounds, on SQLite through the table
the rounds are written behind into (``simulator.store.history``), which every read first brings up to date."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from simulator.store.database import Database, open_database
from simulator.store.history import HistoryQuery, RoundHistory
from simulator.store.provider import ProviderStore
from tests.simulator.store.test_provider_store import NOW, round_, session, tx


@pytest.fixture
async def store(db: Database) -> AsyncIterator[ProviderStore]:
    s = ProviderStore(db, history=RoundHistory(db, fold_every=3))
    await s.migrate()
    for token, player in (("tok", "p1"), ("tok2", "p2")):
        await s.sessions.create(replace(session(token), player_id=player))
    yield s


async def play(store: ProviderStore, token: str, player: str, at: float, **fields: Any) -> str:
    """Record a round of ``player`` at ``at`` as the round service does; its id."""
    s = await store.sessions.current(token)
    assert s is not None
    round_id = f"r-{player}-{at - NOW:g}"
    r = round_(round_id, session_token=token, player_id=player, created_at=at, **fields)
    bet = tx(round_id, session_token=token, player_id=player)
    assert await store.rounds.open(replace(r, nonce=s.nonce, server_seed_hash=s.server_seed_hash), [bet])
    return round_id


async def behind(db: Database) -> tuple[int, int]:
    """(rows written behind, the mark's rowid) on SQLite."""
    async with db.transaction() as t:
        rows = await t.fetchone("SELECT COUNT(*) AS n FROM player_rounds")
        mark = await t.fetchone("SELECT round_rowid FROM player_rounds_mark WHERE id = 0")
    assert rows is not None and mark is not None
    return int(rows["n"]), int(mark["round_rowid"])


async def test_a_players_rounds_newest_first_filtered_paged_and_totalled(store: ProviderStore) -> None:
    mine = [await play(store, "tok", "p1", NOW + i, game_id="g1" if i % 2 else "g2", win=10 * i) for i in range(7)]
    await play(store, "tok2", "p2", NOW + 3.5)
    history = store.history

    page = await history.page(HistoryQuery("p1", limit=4))
    assert [r.round_id for r in page] == mine[::-1][:4]
    last = page[-1]
    rest = await history.page(HistoryQuery("p1", before=(last.created_at, last.round_id), limit=4))
    assert [r.round_id for r in rest] == mine[::-1][4:]

    in_g1 = await history.page(HistoryQuery("p1", game_id="g1", since=NOW + 2, until=NOW + 6))
    assert [r.round_id for r in in_g1] == [mine[5], mine[3]]
    assert await history.page(HistoryQuery("p1", statuses=("closed",))) == []

    (totals,) = await history.totals(HistoryQuery("p1"))
    assert (totals.currency, totals.rounds, totals.staked, totals.won) == ("USD", 7, 700, 210)
    assert [r.round_id for r in await history.page(HistoryQuery("p2"))] == ["r-p2-3.5"]


async def test_sqlite_writes_rounds_behind_every_fold_and_reads_see_them_all(store: ProviderStore) -> None:
    if not store.history.deferred:
        pytest.skip("PostgreSQL indexes the rounds by player as they are recorded")
    for i in range(3):
        await play(store, "tok", "p1", NOW + i)
    assert await behind(store.db) == (3, 3)  # the third round recorded folded all three
    await play(store, "tok", "p1", NOW + 3)
    await play(store, "tok2", "p2", NOW + 4)
    assert await behind(store.db) == (3, 3)  # two rounds not written behind yet
    assert len(await store.history.page(HistoryQuery("p1"))) == 4  # the read folds them first
    assert await behind(store.db) == (5, 5)
    for i in range(2):  # the read's fold started the count again
        await play(store, "tok", "p1", NOW + 5 + i)
    assert await behind(store.db) == (5, 5)
    await play(store, "tok", "p1", NOW + 7)
    assert await behind(store.db) == (8, 8)


async def test_rounds_another_process_recorded_are_found(database_url: str) -> None:
    """Two stores on one database, as two processes: each one's reads find the rounds the other recorded, whether
    or not a fold of either has run since."""
    first_db, second_db = await open_database(database_url), await open_database(database_url)
    try:
        first = ProviderStore(first_db, history=RoundHistory(first_db, fold_every=2))
        await first.migrate()
        await first.sessions.create(replace(session("tok"), player_id="p1"))
        second = ProviderStore(second_db, history=RoundHistory(second_db, fold_every=1000))
        await second.migrate()
        played = [await play(first, "tok", "p1", NOW + i) for i in range(3)]  # the second round folded two
        assert [r.round_id for r in await second.history.page(HistoryQuery("p1"))] == played[::-1]
        played.append(await play(first, "tok", "p1", NOW + 3))
        assert [r.round_id for r in await second.history.page(HistoryQuery("p1"))] == played[::-1]
        (totals,) = await first.history.totals(HistoryQuery("p1"))
        assert totals.rounds == 4
    finally:
        await first_db.close()
        await second_db.close()


async def test_sqlite_reads_a_player_in_the_order_of_the_rounds_written_behind(store: ProviderStore) -> None:
    """The page walks the table written behind by player and time, newest first, and stops at the limit: it never
    scans the rounds or sorts them."""
    if not store.history.deferred:
        pytest.skip("PostgreSQL indexes the rounds by player as they are recorded")
    source, key = store.history.source
    async with store.db.transaction() as t:
        plan = await t.fetchall(
            f"EXPLAIN QUERY PLAN SELECT r.* FROM {source} WHERE {key}.player_id = ?"  # noqa: S608
            f" ORDER BY {key}.created_at DESC, {key}.round_id DESC LIMIT 10",
            "p1",
        )
    steps = [str(row["detail"]) for row in plan]
    assert any(s.startswith("SEARCH p USING PRIMARY KEY (player_id=?)") for s in steps), steps
    assert any(s.startswith("SEARCH r USING INDEX sqlite_autoindex_rounds_1 (round_id=?)") for s in steps), steps
    assert not any("TEMP B-TREE" in s or s.startswith("SCAN") for s in steps), steps


async def test_a_failed_fold_fails_no_round_and_the_next_read_folds(
    store: ProviderStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    if not store.history.deferred:
        pytest.skip("PostgreSQL indexes the rounds by player as they are recorded")
    history = store.history
    fold_in = history.fold_in

    async def locked(tx: Any) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(history, "fold_in", locked)
    played = [await play(store, "tok", "p1", NOW + i) for i in range(3)]  # the third round's fold fails
    assert "not written behind" in caplog.text
    monkeypatch.setattr(history, "fold_in", fold_in)
    assert await behind(store.db) == (0, 0)
    assert [r.round_id for r in await history.page(HistoryQuery("p1"))] == played[::-1]
