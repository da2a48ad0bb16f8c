"""How long reports take on a big store: seeds N rounds (default 1,000,000) with their bets and wins, then times a
day-by-game money report and the RTP report on SQLite and on PostgreSQL.

    python bench/report_speed.py                                   # 1,000,000 rounds, SQLite and PostgreSQL
    python bench/report_speed.py --rounds 200000 --engines sqlite
    python bench/report_speed.py --pg-url postgresql://postgres@127.0.0.1:5432/test

Rounds are spread over 30 days, 200 games of the catalogue, 3 currencies and 10,000 players; each has a bet and a
closing win (1 in 200 a rollback instead). It prints, per engine:

  fold          the first report after seeding, which folds every final row of the log into hourly buckets
  warm          the same report again (buckets plus the log above the fold: nothing new here)
  warm+tail     after 10,000 more rounds: the report folds them first
  log scan      the same figures read from the log alone, with no buckets (what the buckets save)
  rtp           the RTP report (a scan of the closed rounds)

PostgreSQL gets a fresh schema, dropped at the end. Figures from one machine compare only with each other.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.catalog import build_catalog
from simulator.reports.buckets import Buckets, log_totals_sql
from simulator.reports.money import money_report
from simulator.reports.query import ReportQuery
from simulator.reports.rtp import rtp_report
from simulator.settings import Settings
from simulator.store.database import Database, open_database
from simulator.store.provider import ProviderStore
from simulator.store.records import Round, Transaction

START = 1_764_547_200.0  # 2025-12-01 UTC
DAYS = 30
CURRENCIES = ("USD", "EUR", "JPY")
TX_COLUMNS = tuple(k for k in Transaction.__slots__ if k != "seq")


def generate(
    rounds: int, first: int, games: list[tuple[str, str, str]]
) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    """(round row, transaction rows) for rounds ``first`` .. ``first + rounds``; wins pay about 96%."""
    rng = random.Random(first)
    span = DAYS * 86400
    for n in range(first, first + rounds):
        game_id, studio_id, engine_id = games[n % len(games)]
        currency = CURRENCIES[n % 3]
        player = f"player-{n % 10_000}"
        stake = 100 * rng.randint(1, 10)
        win = stake * 2 if rng.random() < 0.48 else 0
        at = START + span * n / (first + rounds if first else rounds)
        rolled_back = n % 200 == 0
        round_id = f"round-{n}"
        status = "rolled_back" if rolled_back else "closed"
        round_row = (
            round_id,
            "s",
            player,
            game_id,
            studio_id,
            engine_id,
            currency,
            stake,
            0 if rolled_back else win,
            status,
            "{}",
            "{}",
            "h",
            "c",
            n,
            0,
            at,
            at,
        )
        bet_id = f"bet-{n}"
        common = (round_id, player, "s", "w", game_id, studio_id, currency)
        txs: list[tuple[object, ...]] = [
            (bet_id, common[0], "bet", *common[1:], stake, 0, None, "acked", 1, at, None, None, at, at)
        ]
        second = (f"rb-{n}", "rollback", stake) if rolled_back else (f"win-{n}", "win", win)
        txs.append(
            (second[0], common[0], second[1], *common[1:], second[2], 1, bet_id, "acked", 1, at, None, None, at, at)
        )
        pad = (None,) * (len(TX_COLUMNS) - len(txs[0]))  # columns later migrations added (bonus): empty here
        yield round_row, [tx + pad for tx in txs]


async def seed_sqlite(path: Path, rounds: int, first: int, games: list[tuple[str, str, str]]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    round_sql = f"INSERT INTO rounds ({', '.join(Round.__slots__)}) VALUES ({', '.join('?' * len(Round.__slots__))})"  # noqa: S608
    tx_sql = f"INSERT INTO transactions ({', '.join(TX_COLUMNS)}) VALUES ({', '.join('?' * len(TX_COLUMNS))})"  # noqa: S608
    batch_r: list[tuple[Any, ...]] = []
    batch_t: list[tuple[Any, ...]] = []
    for round_row, txs in generate(rounds, first, games):
        batch_r.append(round_row)
        batch_t += txs
        if len(batch_r) >= 20_000:
            conn.executemany(round_sql, batch_r)
            conn.executemany(tx_sql, batch_t)
            batch_r, batch_t = [], []
    conn.executemany(round_sql, batch_r)
    conn.executemany(tx_sql, batch_t)
    conn.execute("COMMIT")
    conn.close()


async def seed_postgres(url: str, schema: str, rounds: int, first: int, games: list[tuple[str, str, str]]) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.split("?")[0], server_settings={"search_path": schema})
    try:
        batch_r: list[tuple[Any, ...]] = []
        batch_t: list[tuple[Any, ...]] = []

        async def flush() -> None:
            await conn.copy_records_to_table("rounds", records=batch_r, columns=list(Round.__slots__))
            await conn.copy_records_to_table("transactions", records=batch_t, columns=list(TX_COLUMNS))

        for round_row, txs in generate(rounds, first, games):
            batch_r.append(round_row)
            batch_t += txs
            if len(batch_r) >= 50_000:
                await flush()
                batch_r, batch_t = [], []
        await flush()
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def timed(label: str, action: Any) -> Any:
    """Wall time, and this process's CPU time (on a shared machine the wall time also counts waiting for a core;
    PostgreSQL's own CPU is in neither)."""
    began, cpu = time.perf_counter(), time.process_time()
    result = await action
    wall, used = time.perf_counter() - began, time.process_time() - cpu
    print(f"  {label:<12} {wall:8.3f} s wall {used:8.3f} s cpu", flush=True)
    return result


