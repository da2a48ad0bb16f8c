"""Opening the PostgreSQL pool while the server is still starting: a bounded wait, then one clear error."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from simulator.store.postgres import DatabaseUnavailable, PostgresDatabase
from tests.databases import PG_URL, postgres_unavailable

asyncpg = pytest.importorskip("asyncpg")


class FakeTime:
    """The clock moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens on it once the socket is closed


async def test_gives_up_after_the_wait_with_the_server_named_and_no_password() -> None:
    fake = FakeTime()
    url = f"postgresql://casino:hunter2-secret@127.0.0.1:{closed_port()}/casino"
    with pytest.raises(DatabaseUnavailable) as caught:
        await PostgresDatabase.connect(url, wait=10, sleep=fake.sleep, clock=fake.clock)
    message = caught.value.message
    assert message.startswith(f"PostgreSQL at 127.0.0.1:{url.rsplit(':', 1)[1]} did not accept a connection within 10s")
    assert "ConnectionRefusedError" in message and "hunter2" not in message
    assert fake.sleeps == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0, 2.0], "backs off, and stops before the wait is over"
    assert sum(fake.sleeps) <= 10


@pytest.mark.postgres
async def test_a_server_that_comes_up_while_waiting_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    if (reason := await postgres_unavailable()) is not None:
        pytest.skip(reason)
    real = asyncpg.create_pool
    attempts: list[str] = []

    async def starting_then_up(url: str, **kwargs: Any) -> Any:
        attempts.append(url)
        if len(attempts) == 1:
            raise ConnectionRefusedError(111, "Connect call failed")
        if len(attempts) == 2:
            raise asyncpg.CannotConnectNowError("the database system is starting up")
        return await real(url, **kwargs)

    monkeypatch.setattr(asyncpg, "create_pool", starting_then_up)
    fake = FakeTime()
    database = await PostgresDatabase.connect(PG_URL, wait=10, sleep=fake.sleep, clock=fake.clock)
    try:
        async with database.transaction() as tx:
            row = await tx.fetchone("SELECT 1 AS one")
            assert row is not None and row["one"] == 1
    finally:
        await database.close()
    assert len(attempts) == 3 and fake.sleeps == [0.25, 0.5]


async def test_an_answer_waiting_cannot_change_is_refused_at_once() -> None:
    if (reason := await postgres_unavailable()) is not None:
        pytest.skip(reason)
    fake = FakeTime()
    with pytest.raises(DatabaseUnavailable, match='refused: InvalidCatalogNameError: database "no_such_db_') as caught:
        await PostgresDatabase.connect(
            PG_URL.rsplit("/", 1)[0] + "/no_such_db_for_this_test", sleep=fake.sleep, clock=fake.clock
        )
    assert fake.sleeps == [] and "Traceback" not in str(caught.value)
