"""A round's outcome, typed: what its engine decided, as stored with the round (the ``outcome`` JSON) and shown in
round answers. This module is the one place that knows the keys of that JSON.

A single-step round keeps the engine's ``detail`` (game-specific, sent to the player unchanged) and the RNG choice. A
multi-step round keeps its current step (``state``, ``view``, ``actions``, ``finished``) and what a verifier replays,
the ``opening`` state and the ``opening_stake``. ``to_json`` writes the keys in the order rounds have always been
stored with, so stored rounds and answers stay byte-identical.

>>> from games.engine import Outcome
>>> played = SingleStepOutcome.played(Outcome(win=0, detail={"roll": 7}), RngChoice("provably-fair", "compatible"))
>>> played.to_json()
{'detail': {'roll': 7}, 'rng': {'mode': 'provably-fair', 'mapping': 'compatible'}}
>>> stored_outcome(played.to_json()) == played, played.answer()
(True, {'outcome': {'roll': 7}})
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from games.engine import JSON, Outcome, Step
from simulator.fairness.source import RngMapping, RngMode


# None of these is frozen, like the store's records: each is built several times a round (simulator.store.records
# says why). Nothing changes them in place; a change is a new one (dataclasses.replace).
@dataclass(slots=True)
class RngChoice:
    """How the round's random stream was made, so that it can be made again."""

    mode: RngMode
    mapping: RngMapping

    def to_json(self) -> JSON:
        return {"mode": self.mode, "mapping": self.mapping}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RngChoice:
        return cls(data["mode"], data["mapping"])


@dataclass(slots=True)
class SingleStepOutcome:
    multi_step: ClassVar[Literal[False]] = False
    finished: ClassVar[Literal[True]] = True

    detail: JSON
    rng: RngChoice

    @classmethod
    def played(cls, outcome: Outcome, rng: RngChoice) -> SingleStepOutcome:
        return cls(outcome.detail, rng)

    def to_json(self) -> JSON:
        return {"detail": self.detail, "rng": self.rng.to_json()}

    def answer(self) -> JSON:
        """The fields a round answer adds for it."""
        return {"outcome": self.detail}


@dataclass(frozen=True, slots=True)
class MultiStepOutcome:
    multi_step: ClassVar[Literal[True]] = True

    state: JSON
    view: JSON
    actions: tuple[str, ...]
    finished: bool
    opening: JSON
    opening_stake: int
    rng: RngChoice

    @classmethod
    def opened(cls, step: Step, stake: int, rng: RngChoice) -> MultiStepOutcome:
        """The round as ``open`` left it; its state is also the opening a verifier recomputes."""
        return cls(step.state, step.view, step.actions, step.finished, step.state, stake, rng)

    def after(self, step: Step) -> MultiStepOutcome:
        """The round after an action: the new step, the same opening."""
        return dataclasses.replace(self, state=step.state, view=step.view, actions=step.actions, finished=step.finished)

    def to_json(self) -> JSON:
        return {
            "state": self.state,
            "view": self.view,
            "actions": list(self.actions),
            "finished": self.finished,
            "opening": self.opening,
            "opening_stake": self.opening_stake,
            "rng": self.rng.to_json(),
        }

    def answer(self) -> JSON:
        """The fields a round answer adds for it (never ``state``: it holds what the player may not see yet)."""
        return {"view": self.view, "actions": list(self.actions), "finished": self.finished}


RoundOutcome = SingleStepOutcome | MultiStepOutcome


def stored_outcome(data: Mapping[str, Any]) -> RoundOutcome:
    """The typed form of a stored ``outcome``; only single-step rounds store a ``detail``."""
    rng = RngChoice.from_json(data["rng"])
    if "detail" in data:
        return SingleStepOutcome(data["detail"], rng)
    return MultiStepOutcome(
        data["state"],
        data["view"],
        tuple(data["actions"]),
        data["finished"],
        data["opening"],
        data["opening_stake"],
        rng,
    )