async def measure(db: Database, reseed: Any, rounds: int) -> None:
    catalog = build_catalog(Settings.model_fields["seed"].default)
    buckets = Buckets(db)
    await buckets.migrate()
    query = ReportQuery.parse("day,game", None, None, {})
    report = await timed("fold", money_report(db, buckets, query, limit=10**9))
    await timed("warm", money_report(db, buckets, query, limit=10**9))
    await reseed(10_000, rounds)
    report = await timed("warm+tail", money_report(db, buckets, query, limit=10**9))
    sql = log_totals_sql(db.dialect, where="1 = 1", dimensions=("studio_id", "game_id", "currency"))

    async def scan() -> int:
        async with db.transaction() as tx:
            return len(await tx.fetchall(sql))

    await timed("log scan", scan())
    lines = await timed("rtp", rtp_report(db, catalog, ReportQuery()))
    bets = sum(t["bets"] for t in report.totals)
    print(
        f"  {len(report.rows)} rows, {len(lines)} RTP lines, {sum(t['rounds'] for t in report.totals)} rounds closed,"
        f" bets in {len(report.totals)} currencies (never added: {bets} is only a checksum)"
    )


async def run_sqlite(rounds: int, games: list[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.sqlite3"
        db = await open_database(f"sqlite:///{path}")
        await ProviderStore(db).migrate()
        await db.close()
        began = time.perf_counter()
        await seed_sqlite(path, rounds, 0, games)
        print(
            f"sqlite: seeded {rounds:,} rounds in {time.perf_counter() - began:.1f} s "
            f"({path.stat().st_size / 1e6:.0f} MB)"
        )
        db = await open_database(f"sqlite:///{path}")

        async def reseed(more: int, first: int) -> None:
            await seed_sqlite(path, more, first, games)

        try:
            await measure(db, reseed, rounds)
        finally:
            await db.close()


async def run_postgres(url: str, rounds: int, games: list[tuple[str, str, str]]) -> None:
    import asyncpg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)
    await admin.execute(f"CREATE SCHEMA {schema}")
    try:
        db = await open_database(f"{url}?search_path={schema}")
        await ProviderStore(db).migrate()
        began = time.perf_counter()
        await seed_postgres(url, schema, rounds, 0, games)
        print(f"postgresql: seeded {rounds:,} rounds in {time.perf_counter() - began:.1f} s")

        async def reseed(more: int, first: int) -> None:
            await seed_postgres(url, schema, more, first, games)

        try:
            await measure(db, reseed, rounds)
        finally:
            await db.close()
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    catalog = build_catalog(Settings.model_fields["seed"].default)
    games = [(g.game_id, g.studio_id, g.engine_id) for g in sorted(catalog.games.values(), key=lambda g: g.game_id)][
        :200
    ]
    for engine in args.engines.split(","):
        if engine == "sqlite":
            asyncio.run(run_sqlite(args.rounds, games))
        elif engine == "postgresql":
            asyncio.run(run_postgres(args.pg_url, args.rounds, games))
        else:
            parser.error(f"unknown engine {engine!r}")


if __name__ == "__main__":
    main()
