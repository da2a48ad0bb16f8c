"""Per-key token buckets: ``rate`` requests per second on average, ``burst`` at once. In memory, so the limit holds
per process; N processes behind one port allow N times the rate. Time comes from the injected clock.

>>> from simulator.clock import ManualClock
>>> clock = ManualClock()
>>> limiter = RateLimiter(rate=1.0, burst=2, clock=clock)
>>> limiter.take("k"), limiter.take("k"), limiter.take("k")
(None, None, 1.0)
>>> clock.advance(1.0)
>>> limiter.take("k")
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.clock import Clock


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, *, rate: float, burst: int, clock: Clock) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str) -> float | None:
        """Spend one token of ``key``'s bucket: None when allowed, else the seconds until a token is back.
        Only keys that passed authentication get here, so the number of buckets is bounded by the key set."""
        now = self._clock.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self._burst, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return (1.0 - bucket.tokens) / self._rate
