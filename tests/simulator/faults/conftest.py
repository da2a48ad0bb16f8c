"""A reference wallet on a loopback port and a ``WalletClient`` wired with the fault hook, as ``create_app`` does."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from simulator.clock import ManualClock
from simulator.commands.serve import bind
from simulator.dialects.call import WalletCall
from simulator.dialects.native import NativeDialect
from simulator.faults.journal import Journal
from simulator.faults.outbound import FaultHook, SkewClock
from simulator.faults.rules import FaultRule
from simulator.faults.ruleset import FaultSet
from simulator.faults.timing import VirtualSleep
from simulator.ids import SeededIds
from simulator.metrics import Metrics
from simulator.settings import Settings
from simulator.wallet.app import create_wallet_app
from simulator.wallet_client.client import WalletClient
from simulator.wallet_client.transport import WalletTransport
from tests.harness import authed_session

SECRET = "test-secret-" + "9" * 20


@dataclass
class WalletWorld:
    url: str
    http: aiohttp.ClientSession
    client: WalletClient
    hook: FaultHook
    faults: FaultSet
    journal: Journal
    metrics: Metrics
    sleep: VirtualSleep
    clock: ManualClock

    def use(self, *rules: dict[str, Any]) -> None:
        self.faults.replace_all([FaultRule.model_validate(r) for r in rules])

    async def player(self, balance: int = 10_000) -> dict[str, Any]:
        async with self.http.post(f"{self.url}/sandbox/players", json={"currency": "USD", "balance": balance}) as r:
            assert r.status == 201
            player: dict[str, Any] = await r.json()
            return player

    async def balance(self, player_id: str) -> int:
        async with self.http.get(f"{self.url}/sandbox/players/{player_id}") as r:
            return int((await r.json())["balance"])

    async def ledger(self) -> list[dict[str, Any]]:
        """The game entries (bet, win, rollback); the opening deposit is left out."""
        async with self.http.get(f"{self.url}/ledger") as r:
            entries: list[dict[str, Any]] = (await r.json())["entries"]
            return [e for e in entries if e["kind"] in ("bet", "win", "rollback")]


def op(player: dict[str, Any], operation: str, tx: str, amount: int = 100, **fields: Any) -> WalletCall:
    return WalletCall(
        operation,  # type: ignore[arg-type]
        player["player_id"],
        player["token"],
        "USD",
        transaction_id=tx,
        round_id=fields.pop("round_id", "round-1"),
        game_id="game-1",
        studio_id="studio-001",
        amount=amount,
        **fields,
    )


@pytest.fixture
async def wallet(tmp_path: Path) -> AsyncIterator[WalletWorld]:
    clock = ManualClock()
    settings = Settings(data_dir=tmp_path / "wallet", port=0)
    app = create_wallet_app(settings, clock=clock, ids=SeededIds(1, "wallet"), keys={"casino-sim": SECRET.encode()})
    sock = bind("127.0.0.1", 0)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    faults = FaultSet(clock=clock, rng=random.Random(3))
    journal = Journal(100, clock=clock, secrets=[SECRET])
    metrics = Metrics()
    sleep = VirtualSleep(clock)
    hook = FaultHook(faults, sleep=sleep, journal=journal, metrics=metrics)
    dialect = NativeDialect(url, "casino-sim", SECRET.encode(), SkewClock(clock))
    try:
        transport = WalletTransport(8)
        async with authed_session(settings) as http:
            client = WalletClient(transport, dialect, timeout=5.0, hook=hook)
            yield WalletWorld(url, http, client, hook, faults, journal, metrics, sleep, clock)
    finally:
        await transport.close()
        await runner.cleanup()
