"""A rule's schedule at run time: call and injection counters per key, the time window, and the seeded draw.

Deciding is split in two so that several rules can look at one call and only the one applied counts an injection:
``consider`` counts the call and says whether the rule would fire; ``commit`` records that it did.

>>> import random
>>> from simulator.faults.rules import Schedule
>>> state = ScheduleState(Schedule(first=2, per="player"), started=0.0)
>>> rng = random.Random(1)
>>> [state.consider("alice", 1.0, rng) for _ in range(3)], state.consider("bob", 1.0, rng)
([True, True, False], True)
"""

from __future__ import annotations

import random
from collections import OrderedDict
from dataclasses import dataclass

from simulator.faults.rules import Schedule

MAX_KEYS = 100_000  # per rule: per-round counters must not grow without bound under load


@dataclass(slots=True)
class Counter:
    calls: int = 0
    injected: int = 0


class ScheduleState:
    __slots__ = ("_keys", "calls", "injected", "schedule", "started")

    def __init__(self, schedule: Schedule, *, started: float) -> None:
        self.schedule = schedule
        self.started = started
        self.calls = 0
        self.injected = 0
        self._keys: OrderedDict[str, Counter] = OrderedDict()

    def reset(self, started: float) -> None:
        self.started = started
        self.calls = 0
        self.injected = 0
        self._keys.clear()

    def _counter(self, key: str) -> Counter:
        counter = self._keys.get(key)
        if counter is None:
            counter = self._keys[key] = Counter()
            if len(self._keys) > MAX_KEYS:
                self._keys.popitem(last=False)
        else:
            self._keys.move_to_end(key)
        return counter

    def consider(self, key: str, now: float, rng: random.Random) -> bool:
        """Count this call (when inside the time window) and say whether the fault would be injected."""
        s = self.schedule
        elapsed = now - self.started
        if (s.after is not None and elapsed < s.after) or (s.until is not None and elapsed >= s.until):
            return False
        counter = self._counter(key)
        counter.calls += 1
        self.calls += 1
        n = counter.calls
        if s.skip is not None:
            if n <= s.skip:
                return False
            n -= s.skip
        if (
            (s.nth is not None and n != s.nth)
            or (s.every is not None and n % s.every)
            or (s.first is not None and n > s.first)
        ):
            return False
        if (s.max_count is not None and counter.injected >= s.max_count) or (
            s.max_total is not None and self.injected >= s.max_total
        ):
            return False
        return s.probability >= 1.0 or rng.random() < s.probability

    def commit(self, key: str) -> None:
        self._counter(key).injected += 1
        self.injected += 1

    def keys(self) -> int:
        return len(self._keys)
