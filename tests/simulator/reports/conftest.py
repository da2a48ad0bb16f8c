"""The settlement world (a simulator, a fault proxy and a separate reference wallet on one manual clock) on each
database engine, for reports that must agree with the wallet's ledger."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from simulator.clock import ManualClock
from tests.databases import ENGINES, database_url_for
from tests.simulator.settlement.conftest import World, engines, running_world

__all__ = ["engines", "world_on"]

START = 1_767_225_600.0 - 3 * 3600  # three hours before midnight UTC, 2026-01-01: rounds cross a day boundary


@pytest.fixture(params=ENGINES)
async def world_on(request: pytest.FixtureRequest, engines: None, tmp_path: Path) -> AsyncIterator[World]:
    async with (
        database_url_for(request.param, tmp_path) as url,
        running_world(
            tmp_path,
            ManualClock(START),
            sim={"database_url": url},
            retry_max_age=3600.0,
            session_ttl=10**7,
        ) as world,
    ):
        yield world
