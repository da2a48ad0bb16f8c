"""Load shapes for peak-traffic tests: each is a list of stages, ``(until_second, users, spawn_rate)``.

``users`` is the base load (``--users``). Durations are real minutes at ``time_scale=1`` and shrink proportionally
below it, so a test can run a whole spike in seconds. The user count and spawn rate are totals: in distributed mode
the master spreads them over the workers.

- steady: ramp to the base load and hold it for ten minutes;
- step: five equal steps up to the base load, two minutes each;
- spike: a promotion goes live: base load, then five-fold within 30 s, hold, then a decay back in steps;
- soak: the base load for four hours, to find leaks and slow drifts;
- table: a live table filling up: the base load (thousands, with ``LivePlayer`` alone) joins within a minute and
  stays ten minutes, so every betting window sees them all and every result settles them all at once.

Only the locustfile's ``PeakTrafficShape`` is seen by Locust (it runs the first shape class it finds); it picks one
of these classes by ``--shape``.
"""

from __future__ import annotations

from dataclasses import dataclass

from locust import LoadTestShape

MINUTE = 60.0


@dataclass(frozen=True)
class Stage:
    until: float  # seconds since the start of the test
    users: int
    spawn_rate: float


class StagesShape(LoadTestShape):
    """Runs its stages in order and stops after the last one."""

    abstract = True
    stages: tuple[Stage, ...] = ()

    def __init__(self, users: int, spawn_rate: float, time_scale: float = 1.0) -> None:
        super().__init__()
        self.stages = self.plan(max(1, users), max(spawn_rate, 0.1), time_scale)

    def plan(self, users: int, spawn_rate: float, scale: float) -> tuple[Stage, ...]:
        raise NotImplementedError

    def at(self, run_time: float) -> tuple[int, float] | None:
        for stage in self.stages:
            if run_time < stage.until:
                return stage.users, stage.spawn_rate
        return None

    def tick(self) -> tuple[int, float] | None:
        return self.at(self.get_run_time())

    @property
    def duration(self) -> float:
        return self.stages[-1].until if self.stages else 0.0


class SteadyShape(StagesShape):
    abstract = False

    def plan(self, users: int, spawn_rate: float, scale: float) -> tuple[Stage, ...]:
        return (Stage(10 * MINUTE * scale, users, spawn_rate),)


class StepShape(StagesShape):
    abstract = False
    steps = 5

    def plan(self, users: int, spawn_rate: float, scale: float) -> tuple[Stage, ...]:
        return tuple(
            Stage((i + 1) * 2 * MINUTE * scale, max(1, round(users * (i + 1) / self.steps)), spawn_rate)
            for i in range(self.steps)
        )


class SpikeShape(StagesShape):
    """Base load for two minutes, five-fold within 30 s, two minutes at the peak, then back down one step a minute
    (x4, x3, x2) and three minutes at the base load."""

    abstract = False
    factor = 5

    def plan(self, users: int, spawn_rate: float, scale: float) -> tuple[Stage, ...]:
        peak = users * self.factor
        surge = (peak - users) / (30 * scale)  # users per second that reach the peak in 30 s
        drop = users / (10 * scale)  # each step down takes 10 s
        stages = [Stage(2 * MINUTE * scale, users, spawn_rate), Stage(4.5 * MINUTE * scale, peak, surge)]
        minutes = 4.5
        for level in (4, 3, 2):
            minutes += 1
            stages.append(Stage(minutes * MINUTE * scale, users * level, drop))
        stages.append(Stage((minutes + 3) * MINUTE * scale, users, drop))
        return tuple(stages)


class SoakShape(StagesShape):
    abstract = False

    def plan(self, users: int, spawn_rate: float, scale: float) -> tuple[Stage, ...]:
        return (Stage(4 * 60 * MINUTE * scale, users, spawn_rate),)


class TableShape(StagesShape):
    abstract = False

    def plan(self, users: int, spawn_rate: float, scale: float) -> tuple[Stage, ...]:
        fill = max(spawn_rate, users / (MINUTE * scale))  # everyone seated within a minute
        return (Stage(11 * MINUTE * scale, users, fill),)


SHAPES: dict[str, type[StagesShape]] = {
    "steady": SteadyShape,
    "step": StepShape,
    "spike": SpikeShape,
    "soak": SoakShape,
    "table": TableShape,
}
