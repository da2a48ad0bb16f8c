"""A simulator whose wallet calls pass through a fault-injecting proxy to a separate reference wallet, all on
loopback, with one manual clock: settlement is driven by ``settle()`` (worker passes), never by sleeping."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from simulator.clock import ManualClock
from simulator.settings import Settings
from simulator.state import STORE, WORKER
from simulator.store.provider import ProviderStore
from tests.databases import database_url, db, pg_url
from tests.fakes import engine
from tests.fakes.flaky_wallet import FaultPlan, FlakyWallet, WalletServer, flaky, running_wallet
from tests.fakes.processes import AUTH_SETTINGS
from tests.harness import Reply, Sim, running_sim

__all__ = ["World", "database_url", "db", "engines", "pg_url", "running_world", "world"]

SECRET = "settlement-test-secret"
KEYS = {"casino-sim": SECRET.encode()}


@pytest.fixture
def engines() -> Iterator[None]:
    with engine.test_engines():
        yield


@dataclass
class World:
    sim: Sim
    wallet: WalletServer
    proxy: FlakyWallet
    plan: FaultPlan
    clock: ManualClock

    @property
    def store(self) -> ProviderStore:
        return self.sim.app[STORE]

    async def wallet_request(self, method: str, path: str, body: Any = None) -> Reply:
        async with self.sim.http.request(method, self.wallet.url + path, json=body) as response:
            return Reply(response.status, await response.json(content_type=None))

    async def player(self, balance: int = 10_000, **fields: Any) -> dict[str, Any]:
        reply = await self.wallet_request("POST", "/sandbox/players", {"currency": "USD", "balance": balance} | fields)
        assert reply.status == 201, reply.body
        player: dict[str, Any] = reply.body
        return player

    async def balance(self, player_id: str) -> int:
        reply = await self.wallet_request("GET", f"/sandbox/players/{player_id}")
        return int(reply.body["balance"])

    async def session(self, player: dict[str, Any], engine_id: str = engine.COIN) -> str:
        game = await self.sim.game_for(engine_id)
        return str((await self.sim.launch(player, game))["session_token"])

    async def settle(self, *, step: float = 1.0, rounds: int = 200) -> None:
        """Advance the clock and run worker passes until nothing is pending (or ``rounds`` passes ran)."""
        for _ in range(rounds):
            if (await self.store.outbox.summary()).pending == 0:
                return
            self.clock.advance(step)
            await self.sim.app[WORKER].run_once()
        raise AssertionError(f"still pending after {rounds} passes: {await self.store.outbox.summary()}")


@contextlib.asynccontextmanager
async def running_world(
    tmp_path: Path, clock: ManualClock, *, sim: dict[str, Any] | None = None, **settings: Any
) -> AsyncIterator[World]:
    """A simulator calling a separate reference wallet through a fault proxy, on ``clock``. ``settings`` change those
    of both servers; ``sim`` those of the simulator alone (its database, its webhooks)."""
    base = Settings(
        **{
            "data_dir": tmp_path / "data",
            "port": 0,
            "embedded_wallet": False,
            "wallet_secret": SECRET,
            "wallet_timeout": 0.2,
            "retry_base_delay": 1.0,
            "retry_max_delay": 8.0,
            **AUTH_SETTINGS,  # the credentials the CLI processes of these tests are given
            "signature_window": 10**10,  # those processes sign with the wall clock; this world runs on a manual one
            **settings,
        }
    )
    plan = FaultPlan()
    async with (
        running_wallet(base, clock=clock, keys=KEYS) as wallet,
        flaky(wallet.url, plan, hang=0.5) as proxy,
        running_sim(
            base.model_copy(update={**(sim or {}), "wallet_url": proxy.url}), clock=clock, settlement_worker=False
        ) as simulator,
    ):
        yield World(simulator, wallet, proxy, plan, clock)


@pytest.fixture
async def world(engines: None, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path, ManualClock(), retry_max_age=120.0) as world:
        yield world


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
