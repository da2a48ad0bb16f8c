from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from simulator.settings import Settings
from tests.harness import Sim, running_sim


@pytest.fixture
async def sim(settings: Settings) -> AsyncIterator[Sim]:
    """The simulator with its settlement worker run by the test (``helpers.settle``), so nothing moves unseen."""
    async with running_sim(settings, settlement_worker=False) as running:
        yield running
