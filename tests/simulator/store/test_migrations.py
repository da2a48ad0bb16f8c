"""Schema upgrades: a store made by the release before versioned migrations, with data in it, is adopted as version 1
by the code of today and loses nothing; a later migration reaches it; a database newer than the code is refused; and
processes starting together on one PostgreSQL database apply a migration once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from simulator.app import create_app
from simulator.clock import ManualClock
from simulator.listener import make_runner
from simulator.settings import Settings
from simulator.store import schema, session_cache
from simulator.store.database import Database, open_database
from simulator.store.history import HistoryQuery
from simulator.store.migrations import SchemaTooNew
from simulator.store.provider import ProviderStore, Round
from simulator.wallet import records
from simulator.wallet.ledger import Ledger
from simulator.wallet.models import BalanceRequest
from tests.databases import ENGINES, database_url_for, postgres_schema

NOW = 1_700_000_000.0

# The past, as the last release without recorded versions wrote it: its DDL, copied here once and never edited.

PROVIDER_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS sessions (
        token TEXT PRIMARY KEY,
        player_id TEXT NOT NULL,
        operator_token TEXT NOT NULL,
        game_id TEXT NOT NULL,
        studio_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        demo INTEGER NOT NULL DEFAULT 0,
        country TEXT,
        language TEXT,
        created_at {real} NOT NULL,
        expires_at {real} NOT NULL,
        server_seed TEXT NOT NULL,
        server_seed_hash TEXT NOT NULL,
        client_seed TEXT NOT NULL,
        nonce BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS revealed_seeds (
        server_seed_hash TEXT PRIMARY KEY,
        server_seed TEXT NOT NULL,
        revealed_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS rounds (
        round_id TEXT PRIMARY KEY,
        session_token TEXT NOT NULL,
        player_id TEXT NOT NULL,
        game_id TEXT NOT NULL,
        studio_id TEXT NOT NULL,
        engine_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        stake BIGINT NOT NULL,
        win BIGINT NOT NULL,
        status TEXT NOT NULL,
        params TEXT NOT NULL,
        outcome TEXT NOT NULL,
        server_seed_hash TEXT NOT NULL,
        client_seed TEXT NOT NULL,
        nonce BIGINT NOT NULL,
        version INTEGER NOT NULL,
        created_at {real} NOT NULL,
        updated_at {real} NOT NULL)""",
    "DROP INDEX IF EXISTS rounds_session",
    "CREATE INDEX IF NOT EXISTS rounds_unfinished ON rounds (session_token, created_at)"
    " WHERE status IN ('open', 'acting')",
    "CREATE INDEX IF NOT EXISTS rounds_status ON rounds (status, created_at)",
    """CREATE TABLE IF NOT EXISTS transactions (
        seq {serial},
        transaction_id TEXT NOT NULL UNIQUE,
        round_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        player_id TEXT NOT NULL,
        session_token TEXT NOT NULL,
        wallet_session TEXT NOT NULL,
        game_id TEXT NOT NULL,
        studio_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        amount BIGINT NOT NULL,
        round_closed INTEGER NOT NULL,
        reference_transaction_id TEXT,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at {real} NOT NULL,
        last_error TEXT,
        balance_after BIGINT,
        created_at {real} NOT NULL,
        updated_at {real} NOT NULL)""",
    "DROP INDEX IF EXISTS transactions_due",
    "CREATE INDEX IF NOT EXISTS transactions_pending ON transactions (next_attempt_at) WHERE status = 'pending'",
    "CREATE INDEX IF NOT EXISTS transactions_round ON transactions (round_id)",
)
NONCE_MARK_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS nonce_mark (id INTEGER PRIMARY KEY CHECK (id = 0), round_rowid INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO nonce_mark (id, round_rowid) SELECT 0, COALESCE(MAX(rowid), 0) FROM rounds",
)
LEDGER_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS players (
        player_id TEXT PRIMARY KEY,
        currency TEXT NOT NULL,
        balance BIGINT NOT NULL CHECK (balance >= 0),
        bonus_balance BIGINT NOT NULL DEFAULT 0 CHECK (bonus_balance >= 0),
        blocked INTEGER NOT NULL DEFAULT 0,
        daily_wager_limit BIGINT,
        daily_loss_limit BIGINT,
        created_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tokens (
        token TEXT PRIMARY KEY,
        player_id TEXT NOT NULL REFERENCES players (player_id),
        expires_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS entries (
        seq {serial},
        transaction_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        player_id TEXT NOT NULL REFERENCES players (player_id),
        round_id TEXT NOT NULL,
        game_id TEXT NOT NULL,
        studio_id TEXT NOT NULL,
        amount BIGINT NOT NULL,
        currency TEXT NOT NULL,
        funds TEXT NOT NULL,
        campaign_id TEXT,
        reference_transaction_id TEXT,
        round_closed INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        balance_after BIGINT NOT NULL,
        bonus_balance_after BIGINT NOT NULL,
        created_at {real} NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS entries_round ON entries (round_id)",
    "CREATE INDEX IF NOT EXISTS entries_player ON entries (player_id, seq)",
    """CREATE TABLE IF NOT EXISTS tombstones (
        transaction_id TEXT PRIMARY KEY,
        rollback_transaction_id TEXT NOT NULL,
        created_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS wallet_rounds (
        round_id TEXT PRIMARY KEY,
        player_id TEXT NOT NULL,
        funds TEXT NOT NULL,
        closed INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS free_rounds (
        player_id TEXT NOT NULL REFERENCES players (player_id),
        campaign_id TEXT NOT NULL,
        remaining INTEGER NOT NULL CHECK (remaining >= 0),
        PRIMARY KEY (player_id, campaign_id))""",
    """CREATE TABLE IF NOT EXISTS disabled_games (
        game_id TEXT PRIMARY KEY,
        created_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS daily_totals (
        player_id TEXT NOT NULL REFERENCES players (player_id),
        day TEXT NOT NULL,
        wagered BIGINT NOT NULL,
        lost BIGINT NOT NULL,
        PRIMARY KEY (player_id, day))""",
)

# the column types each engine put in for {serial} and {real} then
PAST_TYPES = {
    "sqlite": {"serial": "INTEGER PRIMARY KEY", "real": "REAL"},
    "postgresql": {"serial": "BIGSERIAL PRIMARY KEY", "real": "DOUBLE PRECISION"},
}

PAST_ROWS: dict[str, list[dict[str, Any]]] = {
    "sessions": [
        dict(
            token="tok-1",
            player_id="p1",
            operator_token="op-1",
            game_id="g1",
            studio_id="s1",
            currency="USD",
            demo=0,
            country="MT",
            language="en",
            created_at=NOW,
            expires_at=NOW + 3600,
            server_seed="seed-1",
            server_seed_hash="hash-1",
            client_seed="client-1",
            nonce=3,
        ),
    ],
    "revealed_seeds": [dict(server_seed_hash="hash-0", server_seed="seed-0", revealed_at=NOW - 10)],
    "rounds": [
        dict(
            round_id=f"r{n}",
            session_token="tok-1",
            player_id="p1",
            game_id="g1",
            studio_id="s1",
            engine_id="dice",
            currency="USD",
            stake=100,
            win=win,
            status=status,
            params='{"target": 50}',
            outcome='{"roll": 12}',
            server_seed_hash="hash-1",
            client_seed="client-1",
            nonce=n,
            version=1,
            created_at=NOW + n,
            updated_at=NOW + n,
        )
        for n, win, status in ((1, 250, "closed"), (2, 0, "open"))
    ],
    "transactions": [
        dict(
            transaction_id=transaction_id,
            round_id=round_id,
            kind=kind,
            player_id="p1",
            session_token="tok-1",
            wallet_session="op-1",
            game_id="g1",
            studio_id="s1",
            currency="USD",
            amount=amount,
            round_closed=int(kind == "win"),
            reference_transaction_id=None,
            status=status,
            attempts=1,
            next_attempt_at=NOW,
            last_error=None,
            balance_after=balance,
            created_at=NOW,
            updated_at=NOW,
        )
        for transaction_id, round_id, kind, amount, status, balance in (
            ("bet-1", "r1", "bet", 100, "acked", 900),
            ("win-1", "r1", "win", 250, "acked", 1150),
            ("bet-2", "r2", "bet", 100, "pending", None),
        )
    ],
    "players": [
        dict(
            player_id="p1",
            currency="USD",
            balance=1050,
            bonus_balance=0,
            blocked=0,
            daily_wager_limit=None,
            daily_loss_limit=None,
            created_at=NOW - 100,
        ),
    ],
    "tokens": [dict(token="op-1", player_id="p1", expires_at=NOW + 3600)],
    "entries": [
        dict(
            transaction_id=transaction_id,
            kind=kind,
            player_id="p1",
            round_id=round_id,
            game_id="g1",
            studio_id="s1",
            amount=amount,
            currency="USD",
            funds="cash",
            campaign_id=None,
            reference_transaction_id=None,
            round_closed=int(kind == "win"),
            fingerprint=f"fp-{transaction_id}",
            balance_after=balance,
            bonus_balance_after=0,
            created_at=NOW,
        )
        for transaction_id, kind, round_id, amount, balance in (
            ("dep-1", "deposit", "", 1000, 1000),
            ("bet-1", "bet", "r1", 100, 900),
            ("win-1", "win", "r1", 250, 1150),
            ("bet-2", "bet", "r2", 100, 1050),
        )
    ],
    "wallet_rounds": [
        dict(round_id="r1", player_id="p1", funds="cash", closed=1),
        dict(round_id="r2", player_id="p1", funds="cash", closed=0),
    ],
    "daily_totals": [dict(player_id="p1", day="2023-11-14", wagered=200, lost=0)],
}
ORDER = {"sessions": "token", "revealed_seeds": "server_seed_hash", "rounds": "round_id", "players": "player_id"}
ORDER |= {"transactions": "seq", "tokens": "token", "entries": "seq", "wallet_rounds": "round_id"}
ORDER |= {"daily_totals": "player_id, day", "nonce_mark": "id", "tombstones": "transaction_id"}

# a migration only this test knows: the first column added to a table that already holds rows
ADD_NOTE = ("ALTER TABLE rounds ADD COLUMN note TEXT NOT NULL DEFAULT ''",)


def engine_of(db: Database) -> str:
    return "sqlite" if db.dialect == "sqlite" else "postgresql"


async def make_past_store(db: Database) -> None:
    """Tables and rows exactly as the last unversioned release left them: no schema_versions table."""
    ddl: Sequence[str] = PROVIDER_SCHEMA + LEDGER_SCHEMA
    async with db.transaction() as tx:
        for statement in ddl:
            await tx.execute(statement.format(**PAST_TYPES[engine_of(db)]))
        for table, rows in PAST_ROWS.items():
            for row in rows:
                columns = ", ".join(row)
                marks = ", ".join("?" * len(row))
                await tx.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", *row.values())  # noqa: S608
        if db.dialect == "sqlite":  # made on SQLite once rounds existed
            for statement in NONCE_MARK_SCHEMA:
                await tx.execute(statement)


async def dump(db: Database) -> dict[str, list[dict[str, Any]]]:
    tables = [t for t in ORDER if t != "nonce_mark" or db.dialect == "sqlite"]
    async with db.transaction() as tx:
        return {
            table: [dict(row) for row in await tx.fetchall(f"SELECT * FROM {table} ORDER BY {ORDER[table]}")]  # noqa: S608
            for table in tables
        }


async def versions(db: Database) -> dict[str, int]:
    async with db.transaction() as tx:
        rows = await tx.fetchall("SELECT component, version FROM schema_versions")
    return {row["component"]: int(row["version"]) for row in rows}


async def upgrade_with_todays_code(db: Database) -> ProviderStore:
    store = ProviderStore(db)
    await store.migrate()
    await Ledger(db, ManualClock(NOW + 60)).migrate()
    return store


@asynccontextmanager
async def opened(url: str) -> AsyncIterator[Database]:
    """The database as one start of a process sees it: a fresh connection (pool), closed at the end."""
    db = await open_database(url)
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture(params=ENGINES)
async def past_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with database_url_for(request.param, tmp_path) as url:
        async with opened(url) as db:
            await make_past_store(db)
        yield url


def test_migration_1_is_the_past_schema_exactly() -> None:
    """Databases made before versions were recorded are adopted by running migration 1 on them, so it must stay what
    those releases ran."""
    assert schema.MIGRATIONS[0] == PROVIDER_SCHEMA
    assert session_cache.MIGRATIONS[0] == NONCE_MARK_SCHEMA
    assert records.MIGRATIONS[0] == LEDGER_SCHEMA


LATEST = len(schema.MIGRATIONS)


def without_new_columns(tables: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The dump with the columns later migrations added (empty on rows written before them) taken out."""
    assert [row.pop("bonus") for row in tables["transactions"]] == [None] * len(tables["transactions"])
    # migration 3: the lobby links a launch names; migration 4: when and why a session closed
    for column in ("lobby_url", "cashier_url", "platform", "closed_at", "closed_reason"):
        assert [row.pop(column) for row in tables["sessions"]] == [None] * len(tables["sessions"])
    return tables


async def test_a_past_store_is_adopted_as_version_1_then_upgraded_losing_nothing(past_url: str) -> None:
    async with opened(past_url) as db:
        before = await dump(db)
    assert sum(map(len, before.values())) > 10

    async with opened(past_url) as db:
        store = await upgrade_with_todays_code(db)
        upgraded = without_new_columns(await dump(db))
        # the ledger's migration 2 adds the self-exclusion flag, off for every player
        assert [row.pop("self_excluded") for row in upgraded["players"]] == [0] * len(before["players"])
        assert upgraded == before
        # webhook_deliveries, round_history, jackpot_pools and campaign_owners are components of their own, new in
        # this release: created on upgrade
        expected = {"provider": LATEST, "round_history": 1, "wallet_ledger": 2, "webhook_deliveries": 1}
        expected |= {"jackpot_pools": 1, "campaign_owners": 1}
        # on SQLite the rounds by player are a table written behind (player_rounds), filled from the rounds so far
        expected |= {"nonce_mark": 1, "player_rounds": 1} if db.dialect == "sqlite" else {}
        assert await versions(db) == expected
        by_player = await store.history.page(HistoryQuery(before["rounds"][0]["player_id"]))
        assert sorted(r.round_id for r in by_player) == sorted(
            r["round_id"] for r in before["rounds"] if r["player_id"] == before["rounds"][0]["player_id"]
        )
        session = await store.sessions.get("tok-1")
        assert session is not None and session.nonce == 3 and session.server_seed == "seed-1"
        pending = await store.rounds.get("r2")
        assert pending is not None and pending.status == "open" and pending.params == {"target": 50}
        assert [t.transaction_id for t in await store.outbox.of_round("r1")] == ["bet-1", "win-1"]
        request = BalanceRequest(request_id="q", player_id="p1", session_id="op-1", currency="USD")
        assert (await Ledger(db, ManualClock(NOW + 60)).balance(request))["balance"] == 1050

        # play goes on where it stopped: the next round takes the next nonce
        current = await store.sessions.current("tok-1")
        assert current is not None and current.nonce == 3
        fields = PAST_ROWS["rounds"][1] | {"round_id": "r3", "nonce": current.nonce, "params": {}, "outcome": {}}
        assert await store.rounds.open(Round(**fields), [])
        after = await store.sessions.current("tok-1")
        assert after is not None and after.nonce == 4
        await store.close()

    async with opened(past_url) as db:  # a second start changes nothing
        again = await dump(db)
        await upgrade_with_todays_code(db)
        assert await dump(db) == again
        assert len(again["rounds"]) == 3


"""The provider's version once a test adds a migration after today's."""


async def test_a_new_migration_reaches_an_existing_database_with_rows(past_url: str) -> None:
    async with opened(past_url) as db:
        await upgrade_with_todays_code(db)
        before = await dump(db)

    async with opened(past_url) as db:  # the next release starts
        assert await db.migrate("provider", (*schema.MIGRATIONS, ADD_NOTE)) == LATEST + 1
        assert await db.migrate("provider", (*schema.MIGRATIONS, ADD_NOTE)) == LATEST + 1  # applied once
        after = await dump(db)
        assert [row.pop("note") for row in after["rounds"]] == ["", ""]
        assert after == before
        assert (await versions(db))["provider"] == LATEST + 1
        found = await ProviderStore(db).rounds.get("r1")
        assert found is not None and found.win == 250


async def test_a_database_newer_than_the_code_is_refused(past_url: str) -> None:
    async with opened(past_url) as db:
        await db.migrate("provider", (*schema.MIGRATIONS, ADD_NOTE))
        message = rf"schema version {LATEST + 1} of 'provider', newer than this release knows \(version {LATEST}\)"
        with pytest.raises(SchemaTooNew, match=message):
            await ProviderStore(db).migrate()
        assert (await versions(db))["provider"] == LATEST + 1


async def test_a_failed_migration_leaves_the_database_as_it_was(past_url: str) -> None:
    async with opened(past_url) as db:
        await upgrade_with_todays_code(db)
        before = await dump(db)
    broken = (ADD_NOTE[0], "ALTER TABLE no_such_table ADD COLUMN x TEXT")
    async with opened(past_url) as db:
        with pytest.raises(Exception, match="no_such_table"):
            await db.migrate("provider", (*schema.MIGRATIONS, broken))
    async with opened(past_url) as db:
        assert await dump(db) == before  # no note column: the first statement was undone with the second
        assert (await versions(db))["provider"] == LATEST


@pytest.mark.postgres
async def test_processes_starting_together_on_postgresql_apply_each_migration_once() -> None:
    """Three processes' pools wait on a lock this test holds, then migrate in turn: each migration ran once (a second
    CREATE TABLE or ALTER would fail), and all three end at version 2."""
    import asyncpg

    migrations = (("CREATE TABLE items (name TEXT PRIMARY KEY)",), ("ALTER TABLE items ADD COLUMN weight BIGINT",))
    async with postgres_schema() as url:
        holder = await asyncpg.connect(url.split("?")[0])
        pools = [await open_database(url) for _ in range(3)]
        try:
            await holder.execute("SELECT pg_advisory_lock(727274)")
            starts = [asyncio.create_task(db.migrate("items", migrations)) for db in pools]
            waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 727274 AND NOT granted"
            async with asyncio.timeout(10):
                while await holder.fetchval(waiting) < 3:  # noqa: ASYNC110 - all three started and wait their turn
                    await asyncio.sleep(0.01)
            await holder.execute("SELECT pg_advisory_unlock(727274)")
            assert await asyncio.gather(*starts) == [2, 2, 2]
            assert await versions(pools[0]) == {"items": 2}
        finally:
            for db in pools:
                await db.close()
            await holder.close()


async def test_the_server_refuses_to_start_on_a_data_dir_newer_than_the_code(tmp_path: Path) -> None:
    """``SchemaTooNew`` is a ``SimulatorError``: the command line prints its message and exits 2, no traceback."""
    async with opened(f"sqlite:///{tmp_path / 'data' / 'simulator.sqlite3'}") as db:
        await db.migrate("provider", (*schema.MIGRATIONS, ADD_NOTE))
    settings = Settings(data_dir=tmp_path / "data", port=0)
    runner = make_runner(create_app(settings), settings)
    with pytest.raises(SchemaTooNew, match=f"schema version {LATEST + 1} of 'provider', newer than this release knows"):
        await runner.setup()
    await runner.cleanup()
