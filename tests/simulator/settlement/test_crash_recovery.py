"""kill -9 in the middle of a faulty run: after a restart every pending win and rollback is delivered, none is
applied twice, and reconciliation finds no difference.

The simulator is a real process; the reference wallet and a fault-injecting proxy in front of it run in this
test, so they outlive the kill and the wallet's ledger is the ground truth.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from pathlib import Path

import aiohttp

from simulator.clock import SystemClock
from simulator.settings import Settings
from tests.fakes import engine
from tests.fakes.flaky_wallet import FaultPlan, flaky, running_wallet
from tests.fakes.load import Load, create_players, game_for, launch, report, wait_settled
from tests.fakes.processes import SimProcess, run_cli

SECRET = "crash-test-secret"
FAULTS = {
    "fail_before": 0.06,
    "fail_after": 0.06,
    "hang_before": 0.03,
    "hang_after": 0.04,
    "garbage_after": 0.03,
    "reset_after": 0.03,
}
SIM_ENV = {
    "CASINO_SIM_WALLET_SECRET": SECRET,
    "CASINO_SIM_WALLET_TIMEOUT": "0.4",
    "CASINO_SIM_RETRY_BASE_DELAY": "0.05",
    "CASINO_SIM_RETRY_MAX_DELAY": "0.4",
    "CASINO_SIM_RETRY_MAX_AGE": "600",
}


async def until(condition: object, limit: float) -> None:
    deadline = time.monotonic() + limit
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_sigkill_mid_run_then_restart_reconciles_to_zero(tmp_path: Path) -> None:
    wallet_settings = Settings(data_dir=tmp_path / "wallet", port=0)
    plan = FaultPlan(rates=FAULTS, seed=7)
    async with (
        running_wallet(wallet_settings, clock=SystemClock(), keys={"casino-sim": SECRET.encode()}) as wallet,
        flaky(wallet.url, plan, hang=0.8) as proxy,
        aiohttp.ClientSession() as http,
    ):
        args = ["--data-dir", str(tmp_path / "sim"), "--wallet-url", proxy.url, "--no-embedded-wallet"]
        first = SimProcess(args, SIM_ENV, tmp_path / "sim-1.log")
        await first.start()
        try:
            players = await create_players(http, wallet.url, 8, 1_000_000)
            game = await game_for(http, first.url, engine.COIN)
            tokens = [await launch(http, first.url, p, game) for p in players]
            load = Load(first.url)
            running = asyncio.create_task(load.run(http, tokens))
            # crash while rounds are answered and a wallet call is held mid-flight
            await until(lambda: load.answered >= 120 and proxy.in_flight > 0, 30)
            await first.kill()
            await asyncio.wait_for(running, 10)
        finally:
            await first.kill()
        assert load.statuses[200] > 0 and sum(n for s, n in load.statuses.items() if s >= 500) > 0

        second = SimProcess(args, SIM_ENV, tmp_path / "sim-2.log")
        await second.start()
        try:
            after_restart = await report(http, second.url)
            more = Load(second.url)  # the same sessions play on after the restart
            await asyncio.wait_for(more.run(http, tokens, rounds=5), 30)
            assert more.statuses[200] > 0
            plan.enabled = False  # let what is owed through
            settled = await wait_settled(http, second.url, limit=40)
            live = ("--simulator-url", second.url, "--wallet-url", wallet.url)
            code, out, err = await run_cli("reconcile", *live, "--json", "--fail-on-open")
            db_code, db_out, _ = await run_cli(
                "reconcile", "--database-url", f"sqlite:///{tmp_path / 'sim' / 'simulator.sqlite3'}",
                "--wallet-url", wallet.url,
            )  # fmt: skip
        finally:
            await second.stop()
    assert after_restart["pending"] > 0, after_restart  # the kill left bets in flight and deliveries owed
    assert settled["needs_attention"] == 0, settled
    for kind in ("win", "rollback"):
        assert set(settled["transactions"][kind]) == {"acked"}, settled
    assert code == 0, out + err
    result = json.loads(out)
    assert (result["differences"], result["open_rounds"]) == (0, [])
    assert result["matched"] == result["provider_transactions"] - settled["transactions"]["bet"].get("failed", 0)
    assert db_code == 0 and db_out.strip().endswith("no differences"), db_out
    # retried with the same ids, applied once: repeated ids at the proxy, one ledger entry each
    attempts = Counter(c.transaction_id for c in proxy.calls if c.operation in ("win", "rollback"))
    assert max(attempts.values()) > 1
    ledger_ids = [e["transaction_id"] for e in await wallet_entries(wallet_settings)]
    assert len(ledger_ids) == len(set(ledger_ids))
    assert {"fail_before", "fail_after", "hang_after", "garbage_after", "reset_after"} <= set(proxy.faults())


async def wallet_entries(settings: Settings) -> list[dict[str, object]]:
    from simulator.store.database import open_database
    from simulator.wallet.ledger import Ledger

    db = await open_database(settings.wallet_database_url)
    try:
        return await Ledger(db, SystemClock()).entries(limit=1_000_000)
    finally:
        await db.close()
