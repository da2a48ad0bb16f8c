"""Mines: 1-24 mines hidden among 25 tiles; reveal safe tiles to raise the multiplier, cash out before a mine.

Mine positions are decided in ``open`` by the public pick-without-replacement mapping
(``rng.index(len(remaining))`` from tiles 0-24) and stay in the state in the order they were drawn, so a round
compares position by position with public verifiers; ``act`` is deterministic and the view shows them only
once the round is over.

After ``k`` safe reveals with ``m`` mines the fair multiplier is ``1 / P(k safe) = C(25, k) / C(25 - m,
k)``; the game pays 99% of it, exactly, so every strategy of the form "reveal k tiles, then cash out" has
RTP exactly 99%. A cash-out's exact win ``stake * multiplier`` is settled to minor units with the rounding word
``open`` draws after the mines (``games.common.money.settle``), so that stays true at every stake. The reference
strategy behind ``math`` and ``simulate`` is 3 mines, reveal five tiles, cash
out.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from math import comb
from typing import Any

import numpy as np
import numpy.typing as npt

from games.common.actions import check_action, check_action_params
from games.common.money import ROUNDING_WORD, check_stake, exact_text, format_multiplier, settle_state
from games.common.params import check_keys, check_mapping, integer
from games.common.profile import Distribution, distribution, profile
from games.common.schema import Parameters, params_schema
from games.common.schema import integer as integer_schema
from games.engine import JSON, MathProfile, MultiStep, Step
from games.errors import IllegalAction
from games.rng import RandomSource

TILES = 25
EDGE = Fraction(99, 100)
REFERENCE_REVEALS = 5
_CHUNK = 65_536


def multiplier(mines: int, safe_revealed: int) -> Fraction:
    """Pay multiplier after ``safe_revealed`` safe tiles: 99% of the inverse survival probability."""
    if safe_revealed == 0:
        return Fraction(0)
    return EDGE * Fraction(comb(TILES, safe_revealed), comb(TILES - mines, safe_revealed))


class MinesEngine(MultiStep):
    """Multi-step mines. Open ``{"mines": 1..24}``; actions ``reveal {"tile": 0..24}`` and ``cashout {}``."""

    engine_id = "mines"
    category = "instant"

    def reference_params(self) -> JSON:
        return {"mines": 3}

    def parameters(self) -> Parameters:
        return Parameters(
            params_schema(
                "mines bet",
                {"mines": integer_schema(1, TILES - 1, f"Mines hidden among the {TILES} tiles (default 3).")},
                description="Open a board; then reveal tiles and cash out before a mine.",
                examples=[{"mines": 3}, {"mines": 24}, {}],
                invalid=[{"mines": 0}, {"mines": 25}, {"mines": "3"}],
            ),
            {
                "reveal": params_schema(
                    "mines reveal",
                    {"tile": integer_schema(0, TILES - 1, "The tile to turn over, not one already revealed.")},
                    description="Turn a tile over: a mine ends the round with nothing.",
                    examples=[{"tile": 12}, {"tile": 24}],
                    invalid=[{}, {"tile": 25}, {"tile": -1}, {"tile": "7"}],
                    required=["tile"],
                ),
                "cashout": params_schema(
                    "mines cashout",
                    description="Take the current multiplier (allowed once a tile is revealed).",
                    examples=[{}],
                    invalid=[{"tile": 3}],
                ),
            },
        )

    def _mines(self, params: Mapping[str, Any]) -> int:
        params = check_mapping(params, "mines")
        check_keys(params, ("mines",), "mines")
        return integer(params, "mines", 1, TILES - 1, self.reference_params()["mines"], "mines")

    def open(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Step:
        stake = check_stake(stake)
        mines = self._mines(params)
        remaining = list(range(TILES))
        positions = [remaining.pop(rng.index(len(remaining))) for _ in range(mines)]
        rounding_word = rng.word()
        state: JSON = {
            "stake": stake,
            "mines": mines,
            "mine_tiles": positions,
            "revealed": [],
            "status": "playing",
            "finished": False,
            "win": 0,
            ROUNDING_WORD: rounding_word,
        }
        return self._step(state)

    def _actions(self, state: Mapping[str, Any]) -> tuple[str, ...]:
        if state["finished"]:
            return ()
        return ("reveal", "cashout") if state["revealed"] else ("reveal",)

    def cost(self, state: Mapping[str, Any], action: str, params: Mapping[str, Any]) -> int:
        """Always 0; validates exactly as ``act`` does."""
        self._check(state, action, params)
        return 0

    def _check(self, state: Mapping[str, Any], action: str, params: Mapping[str, Any]) -> int | None:
        """The tile to reveal (``None`` for a cash-out), after every check ``act`` relies on."""
        check_action(state, action, self._actions(state), "mines")
        if action == "cashout":
            check_action_params(params, (), "mines", action)
            return None
        tile = check_action_params(params, ("tile",), "mines", action).get("tile")
        if isinstance(tile, bool) or not isinstance(tile, int) or not 0 <= tile < TILES:
            raise IllegalAction(f"mines: tile must be an integer from 0 to {TILES - 1}, got {tile!r}")
        if tile in state["revealed"]:
            raise IllegalAction(f"mines: tile {tile} is already revealed")
        return tile

    def act(self, state: Mapping[str, Any], action: str, params: Mapping[str, Any]) -> Step:
        tile = self._check(state, action, params)
        new: JSON = {**state, "revealed": list(state["revealed"])}
        if tile is None:
            return self._finish(new, "cashed_out")
        new["revealed"].append(tile)
        if tile in state["mine_tiles"]:
            return self._finish(new, "busted")
        if len(new["revealed"]) == TILES - state["mines"]:
            return self._finish(new, "cleared")
        return self._step(new)

    def _finish(self, state: JSON, status: str) -> Step:
        state["status"] = status
        state["finished"] = True
        exact = Fraction(0)
        if status != "busted":
            exact = state["stake"] * multiplier(state["mines"], len(state["revealed"]))
        state["exact_win"] = exact_text(exact)
        state["win"] = settle_state(exact, state)
        return self._step(state)

    def _step(self, state: JSON) -> Step:
        safe = len(state["revealed"]) - (state["status"] == "busted")
        view: JSON = {
            "mines": state["mines"],
            "revealed": list(state["revealed"]),
            "status": state["status"],
            "multiplier": format_multiplier(multiplier(state["mines"], safe)),
        }
        if state["finished"]:
            view["mine_tiles"] = list(state["mine_tiles"])
            view["win"] = state["win"]
            view["exact_win"] = state["exact_win"]
        else:
            view["next_multiplier"] = format_multiplier(multiplier(state["mines"], safe + 1))
        return Step(state=state, view=view, finished=state["finished"], win=state["win"], actions=self._actions(state))

    def reference_action(self, step: Step) -> tuple[str, JSON]:
        """Reveal tiles 0, 1, ... until ``REFERENCE_REVEALS`` are safe, then cash out."""
        revealed = len(step.view["revealed"])
        return ("reveal", {"tile": revealed}) if revealed < REFERENCE_REVEALS else ("cashout", {})

    def distribution(self, params: Mapping[str, Any] | None = None) -> Distribution:
        """Reference strategy (reveal ``REFERENCE_REVEALS`` tiles, then cash out) for ``params``."""
        mines = self._mines(self.reference_params() if params is None else params)
        survive = Fraction(comb(TILES - mines, REFERENCE_REVEALS), comb(TILES, REFERENCE_REVEALS))
        return distribution([(survive, multiplier(mines, REFERENCE_REVEALS)), (1 - survive, 0)])

    def math(self) -> MathProfile:
        top = max(multiplier(mines, TILES - mines) for mines in range(1, TILES))
        return profile(self.distribution(), "combinatorics", max_win=top)

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        """Places the mines of every round at random (a random permutation's first ``m`` tiles) and plays
        the reference strategy on tiles ``0..4``, so the simulation checks the combinatorics instead of
        restating it."""
        mines = self._mines(self.reference_params())
        pay = float(multiplier(mines, REFERENCE_REVEALS))
        out = np.empty(rounds, dtype=np.float64)
        for start in range(0, rounds, _CHUNK):
            size = min(_CHUNK, rounds - start)
            placed = rng.random((size, TILES)).argsort(axis=1)[:, :mines]
            hit = (placed < REFERENCE_REVEALS).any(axis=1)
            out[start : start + size] = np.where(hit, 0.0, pay)
        return out
