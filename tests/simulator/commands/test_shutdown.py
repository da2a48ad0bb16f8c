"""Stopping: the settlement worker ends when cancelled, even when the cancellation arrives as it is being woken
(``asyncio.wait_for`` on Python 3.11 dropped such a cancellation and ``serve`` then hung on SIGTERM)."""

from __future__ import annotations

import asyncio

from simulator.settings import Settings
from simulator.state import WORKER
from tests.harness import running_sim


async def test_the_worker_stops_when_cancelled_as_it_is_woken(settings: Settings) -> None:
    async with running_sim(settings, settlement_worker=False) as sim:
        worker = sim.app[WORKER]
        for _ in range(20):
            task = asyncio.create_task(worker.run())
            for _ in range(5):  # let it reach its wait: yields to the loop, not a wall-clock sleep
                await asyncio.sleep(0)
            worker.kick()
            task.cancel()
            done, _ = await asyncio.wait({task}, timeout=10)
            assert done, "the worker outlived its cancellation"
            assert task.cancelled()
