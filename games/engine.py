"""The contract between game engines and everything that drives them (the play API, the RTP simulator, the
catalogue).

An engine is pure: it takes a stake in minor units, JSON-like parameters and a ``RandomSource``, and returns what
happened. Wins are integers of the same minor units: the round's exact win (a ``Fraction``) settled by the unbiased
rounding of ``games.common.money.settle`` with a word of the round's own stream; floats never hold money.

Single-step engines (slots, roulette, dice, ...) implement ``play``. Multi-step engines (blackjack, mines, crash)
decide everything random in ``open`` (deck order, mine positions, bust point, then the rounding word) and keep it in a
JSON-able ``state``, so
``act`` is deterministic, a round survives a restart, and a resumed round cannot be re-rolled. ``cost`` says how much
extra stake an action needs (double, split, insurance) so the caller can debit it before the action is applied.

An engine declares its kind by deriving from ``SingleStep`` or ``MultiStep``, which set the class attribute
``multi_step``. It is a literal in both protocols, so ``if engine.multi_step:`` narrows an ``AnyEngine`` for mypy,
and an engine whose declaration does not fit its methods fails type checking where it is registered. At run time the
test is one attribute read: nothing inspects an engine's shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

import numpy as np
import numpy.typing as npt

from games.common.schema import Parameters
from games.rng import RandomSource

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class MathProfile:
    """Theoretical math of an engine variant, per unit stake.

    ``method`` says how the figures were obtained: ``"enumeration"``, ``"combinatorics"``, ``"analytic"``, or
    ``"simulation"`` where exact computation is infeasible (the docstring of the engine then says why).
    """

    rtp: float
    hit_frequency: float
    std_dev: float
    max_win_multiplier: float
    method: str

    @property
    def volatility_index(self) -> float:
        """Volatility index at 90% confidence: 1.645 * sigma."""
        return 1.645 * self.std_dev


@dataclass(frozen=True, slots=True)
class Outcome:
    """Result of a finished single-step round. ``detail`` is JSON-able and shown to the player as-is."""

    win: int
    detail: JSON = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Step:
    """State of a multi-step round after ``open`` or ``act``.

    ``state`` is persisted between actions; ``view`` is what the player may see (never unrevealed cards or mines);
    ``win`` is the final win once ``finished`` is true and 0 before; ``actions`` lists what the player may do next.
    """

    state: JSON
    view: JSON
    finished: bool
    win: int
    actions: tuple[str, ...] = ()


class SingleStep:
    """Base of every single-step engine: the declaration ``Engine`` requires."""

    multi_step: ClassVar[Literal[False]] = False


class MultiStep:
    """Base of every multi-step engine: the declaration ``MultiStepEngine`` requires."""

    multi_step: ClassVar[Literal[True]] = True


class Engine(Protocol):
    """A single-step game."""

    multi_step: ClassVar[Literal[False]]
    engine_id: str
    category: str  # "slots" | "table" | "instant" | "live"

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome: ...

    def math(self) -> MathProfile:
        """Theoretical math for the engine's reference bet (see ``reference_params``)."""
        ...

    def reference_params(self) -> JSON:
        """Parameters of the bet that ``math`` and ``simulate`` describe; also the default when a player sends none."""
        ...

    def parameters(self) -> Parameters:
        """JSON Schemas of the bet's params (and, for multi-step engines, of each action's), with examples."""
        ...

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        """Vectorised Monte Carlo: the return per unit stake of ``rounds`` independent reference bets."""
        ...


class MultiStepEngine(Protocol):
    """A game whose round spans several player actions."""

    multi_step: ClassVar[Literal[True]]
    engine_id: str
    category: str

    def open(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Step: ...

    def cost(self, state: Mapping[str, Any], action: str, params: Mapping[str, Any]) -> int:
        """Extra stake (minor units) that ``action`` requires before it is applied; 0 for most actions."""
        ...

    def act(self, state: Mapping[str, Any], action: str, params: Mapping[str, Any]) -> Step: ...

    def reference_action(self, step: Step) -> tuple[str, JSON]:
        """The next action (name and params) of the reference strategy that ``math`` and ``simulate`` describe,
        decided from what the player sees; lets tools play real rounds the way the declared RTP assumes."""
        ...

    def math(self) -> MathProfile: ...

    def reference_params(self) -> JSON: ...

    def parameters(self) -> Parameters: ...

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]: ...


AnyEngine = Engine | MultiStepEngine
