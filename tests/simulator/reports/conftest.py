"""The settlement world (a simulator, a fault proxy and a separate reference wallet on one manual clock) on each
database engine, for reports that must agree with the wallet's ledger."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from simulator.clock import ManualClock
from simulator.settings import Settings
from tests.databases import ENGINES, database_url_for
from tests.fakes.flaky_wallet import FaultPlan, flaky, running_wallet
from tests.fakes.processes import AUTH_SETTINGS
from tests.harness import running_sim
from tests.simulator.settlement.conftest import KEYS, SECRET, World, engines

__all__ = ["engines", "world_on"]

START = 1_767_225_600.0 - 3 * 3600  # three hours before midnight UTC, 2026-01-01: rounds cross a day boundary


@pytest.fixture(params=ENGINES)
async def world_on(request: pytest.FixtureRequest, engines: None, tmp_path: Path) -> AsyncIterator[World]:
    clock = ManualClock(START)
    async with database_url_for(request.param, tmp_path) as url:
        base = Settings(
            data_dir=tmp_path / "data",
            port=0,
            embedded_wallet=False,
            wallet_secret=SECRET,
            wallet_timeout=0.2,
            retry_base_delay=1.0,
            retry_max_delay=8.0,
            retry_max_age=3600.0,
            session_ttl=10**7,
            **AUTH_SETTINGS,
            signature_window=10**10,
        )
        plan = FaultPlan()
        sim_settings = base.model_copy(update={"database_url": url})
        async with (
            running_wallet(base, clock=clock, keys=KEYS) as wallet,
            flaky(wallet.url, plan, hang=0.5) as proxy,
            running_sim(
                sim_settings.model_copy(update={"wallet_url": proxy.url}), clock=clock, settlement_worker=False
            ) as sim,
        ):
            yield World(sim, wallet, proxy, plan, clock)
