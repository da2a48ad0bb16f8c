"""Small, exact engines for tests, installed into the registry only when it holds no engines of its own.

The catalogue and the play flow must work with whatever engines ``games.registry`` holds; on a branch where
the real engines are not merged yet, these stand in so every end-to-end path (single-step, multi-step, RTP
variants of one family) can still be exercised.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt

import games.registry
from games.engine import JSON, AnyEngine, MathProfile, Outcome, Step
from games.errors import IllegalAction, InvalidBet
from games.rng import RandomSource


def _stake(stake: int) -> None:
    if stake <= 0:
        raise InvalidBet("stake must be positive")


class Coin:
    engine_id = "test-coin"
    category = "instant"

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome:
        _stake(stake)
        side = params.get("side", "heads")
        if side not in ("heads", "tails"):
            raise InvalidBet("side must be heads or tails")
        landed = ("heads", "tails")[rng.index(2)]
        return Outcome(stake * 196 // 100 if landed == side else 0, {"landed": landed, "side": side})

    def math(self) -> MathProfile:
        return MathProfile(0.98, 0.5, 0.98, 1.96, "analytic")

    def reference_params(self) -> JSON:
        return {"side": "heads"}

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        return np.where(rng.integers(0, 2, rounds) == 0, 1.96, 0.0)


class Wheel:
    engine_id = "test-wheel"
    category = "table"

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome:
        _stake(stake)
        pocket = rng.index(37)
        red = pocket != 0 and pocket % 2 == 1
        return Outcome(stake * 2 if red else 0, {"pocket": pocket, "bet": "red"})

    def math(self) -> MathProfile:
        return MathProfile(36 / 37, 18 / 37, 0.9996, 2.0, "analytic")

    def reference_params(self) -> JSON:
        return {"bet": "red"}

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        pockets = rng.integers(0, 37, rounds)
        return np.where((pockets != 0) & (pockets % 2 == 1), 2.0, 0.0)


class Reels:
    category = "slots"
    family = "test-reels"

    def __init__(self, engine_id: str, pays: int) -> None:
        self.engine_id = engine_id
        self.pays = pays

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome:
        _stake(stake)
        stops = [rng.index(5) for _ in range(3)]
        win = stake * self.pays if len(set(stops)) == 1 else 0
        return Outcome(win, {"stops": stops})

    def math(self) -> MathProfile:
        p = 1 / 25
        mean = p * self.pays
        return MathProfile(mean, p, (p * self.pays**2 - mean**2) ** 0.5, float(self.pays), "enumeration")

    def reference_params(self) -> JSON:
        return {}

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        stops = rng.integers(0, 5, (rounds, 3))
        return np.where((stops[:, 0] == stops[:, 1]) & (stops[:, 1] == stops[:, 2]), float(self.pays), 0.0)


class Ladder:
    """Climb a ladder that breaks at a rung decided at opening; each rung multiplies the stake by 1.5."""

    engine_id = "test-ladder"
    category = "instant"

    def open(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Step:
        _stake(stake)
        state = {"stake": stake, "breaks_at": 1 + rng.index(4), "rung": 0}
        return Step(state, {"rung": 0}, False, 0, ("climb", "cashout"))

    def cost(self, state: Mapping[str, Any], action: str, params: Mapping[str, Any]) -> int:
        if action not in ("climb", "cashout"):
            raise IllegalAction(f"unknown action {action!r}")
        return 0

    def act(self, state: Mapping[str, Any], action: str, params: Mapping[str, Any]) -> Step:
        self.cost(state, action, params)
        rung = state["rung"]
        if action == "cashout":
            win = state["stake"] * 3**rung // 2**rung
            return Step(dict(state), {"rung": rung, "win": win}, True, win)
        rung += 1
        new = dict(state) | {"rung": rung}
        if rung >= state["breaks_at"]:
            return Step(new, {"rung": rung, "broke": True}, True, 0)
        return Step(new, {"rung": rung}, False, 0, ("climb", "cashout"))

    def math(self) -> MathProfile:
        return MathProfile(1.0, 0.0, 0.0, 1.0, "analytic")

    def reference_params(self) -> JSON:
        return {}

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        return np.ones(rounds)


def test_engines() -> dict[str, AnyEngine]:
    engines: list[AnyEngine] = [
        Coin(),
        Wheel(),
        Reels("test-reels", 20),
        Reels("test-reels-96", 24),
        Ladder(),
    ]
    return {e.engine_id: e for e in engines}


_FALLBACK = test_engines()


def _fallback_engines() -> dict[str, AnyEngine]:
    return _FALLBACK


@contextmanager
def installed() -> Iterator[bool]:
    """Use the test engines while the real registry is empty; yields whether they were installed."""
    original = games.registry._engines
    if original():
        yield False
        return
    games.registry._engines = _fallback_engines  # type: ignore[assignment]
    try:
        yield True
    finally:
        games.registry._engines = original


def install() -> bool:
    """For scripts (the benchmark, a subprocess in a test): install for the rest of the process if needed."""
    if games.registry._engines():
        return False
    games.registry._engines = _fallback_engines  # type: ignore[assignment]
    return True
