"""Guards shared by the multi-step engines (mines, crash, blackjack).

A round's ``state`` comes back from storage, so every action re-checks it: a finished round refuses
everything with ``RoundFinished``, and an action missing from the current ``actions`` tuple is an
``IllegalAction`` naming the ones that are allowed, rather than a ``KeyError`` deep inside the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from games.errors import IllegalAction, RoundFinished


def check_action(state: Mapping[str, Any], action: str, allowed: Iterable[str], game: str) -> None:
    if state.get("finished"):
        raise RoundFinished(f"{game}: the round is over; {action!r} is not possible")
    allowed = tuple(allowed)
    if action not in allowed:
        raise IllegalAction(f"{game}: {action!r} is not allowed now; allowed: {list(allowed)}")


def check_action_params(params: object, allowed: Iterable[str], game: str, action: str) -> Mapping[str, Any]:
    if not isinstance(params, Mapping):
        raise IllegalAction(f"{game}: params of {action!r} must be a JSON object")
    unknown = sorted(str(key) for key in params if key not in set(allowed))
    if unknown:
        raise IllegalAction(f"{game}: unknown parameter(s) {unknown} for {action!r}")
    return params
