"""Virtual time for fault delays: a sleep that records what it was asked to wait and moves a ``ManualClock``
instead of waiting, so a scenario with a wallet whose p99 is seconds runs in milliseconds.

>>> import asyncio
>>> from simulator.clock import ManualClock
>>> clock = ManualClock(0.0)
>>> sleep = VirtualSleep(clock)
>>> asyncio.run(sleep(2.5)); sleep.calls, clock.now()
([2.5], 2.5)
"""

from __future__ import annotations

import asyncio

from simulator.clock import ManualClock


class VirtualSleep:
    def __init__(self, clock: ManualClock | None = None) -> None:
        self._clock = clock
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self._clock is not None and seconds > 0:
            self._clock.advance(seconds)
        await asyncio.sleep(0)

    @property
    def total(self) -> float:
        return sum(self.calls)
