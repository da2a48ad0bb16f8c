"""Schedules: nth, every, first, skip, windows, caps, per-key counters and the seeded draw."""

from __future__ import annotations

import random
from typing import Any

import pytest

from simulator.faults.rules import Schedule
from simulator.faults.schedule import MAX_KEYS, ScheduleState


def fires(schedule: dict[str, Any], keys: list[str], *, times: list[float] | None = None, seed: int = 1) -> list[bool]:
    state = ScheduleState(Schedule.model_validate(schedule), started=0.0)
    rng = random.Random(seed)
    out = []
    for i, key in enumerate(keys):
        now = times[i] if times else 0.0
        hit = state.consider(key, now, rng)
        if hit:
            state.commit(key)
        out.append(hit)
    return out


T, F = True, False
CASES = [
    pytest.param({}, ["a"] * 3, [T, T, T], id="always"),
    pytest.param({"nth": 2}, ["a"] * 4, [F, T, F, F], id="nth"),
    pytest.param({"every": 2}, ["a"] * 5, [F, T, F, T, F], id="every"),
    pytest.param({"first": 2}, ["a"] * 4, [T, T, F, F], id="first"),
    pytest.param({"skip": 2, "first": 1}, ["a"] * 4, [F, F, T, F], id="skip-then-first"),
    pytest.param({"max_count": 2}, ["a"] * 4, [T, T, F, F], id="max-count"),
    pytest.param({"first": 1, "per": "player"}, ["a", "a", "b", "b", "a"], [T, F, T, F, F], id="per-key"),
    pytest.param({"max_count": 1, "per": "round", "max_total": 2}, ["a", "b", "c"], [T, T, F], id="max-total"),
]


@pytest.mark.parametrize(("schedule", "keys", "expected"), CASES)
def test_counting_schedules(schedule: dict[str, Any], keys: list[str], expected: list[bool]) -> None:
    assert fires(schedule, keys) == expected


def test_time_window_on_the_injected_clock() -> None:
    times = [0.0, 4.9, 5.0, 8.0, 9.0, 12.0]
    assert fires({"after": 5, "until": 9}, ["a"] * 6, times=times) == [F, F, T, T, F, F]


def test_calls_outside_the_window_are_not_counted() -> None:
    assert fires({"after": 5, "nth": 1}, ["a"] * 3, times=[1.0, 6.0, 7.0]) == [F, T, F]


def test_probability_is_seeded_and_roughly_right() -> None:
    first = fires({"probability": 0.3}, ["a"] * 2000, seed=9)
    assert first == fires({"probability": 0.3}, ["a"] * 2000, seed=9)
    assert 500 < sum(first) < 700


def test_per_key_counters_are_bounded() -> None:
    state = ScheduleState(Schedule(per="round"), started=0.0)
    rng = random.Random(0)
    for i in range(MAX_KEYS + 10):
        state.consider(f"r{i}", 0.0, rng)
    assert state.keys() == MAX_KEYS
    assert state.calls == MAX_KEYS + 10


def test_reset_starts_counters_and_window_again() -> None:
    state = ScheduleState(Schedule(first=1, until=10), started=0.0)
    rng = random.Random(0)
    assert state.consider("", 1.0, rng)
    state.commit("")
    assert not state.consider("", 2.0, rng)
    assert not state.consider("", 11.0, rng)
    state.reset(20.0)
    assert state.consider("", 21.0, rng)
