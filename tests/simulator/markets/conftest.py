from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from simulator.clock import ManualClock
from simulator.settings import Settings
from tests.databases import database_url, db
from tests.harness import Sim, running_sim

__all__ = ["clock", "database_url", "db", "msim"]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def msim(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Sim]:
    """A simulator on a manual clock: tests move time instead of sleeping. Deterministic: the server seeds, so every
    round is the same on every run (the loss-limit test plays long shots, and a win early on would leave the limit
    out of reach of its 200 rounds on some seeds)."""
    settings = Settings(data_dir=tmp_path / "data", port=0, deterministic=True)
    async with running_sim(settings, clock=clock) as running:
        yield running
