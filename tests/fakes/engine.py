"""Two minimal engines for settlement tests, so they do not depend on which real games a branch has.

``test-coin`` pays twice the stake on heads. ``test-ladder`` is multi-step: ``double`` costs the stake again
(an extra bet) and ``stand`` ends the round; the coin is tossed at opening, so actions are deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt

from games import registry
from games.common.schema import Parameters, params_schema
from games.engine import JSON, AnyEngine, MathProfile, MultiStep, Outcome, SingleStep, Step
from games.errors import IllegalAction
from games.rng import RandomSource

COIN = "test-coin"
LADDER = "test-ladder"


class CoinFlip(SingleStep):
    engine_id = COIN
    category = "instant"

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome:
        heads = rng.index(2) == 0
        return Outcome(win=2 * stake if heads else 0, detail={"heads": heads})

    def math(self) -> MathProfile:
        return MathProfile(rtp=1.0, hit_frequency=0.5, std_dev=1.0, max_win_multiplier=2.0, method="analytic")

    def reference_params(self) -> JSON:
        return {}

    def parameters(self) -> Parameters:
        return Parameters(params_schema("coin", description="A toss; params are ignored.", examples=[{}]))

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        return rng.integers(0, 2, rounds).astype(np.float64) * 2.0


class Ladder(MultiStep):
    engine_id = LADDER
    category = "table"

    def open(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Step:
        state = {"stake": stake, "lucky": rng.index(2) == 0}
        return Step(state=state, view={"stake": stake}, finished=False, win=0, actions=("double", "stand"))

    def cost(self, state: Mapping[str, Any], action: str, params: Mapping[str, Any]) -> int:
        if action not in ("double", "stand"):
            raise IllegalAction(f"no action {action!r}")
        return int(state["stake"]) if action == "double" else 0

    def act(self, state: Mapping[str, Any], action: str, params: Mapping[str, Any]) -> Step:
        stake = int(state["stake"]) * (2 if action == "double" else 1)
        win = 2 * stake if state["lucky"] else 0
        return Step(state=dict(state) | {"stake": stake}, view={"stake": stake}, finished=True, win=win)

    def reference_action(self, step: Step) -> tuple[str, JSON]:
        return "stand", {}

    def math(self) -> MathProfile:
        return MathProfile(rtp=1.0, hit_frequency=0.5, std_dev=1.0, max_win_multiplier=4.0, method="analytic")

    def reference_params(self) -> JSON:
        return {}

    def parameters(self) -> Parameters:
        actions = {name: params_schema(name, description=name, examples=[{}]) for name in ("double", "stand")}
        return Parameters(params_schema("ladder", description="A bet; params are ignored.", examples=[{}]), actions)

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        return rng.integers(0, 2, rounds).astype(np.float64) * 2.0


TEST_ENGINES: dict[str, AnyEngine] = {COIN: CoinFlip(), LADDER: Ladder()}


def register() -> None:
    """Add the test engines to the registry (idempotent); the catalogue built afterwards offers them."""
    from games import instant

    instant.ENGINES.update(TEST_ENGINES)
    registry._engines.cache_clear()


def unregister() -> None:
    from games import instant

    for engine_id in TEST_ENGINES:
        instant.ENGINES.pop(engine_id, None)
    registry._engines.cache_clear()


@contextmanager
def test_engines() -> Iterator[None]:
    register()
    try:
        yield
    finally:
        unregister()
