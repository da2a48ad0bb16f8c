"""Time as a dependency. Everything that reads the time takes a ``Clock``, so tests move time instead of sleeping."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (wall time, for timestamps and expiry)."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin (for durations and backoff)."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that only moves when told to.

    >>> clock = ManualClock(1_700_000_000.0)
    >>> clock.advance(30)
    >>> clock.now()
    1700000030.0
    """

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._mono = 0.0

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += seconds
        self._mono += seconds
