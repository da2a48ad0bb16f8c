"""Jackpot pools on both engines: contributions add up, a win pays the value once and restarts the pool, and two
database connections (two processes' worth) taking the same pool at once never pay one value twice."""

from __future__ import annotations

import asyncio

import pytest

from simulator.store.database import Database, open_database
from simulator.store.jackpots import JackpotPools, contribute, take

SEED = 10_000


async def test_contributions_feed_the_pool_and_a_win_restarts_it_at_its_seed(db: Database) -> None:
    pools = JackpotPools(db)
    await pools.migrate()
    for amount in (3, 5, 7):
        async with db.transaction() as tx:
            await contribute(tx, "grand", "USD", SEED, amount, 1.0)
    async with db.transaction() as tx:
        await contribute(tx, "grand", "EUR", SEED, 1, 1.0)
        paid = await take(tx, "grand", "EUR", SEED, 2.0)
    assert paid == SEED + 1
    by_currency = {p.currency: p for p in await pools.all()}
    assert by_currency["USD"].value == SEED + 15 and by_currency["USD"].wins == 0
    eur = by_currency["EUR"]
    assert (eur.value, eur.paid, eur.contributed, eur.wins) == (SEED, SEED + 1, 1, 1)


@pytest.mark.postgres
async def test_two_connections_never_pay_the_same_value_twice(pg_url: str) -> None:
    """PostgreSQL only: SQLite is written by one process (``--workers`` needs PostgreSQL)."""
    first, second = await open_database(pg_url), await open_database(pg_url)
    try:
        await JackpotPools(first).migrate()

        async def round_that_wins(db: Database) -> int:
            async with db.transaction() as tx:
                await contribute(tx, "grand", "USD", SEED, 100, 1.0)
                await asyncio.sleep(0)  # let the other connection try the same pool meanwhile
                return await take(tx, "grand", "USD", SEED, 1.0)

        paid = await asyncio.gather(*(round_that_wins(db) for _ in range(10) for db in (first, second)))
        assert paid == [SEED + 100] * 20  # each win paid its own round's contribution on a fresh seed
        [pool] = await JackpotPools(first).all()
        assert (pool.value, pool.paid, pool.contributed, pool.wins) == (SEED, 20 * (SEED + 100), 2_000, 20)
    finally:
        await first.close()
        await second.close()
