from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from simulator.clock import ManualClock
from simulator.faults.timing import VirtualSleep
from simulator.settings import Settings
from tests.harness import Sim, running_sim


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def sim(settings: Settings, clock: ManualClock) -> AsyncIterator[Sim]:
    """The simulator on a manual clock (fault delays pass in virtual time), its settlement worker run by the test
    (``helpers.settle``), so nothing moves unseen."""
    async with running_sim(settings, clock=clock, sleep=VirtualSleep(clock), settlement_worker=False) as running:
        yield running
